// The deprecated HTTP+SSE transport of MCP 2024-11-05, for clients that still only speak it
// (mcp-remote --transport sse-only, the SDKs' SSEClientTransport, older IDE plugins): a GET on the
// workspace URL opens an event stream whose first event names a message endpoint; the client
// POSTs each JSON-RPC message there and reads the answers from the stream.
//
// It never shapes the main path: each POSTed message is answered by the Streamable HTTP endpoint
// itself (app.inject to POST /mcp/<token>, with the client's own headers), so access keys, rate
// limits, the call log and traces apply exactly as they do there, and the answer is written to the
// stream. A stream lives on the node that opened it; on PostgreSQL a POST that reaches another
// node is answered there and its answer relayed to the stream's node (sse-relay.ts). On SQLite
// there is one node.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, LogLevel } from 'fastify';
import { checkAccessKey, keyChallenge, presentedKey } from '../../modules/mcp/access.js';
import { jsonRpcError } from '../../modules/mcp/exchange-transport.js';
import { looksLikeUrlToken } from '../../modules/workspaces/url-token.js';
import { isDatabaseUnavailable } from '../../db/client.js';
import type { Resolved } from '../../plugins/gateway.js';
import { createSseRelay, type RemoteStream } from './sse-relay.js';

interface Stream {
  token: string;
  res: ServerResponse;
  /** The Mcp-Session-Id the endpoint gave this client's initialize (it names a schema profile), sent on its later messages. */
  session?: string;
}

/** Streams open at once on this node: each holds a connection, so they are bounded. */
const MAX_STREAMS = 1_000;
/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
const KEEP_ALIVE_MS = 25_000;
/** Headers of the client's POST that the injected request does not take over. */
const HOP_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'expect']);

