// One long-lived Transport per MCP server, shared by every HTTP exchange in stateless Streamable
// HTTP: each exchange's JSON-RPC requests go in under ids of the transport's own, the server's
// responses come back out under the ids the client sent, as one JSON answer per exchange.
// Sharing one server saves building it (and its handler table) on every request, and own ids
// keep concurrent clients apart even when they all number their requests 1, 2, 3…. It replaces
// the SDK's Node transport, which converts every request and response to and from web streams
// (measured as the largest part of what the gateway added to a call). The protocol stays the
// SDK's, except for the hot methods the owner passes as `direct` handlers.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { Readable } from 'node:stream';
import { isPlainObject } from '../shared/is-plain-object.js';
import { plainError } from './error-wording.js';
import { unsupportedVersion } from './modern-protocol.js';

export interface ExchangeAnswer {
  status: number;
  /**
   * The answer's JSON text; undefined for 202 Accepted (notifications only). A batch's answer is
   * bytes: each response is encoded when it is delivered, so a batch of large results is not
   * encoded in one block (measured: ~300 ms of held event loop for ten ~1 MiB results). An answer
   * over JOIN_MAX_BYTES is a stream of its pieces, written one after the other.
   */
  body?: string | Buffer | Readable;
}

/**
 * A result a direct handler has already serialised: spliced into the answer as it is. A tool
 * result carries the upstream's JSON body, which need not be serialised a second time; a large
 * one arrives as UTF-8 bytes from the result thread, which the answer takes without re-encoding.
 */
export class SerializedResult {
  constructor(readonly json: string | Buffer) {}
}

const MAX_BATCH = 100;
/**
 * tools/call per HTTP request. Each call may buffer a response of up to LATCHKEY_MAX_RESPONSE_BYTES
 * and the answer to a batch is held until its last call ends, so a batch's memory grows with its
 * calls; agents send one call at a time, so a small cap costs them nothing.
 */
export const MAX_TOOL_CALLS_PER_BATCH = 10;
/**
 * Above this an answer's pieces are not joined into one buffer but streamed: a fresh allocation of
 * tens of MB is paid in page faults (ten ~2.3 MB results joined: 60-70 ms of held event loop on a
 * 2-core VM), and every copy of a large result is external memory that drives V8 into full
 * collections. Streamed, each piece is written as it is, and nothing is copied.
 */
const JOIN_MAX_BYTES = 1024 * 1024;

/** How many tools/call a request body holds (only what the rate limit and the batch cap count). */
export function toolCallCount(body: unknown): number {
  if (!Array.isArray(body)) return isPlainObject(body) && body.method === 'tools/call' ? 1 : 0;
  let count = 0;
  for (const item of body) if (isPlainObject(item) && item.method === 'tools/call') count++;
  return count;
}

/** The answer to a batch holding more tools/call than MAX_TOOL_CALLS_PER_BATCH. */
export function batchTooLarge(calls: number): ExchangeAnswer {
  return jsonRpcError(
    400,
    -32600,
    `Invalid Request: a batch may hold at most ${MAX_TOOL_CALLS_PER_BATCH} tools/call and this one holds ${calls}; send the rest in further requests.`,
  );
}

export function jsonRpcError(status: number, code: number, message: string, id: RequestId | null = null): ExchangeAnswer {
  return { status, body: JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id }) };
}

interface InFlight {
  clientId: RequestId;
  /** The request's method, to word its errors. */
  method: string;
  /** Takes the response's JSON, as text or as pieces of UTF-8 bytes. */
  deliver(json: string | Buffer[]): void;
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

type Incoming =
  { kind: 'request'; message: JSONRPCRequest } | { kind: 'notification'; message: JSONRPCNotification } | { kind: 'response' };

/** The JSON-RPC 2.0 envelope checked by hand: the SDK's handlers validate each method's params. */
function classify(item: unknown): Incoming | undefined {
  if (!isPlainObject(item) || item.jsonrpc !== '2.0') return undefined;
  if (typeof item.method === 'string') {
    if (item.params !== undefined && !isPlainObject(item.params)) return undefined;
    if (!('id' in item)) return { kind: 'notification', message: item as JSONRPCNotification };
    return isRequestId(item.id) ? { kind: 'request', message: item as JSONRPCRequest } : undefined;
  }
  if (isRequestId(item.id) && ('result' in item || 'error' in item)) return { kind: 'response' };
  return undefined;
}

/**
 * Answers one method without the SDK's generic dispatch. `params` is the request's (an object or
 * undefined); throwing an error with a numeric `code` (an McpError) answers that JSON-RPC error.
 */
export type DirectHandler<C> = (params: Record<string, unknown> | undefined, context: C) => unknown;

/** The JSON-RPC error answer for what a handler threw, as the SDK's Protocol words it. */
export function errorAnswer(id: RequestId, err: unknown): JSONRPCMessage {
  const { code, message, data } = err as { code?: unknown; message?: unknown; data?: unknown };
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: Number.isSafeInteger(code) ? (code as number) : -32603,
      message: typeof message === 'string' ? message : 'Internal error',
      ...(data !== undefined && { data }),
    },
  };
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const END_RESULT = Buffer.from('}');

