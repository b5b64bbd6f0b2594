// Which schema profile a client gets when neither its access key nor the workspace chose one: the
// profile its name calls for (profiles/CLIENT_PROFILES). A 2026-07-28 client names itself in every
// request's `_meta`. A 2025 client names itself once, in `initialize`, and the gateway keeps no
// sessions: the answer carries an `Mcp-Session-Id` that names the profile, which the client sends
// back on every later request (the transport requires it to). Only a client that needs a profile
// gets a session id; every other client sees the gateway exactly as before.
import { randomBytes } from 'node:crypto';
import { isPlainObject } from '../shared/is-plain-object.js';
import { isSchemaProfile, profileForClient, type SchemaProfile } from '../profiles/index.js';
import { META_CLIENT_INFO } from './modern-protocol.js';

const SESSION_PREFIX = 'lk-profile-';

export interface ClientProfile {
  profile: SchemaProfile;
  /** Set on an `initialize`: the session id to answer with. */
  session?: string;
}

function nameOf(clientInfo: unknown): unknown {
  return isPlainObject(clientInfo) ? clientInfo.name : undefined;
}

export function clientProfile(body: unknown, headers: Record<string, string | string[] | undefined>): ClientProfile | undefined {
  if (isPlainObject(body) && isPlainObject(body.params)) {
    const meta = body.params._meta;
    const modern = isPlainObject(meta) ? profileForClient(nameOf(meta[META_CLIENT_INFO])) : undefined;
    if (modern) return { profile: modern };
    if (body.method === 'initialize') {
      const profile = profileForClient(nameOf(body.params.clientInfo));
      return profile && { profile, session: `${SESSION_PREFIX}${profile}-${randomBytes(12).toString('base64url')}` };
    }
  }
  const session = headers['mcp-session-id'];
  if (typeof session !== 'string' || !session.startsWith(SESSION_PREFIX)) return undefined;
  const profile = session.slice(SESSION_PREFIX.length).split('-')[0];
  return isSchemaProfile(profile) ? { profile } : undefined;
}
