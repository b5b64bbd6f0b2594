// What an admin should know before switching a spec's tools on, worked out from what is stored
// (tools, base URL, declared schemes) and the workspace's auth type, so the same report is
// answered on upload and on every GET, and stays true when the auth settings change later.
// Pure: no DNS, no I/O. A host is judged by what it says (a name or an address literal), not by
// what it resolves to; the egress policy checks the address actually connected to.
import type { HttpMethod, SecuritySchemeSummary, ToolDefinition } from './types.js';
import { pointerOf } from './json-pointer.js';
import { classifyHost, isOwnNetworkKind, type AddressKind } from '../shared/egress.js';

export type FindingKind =
  'writes' | 'credential_in_query' | 'plain_http' | 'private_network' | 'unconfigured_scheme' | 'per_operation_servers';

export interface SecurityFinding {
  kind: FindingKind;
  severity: 'high' | 'medium' | 'info';
  message: string;
  /** Tool names concerned, the first MAX_NAMED of them; `toolCount` says how many in all. */
  tools?: string[];
  toolCount?: number;
  /** A JSON pointer into the uploaded document, where one place is concerned. */
  pointer?: string;
}

export interface SecurityReport {
  findings: SecurityFinding[];
}

export interface SecurityReportInput {
  tools: Pick<ToolDefinition, 'name' | 'method' | 'path' | 'annotations' | 'serverUrl'>[];
  /** The base URL calls go to: the workspace's own if set, else the spec's. */
  baseUrl?: string | null;
  /** The admin set the base URL: it wins over per-operation servers, which are then never called. */
  baseUrlOverridden?: boolean;
  securitySchemes: SecuritySchemeSummary[];
  /** The workspace's configured auth type (live environment): `none`, `bearer`, `api_key`, `basic`, `headers`, `passthrough`, `oauth2`. */
  authType: string;
  /** `2.0` or `3.x`: where a scheme's pointer leads. */
  openapi?: string;
}

export const MAX_NAMED = 20;
const WRITE_ORDER: HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'];

interface Host {
  name: string;
  /** What the host says it is (an address literal in any spelling, or a localhost name); undefined for other names. */
  kind?: AddressKind;
}

function hostOf(url: string): { host: Host; protocol: string; origin: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const name = parsed.hostname.toLowerCase();
  return { host: { name, kind: classifyHost(name) }, protocol: parsed.protocol, origin: parsed.origin };
}

