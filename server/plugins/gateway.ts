// The tool-call side of the gateway: one upstream client (pooled keep-alive connections), the
// per-workspace runtime cache, rate limits, and the batched call-log writer.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { CredentialsRow } from '../db/repositories/credentials-repository.js';
import { createCallLogStore } from '../db/call-log-store.js';
import { toUpstreamCredentials, type AuthPublicInfo } from '../modules/credentials/auth-settings.js';
import { credentialBinding, heldMessage } from '../modules/credentials/credential-origin.js';
import { createOAuthConnection, type OAuthConnection, type OAuthHealth } from '../modules/credentials/oauth-connection.js';
import type { OAuthPublicInfo, OAuthSecret } from '../modules/credentials/oauth-settings.js';
import { buildWorkspaceRuntime, type CallDeps, type WorkspaceRuntime } from '../modules/mcp/index.js';
import type { AccessMode, KeyGrant, KeyScope } from '../modules/mcp/access.js';
import { createCallLogWriter, type CallLogWriter } from '../modules/mcp/call-log-writer.js';
import { createRateLimiter, type RateLimiter } from '../modules/mcp/rate-limiter.js';
import { createUpstreamClient, passthroughHeaderNames } from '../modules/upstream/index.js';
import type { SecuritySchemeSummary } from '../modules/specs/types.js';
import { authSealContext } from '../modules/workspaces/seal-contexts.js';
import { hashUrlToken } from '../modules/workspaces/url-token.js';

/** A workspace as the MCP endpoint needs it, built from the database once and kept in memory. */
export interface GatewayWorkspace {
  workspaceId: string;
  access: AccessMode;
  /** Calls per minute for this workspace; 0: unlimited. */
  rateLimit: number;
  environments: Map<string, WorkspaceRuntime>;
  /** sha256 hex of the key -> what it grants. */
  keys: Map<string, KeyGrant>;
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: {
      /** The workspace and environment an MCP URL token names, from memory after the first call. */
      resolve(token: string): { workspace: GatewayWorkspace; environment: string } | undefined;
      /** Drops a workspace's cached state: call after any change to its spec, tools, auth, keys or URLs. */
      invalidate(workspaceId: string): void;
      /** The live health of an environment's OAuth connection (undefined when it does not use OAuth). */
      oauthHealth(workspaceId: string, environment: string): OAuthHealth | undefined;
      forgetOAuth(workspaceId: string, environment: string): void;
      /** Records that a key was used; written with the next call-log batch. */
      touchKey(keyId: string): void;
      rateLimiter: RateLimiter;
      callDeps: CallDeps;
      callLog: CallLogWriter;
    };
  }
}

