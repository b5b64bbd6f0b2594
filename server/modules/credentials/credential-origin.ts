// Where a workspace's credentials may go: only to the origin they were saved for, or to an origin
// the admin allowed by name. A spec re-upload that moves the API elsewhere holds them back until
// an admin confirms; an admin-set base URL is the admin's own choice and wins for every tool.
import { BadRequest } from '../../errors.js';

/** The origin (`https://api.example.com:8443`) of an absolute http(s) URL; undefined otherwise. */
export function originOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

export const MAX_ALLOWED_ORIGINS = 50;

/**
 * Checks PATCH's `allowedOrigins`: each an http(s) origin, nothing more; answers them normalised,
 * without repeats. Messages never quote an entry (it might carry a key in its query or userinfo).
 */
export function parseAllowedOrigins(values: string[]): string[] {
  if (values.length > MAX_ALLOWED_ORIGINS) throw new BadRequest(`"allowedOrigins" may hold at most ${MAX_ALLOWED_ORIGINS} origins.`);
  const origins = new Set<string>();
  const shape = '"allowedOrigins" entries must be origins such as "https://uploads.example.com" (scheme, host and optional port)';
  values.forEach((value, i) => {
    const entry = `entry ${i + 1}`;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new BadRequest(`${shape}; ${entry} is not a URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequest(`${shape}; ${entry} is not http or https.`);
    if (url.username || url.password)
      throw new BadRequest(`${shape}, without credentials in them (${entry} has some): save those under auth instead.`);
    if (url.pathname !== '/' || url.search || url.hash)
      throw new BadRequest(`${shape}, without a path, query or fragment; for ${entry}, that is "${url.origin}".`);
    origins.add(url.origin);
  });
  return [...origins];
}

export interface BindingInput {
  /** The credentials row's type; undefined when none is saved. */
  type?: string;
  /** The origin stored with the credentials; null for rows saved before origins were recorded. */
  savedOrigin?: string | null;
  baseUrlOverride?: string | null;
  specBaseUrl?: string | null;
}

export interface CredentialBinding {
  /** The origin the credentials go to; null when there is no base URL to say. */
  origin: string | null;
  /** The API's address moved away from `origin` since they were saved: they are not sent. */
  held: boolean;
  /** Where the calls would go now (the base URL's origin); set when `held`. */
  movedTo?: string;
}

/**
 * An environment's credentials and where they may go. An admin-set base URL binds them to its
 * origin (the admin named it); otherwise they stay bound to the origin they were saved for, and
 * are held when the spec's base URL now points elsewhere.
 */
export function credentialBinding(input: BindingInput): CredentialBinding {
  const override = originOf(input.baseUrlOverride);
  if (override) return { origin: override, held: false };
  const current = originOf(input.specBaseUrl);
  const saved = input.savedOrigin ?? current ?? null;
  const hasCredentials = input.type !== undefined && input.type !== 'none';
  if (hasCredentials && saved && current && saved !== current) return { origin: saved, held: true, movedTo: current };
  return { origin: saved, held: false };
}

/** What a held environment's calls answer, and what the upload that moved the API warns. */
export function heldMessage(from: string, to: string, environment: string): string {
  return (
    `The API's address changed from ${from} to ${to}; the saved credentials of the ${environment} environment are held back until an admin confirms them ` +
    `in Configure or with POST /api/workspaces/:id/auth/confirm?environment=${environment}. No call is sent until then.`
  );
}

/** Why a tool whose server is on another origin was not called. */
export function originRefusal(tool: string, origin: string, baseOrigin: string | undefined): string {
  const base = baseOrigin ? `the base URL's origin (${baseOrigin})` : 'the base URL (none is set)';
  return (
    `Tool "${tool}" calls ${origin}, which is neither ${base} nor an origin the admin allowed, so it was not sent. ` +
    `An admin can allow it with PATCH /api/workspaces/:id {"allowedOrigins": ["${origin}"]} (the workspace's credentials then go there too), ` +
    `or set the workspace's base URL, which then wins for every tool.`
  );
}
