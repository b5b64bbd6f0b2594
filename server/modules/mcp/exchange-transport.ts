// A Transport for one HTTP exchange in stateless Streamable HTTP: the request's JSON-RPC messages
// go in, the server's responses come out as one JSON answer. It replaces the SDK's Node transport
// on the hot path, which converts every request and response to and from web streams (measured
// as the largest part of what the gateway added to a call); the protocol handling stays the SDK's.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  JSONRPCMessageSchema,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export interface ExchangeAnswer {
  status: number;
  /** Undefined for 202 Accepted (notifications only). */
  body?: unknown;
}

const MAX_BATCH = 100;

export function jsonRpcError(status: number, code: number, message: string, id: RequestId | null = null): ExchangeAnswer {
  return { status, body: { jsonrpc: '2.0', error: { code, message }, id } };
}

export class ExchangeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  sessionId = undefined;

  private readonly pending = new Map<RequestId, JSONRPCMessage | undefined>();
  private finish?: () => void;

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    // Stateless: only responses to this exchange's requests have somewhere to go.
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined && this.pending.has(message.id)) {
      this.pending.set(message.id, message);
      if ([...this.pending.values()].every((m) => m !== undefined)) this.finish?.();
    }
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /**
   * Feeds the parsed body to the connected server and answers when every request in it has its
   * response. `headers` become the handlers' `requestInfo`.
   */
  async exchange(body: unknown, headers: Record<string, string | string[] | undefined>): Promise<ExchangeAnswer> {
    const version = headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return jsonRpcError(400, -32000, `Bad Request: unsupported protocol version ${version} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; latest ${LATEST_PROTOCOL_VERSION})`);
    }
    const batch = Array.isArray(body);
    const raw = batch ? body : [body];
    if (raw.length === 0 || raw.length > MAX_BATCH) return jsonRpcError(400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    const messages: JSONRPCMessage[] = [];
    for (const item of raw) {
      const parsed = JSONRPCMessageSchema.safeParse(item);
      if (!parsed.success) return jsonRpcError(400, -32600, 'Invalid Request: not a JSON-RPC 2.0 message');
      messages.push(parsed.data);
    }
    const requests = messages.filter(isJSONRPCRequest);
    for (const r of requests) this.pending.set(r.id, undefined);
    const done = requests.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.finish = resolve));
    const requestInfo = { headers };
    for (const message of messages) this.onmessage?.(message, { requestInfo });
    if (requests.length === 0) return { status: 202 };
    await done;
    const responses = requests.map((r) => this.pending.get(r.id)!);
    return { status: 200, body: batch ? responses : responses[0] };
  }
}
