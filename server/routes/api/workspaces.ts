import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { WorkspaceSummaryRow } from '../../db/repositories/workspaces-repository.js';
import { BadRequest, EnvironmentNotFound, WorkspaceNotFound } from '../../errors.js';
import type { EnvironmentRow } from '../../db/repositories/environments-repository.js';
import type { Db } from '../../db/client.js';
import type { CreateWorkspaceBody, UpdateWorkspaceBody } from './types.js';
import { newSealedUrlToken, slugify } from '../../modules/workspaces/url-token.js';
import { parseAllowedOrigins } from '../../modules/credentials/credential-origin.js';
import { withoutUserinfo } from '../../modules/specs/servers.js';
import { EnvironmentQuery, errorResponses, IdParams, WorkspaceView } from './schemas.js';
import { SCHEMA_PROFILES } from '../../modules/profiles/index.js';
import { TOOL_MODES } from '../../modules/discovery/tool-mode.js';
import { renamedSelection } from '../../modules/discovery/toolset.js';
import { DEFAULT_RESPONSE_BUDGET } from '../../modules/mcp/workspace-runtime.js';
import { DEFAULT_NAME_BUDGET, MAX_NAME_BUDGET, MIN_NAME_BUDGET, renameForBudget } from '../../modules/specs/tool-names.js';

/** The MCP URL of a URL token (an environment's or a toolset's). */
export function mcpUrlFor(app: FastifyInstance, token: string): string {
  return `${app.publicUrl()}/mcp/${token}`;
}

export async function mcpUrlOf(app: FastifyInstance, env: EnvironmentRow): Promise<string> {
  return mcpUrlFor(app, await app.credentials.openUrlToken(env));
}

/** A new opaque URL token for an environment: the token itself (sealed) and its lookup hash. */
export function newEnvironmentToken(app: FastifyInstance, workspaceId: string, slug: string, environment: string) {
  return newSealedUrlToken(slug, (token) => app.credentials.sealUrlToken(workspaceId, environment, token));
}