/** One JSON-RPC response around an already serialised result: text stays text, bytes are not copied. */
function resultMessage(clientId: RequestId, json: string | Buffer): string | Buffer[] {
  const head = `{"jsonrpc":"2.0","id":${JSON.stringify(clientId)},"result":`;
  return typeof json === 'string' ? `${head}${json}}` : [Buffer.from(head), json, END_RESULT];
}

/** Pieces as one buffer, or as a stream when joining them would copy more than JOIN_MAX_BYTES. */
export function joined(pieces: Buffer[]): Buffer | Readable {
  let size = 0;
  for (const piece of pieces) size += piece.length;
  return size <= JOIN_MAX_BYTES ? Buffer.concat(pieces, size) : Readable.from(pieces, { objectMode: false });
}

export class ExchangeTransport<C> implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  sessionId = undefined;

  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();

  /**
   * `direct`: methods answered here instead of by the connected server — the hot ones. The SDK's
   * dispatch costs every request an AbortController, three zod type guards, a parse of the
   * request per registered wrapper and a re-parse of the result: about 90 µs of the ~550 µs of
   * CPU a proxied tools/call took on the benchmark machine.
   */
  constructor(private readonly direct: Record<string, DirectHandler<C>> = {}) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    // Stateless: only responses to an open exchange's requests have somewhere to go.
    if (!('id' in message) || typeof message.id !== 'number' || 'method' in message) return;
    const flight = this.takeFlight(message.id);
    if (!flight) return;
    const error = 'error' in message ? plainError(message.error, flight.method) : undefined;
    flight.deliver(JSON.stringify(error ? { ...message, error, id: flight.clientId } : { ...message, id: flight.clientId }));
  }

  private takeFlight(id: number): InFlight | undefined {
    const flight = this.inFlight.get(id);
    if (flight) this.inFlight.delete(id);
    return flight;
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /**
   * Feeds one HTTP body to the connected server (or a direct handler) and answers when every
   * request in it has its response. `headers` become the server's `requestInfo`; `context` is
   * what direct handlers get beside the params (the caller).
   */
  async exchange(body: unknown, headers: Record<string, string | string[] | undefined>, context: C): Promise<ExchangeAnswer> {
    const version = headers['mcp-protocol-version'];
    // Answered as the 2026-07-28 revision words it (-32022 with the versions served): a client
    // that speaks several revisions reads from it which to use.
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return unsupportedVersion(version);
    const batch = Array.isArray(body);
    const raw: unknown[] = batch ? body : [body];
    if (raw.length === 0 || raw.length > MAX_BATCH)
      return jsonRpcError(400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    const calls = toolCallCount(raw);
    if (calls > MAX_TOOL_CALLS_PER_BATCH) return batchTooLarge(calls);
    const incoming: Incoming[] = [];
    for (const item of raw) {
      const parsed = classify(item);
      if (!parsed) return jsonRpcError(400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
      incoming.push(parsed);
    }

    const requests = incoming.filter((m) => m.kind === 'request').map((m) => m.message);
    const responses: (string | Buffer[])[] = new Array(requests.length);
    let waiting = requests.length;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const ownIds = new Map<JSONRPCRequest, number>();
    requests.forEach((request, index) => {
      const id = this.nextId++;
      ownIds.set(request, id);
      this.inFlight.set(id, {
        clientId: request.id,
        method: request.method,
        deliver: (json) => {
          responses[index] = batch && typeof json === 'string' ? [Buffer.from(json)] : json;
          if (--waiting === 0) finish();
        },
      });
    });
    const requestInfo = { headers };
    for (const m of incoming) {
      if (m.kind === 'request') {
        const id = ownIds.get(m.message)!;
        const handler = Object.hasOwn(this.direct, m.message.method) ? this.direct[m.message.method] : undefined;
        if (handler) this.answerDirectly(id, handler, m.message.params, context);
        else this.onmessage?.({ ...m.message, id }, { requestInfo });
      } else if (m.kind === 'notification' && m.message.method !== 'notifications/cancelled') {
        // A cancellation names a request id of the client's; once ids are the transport's own it
        // could only ever reach somebody else's request, so it is dropped.
        this.onmessage?.(m.message, { requestInfo });
      }
      // Responses answer server-to-client requests, which a stateless server never sends.
    }
    if (requests.length === 0) return { status: 202 };
    await done;
    if (!batch) {
      const only = responses[0];
      return { status: 200, body: typeof only === 'string' ? only : joined(only) };
    }
    const pieces: Buffer[] = [OPEN];
    responses.forEach((response, i) => {
      if (i > 0) pieces.push(COMMA);
      pieces.push(...(response as Buffer[]));
    });
    pieces.push(CLOSE);
    return { status: 200, body: joined(pieces) };
  }

  private answerDirectly(id: number, handler: DirectHandler<C>, params: Record<string, unknown> | undefined, context: C): void {
    // Through a promise, so a handler that throws synchronously is answered like one that rejects.
    Promise.resolve()
      .then(() => handler(params, context))
      .then(
        (result) => {
          const flight = this.takeFlight(id);
          if (!flight) return;
          flight.deliver(resultMessage(flight.clientId, result instanceof SerializedResult ? result.json : JSON.stringify(result)));
        },
        (err: unknown) => this.send(errorAnswer(id, err)),
      );
  }
}
