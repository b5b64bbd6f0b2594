// Prometheus metrics (prom-client), in a registry of the gateway's own. Labels carry workspace ids,
// tool names and fixed words only: never a URL token, a key, a secret or an argument. Tool labels
// are capped per workspace (MAX_TOOLS_PER_WORKSPACE, then "other"), so a workspace with thousands
// of tools cannot grow the series without bound.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallRecord } from '../mcp/call-tool.js';

const MAX_TOOLS_PER_WORKSPACE = 200;
const OTHER = 'other';
/** Seconds, for both latency histograms: from a cached answer to the upstream timeout's range. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Why a request to /mcp was turned away before any tool ran. */
export type RefusalReason =
  'rate_limited' | 'busy' | 'unauthorized' | 'unknown_workspace' | 'bad_request' | 'database_unavailable' | 'forbidden_origin';

export interface GatewayGauges {
  /** Call-log rows waiting to be written (in the queue, and held while the database is away). */
  callLogQueued(): number;
  /** Call-log rows dropped since start (the queue overflowed). */
  callLogDropped(): number;
}

export interface Metrics {
  readonly registry: Registry;
  call(record: CallRecord): void;
  refused(reason: RefusalReason): void;
  oauthRefresh(result: 'ok' | 'failed'): void;
  specImport(result: 'ok' | 'refused'): void;
  /** The gateway's gauges, read at each scrape. */
  watch(gauges: GatewayGauges): void;
  render(): Promise<string>;
  readonly contentType: string;
}

function statusClass(status: number | undefined): string {
  return status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
}

export function createMetrics(opts: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'latchkey_' });
  const calls = new Counter({
    name: 'latchkey_tool_calls_total',
    help: 'tools/call handled, by workspace, tool, outcome (ok, upstream_error: the API answered an error status, error: not sent or no answer) and upstream status class',
    labelNames: ['workspace', 'tool', 'outcome', 'status_class'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'latchkey_tool_call_duration_seconds',
    help: 'Time from a tools/call arriving to its result, upstream included',
    labelNames: ['workspace', 'tool'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'latchkey_upstream_duration_seconds',
    help: "Time a tools/call waited on its API (from sending the request to the answer's last byte, or the failure)",
    labelNames: ['workspace', 'tool'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'latchkey_mcp_requests_refused_total',
    help: 'MCP requests turned away before any tool ran, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'latchkey_oauth_refreshes_total',
    help: 'Upstream OAuth token renewals, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const imports = new Counter({
    name: 'latchkey_spec_imports_total',
    help: 'Spec uploads, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  let gauges: GatewayGauges | undefined;
  new Gauge({
    name: 'latchkey_call_log_queued',
    help: 'Call-log rows waiting to be written',
    registers: [registry],
    collect() {
      this.set(gauges?.callLogQueued() ?? 0);
    },
  });
  new Gauge({
    name: 'latchkey_call_log_dropped',
    help: 'Call-log rows dropped since start because the queue was full',
    registers: [registry],
    collect() {
      this.set(gauges?.callLogDropped() ?? 0);
    },
  });

  const toolsSeen = new Map<string, Set<string>>();
  function toolLabel(workspace: string, tool: string): string {
    let seen = toolsSeen.get(workspace);
    if (!seen) toolsSeen.set(workspace, (seen = new Set()));
    if (seen.has(tool)) return tool;
    if (seen.size >= MAX_TOOLS_PER_WORKSPACE) return OTHER;
    seen.add(tool);
    return tool;
  }

  return {
    registry,
    call(record) {
      const tool = toolLabel(record.workspaceId, record.tool);
      const outcome = record.ok ? 'ok' : record.status !== undefined ? 'upstream_error' : 'error';
      calls.labels(record.workspaceId, tool, outcome, statusClass(record.status)).inc();
      duration.labels(record.workspaceId, tool).observe(record.durationMs / 1000);
      if (record.upstreamMs !== undefined) upstreamDuration.labels(record.workspaceId, tool).observe(record.upstreamMs / 1000);
    },
    refused: (reason) => refusals.labels(reason).inc(),
    oauthRefresh: (result) => refreshes.labels(result).inc(),
    specImport: (result) => imports.labels(result).inc(),
    watch(next) {
      gauges = next;
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