function named(tools: string[]): Pick<SecurityFinding, 'tools' | 'toolCount'> {
  return tools.length === 0 ? {} : { tools: tools.slice(0, MAX_NAMED), toolCount: tools.length };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listed(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function writesFinding(tools: SecurityReportInput['tools']): SecurityFinding | undefined {
  const writes = tools.filter((tool) => !tool.annotations.readOnlyHint);
  if (writes.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const tool of writes) counts.set(tool.method, (counts.get(tool.method) ?? 0) + 1);
  const perMethod = [...counts]
    .sort(([a], [b]) => WRITE_ORDER.indexOf(a as HttpMethod) - WRITE_ORDER.indexOf(b as HttpMethod))
    .map(([m, n]) => `${n} ${m}`);
  const destructive = writes.filter((tool) => tool.annotations.destructiveHint).map((tool) => tool.name);
  const deletes = destructive.length > 0 ? ` ${plural(destructive.length, 'deletes', 'delete')} data: ${listed(destructive)}.` : '';
  return {
    kind: 'writes',
    severity: destructive.length > 0 ? 'medium' : 'info',
    message: `${plural(writes.length, 'operation')} can change data upstream (${perMethod.join(', ')}).${deletes} Switch on only those the clients need; an access key can be limited to read-only tools.`,
    // The destructive ones first: they are the ones to look at.
    ...named([...destructive, ...writes.filter((tool) => !tool.annotations.destructiveHint).map((tool) => tool.name)]),
  };
}

function schemePointer(input: SecurityReportInput, key: string): string {
  return input.openapi === '2.0' ? pointerOf('securityDefinitions', key) : pointerOf('components', 'securitySchemes', key);
}

function queryCredentialFinding(input: SecurityReportInput): SecurityFinding | undefined {
  const inQuery = input.securitySchemes.filter((s) => s.type === 'apiKey' && s.in === 'query');
  if (inQuery.length === 0) return undefined;
  const names = inQuery.map((s) => `"${s.key}" (?${s.name ?? '…'}=)`);
  return {
    kind: 'credential_in_query',
    severity: 'medium',
    message: `The spec sends its API key in the query string: ${names.join(', ')}. URLs end up in the upstream's access logs and any proxy's on the way, so the key does too; prefer a header if the API accepts one.`,
    pointer: schemePointer(input, inQuery[0].key),
  };
}

/** A scheme the configured auth type can satisfy. */
function satisfies(authType: string, scheme: SecuritySchemeSummary): boolean {
  if (authType === 'passthrough') return true; // the client brings its own credentials
  switch (scheme.type) {
    case 'apiKey':
      return authType === 'api_key' || (authType === 'headers' && scheme.in === 'header');
    case 'http':
      if (scheme.scheme === 'bearer') return authType === 'bearer' || authType === 'oauth2';
      if (scheme.scheme === 'basic') return authType === 'basic';
      return authType === 'headers';
    case 'oauth2':
    case 'openIdConnect':
      return authType === 'oauth2' || authType === 'bearer';
    default:
      return false; // mutualTLS: the gateway holds no client certificates
  }
}

function describeScheme(scheme: SecuritySchemeSummary): string {
  if (scheme.type === 'apiKey') return `"${scheme.key}" (API key in ${scheme.in ?? 'a header'})`;
  if (scheme.type === 'http') return `"${scheme.key}" (HTTP ${scheme.scheme ?? 'auth'})`;
  return `"${scheme.key}" (${scheme.type})`;
}

function unconfiguredFinding(input: SecurityReportInput): SecurityFinding | undefined {
  const missing = input.securitySchemes.filter((s) => !satisfies(input.authType, s));
  if (missing.length === 0) return undefined;
  const anyMet = missing.length < input.securitySchemes.length;
  const what = plural(missing.length, 'security scheme');
  const message = anyMet
    ? `The spec also declares ${what} the workspace's auth (${input.authType}) does not provide: ${missing.map(describeScheme).join(', ')}. Operations that need only those will be refused upstream.`
    : input.authType === 'none'
      ? `The spec declares ${what} — ${missing.map(describeScheme).join(', ')} — and the workspace has no auth configured: calls go out without credentials and will likely be refused upstream.`
      : `The spec declares ${what} — ${missing.map(describeScheme).join(', ')} — that the workspace's auth (${input.authType}) does not match: check the auth settings.`;
  return { kind: 'unconfigured_scheme', severity: anyMet ? 'info' : 'medium', message, pointer: schemePointer(input, missing[0].key) };
}

interface Target {
  url: string;
  /** Tools whose calls go there; empty for the base URL itself. */
  tools: string[];
  pointer?: string;
}

/** Where calls go: the base URL and each per-operation server actually used. */
function targets(input: SecurityReportInput): { base?: Target; perOperation: Map<string, Target> } {
  const base = input.baseUrl ? { url: input.baseUrl, tools: [] } : undefined;
  const perOperation = new Map<string, Target>();
  if (input.baseUrlOverridden) return { base, perOperation };
  for (const tool of input.tools) {
    if (!tool.serverUrl || tool.serverUrl === input.baseUrl) continue;
    const found = perOperation.get(tool.serverUrl);
    if (found) found.tools.push(tool.name);
    else
      perOperation.set(tool.serverUrl, {
        url: tool.serverUrl,
        tools: [tool.name],
        pointer: pointerOf('paths', tool.path, tool.method.toLowerCase()),
      });
  }
  return { base, perOperation };
}

function hostFindings(input: SecurityReportInput): SecurityFinding[] {
  const { base, perOperation } = targets(input);
  const all = [...(base ? [base] : []), ...perOperation.values()];
  const clear: { origin: string; tools: string[]; base: boolean }[] = [];
  const internal: { origin: string; tools: string[]; base: boolean }[] = [];
  for (const target of all) {
    const parsed = hostOf(target.url);
    if (!parsed) continue;
    const entry = { origin: parsed.origin, tools: target.tools, base: target === base };
    // Plain http to this machine never crosses a network; to one's own network it still does.
    if (parsed.protocol === 'http:' && parsed.host.kind !== 'loopback') clear.push(entry);
    if (isOwnNetworkKind(parsed.host.kind)) internal.push(entry);
  }
  const where = (list: typeof clear) =>
    list.map((e) => (e.base ? `${e.origin} (the base URL)` : `${e.origin} (${plural(e.tools.length, 'operation')})`));
  const findings: SecurityFinding[] = [];
  if (clear.length > 0) {
    const credentials = input.authType !== 'none' || input.securitySchemes.length > 0;
    findings.push({
      kind: 'plain_http',
      severity: credentials ? 'high' : 'medium',
      message: `Calls go over plain http to ${listed(where(clear))}: ${credentials ? 'credentials and ' : ''}data travel unencrypted and can be read or changed on the way. Use https if the API offers it.`,
      ...named(clear.flatMap((e) => e.tools)),
    });
  }
  if (internal.length > 0) {
    findings.push({
      kind: 'private_network',
      severity: 'info',
      message: `The upstream is on a loopback, private or link-local address: ${listed(where(internal))}. Fine for an API you host yourself; otherwise the spec points the gateway at its own network.`,
      ...named(internal.flatMap((e) => e.tools)),
    });
  }
  if (perOperation.size > 0) {
    const origins = [...perOperation.values()];
    const tools = origins.flatMap((o) => o.tools);
    const baseOrigin = input.baseUrl ? hostOf(input.baseUrl)?.origin : undefined;
    const elsewhere = origins.some((o) => hostOf(o.url)?.origin !== baseOrigin);
    findings.push({
      kind: 'per_operation_servers',
      severity: elsewhere ? 'medium' : 'info',
      message: `${plural(tools.length, 'operation')} declare${tools.length === 1 ? 's' : ''} a server of ${tools.length === 1 ? 'its' : 'their'} own instead of the base URL: ${listed(origins.map((o) => `${o.url} (${plural(o.tools.length, 'operation')})`))}. Setting the workspace's base URL sends every call there instead.`,
      ...named(tools),
      pointer: origins[0].pointer,
    });
  }
  return findings;
}

const SEVERITY_ORDER = { high: 0, medium: 1, info: 2 } as const;

export function securityReport(input: SecurityReportInput): SecurityReport {
  const findings = [writesFinding(input.tools), queryCredentialFinding(input), unconfiguredFinding(input), ...hostFindings(input)].filter(
    (f): f is SecurityFinding => f !== undefined,
  );
  // Most serious first; the order of kinds above breaks ties.
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return { findings };
}
