// The tool-call side of the gateway: one upstream client (pooled keep-alive connections), the
// per-workspace runtime cache, rate limits, and the batched call-log writer.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createCallLogStore } from '../db/call-log-store.js';
import { toUpstreamCredentials } from '../modules/credentials/auth-settings.js';
import type { OAuthCredentials } from '../modules/credentials/credential-store.js';
import { credentialBinding, heldMessage } from '../modules/credentials/credential-origin.js';
import { createOAuthConnection, type OAuthConnection, type OAuthHealthReport } from '../modules/credentials/oauth-connection.js';
import { buildWorkspaceRuntime, type CallDeps, type WorkspaceRuntime } from '../modules/mcp/index.js';
import type { CallRecord } from '../modules/mcp/call-tool.js';
import type { AccessMode, KeyGrant, KeyScope } from '../modules/mcp/access.js';
import { createCallLogWriter, type CallLogWriter } from '../modules/mcp/call-log-writer.js';
import { createRateLimiter, type RateLimiter } from '../modules/mcp/rate-limiter.js';
import { createSharedRateLimiter } from '../modules/mcp/shared-rate-limiter.js';
import { createUpstreamClient, passthroughHeaderNames } from '../modules/upstream/index.js';
import { hashUrlToken } from '../modules/workspaces/url-token.js';
import type { ToolsetGrant } from '../modules/mcp/toolset-view.js';
import { isSchemaProfile, type SchemaProfile } from '../modules/profiles/index.js';
import { isToolMode, type ToolModeSetting } from '../modules/discovery/tool-mode.js';

/** A workspace as the MCP endpoint needs it, built from the database once and kept in memory. */
export interface GatewayWorkspace {
  workspaceId: string;
  access: AccessMode;
  /** Calls per minute for this workspace; 0: unlimited. */
  rateLimit: number;
  environments: Map<string, WorkspaceRuntime>;
  /** sha256 hex of the key -> what it grants. */
  keys: Map<string, KeyGrant>;
  /** The profile every client gets; undefined: chosen per client by its name. */
  schemaProfile?: SchemaProfile;
  /** How tools are offered unless a key says otherwise. */
  toolMode: ToolModeSetting;
  /** Toolset id -> what it holds: for keys bound to one, whatever URL they come by. */
  toolsets: Map<string, ToolsetGrant>;
}

export interface Resolved {
  workspace: GatewayWorkspace;
  environment: string;
  /** Set when the URL is a toolset's: the caller sees that toolset's tools only. */
  toolset?: ToolsetGrant;
}

/** Where a URL token points: an environment, or a toolset (in its environment). */
interface TokenTarget {
  workspaceId: string;
  environment: string;
  toolsetId?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: {
      /**
       * The workspace and environment an MCP URL token names: from memory after the first call (no
       * promise then), from the database on the first.
       */
      resolve(token: string): Resolved | undefined | Promise<Resolved | undefined>;
      /** The live health of an environment's OAuth connection (undefined when it does not use OAuth). */
      oauthHealth(workspaceId: string, environment: string): Promise<OAuthHealthReport | undefined>;
      forgetOAuth(workspaceId: string, environment: string): void;
      /** The workspace as the MCP endpoint serves it (loaded if it is not in memory). */
      workspace(workspaceId: string): GatewayWorkspace | undefined | Promise<GatewayWorkspace | undefined>;
      /** Records that a key was used; written with the next call-log batch. */
      touchKey(keyId: string): void;
      rateLimiter: RateLimiter;
      callDeps: CallDeps;
      /** Shutdown: calls still waiting on their upstream are answered now, with a clear error, and logged. */
      stopCalls(): void;
      callLog: CallLogWriter;
    };
  }
}

/** Call-log rows kept in memory while the database cannot take them. */
const MAX_HELD = 20_000;

