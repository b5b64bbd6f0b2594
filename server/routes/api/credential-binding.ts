// Which origin an environment's credentials are bound to, read from the database for the admin
// API; the gateway computes the same from its own load (plugins/gateway.ts).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { credentialBinding, heldMessage, originOf, type CredentialBinding } from '../../modules/credentials/credential-origin.js';
import type { SpecWarning, ToolDefinition } from '../../modules/specs/types.js';

/** Where an environment's saved credentials go now, and whether they are held back. */
export async function bindingOf(app: FastifyInstance, workspaceId: string, environment: string): Promise<CredentialBinding> {
  const row = await app.credentials.describe(workspaceId, environment);
  const env = await app.repos.environments.get(workspaceId, environment);
  const spec = await app.repos.specs.get(workspaceId);
  return credentialBinding({
    type: row?.type,
    savedOrigin: row?.origin,
    baseUrlOverride: env?.baseUrlOverride,
    specBaseUrl: spec?.baseUrl,
  });
}

/** The environment's base URL origin now: what credentials saved or confirmed now are bound to. */
export async function currentOrigin(app: FastifyInstance, workspaceId: string, environment: string): Promise<string | null> {
  const env = await app.repos.environments.get(workspaceId, environment);
  return originOf(env?.baseUrlOverride ?? (await app.repos.specs.get(workspaceId))?.baseUrl) ?? null;
}

const MAX_NAMED = 5;

/**
 * Runs inside a spec upload's transaction, before the new spec is written. Credentials that were
 * never bound (saved before origins were recorded, or before there was a base URL) are bound to
 * the origin they were used with until now, else to the new spec's. Answers the warnings the
 * upload shows: credentials held back because the API moved, and tools whose own server is on
 * an origin nobody allowed.
 */
export async function bindCredentialsOnUpload(
  app: FastifyInstance,
  workspaceId: string,
  next: { baseUrl?: string; tools: ToolDefinition[] },
  tx: Db,
): Promise<SpecWarning[]> {
  const warnings: SpecWarning[] = [];
  const previousSpecBaseUrl = (await app.repos.specs.get(workspaceId, tx))?.baseUrl;
  const nextOrigin = originOf(next.baseUrl);
  const environments = await app.repos.environments.list(workspaceId, tx);
  for (const env of environments) {
    const row = await app.credentials.describe(workspaceId, env.name, tx);
    if (!row) continue;
    let saved = row.origin;
    if (saved === null) {
      const bound = originOf(env.baseUrlOverride ?? previousSpecBaseUrl) ?? nextOrigin;
      if (bound) await app.credentials.setOrigin(workspaceId, env.name, bound, tx);
      saved = bound ?? null;
    }
    const binding = credentialBinding({
      type: row.type,
      savedOrigin: saved,
      baseUrlOverride: env.baseUrlOverride,
      specBaseUrl: next.baseUrl,
    });
    if (binding.held) warnings.push({ message: heldMessage(binding.origin!, binding.movedTo!, env.name) });
  }

  // Tools with a server of their own elsewhere: refused where the spec's base URL is in use.
  if (environments.some((env) => env.baseUrlOverride === null)) {
    const allowed = new Set((await app.repos.workspaces.get(workspaceId, tx))?.allowedOrigins ?? []);
    const elsewhere = new Map<string, number>();
    for (const tool of next.tools) {
      const origin = originOf(tool.serverUrl);
      if (origin && origin !== nextOrigin && !allowed.has(origin)) elsewhere.set(origin, (elsewhere.get(origin) ?? 0) + 1);
    }
    if (elsewhere.size > 0) {
      const origins = [...elsewhere.keys()];
      const count = [...elsewhere.values()].reduce((a, b) => a + b, 0);
      const named = origins.slice(0, MAX_NAMED).join(', ') + (origins.length > MAX_NAMED ? ` and ${origins.length - MAX_NAMED} more` : '');
      warnings.push({
        message:
          `${count} ${count === 1 ? 'tool calls a server' : 'tools call servers'} of ${count === 1 ? 'its' : 'their'} own on another origin than the base URL (${named}): ` +
          `calls to ${origins.length === 1 ? 'it' : 'them'} are refused until an admin allows the origin with PATCH /api/workspaces/:id {"allowedOrigins": [${origins
            .slice(0, MAX_NAMED)
            .map((o) => `"${o}"`)
            .join(', ')}]} ` +
          `(the workspace's credentials then go there too), or sets a base URL for the workspace, which then wins for every tool.`,
      });
    }
  }
  return warnings;
}
