// Toolsets: named subsets of a workspace's tools, each with its own opaque URL, so one agent gets
// "issues" and another "repos admin" of the same API and credentials. The URL token is kept sealed
// (the console shows the URL again) and looked up by its hash, like an environment's.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ToolsetRow } from '../../db/repositories/toolsets-repository.js';
import { BadRequest, Conflict, ToolsetNotFound } from '../../errors.js';
import {
  MAX_SELECTION_ITEMS,
  normaliseSelection,
  selectionProblem,
  toolsetMatcher,
  type ToolsetSelection,
} from '../../modules/discovery/toolset.js';
import { newSealedUrlToken, slugify } from '../../modules/workspaces/url-token.js';
import { errorResponses, IdParams, ToolsetView } from './schemas.js';
import type { NewToolsetBody, ToolsetView as ToolsetViewBody, UpdateToolsetBody } from './types.js';
import { mcpUrlFor, requireEnvironment, requireWorkspace } from './workspaces.js';

/** Enough for every team's split of one API; each toolset is one more view kept in memory. */
export const MAX_TOOLSETS = 100;

const List = (items: Record<string, unknown>) => ({ type: 'array', items, maxItems: MAX_SELECTION_ITEMS, uniqueItems: true }) as const;
const SelectionProperties = {
  tools: List({ type: 'string', maxLength: 64 }),
  tags: List({ type: 'string', maxLength: 200 }),
  pathPrefixes: List({ type: 'string', maxLength: 2000 }),
} as const;
const NameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
const ToolsetParams = {
  type: 'object',
  properties: { id: { type: 'string' }, toolsetId: { type: 'string', maxLength: 100 } },
  required: ['id', 'toolsetId'],
} as const;

