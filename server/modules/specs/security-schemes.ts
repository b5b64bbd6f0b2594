// The security schemes a spec declares, reduced to what pre-fills the workspace's auth form.
import type { SecuritySchemeSummary } from './types.js';
import { asStoredJson, isObject, stringOrUndefined, type JsonObject } from './json-utils.js';
import { followRefs } from './json-pointer.js';

const TYPES = new Set(['apiKey', 'http', 'oauth2', 'openIdConnect', 'mutualTLS']);
const KEY_LOCATIONS = new Set(['header', 'query', 'cookie']);

type Flows = NonNullable<SecuritySchemeSummary['flows']>;

function summariseFlows(flows: unknown): Flows | undefined {
  if (!isObject(flows)) return undefined;
  const out: Flows = {};
  for (const [name, flow] of Object.entries(flows)) {
    if (!isObject(flow) || name.startsWith('x-')) continue;
    const scopes = isObject(flow.scopes)
      ? Object.fromEntries(Object.entries(flow.scopes).map(([scope, text]) => [scope, typeof text === 'string' ? text : '']))
      : undefined;
    out[name] = {
      authorizationUrl: stringOrUndefined(flow.authorizationUrl),
      tokenUrl: stringOrUndefined(flow.tokenUrl),
      refreshUrl: stringOrUndefined(flow.refreshUrl),
      scopes,
    };
  }
  return out;
}

/** Summaries of `components.securitySchemes` (Swagger 2 documents arrive here already converted). */
export function summariseSecuritySchemes(doc: JsonObject): SecuritySchemeSummary[] {
  const schemes = isObject(doc.components) ? doc.components.securitySchemes : undefined;
  if (!isObject(schemes)) return [];
  const out: SecuritySchemeSummary[] = [];
  for (const [key, raw] of Object.entries(schemes)) {
    const scheme = followRefs(doc, raw).value;
    if (!isObject(scheme) || typeof scheme.type !== 'string' || !TYPES.has(scheme.type)) continue;
    const summary: SecuritySchemeSummary = { key, type: scheme.type as SecuritySchemeSummary['type'] };
    if (scheme.type === 'apiKey') {
      if (typeof scheme.in === 'string' && KEY_LOCATIONS.has(scheme.in)) summary.in = scheme.in as SecuritySchemeSummary['in'];
      summary.name = stringOrUndefined(scheme.name);
    } else if (scheme.type === 'http') {
      summary.scheme = stringOrUndefined(scheme.scheme)?.toLowerCase();
    } else if (scheme.type === 'oauth2') {
      summary.flows = summariseFlows(scheme.flows);
    } else if (scheme.type === 'openIdConnect') {
      summary.openIdConnectUrl = stringOrUndefined(scheme.openIdConnectUrl);
    }
    out.push(asStoredJson(summary));
  }
  return out;
}