/** One SSE event; every line of the data gets its own `data:` field. */
function event(name: string, data: string): string {
  return `event: ${name}\n${data
    .split(/\r?\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

function send(reply: FastifyReply, status: number, code: number, message: string) {
  const answer = jsonRpcError(status, code, message);
  return reply.code(status).type('application/json').send(answer.body);
}

export interface LegacySseOptions {
  /** The Streamable HTTP endpoint's answer to a GET that is not an HTTP+SSE client's. */
  notAllowed: (request: FastifyRequest, reply: FastifyReply) => unknown;
  logLevel: LogLevel;
}

export function legacySseRoutes(app: FastifyInstance, { notAllowed, logLevel }: LegacySseOptions): void {
  const streams = new Map<string, Stream>();
  const keepAlive = setInterval(() => {
    for (const { res } of streams.values()) res.write(': keep-alive\n\n');
  }, KEEP_ALIVE_MS);
  keepAlive.unref();
  const relay = createSseRelay(app, {
    heartbeatMs: KEEP_ALIVE_MS,
    write(streamId, body) {
      const stream = streams.get(streamId);
      stream?.res.write(event('message', body));
      return stream !== undefined;
    },
    localIds: () => [...streams.keys()],
  });
  // Open streams would hold a graceful close until they end by themselves: they end first.
  app.addHook('preClose', async () => {
    clearInterval(keepAlive);
    const ids = [...streams.keys()];
    for (const { res } of streams.values()) res.end();
    streams.clear();
    await relay?.stop(ids);
  });

  const openStream = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    // A Streamable HTTP client's optional notification stream sends the negotiated version and is
    // refused as before; an HTTP+SSE client (2024-11-05 has no such header) gets its stream.
    const wantsStream = /text\/event-stream/.test(request.headers.accept ?? '');
    if (!wantsStream || request.headers['mcp-protocol-version'] !== undefined) return notAllowed(request, reply);
    const { token } = request.params;
    let target: Resolved | undefined;
    try {
      target = looksLikeUrlToken(token) ? await app.gateway.resolve(token) : undefined;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      app.metrics.refused('database_unavailable');
      reply.header('retry-after', '5');
      return send(reply, 503, -32000, 'The gateway cannot reach its database to load this workspace right now; retry shortly.');
    }
    if (!target) return send(reply, 404, -32001, 'No workspace at this URL: it may have been rotated or deleted.');
    if (target.workspace.access === 'keys') {
      const presented = presentedKey(request.headers);
      const check = checkAccessKey(target.workspace.keys, presented.key, app.now());
      if (!check.ok) {
        reply.header('www-authenticate', keyChallenge(presented.key !== undefined, check.reason));
        app.metrics.refused('unauthorized');
        return send(reply, 401, -32001, check.reason);
      }
    }
    if (streams.size >= MAX_STREAMS) {
      reply.header('retry-after', '30');
      return send(reply, 503, -32000, 'Too many open SSE streams on this gateway node; retry shortly, or use Streamable HTTP (POST).');
    }

    const id = randomBytes(16).toString('base64url');
    // Registered before the endpoint is announced, so a first POST on another node finds it. A
    // database that does not answer leaves the stream to this node's POSTs alone.
    await relay
      ?.opened(id, token)
      .catch((err: unknown) => request.log.warn({ err }, 'legacy SSE: the stream could not be registered for other nodes'));
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    streams.set(id, { token, res });
    res.on('close', () => {
      streams.delete(id);
      relay?.closed(id);
    });
    // Relative to the stream's URL (its last segment, then messages), which the client resolves it
    // against: right behind a reverse proxy that serves the gateway under a path prefix too.
    const last = request.url.replace(/\?.*$/, '').replace(/\/+$/, '').split('/').pop();
    res.write(event('endpoint', `${last}/messages?sessionId=${id}`));
  };

  const postMessage = async (
    request: FastifyRequest<{ Params: { token: string }; Querystring: { sessionId?: string } }>,
    reply: FastifyReply,
  ) => {
    const sessionId = request.query.sessionId ?? '';
    const local = streams.get(sessionId);
    let remote: RemoteStream | undefined;
    if (!local && relay && sessionId) {
      try {
        remote = await relay.find(sessionId, request.params.token);
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        reply.header('retry-after', '5');
        return send(reply, 503, -32000, 'The gateway cannot reach its database to find this SSE stream right now; retry shortly.');
      }
    }
    if ((!local || local.token !== request.params.token) && !remote)
      return send(
        reply,
        404,
        -32001,
        relay
          ? 'No open SSE stream for this sessionId: reopen the stream (GET the workspace URL).'
          : 'No open SSE stream for this sessionId on this gateway node: reopen the stream (GET the workspace URL); behind a load balancer, keep a client on one node.',
      );
    const session = local?.session ?? remote?.session;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
    if (session) headers['mcp-session-id'] = session;
    const answered = await app.inject({
      method: 'POST',
      url: `/mcp/${request.params.token}`,
      headers,
      payload: JSON.stringify(request.body),
      remoteAddress: request.ip,
    });
    // Refusals (a wrong key, a rate limit, a malformed message) are the POST's own answer, which
    // the client reports; results and JSON-RPC errors go down the stream to the waiting request.
    if (answered.statusCode >= 400) {
      for (const name of ['retry-after', 'www-authenticate']) {
        const value = answered.headers[name];
        if (typeof value === 'string') reply.header(name, value);
      }
      return reply.code(answered.statusCode).type('application/json').send(answered.body);
    }
    const given = answered.headers['mcp-session-id'];
    if (typeof given === 'string' && given !== session) {
      if (local) local.session = given;
      relay?.session(sessionId, given);
    }
    if (answered.statusCode === 200 && answered.body) {
      if (local) local.res.write(event('message', answered.body));
      else if (remote && relay) {
        try {
          await relay.deliver(remote, answered.body);
        } catch (err) {
          if (!isDatabaseUnavailable(err)) throw err;
          // The message was handled (a call may have reached the API): say so, not just "retry".
          reply.header('retry-after', '5');
          return send(
            reply,
            503,
            -32000,
            'The message was handled, but its answer could not be passed to the node holding the SSE stream (the database does not answer); a tool call may have taken effect.',
          );
        }
      }
    }
    return reply.code(202).send();
  };

  for (const route of ['/mcp/:token', '/mcp/:token/mcp']) app.get(route, { logLevel }, openStream);
  for (const route of ['/mcp/:token/messages', '/mcp/:token/mcp/messages'])
    app.post(route, { logLevel, bodyLimit: 4 * 1024 * 1024 }, postMessage);
}
