// The MCP endpoint a client holds: POST /mcp/<token>, Streamable HTTP, stateless, JSON answers.
import { errorCodes, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type LogLevel } from 'fastify';
import { checkAccessKey, forwardedHeaders, keyChallenge, presentedKey, viewForKey, type KeyGrant } from '../../modules/mcp/access.js';
import { mcpEndpointFor } from '../../modules/mcp/index.js';
import { clientProfile } from '../../modules/mcp/client-profile.js';
import { viewForProfile } from '../../modules/mcp/profile-view.js';
import { viewForMode } from '../../modules/mcp/mode-view.js';
import { viewForToolset } from '../../modules/mcp/toolset-view.js';
import {
  batchTooLarge,
  jsonRpcError,
  MAX_TOOL_CALLS_PER_BATCH,
  toolCallCount,
  type ExchangeAnswer,
} from '../../modules/mcp/exchange-transport.js';
import { createCallSlots } from '../../modules/mcp/call-slots.js';
import { readJsonBody } from '../../modules/mcp/read-json-body.js';
import type { ShapeRefusal } from '../../modules/mcp/body-width.js';
import { takeTurn } from '../../modules/shared/take-turn.js';
import { MAX_ARGUMENT_VALUES } from '../../modules/mcp/argument-limits.js';
import { McpBodyLengthMismatch, McpBodyTooManyValues, McpBodyTooWide, McpBodyUnreadable, McpPrototypeKey } from '../../errors.js';
import { looksLikeUrlToken } from '../../modules/workspaces/url-token.js';
import type { Resolved } from '../../plugins/gateway.js';
import { isDatabaseUnavailable } from '../../db/client.js';
import type { RequestSpan } from '../../modules/telemetry/tracing.js';
import { legacySseRoutes } from './legacy-sse.js';

function answer(reply: FastifyReply, result: ExchangeAnswer) {
  reply.code(result.status);
  if (result.body === undefined) return reply.send();
  return reply.type('application/json').send(result.body);
}

/**
 * What a client that starts an OAuth sign-in is told. A keyless request to a workspace in `keys`
 * mode gets a 401, and OAuth clients (mcp-remote, the SDK's auth) then look for an authorization
 * server and register at `/register`; that answer's body is what they show the user.
 */
const NO_CLIENT_OAUTH =
  'Latchkey does not sign MCP clients in with OAuth. A workspace in "keys" mode requires an access key: create one in the console (Access keys) ' +
  'and send it as a header, e.g. mcp-remote <workspace URL> --header "X-Latchkey-Key:lk_live_…", or "Authorization: Bearer <key>".';

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Values in one request body: one call's arguments at their most, and room for the envelope (a
 * batch counts as one request). Past it a body is refused before it is parsed.
 */
const MAX_BODY_VALUES = MAX_ARGUMENT_VALUES + 1_000;
/**
 * Parsing a body this large, and then checking its arguments, each cost milliseconds (10-30 ms for
 * 15,000 names): each takes an event-loop turn of its own (takeTurn), so bodies that arrive
 * together do not add up into one long hold of the loop.
 */
const LARGE_BODY_CHARS = 64 * 1024;

function bodyRefusal(refused: ShapeRefusal | 'too-large' | 'length-mismatch'): Error {
  if (refused === 'too-large') return new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  if (refused === 'length-mismatch') return new McpBodyLengthMismatch();
  if (refused === 'too-wide') return new McpBodyTooWide(MAX_ARGUMENT_VALUES.toLocaleString('en-US'));
  return new McpBodyTooManyValues(MAX_BODY_VALUES.toLocaleString('en-US'));
}

const METHOD_NAME = /^[\w/.-]{1,64}$/;