async function gatewayPlugin(app: FastifyInstance) {
  const { repos, credentials: credentialStore, config, store: database } = app;
  const upstream = createUpstreamClient({
    timeoutMs: config.upstreamTimeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    allowPrivateNetworks: config.allowPrivateNetworks,
  });
  let keysUsed = new Map<string, string>();
  const store = createCallLogStore({
    database: { dataDir: config.dataDir, databaseUrl: config.databaseUrl },
    writeHere: async (entries, touched) => {
      const dropped = await repos.callLogs.insertMany(entries);
      await repos.accessKeys.touch(touched);
      return dropped;
    },
    onWorkerError: (err) => app.log.error({ err }, 'the call-log writer thread failed; writing call logs on the main thread'),
  });
  // While the database is away, calls go on and their rows wait here (the newest MAX_HELD of
  // them), to be written with the next batch or by a retry a second later.
  let held: CallRecord[] = [];
  let retry: NodeJS.Timeout | undefined;
  let failing = false;
  // One batch at a time: batches in flight together that all failed would each put back only
  // their own rows, the last overwriting what the others held.
  let writing: Promise<void> = Promise.resolve();
  const writeBatch = (entries: CallRecord[]): Promise<void> => (writing = writing.then(() => writeOnce(entries)));
  async function writeOnce(entries: CallRecord[]): Promise<void> {
    const touched = keysUsed;
    keysUsed = new Map();
    const batch = held.length > 0 ? [...held, ...entries] : entries;
    held = [];
    try {
      const dropped = await store.write(batch, touched);
      if (dropped > 0) app.log.warn({ dropped }, 'call log entries of deleted workspaces were dropped');
      if (failing) app.log.info({ written: batch.length }, 'call logs are being written again');
      failing = false;
    } catch (err) {
      held = batch.slice(-MAX_HELD);
      for (const [id, at] of touched) if (!keysUsed.has(id)) keysUsed.set(id, at);
      retry ??= setTimeout(() => {
        retry = undefined;
        void writeBatch([]);
      }, 1000).unref();
      // Once per outage, not once per batch.
      if (!failing)
        app.log.error(
          { err, held: held.length, lost: batch.length - held.length },
          'writing call logs failed; holding them until the database answers',
        );
      failing = true;
    }
  }
  const callLog = createCallLogWriter(writeBatch, { onError: (err) => app.log.error({ err }, 'writing call logs failed') });
  app.metrics.watch({ callLogQueued: () => callLog.queued + held.length, callLogDropped: () => callLog.dropped });

  // OAuth connections outlive runtime rebuilds (a tool toggle must not drop a token); a change of
  // the auth settings (updatedAt) starts a new one.
  const connections = new Map<string, { version: string; connection: OAuthConnection }>();
  const stopping = new AbortController();

  function oauthConnection(saved: OAuthCredentials): OAuthConnection {
    const { workspaceId, environment } = saved;
    const key = `${workspaceId}:${environment}`;
    const cached = connections.get(key);
    if (cached && cached.version === saved.updatedAt) return cached.connection;
    // Kept in memory: the token manager reads it on every call.
    let secret = saved.secret;
    const connection = createOAuthConnection(
      saved.publicInfo,
      {
        loadSecret: () => secret,
        async saveSecret(next, health) {
          secret = next;
          app.metrics.oauthRefresh('ok');
          await credentialStore.updateOAuthSecret(workspaceId, environment, next, health);
        },
        // Called when a renewal failed (see createOAuthConnection's onFailure).
        saveHealth(health) {
          app.metrics.oauthRefresh('failed');
          return credentialStore.updateHealth(workspaceId, environment, health);
        },
        // Other gateway nodes share this database: refreshes take a lease in it.
        shared: {
          async reloadSecret() {
            const now = await credentialStore.open(workspaceId, environment);
            if (now?.type === 'oauth2') secret = now.secret;
            return secret;
          },
          tryLease: (ms) => credentialStore.tryRefreshLease(workspaceId, environment, Date.now(), Date.now() + ms),
          releaseLease: () => credentialStore.releaseRefreshLease(workspaceId, environment),
        },
      },
      saved.health ?? {},
      { now: app.now },
    );
    connections.set(key, { version: saved.updatedAt, connection });
    return connection;
  }

  const workspaces = new Map<string, GatewayWorkspace>();
  // URL token hash -> where it points; dropped with its workspace on invalidation.
  const tokens = new Map<string, TokenTarget>();
  // URL token -> its hash, for tokens that resolved: a token is presented on every call, and
  // hashing it again each time was a measurable part of the call. Cleared with the caches.
  const tokenHashes = new Map<string, string>();

  async function load(workspaceId: string): Promise<{ workspace: GatewayWorkspace; tokens: Map<string, TokenTarget> } | undefined> {
    const workspace = await repos.workspaces.get(workspaceId);
    if (!workspace) return undefined;
    const spec = await repos.specs.get(workspaceId);
    const tools = await repos.tools.list(workspaceId);
    const environments = new Map<string, WorkspaceRuntime>();
    const allowedOrigins = workspace.allowedOrigins ?? [];
    const found = new Map<string, TokenTarget>();
    const stored = new Map((await credentialStore.openAll(workspaceId)).map((row) => [row.environment, row]));
    for (const env of await repos.environments.list(workspaceId)) {
      const saved = stored.get(env.name);
      const binding = credentialBinding({
        type: saved?.type,
        savedOrigin: saved?.origin,
        baseUrlOverride: env.baseUrlOverride,
        specBaseUrl: spec?.baseUrl,
      });
      const tokenSource = saved?.type === 'oauth2' ? oauthConnection(saved) : undefined;
      const credentials =
        saved && saved.type !== 'oauth2' ? toUpstreamCredentials(saved.type, saved.publicInfo, saved.secret) : ({ type: 'none' } as const);
      environments.set(
        env.name,
        buildWorkspaceRuntime({
          workspaceId,
          name: workspace.name,
          environment: env.name,
          description: spec?.description,
          iconUrl: spec?.iconUrl,
          baseUrl: env.baseUrlOverride ?? spec?.baseUrl ?? undefined,
          baseUrlOverridden: env.baseUrlOverride !== null,
          allowedOrigins,
          held: binding.held ? heldMessage(binding.origin!, binding.movedTo!, env.name) : undefined,
          credentials,
          passthrough: saved?.type === 'passthrough',
          passthroughHeaders:
            saved?.type === 'passthrough' ? passthroughHeaderNames(spec?.securitySchemes ?? [], saved.publicInfo.forward) : undefined,
          tokenSource,
          tools,
          responseBudget: workspace.responseBudget,
        }),
      );
      found.set(env.urlTokenHash, { workspaceId, environment: env.name });
    }
    const toolsets = new Map<string, ToolsetGrant>();
    for (const row of await repos.toolsets.list(workspaceId)) {
      toolsets.set(row.id, { id: row.id, name: row.name, environment: row.environment, selection: row.selection });
      found.set(row.urlTokenHash, { workspaceId, environment: row.environment, toolsetId: row.id });
    }
    const keys = new Map<string, KeyGrant>();
    for (const k of await repos.accessKeys.list(workspaceId)) {
      keys.set(k.keyHash, {
        id: k.id,
        label: k.label,
        scope: k.scope as KeyScope,
        tools: k.tools ?? undefined,
        environment: k.environment,
        expiresAt: k.expiresAt ? Date.parse(k.expiresAt) : undefined,
        hash: k.keyHash,
        schemaProfile: isSchemaProfile(k.schemaProfile) ? k.schemaProfile : undefined,
        toolMode: isToolMode(k.toolMode) ? k.toolMode : undefined,
        toolsetId: k.toolsetId ?? undefined,
      });
    }
    return {
      workspace: {
        workspaceId,
        access: workspace.access as AccessMode,
        rateLimit: workspace.rateLimit ?? config.rateLimit,
        environments,
        keys,
        schemaProfile: isSchemaProfile(workspace.schemaProfile) ? workspace.schemaProfile : undefined,
        toolMode: isToolMode(workspace.toolMode) ? workspace.toolMode : 'auto',
        toolsets,
      },
      tokens: found,
    };
  }

  // A change drops what it touched; a load that was under way when it came is not kept (it may
  // have read the old rows), so each workspace's loads carry the generation they started in.
  let generation = 0;
  const loading = new Map<string, Promise<GatewayWorkspace | undefined>>();

  function workspaceById(id: string): GatewayWorkspace | undefined | Promise<GatewayWorkspace | undefined> {
    const cached = workspaces.get(id);
    if (cached) return cached;
    let pending = loading.get(id);
    if (!pending) {
      const startedIn = generation;
      // One load for the many first calls that arrive together.
      pending = load(id).then((loaded) => {
        if (loading.get(id) === pending) loading.delete(id);
        if (!loaded) return undefined;
        if (startedIn === generation) {
          workspaces.set(id, loaded.workspace);
          for (const [hash, target] of loaded.tokens) tokens.set(hash, target);
        }
        return loaded.workspace;
      });
      pending.catch(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  }

  function drop(workspaceId: string) {
    generation++;
    if (workspaceId === '*') {
      workspaces.clear();
      tokens.clear();
      loading.clear();
    } else {
      workspaces.delete(workspaceId);
      loading.delete(workspaceId);
      for (const [hash, target] of tokens) if (target.workspaceId === workspaceId) tokens.delete(hash);
    }
    tokenHashes.clear();
  }

  // The repositories announce every committed configuration change, made on this node or (through
  // the database) on any other sharing it: no route has to remember to drop a cache.
  database.changes.subscribe(drop);

  function found(token: string, hash: string, target: TokenTarget, workspace: GatewayWorkspace | undefined): Resolved | undefined {
    if (!workspace || !workspace.environments.has(target.environment)) return undefined;
    const toolset = target.toolsetId === undefined ? undefined : workspace.toolsets.get(target.toolsetId);
    // A toolset deleted since the token was cached: its URL opens nothing, not the whole workspace.
    if (target.toolsetId !== undefined && !toolset) return undefined;
    tokenHashes.set(token, hash);
    return { workspace, environment: target.environment, ...(toolset && { toolset }) };
  }

  async function resolveFromDatabase(token: string, hash: string): Promise<Resolved | undefined> {
    const env = await repos.environments.getByTokenHash(hash);
    if (env) return found(token, hash, { workspaceId: env.workspaceId, environment: env.name }, await workspaceById(env.workspaceId));
    const toolset = await repos.toolsets.getByTokenHash(hash);
    if (!toolset) return undefined;
    const target = { workspaceId: toolset.workspaceId, environment: toolset.environment, toolsetId: toolset.id };
    return found(token, hash, target, await workspaceById(toolset.workspaceId));
  }

  app.decorate('gateway', {
    resolve(token: string) {
      const hash = tokenHashes.get(token) ?? hashUrlToken(token);
      const target = tokens.get(hash);
      if (!target) return resolveFromDatabase(token, hash);
      const workspace = workspaceById(target.workspaceId);
      // The hot path: a workspace in memory, no promise.
      if (!(workspace instanceof Promise)) return found(token, hash, target, workspace);
      return workspace.then((loaded) => found(token, hash, target, loaded));
    },
    async oauthHealth(workspaceId: string, environment: string) {
      const summary = await credentialStore.describe(workspaceId, environment);
      if (summary?.type !== 'oauth2') return undefined;
      // A connection already made answers from memory; only a new one needs the secret opened.
      const cached = connections.get(`${workspaceId}:${environment}`);
      if (cached?.version === summary.updatedAt) return cached.connection.health();
      const saved = await credentialStore.open(workspaceId, environment);
      return saved?.type === 'oauth2' ? oauthConnection(saved).health() : undefined;
    },
    forgetOAuth(workspaceId: string, environment: string) {
      connections.delete(`${workspaceId}:${environment}`);
    },
    workspace: workspaceById,
    touchKey(keyId: string) {
      keysUsed.set(keyId, new Date().toISOString());
    },
    // Nodes sharing PostgreSQL count together (leasing a few calls at a time); a SQLite node alone.
    // Windows follow app.now: a test moves it instead of waiting for a minute to roll over.
    rateLimiter:
      database.dialect === 'postgres'
        ? createSharedRateLimiter({
            clock: app.now,
            lease: (request) => repos.rateWindows.lease(request),
            onDegraded: (err) =>
              app.log.error({ err }, 'rate limits cannot reach the database; each node now counts alone, up to the full limit'),
            onRestored: () => app.log.info('rate limits reach the database again and are shared across nodes'),
          })
        : createRateLimiter({ clock: app.now }),
    callDeps: {
      upstream,
      maxResponseBytes: config.maxResponseBytes,
      record(entry) {
        app.metrics.call(entry);
        callLog.push(entry);
      },
      stopping: stopping.signal,
    },
    stopCalls: () => stopping.abort(),
    callLog,
  });

  app.addHook('onClose', async () => {
    if (retry) clearTimeout(retry);
    await callLog.close();
    await store.close();
    await upstream.close();
  });
}

export default fp(gatewayPlugin, { name: 'gateway', dependencies: ['config', 'db', 'vault', 'metrics'] });
