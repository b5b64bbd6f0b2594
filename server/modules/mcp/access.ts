// Who may call a workspace: the access mode, the access keys (held as hashes, in memory), the view
// of the tools a key may see, and the caller's headers that passthrough forwards.
import { hash, timingSafeEqual } from 'node:crypto';
import type { WorkspaceRuntime } from './workspace-runtime.js';
import type { SchemaProfile } from '../profiles/index.js';
import type { ToolMode } from '../discovery/tool-mode.js';
import { forwardingProblem, isMethodOverride } from '../upstream/passthrough-headers.js';
import { narrowedView, viewCache } from './view-cache.js';

export type AccessMode = 'url' | 'keys';
export type KeyScope = 'read' | 'write';

export interface KeyGrant {
  id: string;
  label: string;
  scope: KeyScope;
  /** Narrowed to these tool names; undefined: every tool the scope allows. */
  tools?: string[];
  environment: string;
  /** Epoch ms; undefined: never expires. */
  expiresAt?: number;
  /** sha256 hex of the key. */
  hash: string;
  /** The schema profile this key's client gets; undefined: the workspace's choice. */
  schemaProfile?: SchemaProfile;
  /** The tool mode this key's client gets; undefined: the workspace's choice. */
  toolMode?: ToolMode;
  /** Bound to this toolset: the key sees its tools only, on any of the workspace's URLs. */
  toolsetId?: string;
}

export type KeyCheck = { ok: true; grant: KeyGrant } | { ok: false; reason: string };

export function hashAccessKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/**
 * Looks the presented key up by its hash and compares the hashes in constant time. The map lookup
 * leaks nothing useful: an attacker would need a sha256 preimage to steer it.
 */
export function checkAccessKey(keys: Map<string, KeyGrant>, presented: string | undefined, now: number): KeyCheck {
  if (!presented)
    return { ok: false, reason: 'This workspace requires an access key: send "X-Latchkey-Key: <key>" or "Authorization: Bearer <key>".' };
  const hash = hashAccessKey(presented);
  const grant = keys.get(hash);
  if (!grant || !timingSafeEqual(Buffer.from(grant.hash, 'hex'), Buffer.from(hash, 'hex'))) {
    return { ok: false, reason: 'The access key is not valid for this workspace (unknown or revoked).' };
  }
  if (grant.expiresAt !== undefined && grant.expiresAt <= now) return { ok: false, reason: 'The access key has expired.' };
  return { ok: true, grant };
}

/** The key presented on a request: X-Latchkey-Key first (it leaves Authorization to passthrough), then a Bearer `lk_` token. */
/**
 * The `WWW-Authenticate` challenge for a refused key. RFC 6750 §3.1: a request without
 * credentials gets a challenge without an error code; a wrong key gets `invalid_token`.
 */
export function keyChallenge(presented: boolean, reason: string): string {
  const error = presented ? ' error="invalid_token",' : '';
  return `Bearer realm="latchkey",${error} error_description="${reason.replace(/"/g, "'")}"`;
}

export function presentedKey(headers: Record<string, string | string[] | undefined>): { key?: string; fromAuthorization: boolean } {
  const own = headers['x-latchkey-key'];
  if (typeof own === 'string' && own.trim()) return { key: own.trim(), fromAuthorization: false };
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(lk_\S+)\s*$/i.exec(auth) : null;
  return match ? { key: match[1], fromAuthorization: true } : { fromAuthorization: false };
}

function allowed(grant: KeyGrant, runtime: WorkspaceRuntime, name: string): boolean {
  const tool = runtime.tools.get(name);
  if (!tool) return false;
  if (grant.scope === 'read' && !tool.definition.annotations.readOnlyHint) return false;
  return grant.tools === undefined || grant.tools.includes(name);
}

const cached = viewCache<string>();

/** The runtime as a key sees it: only the tools it may call. Built once per key and runtime. */
export function viewForKey(runtime: WorkspaceRuntime, grant: KeyGrant): WorkspaceRuntime {
  return cached(runtime, grant.id, () => keyView(runtime, grant));
}

function keyView(runtime: WorkspaceRuntime, grant: KeyGrant): WorkspaceRuntime {
  return narrowedView(
    runtime,
    (name) => allowed(grant, runtime, name),
    (name) => `Tool "${name}" is not available to this access key (scope ${grant.scope}${grant.tools ? ', limited to named tools' : ''}).`,
  );
}

/**
 * The caller's headers that passthrough may forward, as offered: Authorization (unless it carried
 * the Latchkey key) and every other header but Latchkey's own, proxy metadata and what HTTP
 * manages. Which of them go out is decided per runtime (passthroughHeaders in
 * upstream/passthrough-headers.ts): only credentials, and a method override refuses the call.
 */
export function forwardedHeaders(
  headers: Record<string, string | string[] | undefined>,
  authorizationIsKey: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'authorization' && authorizationIsKey) continue;
    // A method override is kept: the call is refused with the reason (see passthroughHeaders).
    if (!isMethodOverride(lower) && forwardingProblem(lower)) continue;
    out[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
