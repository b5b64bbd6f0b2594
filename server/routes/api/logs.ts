import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { BadRequest } from '../../errors.js';
import { EXPORT_CONTENT_TYPES, exportHeader, exportLine, type ExportFormat } from '../../modules/logs/log-export.js';
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

/** The filters the Logs tab offers; the list and the export take the same. */
const FILTERS = {
  tool: { type: 'string', maxLength: 64 },
  ok: { type: 'boolean' },
  caller: { type: 'string', maxLength: 100 },
  environment: { type: 'string', enum: ['live', 'test'] },
} as const;

/** Rows read per query while exporting: each is a keyset page, however large the log. */
const EXPORT_PAGE = 1000;

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
            ...FILTERS,
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: LogItem }, nextCursor: { type: ['string', 'null'] } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const { limit = 50, cursor, tool, ok, caller, environment } = request.query;
      const before = cursor === undefined ? undefined : Number(cursor);
      if (before !== undefined && (!Number.isInteger(before) || before < 1))
        throw new BadRequest('"cursor" must be a value of nextCursor from a previous page.');
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

  // Everything the filters match, oldest last as in the tab, streamed a page at a time.
  app.get<{ Params: { id: string }; Querystring: Omit<LogsQuery, 'limit' | 'cursor'> & { format?: ExportFormat } }>(
    '/workspaces/:id/logs/export',
    {
      schema: {
        params: IdParams,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: ['jsonl', 'csv'], default: 'jsonl' }, ...FILTERS } },
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const workspace = await requireWorkspace(app, id);
      const { format = 'jsonl', tool, ok, caller, environment } = request.query;
      await app.gateway.callLog.flush();
      const repos = app.repos;
      async function* lines() {
        yield exportHeader(format);
        let before: number | undefined;
        for (;;) {
          const rows = await repos.callLogs.page(id, { limit: EXPORT_PAGE, before, tool, ok, caller, environment });
          const page = rows.slice(0, EXPORT_PAGE);
          yield page.map((row) => exportLine(format, { ...row, id: String(row.id) })).join('');
          if (rows.length <= EXPORT_PAGE) return;
          before = page[page.length - 1].id;
        }
      }
      const day = new Date().toISOString().slice(0, 10);
      reply.header('content-type', EXPORT_CONTENT_TYPES[format]);
      reply.header('content-disposition', `attachment; filename="latchkey-logs-${workspace.slug}-${day}.${format}"`);
      return reply.send(Readable.from(lines()));
    },
  );
}
