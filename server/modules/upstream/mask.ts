// Everything that may reach a log or an error message passes through here first: URLs lose their
// userinfo and secret-looking query values, and text loses every credential string verbatim.
import { basicAuthorization } from './inject-credentials.js';
import type { UpstreamCredentials } from './types.js';

export const MASK = '****';

/** Query parameter names that usually carry a secret. Over-masking a log line costs nothing. */
const SECRET_NAME = /key|token|secret|passw|pwd|signature|^sig$|auth|credential|session|jwt|bearer|cookie/i;

/** `secrets` defaults to secretValues(credentials); callers on the hot path pass it precomputed. */
export function maskUrl(url: string, credentials: UpstreamCredentials, secrets: string[] = secretValues(credentials)): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url, secrets);
  }
  const credentialParam = credentials.type === 'api_key' && credentials.in === 'query' ? credentials.name : undefined;
  // Rebuilt by hand: URLSearchParams would re-encode the values that are not masked.
  const query = parsed.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [rawName] = pair.split('=', 1);
      const name = safeDecode(rawName);
      return name === credentialParam || SECRET_NAME.test(name) ? `${rawName}=${MASK}` : pair;
    });
  const masked = `${parsed.protocol}//${parsed.host}${parsed.pathname}${query.length ? `?${query.join('&')}` : ''}`;
  return redactSecrets(masked, secrets);
}

/**
 * Every string that must never be logged: the raw secrets, the header values they turn into
 * (`Bearer x`, `Basic base64`), and their URL-encoded forms. Longest first, so a longer form is
 * replaced whole rather than around a shorter one.
 */
export function secretValues(credentials: UpstreamCredentials): string[] {
  const values: string[] = [];
  switch (credentials.type) {
    case 'none':
      break;
    case 'bearer':
      values.push(credentials.token, `Bearer ${credentials.token}`);
      break;
    case 'api_key':
      values.push(credentials.value);
      break;
    case 'basic': {
      const header = basicAuthorization(credentials.username, credentials.password);
      values.push(credentials.password, `${credentials.username}:${credentials.password}`, header, header.slice('Basic '.length));
      break;
    }
    case 'headers':
      values.push(...Object.values(credentials.headers));
      break;
  }
  const all = values.flatMap((v) => [v, encodeURIComponent(v)]).filter((v) => v.length > 0);
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