/** The request's span says what was asked (method, tool) and of which workspace: never the URL or the arguments. */
function nameSpan(span: RequestSpan, body: unknown, workspaceId: string, version: string | string[] | undefined): void {
  const first = Array.isArray(body) ? undefined : (body as { method?: unknown; params?: { name?: unknown } } | undefined);
  // Client-chosen strings: a method that does not look like one is not made a span name.
  const method = Array.isArray(body)
    ? 'batch'
    : typeof first?.method === 'string' && METHOD_NAME.test(first.method)
      ? first.method
      : 'unknown';
  span.setName(`mcp ${method}`);
  span.setAttributes({
    'mcp.method.name': method,
    'latchkey.workspace.id': workspaceId,
    ...(typeof version === 'string' && { 'mcp.protocol.version': version.slice(0, 32) }),
    ...(method === 'tools/call' && typeof first?.params?.name === 'string' && { 'gen_ai.tool.name': first.params.name.slice(0, 128) }),
  });
}

export default async function mcpRoutes(app: FastifyInstance) {
  // Every call is already recorded in the call log; per-request access lines would double the
  // hot path's logging, so they show only at LOG_LEVEL=debug.
  const level = app.log.level as LogLevel;
  const logLevel: LogLevel = level === 'trace' || level === 'debug' ? level : 'warn';
  // tools/call in flight per workspace, across all its callers and environments: each may hold a
  // response of up to LATCHKEY_MAX_RESPONSE_BYTES and the result built from it until its request
  // is answered. Agents send one call at a time, so the default is far above what a team reaches.
  const maxInFlight = app.config.maxCallsInFlight;
  const slots = createCallSlots(maxInFlight);

  // Fastify's own JSON parsing (prototype poisoning refused) of a body read by readJsonBody, which
  // refuses a body wider or larger than one call's arguments may be while it arrives: parsing
  // 200,000 names alone held the loop, and buffering a few MB of them cost tens of ms more.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // Requests whose body was large: checking their arguments takes a turn of its own too.
  const largeBodies = new WeakSet<object>();
  app.addContentTypeParser('application/json', (request, payload, done) => {
    const bounds = {
      limit: request.routeOptions.bodyLimit,
      maxWidth: MAX_ARGUMENT_VALUES,
      maxValues: MAX_BODY_VALUES,
      contentLength: request.headers['content-length'],
    };
    readJsonBody(payload, bounds, (outcome) => {
      if ('failed' in outcome) return done(new McpBodyUnreadable(), undefined);
      if ('refused' in outcome) return done(bodyRefusal(outcome.refused), undefined);
      const { body } = outcome;
      const parse = () =>
        parseJson(request, body, (err, value) => {
          // Fastify words a refused prototype-poisoning key as invalid JSON; say what it is instead.
          if (err && /"(__proto__|constructor)"/.test(body) && parsesAsJson(body)) return done(new McpPrototypeKey(), undefined);
          done(err, value);
        });
      if (body.length <= LARGE_BODY_CHARS) return parse();
      largeBodies.add(request);
      void takeTurn().then(parse);
    });
  });

  // Errors on this path are answered as JSON-RPC, which is what MCP clients can read.
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if ((err.statusCode ?? 500) < 500) app.metrics.refused('bad_request');
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
      return answer(reply, jsonRpcError(400, -32700, 'Parse error: the body is not valid JSON'));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return answer(reply, jsonRpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json'));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return answer(reply, jsonRpcError(413, -32000, 'Request body too large'));
    if (err.code === 'LK_MCP_BODY_TOO_WIDE' || err.code === 'LK_MCP_BODY_TOO_MANY_VALUES' || err.code === 'LK_MCP_PROTOTYPE_KEY')
      return answer(reply, jsonRpcError(400, -32600, err.message));
    if (err.code === 'LK_MCP_BODY_LENGTH_MISMATCH' || err.code === 'LK_MCP_BODY_UNREADABLE')
      return answer(reply, jsonRpcError(400, -32700, err.message));
    request.log.error({ err }, 'MCP request failed');
    return answer(reply, jsonRpcError(500, -32603, 'Internal error; the gateway log has the details.'));
  });

  const handleMcp = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    if (largeBodies.has(request)) await takeTurn();
    const { token } = request.params;
    let target: Resolved | undefined;
    try {
      // From memory once the workspace has been loaded: then a database outage does not matter here.
      target = looksLikeUrlToken(token) ? await app.gateway.resolve(token) : undefined;
    } catch (err) {
      // Any other failure is a fault of ours, answered as one by the error handler.
      if (!isDatabaseUnavailable(err)) throw err;
      request.log.error({ err }, 'loading the workspace for an MCP request failed: the database does not answer');
      app.metrics.refused('database_unavailable');
      reply.header('retry-after', '5');
      return answer(
        reply,
        jsonRpcError(503, -32000, 'The gateway cannot reach its database to load this workspace right now; retry shortly.'),
      );
    }
    if (!target) {
      app.metrics.refused('unknown_workspace');
      return answer(reply, jsonRpcError(404, -32001, 'No workspace at this URL: it may have been rotated or deleted.'));
    }
    const { workspace } = target;
    const span = request.traceSpan;
    if (span) nameSpan(span, request.body, workspace.workspaceId, request.headers['mcp-protocol-version']);

    // Access is decided before any tool code runs: a refused request never reaches the upstream.
    let grant: KeyGrant | undefined;
    const presented = presentedKey(request.headers);
    if (workspace.access === 'keys') {
      const check = checkAccessKey(workspace.keys, presented.key, app.now());
      if (!check.ok) {
        reply.header('www-authenticate', keyChallenge(presented.key !== undefined, check.reason));
        app.metrics.refused('unauthorized');
        return answer(reply, jsonRpcError(401, -32001, check.reason));
      }
      grant = check.grant;
      app.gateway.touchKey(grant.id);
    }
    // A key bound to a toolset sees that toolset on any of the workspace's URLs; on another
    // toolset's URL it is refused rather than given an empty (or a wider) list.
    const toolset = grant?.toolsetId !== undefined ? workspace.toolsets.get(grant.toolsetId) : target.toolset;
    if (grant?.toolsetId !== undefined && (!toolset || (target.toolset && target.toolset.id !== toolset.id))) {
      app.metrics.refused('unauthorized');
      const reason = toolset
        ? `This access key is bound to the toolset "${toolset.name}": use it with that toolset's URL or the workspace's.`
        : 'This access key is bound to a toolset that no longer exists.';
      return answer(reply, jsonRpcError(403, -32001, reason));
    }

    // A malformed request is refused before it is counted: it must not use up a caller's limit.
    const accept = request.headers.accept;
    if (accept && !/application\/json|\*\/\*/.test(accept)) {
      app.metrics.refused('bad_request');
      return answer(reply, jsonRpcError(406, -32000, 'Not Acceptable: this endpoint answers with application/json'));
    }
    if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      app.metrics.refused('bad_request');
      return answer(reply, jsonRpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json'));
    }
    const calls = toolCallCount(request.body);
    if (calls > MAX_TOOL_CALLS_PER_BATCH) {
      app.metrics.refused('bad_request');
      return answer(reply, batchTooLarge(calls));
    }

    // Calls in flight are counted before the rate limit, so a request refused as busy costs
    // nothing; the slots are held until the answer is built (a batch's results wait for its last).
    const release = slots.acquire(workspace.workspaceId, calls);
    if (!release) {
      app.metrics.refused('busy');
      reply.header('retry-after', '1');
      return answer(
        reply,
        jsonRpcError(
          429,
          -32000,
          `Too many calls in flight: this workspace runs at most ${maxInFlight} tools/call at once across all its callers; retry when one has finished.`,
        ),
      );
    }
    try {
      // Every tools/call counts, and a request that makes none (initialize, tools/list) counts as one.
      // A batch is taken whole or refused whole, from the workspace's bucket and the key's alike.
      const limit = workspace.rateLimit;
      const cost = Math.max(1, calls);
      const buckets = grant ? [`ws:${workspace.workspaceId}`, `key:${grant.id}`] : [`ws:${workspace.workspaceId}`];
      // Decided at once in memory; a shared limiter answers a promise only when it asks the database.
      const decision = app.gateway.rateLimiter.take(buckets, limit, cost);
      const limited = decision instanceof Promise ? await decision : decision;
      if (!limited.ok) {
        app.metrics.refused('rate_limited');
        if (cost > limit)
          return answer(
            reply,
            jsonRpcError(
              429,
              -32000,
              `Rate limit: this batch holds ${cost} calls and the limit is ${limit} calls per minute; send at most ${limit} at once.`,
            ),
          );
        reply.header('retry-after', String(limited.retryAfterSeconds));
        const batch = cost > 1 ? ` (this batch holds ${cost}; every call in a batch counts)` : '';
        return answer(
          reply,
          jsonRpcError(429, -32000, `Rate limit exceeded (${limit} calls per minute)${batch}; retry after ${limited.retryAfterSeconds} s.`),
        );
      }
      // With a key, the key's environment decides; otherwise the URL's.
      const runtime = workspace.environments.get(grant?.environment ?? target.environment);
      if (!runtime) return answer(reply, jsonRpcError(404, -32001, `This workspace has no "${grant?.environment}" environment.`));
      // The schema profile: the key's choice, else the workspace's, else the one the client's name calls for.
      const chosen = grant?.schemaProfile ?? workspace.schemaProfile;
      const byClient = chosen ? undefined : clientProfile(request.body, request.headers);
      if (byClient?.session) reply.header('mcp-session-id', byClient.session);
      const profile = chosen ?? byClient?.profile ?? 'default';
      const inToolset = toolset ? viewForToolset(runtime, toolset) : runtime;
      // Then the tool mode, the key's else the workspace's: `auto` weighs the list this caller would get.
      const view = viewForMode(
        viewForProfile(grant ? viewForKey(inToolset, grant) : inToolset, profile),
        grant?.toolMode ?? workspace.toolMode,
        profile,
      );

      // One server per workspace view, shared by every exchange; the caller travels with the exchange.
      const caller = {
        caller: grant?.id ?? (target.toolset ? `toolset:${target.toolset.id}` : 'url'),
        callerLabel: grant?.label ?? target.toolset?.name,
        userAgent: request.headers['user-agent'],
        forwarded: runtime.passthrough ? forwardedHeaders(request.headers, presented.fromAuthorization && grant !== undefined) : undefined,
        trace: span,
      };
      return answer(reply, await mcpEndpointFor(view, app.gateway.callDeps).exchange(request.body, request.headers, caller));
    } finally {
      release();
    }
  };
  // `<MCP URL>/mcp` too: tools that pick the transport from a URL ending in /mcp (the Inspector)
  // then need no flag. The same workspace, the same checks.
  for (const route of ['/mcp/:token', '/mcp/:token/mcp']) app.post(route, { logLevel, bodyLimit: 4 * 1024 * 1024 }, handleMcp);

  // No OAuth for MCP clients (yet): a registration attempt learns what the workspace needs instead
  // of a 404 that OAuth clients report as a failed sign-in. Not 404: mcp-remote takes a 404 as a
  // reason to try its SSE transport and then shows that failure instead of this one.
  app.post('/register', { logLevel }, async (_request, reply) =>
    reply
      .code(403)
      .type('application/json')
      .send(JSON.stringify({ error: 'access_denied', error_description: NO_CLIENT_OAUTH })),
  );

  // Stateless: there is no server-initiated stream to open (GET) and no session to end (DELETE).
  // A GET that asks for an event stream without a negotiated version is a 2024-11-05 HTTP+SSE
  // client, served by legacy-sse.ts.
  const notAllowed = async (_request: unknown, reply: FastifyReply) => {
    reply.header('allow', 'POST');
    return answer(reply, jsonRpcError(405, -32000, 'Method not allowed: this endpoint is stateless, send JSON-RPC with POST.'));
  };
  for (const route of ['/mcp/:token', '/mcp/:token/mcp']) app.delete(route, notAllowed);
  legacySseRoutes(app, { notAllowed, logLevel });
}
