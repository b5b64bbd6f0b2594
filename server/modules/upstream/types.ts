// What the upstream caller needs to know about a workspace's credentials, already opened.
// These values are secrets: they live in memory only, never in logs, errors or responses.

export type UpstreamCredentials =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'api_key'; in: 'header' | 'query' | 'cookie'; name: string; value: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'headers'; headers: Record<string, string> };

/** The HTTP request a tool call turns into, before it is sent. */
export interface UpstreamRequest {
  method: string;
  /** Absolute URL, query string included (credentials in the query included, so never log it raw). */
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** What the upstream answered, read up to the client's byte cap. */
export interface UpstreamResponse {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** At most `maxResponseBytes` bytes. */
  body: Buffer;
  /** True when the body was cut at `maxResponseBytes` (the rest was not read). */
  truncated: boolean;
  /** The full body size when known: the bytes read, or content-length when truncated. */
  totalBytes?: number;
  durationMs: number;
}
