import type { FastifyInstance } from 'fastify';
import type { StoredTool } from '../../db/repositories/tools-repository.js';
import { BadRequest, ToolNotFound, WorkspaceNotFound } from '../../errors.js';
import { AUTO_MAX_TOKENS, AUTO_MAX_TOOLS, estimateTokens } from '../../modules/discovery/tool-mode.js';
import { listJson, modeChoice, viewForMode } from '../../modules/mcp/mode-view.js';
import type { ToolModeReport } from './types.js';
import { withoutUserinfo } from '../../modules/specs/servers.js';
import { errorResponses, IdParams, ToolView } from './schemas.js';
import { requireWorkspace } from './workspaces.js';

function toolView(tool: StoredTool) {
  const d = tool.definition;
  return {
    name: d.name,
    method: d.method,
    path: d.path,
    summary: d.summary ?? '',
    description: d.description,
    tags: d.tags,
    deprecated: d.deprecated,
    // Stripped again for tools imported before userinfo was removed on import.
    serverUrl: d.serverUrl ? withoutUserinfo(d.serverUrl) : null,
    enabled: tool.enabled,
    annotations: d.annotations,
    inputSchema: d.inputSchema,
  };
}

const ToolList = { type: 'object', properties: { tools: { type: 'array', items: ToolView } } } as const;

const ToolModeReport = {
  type: 'object',
  properties: {
    setting: { type: 'string' },
    mode: { type: 'string' },
    reason: { type: 'string' },
    tools: { type: 'integer' },
    estimatedTokens: { type: 'integer' },
    dynamicEstimatedTokens: { type: 'integer' },
    thresholds: { type: 'object', properties: { tools: { type: 'integer' }, tokens: { type: 'integer' } } },
  },
} as const;

export default async function toolsRoutes(app: FastifyInstance) {
  // What clients are offered now: measured on the gateway's own view of the live environment (the
  // default schema profile, no key), so the figures are those of the list a client receives.
  app.get<{ Params: { id: string } }>(
    '/workspaces/:id/tool-mode',
    { schema: { params: IdParams, response: { 200: ToolModeReport, ...errorResponses } } },
    async (request): Promise<ToolModeReport> => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const workspace = await app.gateway.workspace(id);
      const runtime = workspace?.environments.get('live');
      if (!workspace || !runtime) throw new WorkspaceNotFound(id);
      const choice = modeChoice(runtime, workspace.toolMode);
      return {
        setting: workspace.toolMode,
        mode: choice.mode,
        reason: choice.reason,
        tools: choice.tools,
        estimatedTokens: choice.estimatedTokens,
        dynamicEstimatedTokens: estimateTokens(listJson(viewForMode(runtime, 'dynamic', 'default')).length),
        thresholds: { tools: AUTO_MAX_TOOLS, tokens: AUTO_MAX_TOKENS },
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/workspaces/:id/tools',
    { schema: { params: IdParams, response: { 200: ToolList, ...errorResponses } } },
    async (request) => {
      await requireWorkspace(app, request.params.id);
      return { tools: (await app.repos.tools.list(request.params.id)).map(toolView) };
    },
  );

  app.patch<{ Params: { id: string; name: string }; Body: { enabled: boolean } }>(
    '/workspaces/:id/tools/:name',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string', maxLength: 64 } },
          required: ['id', 'name'],
        },
        body: { type: 'object', properties: { enabled: { type: 'boolean' } }, required: ['enabled'], additionalProperties: false },
        response: { 200: ToolView, ...errorResponses },
      },
    },
    async (request) => {
      const { id, name } = request.params;
      await requireWorkspace(app, id);
      if ((await app.repos.tools.setEnabled(id, { [name]: request.body.enabled })).length > 0) throw new ToolNotFound(name);
      return toolView((await app.repos.tools.get(id, name))!);
    },
  );

  app.patch<{ Params: { id: string }; Body: { tools: Record<string, boolean> } }>(
    '/workspaces/:id/tools',
    {
      schema: {
        params: IdParams,
        body: {
          type: 'object',
          properties: { tools: { type: 'object', additionalProperties: { type: 'boolean' }, minProperties: 1, maxProperties: 5000 } },
          required: ['tools'],
          additionalProperties: false,
        },
        response: { 200: ToolList, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const missing = await app.repos.transaction((tx) => app.repos.tools.setEnabled(id, request.body.tools, tx));
      if (missing.length > 0)
        throw new BadRequest(`No tools named ${missing.map((n) => `"${n}"`).join(', ')} in this workspace; nothing was changed.`);
      return { tools: (await app.repos.tools.list(id)).map(toolView) };
    },
  );
}
