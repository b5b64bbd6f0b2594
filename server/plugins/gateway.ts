// The tool-call side of the gateway: one upstream client (pooled keep-alive connections), the
// per-workspace runtime cache and the batched call-log writer.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { toUpstreamCredentials, type AuthPublicInfo } from '../modules/credentials/auth-settings.js';
import { buildWorkspaceRuntime, type CallDeps, type WorkspaceRuntime } from '../modules/mcp/index.js';
import { createCallLogWriter, type CallLogWriter } from '../modules/mcp/call-log-writer.js';
import { createUpstreamClient } from '../modules/upstream/index.js';
import { hashUrlToken } from '../modules/workspaces/url-token.js';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: {
      /** The runtime for an MCP URL token, from memory after the first call. */
      runtimeForToken(token: string): WorkspaceRuntime | undefined;
      /** Drops a workspace's cached runtime: call after any change to its spec, tools, auth or URL. */
      invalidate(workspaceId: string): void;
      callDeps: CallDeps;
      callLog: CallLogWriter;
    };
  }
}

async function gatewayPlugin(app: FastifyInstance) {
  const { repos, vault, config } = app;
  const upstream = createUpstreamClient({ timeoutMs: config.upstreamTimeoutMs, maxResponseBytes: config.maxResponseBytes });
  const callLog = createCallLogWriter(
    (entries) => {
      const dropped = repos.callLogs.insertMany(entries);
      if (dropped > 0) app.log.warn({ dropped }, 'call log entries of deleted workspaces were dropped');
    },
    { onError: (err) => app.log.error({ err }, 'writing call logs failed') },
  );

  // token hash -> runtime, and workspace id -> token hash for invalidation.
  const byTokenHash = new Map<string, WorkspaceRuntime>();
  const tokenHashOf = new Map<string, string>();

  function load(tokenHash: string): WorkspaceRuntime | undefined {
    const workspace = repos.workspaces.getByTokenHash(tokenHash);
    if (!workspace) return undefined;
    const spec = repos.specs.get(workspace.id);
    const stored = repos.credentials.get(workspace.id);
    const credentials = stored
      ? toUpstreamCredentials(
          stored.type,
          JSON.parse(stored.publicInfo) as AuthPublicInfo,
          JSON.parse(vault.open(stored.sealed, { workspaceId: workspace.id, field: 'auth' })) as Record<string, unknown>,
        )
      : { type: 'none' as const };
    return buildWorkspaceRuntime({
      workspaceId: workspace.id,
      name: workspace.name,
      baseUrl: workspace.baseUrlOverride ?? spec?.baseUrl ?? undefined,
      credentials,
      tools: repos.tools.list(workspace.id).map((t) => ({ definition: t.definition, enabled: t.enabled })),
    });
  }

  app.decorate('gateway', {
    runtimeForToken(token: string) {
      const hash = hashUrlToken(token);
      let runtime = byTokenHash.get(hash);
      if (!runtime) {
        runtime = load(hash);
        if (!runtime) return undefined;
        byTokenHash.set(hash, runtime);
        tokenHashOf.set(runtime.workspaceId, hash);
      }
      return runtime;
    },
    invalidate(workspaceId: string) {
      const hash = tokenHashOf.get(workspaceId);
      if (hash) byTokenHash.delete(hash);
      tokenHashOf.delete(workspaceId);
    },
    callDeps: { upstream, maxResponseBytes: config.maxResponseBytes, record: (entry) => callLog.push(entry) },
    callLog,
  });

  app.addHook('onClose', async () => {
    callLog.close();
    await upstream.close();
  });
}

export default fp(gatewayPlugin, { name: 'gateway', dependencies: ['config', 'db', 'vault'] });