export async function workspaceView(app: FastifyInstance, row: WorkspaceSummaryRow) {
  const envs = await app.repos.environments.list(row.id);
  const live = envs.find((e) => e.name === 'live')!;
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    mcpUrl: await mcpUrlOf(app, live),
    mcpUrls: Object.fromEntries(await Promise.all(envs.map(async (e) => [e.name, await mcpUrlOf(app, e)]))),
    // A spec stored before userinfo was stripped on import must not show it either.
    baseUrl: live.baseUrlOverride ?? (row.specBaseUrl ? withoutUserinfo(row.specBaseUrl) : null),
    access: row.access,
    rateLimit: row.rateLimit,
    effectiveRateLimit: row.rateLimit ?? app.config.rateLimit,
    toolNameBudget: row.toolNameBudget ?? MAX_NAME_BUDGET,
    schemaProfile: row.schemaProfile ?? 'auto',
    toolMode: row.toolMode ?? 'auto',
    responseBudget: row.responseBudget ?? DEFAULT_RESPONSE_BUDGET,
    allowedOrigins: row.allowedOrigins ?? [],
    toolCount: row.toolCount,
    enabledToolCount: row.enabledToolCount,
    lastCallAt: row.lastCallAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The named environment (default `live`), or a 404. */
export async function requireEnvironment(app: FastifyInstance, workspaceId: string, name = 'live'): Promise<EnvironmentRow> {
  const env = await app.repos.environments.get(workspaceId, name);
  if (!env) throw new EnvironmentNotFound(name);
  return env;
}

/** The workspace's summary row, or a 404. */
export async function requireWorkspace(app: FastifyInstance, id: string): Promise<WorkspaceSummaryRow> {
  const row = await app.repos.workspaces.getSummary(id);
  if (!row) throw new WorkspaceNotFound(id);
  return row;
}

export function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadRequest(`"baseUrl" must be an absolute http(s) URL, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequest('"baseUrl" must start with http:// or https://.');
  if (url.username || url.password) throw new BadRequest('"baseUrl" must not contain credentials: save them under auth instead.');
  if (url.search || url.hash) throw new BadRequest('"baseUrl" must not have a query string or fragment.');
  return url.toString().replace(/\/+$/, '');
}

const MIN_RESPONSE_BUDGET = 1_000;

const NameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
const BudgetSchema = { type: 'integer', minimum: MIN_NAME_BUDGET, maximum: MAX_NAME_BUDGET } as const;

/**
 * A new name budget renames the tools that do not fit it (and only those), keeping their toggles,
 * and the access keys limited to named tools follow them. The only way an existing workspace's
 * tool names change: clients that hold the old names see them in the next tools/list. Toolsets
 * that name tools follow them too.
 */
async function renameTools(app: FastifyInstance, workspaceId: string, budget: number, tx: Db): Promise<void> {
  const { tools, renamed } = renameForBudget(await app.repos.tools.list(workspaceId, {}, tx), budget);
  if (renamed.size === 0) return;
  await app.repos.tools.replaceAll(workspaceId, tools, tx);
  for (const key of await app.repos.accessKeys.list(workspaceId, tx))
    if (key.tools?.some((name) => renamed.has(name)))
      await app.repos.accessKeys.setTools(
        workspaceId,
        key.id,
        key.tools.map((name) => renamed.get(name) ?? name),
        tx,
      );
  for (const toolset of await app.repos.toolsets.list(workspaceId, tx)) {
    const selection = renamedSelection(toolset.selection, renamed);
    if (selection) await app.repos.toolsets.update(workspaceId, toolset.id, { selection }, new Date().toISOString(), tx);
  }
}

export default async function workspacesRoutes(app: FastifyInstance) {
  app.post<{ Body: CreateWorkspaceBody }>(
    '/workspaces',
    {
      schema: {
        body: {
          type: 'object',
          properties: { name: NameSchema, toolNameBudget: BudgetSchema },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: WorkspaceView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const name = request.body.name.trim();
      const slug = slugify(name);
      const now = new Date().toISOString();
      await app.repos.transaction(async (tx) => {
        const toolNameBudget = request.body.toolNameBudget ?? DEFAULT_NAME_BUDGET;
        await app.repos.workspaces.insert({ id, name, slug, toolNameBudget, createdAt: now, updatedAt: now }, tx);
        await app.repos.environments.insert(
          {
            workspaceId: id,
            name: 'live',
            ...newEnvironmentToken(app, id, slug, 'live'),
            baseUrlOverride: null,
            createdAt: now,
            updatedAt: now,
          },
          tx,
        );
      });
      reply.code(201);
      return workspaceView(app, await requireWorkspace(app, id));
    },
  );

  app.get(
    '/workspaces',
    { schema: { response: { 200: { type: 'object', properties: { workspaces: { type: 'array', items: WorkspaceView } } } } } },
    async () => ({
      workspaces: await Promise.all((await app.repos.workspaces.list()).map((row) => workspaceView(app, row))),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/workspaces/:id',
    { schema: { params: IdParams, response: { 200: WorkspaceView, ...errorResponses } } },
    async (request) => workspaceView(app, await requireWorkspace(app, request.params.id)),
  );

  app.patch<{
    Params: { id: string };
    Body: UpdateWorkspaceBody;
  }>(
    '/workspaces/:id',
    {
      schema: {
        params: IdParams,
        body: {
          type: 'object',
          properties: {
            name: NameSchema,
            baseUrl: { type: ['string', 'null'], maxLength: 2048 },
            access: { type: 'string', enum: ['url', 'keys'] },
            rateLimit: { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000 },
            // Checked by parseAllowedOrigins, whose messages say what an origin looks like.
            allowedOrigins: { type: ['array', 'null'], items: { type: 'string', maxLength: 2048 } },
            toolNameBudget: BudgetSchema,
            schemaProfile: { type: 'string', enum: ['auto', ...SCHEMA_PROFILES] },
            toolMode: { type: 'string', enum: ['auto', ...TOOL_MODES] },
            responseBudget: { type: ['integer', 'null'], minimum: 0, maximum: 10_000_000 },
          },
          additionalProperties: false,
          minProperties: 1,
        },
        response: { 200: WorkspaceView, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      const current = await requireWorkspace(app, id);
      const { name, baseUrl, access, rateLimit, toolNameBudget } = request.body;
      const schemaProfile =
        request.body.schemaProfile === undefined ? undefined : request.body.schemaProfile === 'auto' ? null : request.body.schemaProfile;
      const toolMode = request.body.toolMode === undefined ? undefined : request.body.toolMode === 'auto' ? null : request.body.toolMode;
      const { responseBudget } = request.body;
      // 0: no budget; below 1,000 tokens an answer would hold little more than its note.
      if (responseBudget && responseBudget < MIN_RESPONSE_BUDGET)
        throw new BadRequest(`"responseBudget" must be 0 (no budget) or at least ${MIN_RESPONSE_BUDGET.toLocaleString('en-US')} tokens.`);
      const now = new Date().toISOString();
      const baseUrlOverride = baseUrl === undefined ? undefined : baseUrl === null ? null : checkBaseUrl(baseUrl);
      const origins = request.body.allowedOrigins === undefined ? undefined : parseAllowedOrigins(request.body.allowedOrigins ?? []);
      const allowedOrigins = origins === undefined ? undefined : origins.length > 0 ? origins : null;
      await app.repos.transaction(async (tx) => {
        await app.repos.workspaces.update(
          id,
          { name: name?.trim(), access, rateLimit, allowedOrigins, toolNameBudget, schemaProfile, toolMode, responseBudget },
          now,
          tx,
        );
        if (baseUrlOverride !== undefined) await app.repos.environments.update(id, 'live', { baseUrlOverride }, now, tx);
        if (toolNameBudget !== undefined && toolNameBudget !== (current.toolNameBudget ?? MAX_NAME_BUDGET))
          await renameTools(app, id, toolNameBudget, tx);
      });
      return workspaceView(app, await requireWorkspace(app, id));
    },
  );

  // A new opaque URL; the old one stops working at once (the runtime cache is keyed by token).
  app.post<{ Params: { id: string }; Querystring: { environment?: string } }>(
    '/workspaces/:id/rotate-url',
    { schema: { params: IdParams, querystring: EnvironmentQuery, response: { 200: WorkspaceView, ...errorResponses } } },
    async (request) => {
      const { id } = request.params;
      const row = await requireWorkspace(app, id);
      const environment = (await requireEnvironment(app, id, request.query.environment)).name;
      await app.repos.environments.update(id, environment, newEnvironmentToken(app, id, row.slug, environment), new Date().toISOString());
      return workspaceView(app, await requireWorkspace(app, id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/workspaces/:id',
    { schema: { params: IdParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (request, reply) => {
      if (!(await app.repos.workspaces.delete(request.params.id))) throw new WorkspaceNotFound(request.params.id);
      reply.code(204);
    },
  );
}
