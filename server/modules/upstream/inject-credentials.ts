// The workspace's credentials go into the request last, so they replace anything an argument put
// under the same name, and only where their type says: a bearer token never lands in a query.
import type { UpstreamCredentials } from './types.js';

/** A request being built: headers with lower-cased names, query and cookie pairs already encoded. */
export interface RequestDraft {
  headers: Record<string, string>;
  /** `name=value` pairs, encoded. */
  query: string[];
  /** `name=value` pairs for the Cookie header. */
  cookies: string[];
}

/** A query or cookie pair's name, decoded (a server may decode it before it looks). */
function pairName(pair: string): string {
  const name = pair.split('=', 1)[0].trim();
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

function setHeader(draft: RequestDraft, name: string, value: string): void {
  const lower = name.toLowerCase();
  // Cookie credentials replace every cookie an argument set.
  if (lower === 'cookie') draft.cookies = [];
  draft.headers[lower] = value;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function injectCredentials(draft: RequestDraft, credentials: UpstreamCredentials): void {
  switch (credentials.type) {
    case 'none':
      return;
    case 'bearer':
      setHeader(draft, 'authorization', `Bearer ${credentials.token}`);
      return;
    case 'basic':
      setHeader(draft, 'authorization', basicAuthorization(credentials.username, credentials.password));
      return;
    case 'headers':
      for (const [name, value] of Object.entries(credentials.headers)) setHeader(draft, name, value);
      return;
    case 'api_key': {
      const { name, value } = credentials;
      if (credentials.in === 'header') {
        setHeader(draft, name, value);
      } else if (credentials.in === 'query') {
        draft.query = draft.query.filter((pair) => pairName(pair) !== name);
        draft.query.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      } else {
        // Entries are split at `;` first: a header argument named Cookie arrives as one text, and a
        // cookie of the credential's name inside it (in any encoding) must not shadow the credential.
        draft.cookies = draft.cookies
          .flatMap((entry) => entry.split(';'))
          .map((pair) => pair.trim())
          .filter((pair) => pair !== '' && pairName(pair) !== name);
        draft.cookies.push(`${name}=${value}`);
      }
      return;
    }
  }
}
