// Every call to the admin API goes through here: same-origin cookie session, the CSRF header on
// writes, and error bodies turned into ApiError. The admin token never passes through (only the
// sign-in form sends it, once).
import type { ErrorBody, ErrorDetail } from '@latchkey/api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let onSignedOut: () => void = () => {};

/** Kept in memory only: a reload asks GET /api/session again. */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

/** Called when a request answers 401: the session expired or was ended elsewhere. */
export function whenSignedOut(callback: () => void) {
  onSignedOut = callback;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-latchkey-csrf'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'LK_NETWORK', 'The gateway could not be reached. Is it running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = (parsed as Partial<ErrorBody> | undefined)?.error;
    if (res.status === 401 && path !== '/session') onSignedOut();
    const retryAfter = Number(res.headers.get('retry-after')) || undefined;
    throw new ApiError(
      res.status,
      error?.code ?? `HTTP_${res.status}`,
      error?.message ?? `The gateway answered ${res.status} ${res.statusText}.`,
      error?.details ?? [],
      retryAfter,
    );
  }
  return parsed as T;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}