async function gatewayPlugin(app: FastifyInstance) {
  const { repos, vault, config } = app;
  const upstream = createUpstreamClient({ timeoutMs: config.upstreamTimeoutMs, maxResponseBytes: config.maxResponseBytes, allowPrivateNetworks: config.allowPrivateNetworks });
  let keysUsed = new Map<string, string>();
  const store = createCallLogStore({
    dataDir: config.dataDir,
    writeHere: (entries, touched) => {
      const dropped = repos.callLogs.insertMany(entries);
      repos.accessKeys.touch(touched);
      return dropped;
    },
    onWorkerError: (err) => app.log.error({ err }, 'the call-log writer thread failed; writing call logs on the main thread'),
  });
  const callLog = createCallLogWriter(
    async (entries) => {
      const touched = keysUsed;
      keysUsed = new Map();
      const dropped = await store.write(entries, touched);
      if (dropped > 0) app.log.warn({ dropped }, 'call log entries of deleted workspaces were dropped');
    },
    { onError: (err) => app.log.error({ err }, 'writing call logs failed') },
  );

  // OAuth connections outlive runtime rebuilds (a tool toggle must not drop a token); a change of
  // the auth settings (updatedAt) starts a new one.
  const connections = new Map<string, { version: string; connection: OAuthConnection }>();

  function oauthConnection(row: CredentialsRow): OAuthConnection {
    const key = `${row.workspaceId}:${row.environment}`;
    const cached = connections.get(key);
    if (cached && cached.version === row.updatedAt) return cached.connection;
    const context = authSealContext(row.workspaceId, row.environment);
    // Opened once and kept in memory: the token manager reads it on every call.
    let secret = JSON.parse(vault.open(row.sealed, context)) as OAuthSecret;
    const connection = createOAuthConnection(
      JSON.parse(row.publicInfo) as OAuthPublicInfo,
      {
        loadSecret: () => secret,
        saveSecret(next, health) {
          secret = next;
          repos.credentials.updateSealed(row.workspaceId, row.environment, vault.seal(JSON.stringify(next), context), JSON.stringify(health));
        },
        saveHealth: (health) => repos.credentials.updateHealth(row.workspaceId, row.environment, JSON.stringify(health)),
        // Other gateway processes may share this database: refreshes take a lease in it.
        shared: {
          reloadSecret() {
            const now = repos.credentials.get(row.workspaceId, row.environment);
            if (now) secret = JSON.parse(vault.open(now.sealed, context)) as OAuthSecret;
            return secret;
          },
          tryLease: (ms) => repos.credentials.tryRefreshLease(row.workspaceId, row.environment, Date.now(), Date.now() + ms),
          releaseLease: () => repos.credentials.releaseRefreshLease(row.workspaceId, row.environment),
        },
      },
      row.health ? (JSON.parse(row.health) as Partial<OAuthHealth>) : {},
    );
    connections.set(key, { version: row.updatedAt, connection });
    return connection;
  }

  const workspaces = new Map<string, GatewayWorkspace>();
  // URL token hash -> where it points; dropped with its workspace on invalidation.
  const tokens = new Map<string, { workspaceId: string; environment: string }>();
  // URL token -> its hash, for tokens that resolved: a token is presented on every call, and
  // hashing it again each time was a measurable part of the call. Cleared with the caches.
  const tokenHashes = new Map<string, string>();

  function load(workspaceId: string): GatewayWorkspace | undefined {
    const workspace = repos.workspaces.get(workspaceId);
    if (!workspace) return undefined;
    const spec = repos.specs.get(workspaceId);
    const tools = repos.tools.list(workspaceId).map((t) => ({ definition: t.definition, enabled: t.enabled }));
    const environments = new Map<string, WorkspaceRuntime>();
    const allowedOrigins = workspace.allowedOrigins ? (JSON.parse(workspace.allowedOrigins) as string[]) : [];
    for (const env of repos.environments.list(workspaceId)) {
      const stored = repos.credentials.get(workspaceId, env.name);
      const binding = credentialBinding({ type: stored?.type, savedOrigin: stored?.origin, baseUrlOverride: env.baseUrlOverride, specBaseUrl: spec?.baseUrl });
      const tokenSource = stored?.type === 'oauth2' ? oauthConnection(stored) : undefined;
      const credentials = stored && !tokenSource
        ? toUpstreamCredentials(stored.type, JSON.parse(stored.publicInfo) as AuthPublicInfo, JSON.parse(vault.open(stored.sealed, authSealContext(workspaceId, env.name))) as Record<string, unknown>)
        : ({ type: 'none' } as const);
      environments.set(
        env.name,
        buildWorkspaceRuntime({
          workspaceId,
          name: workspace.name,
          environment: env.name,
          baseUrl: env.baseUrlOverride ?? spec?.baseUrl ?? undefined,
          baseUrlOverridden: env.baseUrlOverride !== null,
          allowedOrigins,
          held: binding.held ? heldMessage(binding.origin!, binding.movedTo!, env.name) : undefined,
          credentials,
          passthrough: stored?.type === 'passthrough',
          passthroughHeaders:
            stored?.type === 'passthrough'
              ? passthroughHeaderNames(spec ? (JSON.parse(spec.securitySchemes) as SecuritySchemeSummary[]) : [], (JSON.parse(stored.publicInfo) as AuthPublicInfo).forward)
              : undefined,
          tokenSource,
          tools,
        }),
      );
      tokens.set(env.urlTokenHash, { workspaceId, environment: env.name });
    }
    const keys = new Map<string, KeyGrant>();
    for (const k of repos.accessKeys.list(workspaceId)) {
      keys.set(k.keyHash, {
        id: k.id,
        label: k.label,
        scope: k.scope as KeyScope,
        tools: k.tools ? (JSON.parse(k.tools) as string[]) : undefined,
        environment: k.environment,
        expiresAt: k.expiresAt ? Date.parse(k.expiresAt) : undefined,
        hash: k.keyHash,
      });
    }
    return {
      workspaceId,
      access: workspace.access as AccessMode,
      rateLimit: workspace.rateLimit ?? config.rateLimit,
      environments,
      keys,
    };
  }

  function workspaceById(id: string): GatewayWorkspace | undefined {
    let ws = workspaces.get(id);
    if (!ws) {
      ws = load(id);
      if (ws) workspaces.set(id, ws);
    }
    return ws;
  }

  function dropAll() {
    workspaces.clear();
    tokens.clear();
    tokenHashes.clear();
  }

  // Several gateway processes may share this database (behind a load balancer): an admin change
  // made through one bumps a version the others poll once a second, off the hot path, to drop
  // their caches. Within this process, invalidate() takes effect at once.
  let seenVersion = repos.settings.configVersion();
  const poll = setInterval(() => {
    try {
      const version = repos.settings.configVersion();
      if (version !== seenVersion) {
        seenVersion = version;
        dropAll();
      }
    } catch (err) {
      app.log.warn({ err }, 'reading the configuration version failed');
    }
  }, 1000).unref();

  app.decorate('gateway', {
    resolve(token: string) {
      const hash = tokenHashes.get(token) ?? hashUrlToken(token);
      let target = tokens.get(hash);
      if (!target) {
        const env = repos.environments.getByTokenHash(hash);
        if (!env) return undefined;
        target = { workspaceId: env.workspaceId, environment: env.name };
      }
      const workspace = workspaceById(target.workspaceId);
      if (!workspace || !workspace.environments.has(target.environment)) return undefined;
      tokenHashes.set(token, hash);
      return { workspace, environment: target.environment };
    },
    invalidate(workspaceId: string) {
      workspaces.delete(workspaceId);
      for (const [hash, target] of tokens) if (target.workspaceId === workspaceId) tokens.delete(hash);
      tokenHashes.clear();
      seenVersion = repos.settings.bumpConfigVersion();
    },
    oauthHealth(workspaceId: string, environment: string) {
      const row = repos.credentials.get(workspaceId, environment);
      if (!row || row.type !== 'oauth2') return undefined;
      return oauthConnection(row).health();
    },
    forgetOAuth(workspaceId: string, environment: string) {
      connections.delete(`${workspaceId}:${environment}`);
    },
    touchKey(keyId: string) {
      keysUsed.set(keyId, new Date().toISOString());
    },
    rateLimiter: createRateLimiter(),
    callDeps: { upstream, maxResponseBytes: config.maxResponseBytes, record: (entry) => callLog.push(entry) },
    callLog,
  });

  app.addHook('onClose', async () => {
    clearInterval(poll);
    await callLog.close();
    await store.close();
    await upstream.close();
  });
}

export default fp(gatewayPlugin, { name: 'gateway', dependencies: ['config', 'db', 'vault'] });
