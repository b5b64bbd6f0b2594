import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../errors.js';
import { errorResponses, IdParams, LogItem } from './schemas.js';
import { requireWorkspace } from './workspaces.js';

interface LogsQuery {
  limit?: number;
  cursor?: string;
  tool?: string;
  ok?: boolean;
  caller?: string;
  environment?: string;
}

export default async function logsRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string }; Querystring: LogsQuery }>(
    '/workspaces/:id/logs',
    {
      schema: {
        params: IdParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 20 },
            tool: { type: 'string', maxLength: 64 },
            ok: { type: 'boolean' },
            caller: { type: 'string', maxLength: 100 },
            environment: { type: 'string', enum: ['live', 'test'] },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: LogItem }, nextCursor: { type: ['string', 'null'] } } }, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const { limit = 50, cursor, tool, ok, caller, environment } = request.query;
      const before = cursor === undefined ? undefined : Number(cursor);
      if (before !== undefined && (!Number.isInteger(before) || before < 1)) throw new BadRequest('"cursor" must be a value of nextCursor from a previous page.');
      // Calls still queued in memory would be missing from the page: write them first.
      await app.gateway.callLog.flush();
      const rows = await app.repos.callLogs.page(id, { limit, before, tool, ok, caller, environment });
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({ ...r, id: String(r.id) })),
        nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null,
      };
    },
  );
}