export default async function toolsetsRoutes(app: FastifyInstance) {
  async function workspaceTools(workspaceId: string) {
    return (await app.repos.tools.list(workspaceId)).map((t) => ({ ...t.definition, name: t.name, enabled: t.enabled }));
  }

  async function view(row: ToolsetRow, tools?: Awaited<ReturnType<typeof workspaceTools>>): Promise<ToolsetViewBody> {
    const all = tools ?? (await workspaceTools(row.workspaceId));
    const matches = toolsetMatcher(row.selection);
    const held = all.filter(matches);
    return {
      id: row.id,
      name: row.name,
      environment: row.environment,
      ...row.selection,
      mcpUrl: mcpUrlFor(app, await app.credentials.openToolsetToken(row)),
      matched: held.filter((t) => t.enabled).map((t) => t.name),
      disabledMatched: held.filter((t) => !t.enabled).length,
      boundKeys: await app.repos.toolsets.boundKeys(row.workspaceId, row.id),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  async function requireToolset(workspaceId: string, toolsetId: string): Promise<ToolsetRow> {
    const row = await app.repos.toolsets.get(workspaceId, toolsetId);
    if (!row) throw new ToolsetNotFound(toolsetId);
    return row;
  }

  /** The selection, checked against the workspace's tools (a typo is refused, not saved as an empty toolset). */
  async function checkedSelection(workspaceId: string, input: Partial<ToolsetSelection>) {
    const selection = normaliseSelection(input);
    const tools = await workspaceTools(workspaceId);
    const problem = selectionProblem(selection, tools);
    if (problem) throw new BadRequest(problem);
    return { selection, tools };
  }

  function checkName(existing: readonly ToolsetRow[], name: string, except?: string) {
    const taken = existing.some((t) => t.id !== except && t.name.toLowerCase() === name.toLowerCase());
    if (taken) throw new Conflict(`This workspace already has a toolset named "${name}".`);
  }

  function newToken(workspaceId: string, toolsetId: string, slug: string) {
    return newSealedUrlToken(slug, (token) => app.credentials.sealToolsetToken(workspaceId, toolsetId, token));
  }

  app.get<{ Params: { id: string } }>(
    '/workspaces/:id/toolsets',
    {
      schema: {
        params: IdParams,
        response: { 200: { type: 'object', properties: { toolsets: { type: 'array', items: ToolsetView } } }, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const tools = await workspaceTools(id);
      return { toolsets: await Promise.all((await app.repos.toolsets.list(id)).map((row) => view(row, tools))) };
    },
  );

  app.post<{ Params: { id: string }; Body: NewToolsetBody }>(
    '/workspaces/:id/toolsets',
    {
      schema: {
        params: IdParams,
        body: {
          type: 'object',
          properties: { name: NameSchema, environment: { type: 'string', enum: ['live', 'test'] }, ...SelectionProperties },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: ToolsetView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ws = await requireWorkspace(app, id);
      const { name: rawName, environment = 'live', ...input } = request.body;
      const name = rawName.trim();
      await requireEnvironment(app, id, environment);
      const existing = await app.repos.toolsets.list(id);
      if (existing.length >= MAX_TOOLSETS) throw new Conflict(`A workspace holds at most ${MAX_TOOLSETS} toolsets: delete one first.`);
      checkName(existing, name);
      const { selection, tools } = await checkedSelection(id, input);
      const toolsetId = randomUUID();
      const now = new Date().toISOString();
      const row: ToolsetRow = {
        id: toolsetId,
        workspaceId: id,
        name,
        environment,
        selection,
        // The URL says which API and toolset it opens, as a workspace's says which API.
        ...newToken(id, toolsetId, slugify(`${ws.slug}-${name}`)),
        createdAt: now,
        updatedAt: now,
      };
      await app.repos.toolsets.insert(row);
      reply.code(201);
      return view(row, tools);
    },
  );

  app.get<{ Params: { id: string; toolsetId: string } }>(
    '/workspaces/:id/toolsets/:toolsetId',
    { schema: { params: ToolsetParams, response: { 200: ToolsetView, ...errorResponses } } },
    async (request) => {
      const { id, toolsetId } = request.params;
      await requireWorkspace(app, id);
      return view(await requireToolset(id, toolsetId));
    },
  );

  // A selection part given replaces that part; parts not given stay as they are.
  app.patch<{ Params: { id: string; toolsetId: string }; Body: UpdateToolsetBody }>(
    '/workspaces/:id/toolsets/:toolsetId',
    {
      schema: {
        params: ToolsetParams,
        body: { type: 'object', properties: { name: NameSchema, ...SelectionProperties }, minProperties: 1, additionalProperties: false },
        response: { 200: ToolsetView, ...errorResponses },
      },
    },
    async (request) => {
      const { id, toolsetId } = request.params;
      await requireWorkspace(app, id);
      const current = await requireToolset(id, toolsetId);
      const { name: rawName, ...input } = request.body;
      const name = rawName?.trim();
      if (name !== undefined) checkName(await app.repos.toolsets.list(id), name, toolsetId);
      const { selection, tools } = await checkedSelection(id, { ...current.selection, ...input });
      await app.repos.toolsets.update(id, toolsetId, { ...(name !== undefined && { name }), selection }, new Date().toISOString());
      return view(await requireToolset(id, toolsetId), tools);
    },
  );

  // A new URL; the old one stops answering at once, on every node (the change drops the caches).
  app.post<{ Params: { id: string; toolsetId: string } }>(
    '/workspaces/:id/toolsets/:toolsetId/rotate-url',
    { schema: { params: ToolsetParams, response: { 200: ToolsetView, ...errorResponses } } },
    async (request) => {
      const { id, toolsetId } = request.params;
      const ws = await requireWorkspace(app, id);
      const current = await requireToolset(id, toolsetId);
      const token = newToken(id, toolsetId, slugify(`${ws.slug}-${current.name}`));
      await app.repos.toolsets.update(id, toolsetId, token, new Date().toISOString());
      return view(await requireToolset(id, toolsetId));
    },
  );

  app.delete<{ Params: { id: string; toolsetId: string } }>(
    '/workspaces/:id/toolsets/:toolsetId',
    { schema: { params: ToolsetParams, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (request, reply) => {
      const { id, toolsetId } = request.params;
      await requireWorkspace(app, id);
      const current = await requireToolset(id, toolsetId);
      // Unbinding them would widen what they open to the whole workspace: the admin decides.
      const bound = await app.repos.toolsets.boundKeys(id, toolsetId);
      if (bound > 0)
        throw new Conflict(
          `${bound} access key${bound === 1 ? ' is' : 's are'} bound to the toolset "${current.name}": revoke ${bound === 1 ? 'it' : 'them'} first.`,
        );
      await app.repos.toolsets.delete(id, toolsetId);
      reply.code(204);
    },
  );
}
