// Reading request bodies and writing JSON answers on plain node:http. Every error body the test
// server sends is `{"error": CODE}` or `{"error": CODE, "message": "..."}`, with CODE from here.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export type ErrorCode =
  | 'MISSING_API_KEY'
  | 'INVALID_API_KEY'
  | 'MISSING_TOKEN'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INVALID_BODY'
  | 'INVALID_QUERY'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL_ERROR';

export const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  sendRawJson(res, status, JSON.stringify(body), headers);
}

/** For bodies serialized once up front (the OpenAPI document). */
export function sendRawJson(res: ServerResponse, status: number, json: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

export function sendError(
  res: ServerResponse,
  status: number,
  error: ErrorCode,
  message?: string,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(res, status, message === undefined ? { error } : { error, message }, headers);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

export type BodyResult = { tooLarge: false; text: string } | { tooLarge: true };

/**
 * Reads the whole body as UTF-8, giving up as soon as it is known to exceed `limit` bytes. After
 * giving up the rest is drained and dropped, so the client still gets to read our 413.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.resolve({ tooLarge: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size <= limit) resolve({ tooLarge: false, text: chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8') });
    });
    req.once('error', reject);
  });
}
