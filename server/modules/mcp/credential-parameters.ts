// Parameters the saved credentials fill in are not asked of the model. Slack's spec, for one,
// declares `token` as a required query argument of 112 of its 174 operations and as its apiKey
// scheme: once the admin saved that key, asking the model for it again invites it to invent one
// (or to ask the person for the secret). Decided per environment, when its runtime is built: when
// the credentials are removed or changed the parameters come back.
import type { JsonSchema, ParamBinding, ToolDefinition } from '../specs/types.js';
import type { UpstreamCredentials } from '../upstream/types.js';

/** Which parameters `credentials` (or an OAuth token, sent as a bearer token) put on every request. */
export function suppliedByCredentials(credentials: UpstreamCredentials, oauth: boolean): (param: ParamBinding) => boolean {
  const headers = new Set<string>();
  if (oauth || credentials.type === 'bearer' || credentials.type === 'basic') headers.add('authorization');
  if (credentials.type === 'headers') for (const name of Object.keys(credentials.headers)) headers.add(name.toLowerCase());
  const apiKey = credentials.type === 'api_key' ? credentials : undefined;
  if (apiKey?.in === 'header') headers.add(apiKey.name.toLowerCase());
  return (param) => {
    if (param.in === 'header') return headers.has(param.name.toLowerCase());
    return apiKey !== undefined && param.in === apiKey.in && param.name === apiKey.name;
  };
}

/** `definition` without the parameters `supplied` says the credentials fill in (the same object when there are none). */
export function withoutSuppliedParameters(definition: ToolDefinition, supplied: (param: ParamBinding) => boolean): ToolDefinition {
  const dropped = definition.params.filter(supplied);
  if (dropped.length === 0) return definition;
  const args = new Set(dropped.map((param) => param.arg));
  const schema = definition.inputSchema;
  const properties = Object.fromEntries(
    Object.entries((schema.properties ?? {}) as Record<string, unknown>).filter(([name]) => !args.has(name)),
  );
  const inputSchema: JsonSchema = { ...schema, properties };
  if (Array.isArray(schema.required)) inputSchema.required = (schema.required as string[]).filter((name) => !args.has(name));
  return { ...definition, params: definition.params.filter((param) => !args.has(param.arg)), inputSchema };
}
