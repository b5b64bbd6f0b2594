// Schema profiles: the same tool offered in the strictest form its client's model accepts.
// `default` is the portable JSON Schema 2020-12 every tool is imported as; `openai` and `gemini`
// are derived from it (openai-profile.ts, gemini-profile.ts) with a plan that maps the model's
// arguments back (argument-plan.ts), so a call reaches the API exactly as through `default`.
import type { JsonSchema } from '../specs/types.js';
import { applyPlan, type ArgumentPlan } from './argument-plan.js';
import { toOpenAiSchema } from './openai-profile.js';
import { geminiToolName, toGeminiSchema } from './gemini-profile.js';

export { applyPlan, type ArgumentPlan } from './argument-plan.js';
export { GEMINI_FORMATS, GEMINI_TOOL_NAME } from './gemini-profile.js';
export { OPENAI_FORMATS, OPENAI_LIMITS } from './openai-profile.js';

export const SCHEMA_PROFILES = ['default', 'openai', 'gemini'] as const;
export type SchemaProfile = (typeof SCHEMA_PROFILES)[number];

export function isSchemaProfile(value: unknown): value is SchemaProfile {
  return typeof value === 'string' && (SCHEMA_PROFILES as readonly string[]).includes(value);
}

export interface ProfiledTool {
  /** The name the client sees (Gemini's names must start with a letter or an underscore). */
  name: string;
  inputSchema: JsonSchema;
  /** How the client's arguments map back; undefined when they are the real arguments. */
  plan?: ArgumentPlan;
  /** Undefined: the client's arguments are the real arguments. */
  toRealArguments?: (args: Record<string, unknown>) => Record<string, unknown>;
}

function planFunction(plan: ArgumentPlan | undefined): ProfiledTool['toRealArguments'] {
  if (!plan) return undefined;
  return (args) => applyPlan(plan, args) as Record<string, unknown>;
}

/** One tool in a profile's form. `default` leaves it as imported. */
export function profiledTool(profile: SchemaProfile, name: string, inputSchema: JsonSchema): ProfiledTool {
  if (profile === 'default') return { name, inputSchema };
  const converted = profile === 'openai' ? toOpenAiSchema(inputSchema) : toGeminiSchema(inputSchema);
  return {
    name: profile === 'gemini' ? geminiToolName(name) : name,
    inputSchema: converted.schema,
    plan: converted.plan,
    toRealArguments: planFunction(converted.plan),
  };
}

/**
 * Clients whose model needs a profile, by the name they give in `clientInfo` (matched at the
 * start, case-insensitively). Only clients whose name and model are known: ChatGPT's connectors
 * (and OpenAI's API's MCP tool) introduce themselves as `openai-mcp`; the Gemini CLI as
 * `gemini-cli-mcp-client`. Any other client gets `default`; an access key or the workspace can
 * choose a profile for the rest.
 */
export const CLIENT_PROFILES: readonly { prefix: string; profile: SchemaProfile; client: string }[] = [
  { prefix: 'openai-mcp', profile: 'openai', client: 'ChatGPT connectors, OpenAI Responses API' },
  { prefix: 'gemini-cli-mcp-client', profile: 'gemini', client: 'Gemini CLI' },
];

export function profileForClient(name: unknown): SchemaProfile | undefined {
  if (typeof name !== 'string') return undefined;
  const lower = name.toLowerCase();
  return CLIENT_PROFILES.find((entry) => lower.startsWith(entry.prefix))?.profile;
}
