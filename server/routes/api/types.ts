// The admin API's shapes as TypeScript, for the console (web/ imports these, type-only) and for
// tests. They mirror the response schemas in schemas.ts, which stay the source of truth for what
// is serialised; test/server/api-types.test.ts fails to typecheck when the two drift apart.
// No imports: the console's build must not pull in server code.

export interface ErrorDetail {
  message: string;
  pointer: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

export interface SessionView {
  signedIn: boolean;
  /** ISO time the session ends; present when signed in. */
  expiresAt?: string;
  /** Send as `X-Latchkey-CSRF` on every POST, PUT, PATCH and DELETE; present when signed in. */
  csrfToken?: string;
}

export interface SignInBody {
  token: string;
}

export interface WorkspaceView {
  id: string;
  name: string;
  slug: string;
  /** The live environment's MCP URL: everything a client needs. */
  mcpUrl: string;
  /** One MCP URL per environment (`live`, and `test` when it exists). */
  mcpUrls?: Record<string, string>;
  /** The effective upstream base URL: the override if set, else the spec's. */
  baseUrl: string | null;
  /** `url`: the URL alone grants access; `keys`: clients also need an access key. */
  access?: 'url' | 'keys';
  rateLimit?: number | null;
  effectiveRateLimit?: number;
  /** The longest tool name the workspace gives: 48 for new workspaces, 64 for those made before budgets. */
  toolNameBudget?: number;
  /** The schema profile clients get: `auto` (by the client's name), `default`, `openai` or `gemini`. */
  schemaProfile?: WorkspaceSchemaProfile;
  /** How tools are offered: `auto` (by the list's size), `all` or `dynamic` (three meta-tools that search, describe and call). */
  toolMode?: WorkspaceToolMode;
  /** Tokens a tool's answer may hold before it is cut (as JSON stays JSON); 0: no budget. */
  responseBudget?: number;
  /** Origins tool calls (and the credentials) may go to besides the base URL's. */
  allowedOrigins?: string[];
  toolCount: number;
  enabledToolCount: number;
  lastCallAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkspaceList {
  workspaces: WorkspaceView[];
}

export interface CreateWorkspaceBody {
  name: string;
  /** 24 to 64; default 48 (room for the prefixes clients put in front of a tool's name). */
  toolNameBudget?: number;
}

export interface UpdateWorkspaceBody {
  name?: string;
  /** null restores the spec's base URL. */
  baseUrl?: string | null;
  access?: 'url' | 'keys';
  rateLimit?: number | null;
  /** Origins such as "https://uploads.example.com"; [] or null: none besides the base URL's. */
  allowedOrigins?: string[] | null;
  /** Renames the tools that do not fit; access keys limited to named tools follow. */
  toolNameBudget?: number;
  schemaProfile?: WorkspaceSchemaProfile;
  toolMode?: WorkspaceToolMode;
  /** null restores the default (25,000); 0: no budget. */
  responseBudget?: number | null;
}

export type KeyToolMode = 'all' | 'dynamic';

/** `auto`: every tool is listed while they are at most 40 and about 30,000 tokens, else `dynamic`. */
export type WorkspaceToolMode = 'auto' | KeyToolMode;

/** What clients are offered now (GET /api/workspaces/:id/tool-mode), for the default profile and no key. */
export interface ToolModeReport {
  setting: WorkspaceToolMode;
  mode: KeyToolMode;
  /** Why, in a sentence. */
  reason: string;
  /** Enabled tools, and the estimated tokens of their tools/list in `all` mode. */
  tools: number;
  estimatedTokens: number;
  /** Estimated tokens of tools/list in `dynamic` mode (the three meta-tools). */
  dynamicEstimatedTokens: number;
  thresholds: { tools: number; tokens: number };
}

export type KeySchemaProfile = 'default' | 'openai' | 'gemini';

/** `auto`: each client gets the profile its name calls for (CLIENT_PROFILES), else `default`. */
export type WorkspaceSchemaProfile = 'auto' | KeySchemaProfile;

export interface SpecWarningView {
  message: string;
  pointer: string;
}

export interface SpecChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface SpecSummary {
  status: string;
  title: string;
  version: string;
  openapi: string;
  baseUrl: string | null;
  sourceUrl: string | null;
  toolCount: number;
  warnings: SpecWarningView[];
  uploadedAt: string;
  /** Only in the answer to an upload. */
  changes?: SpecChanges;
  /** What the spec exposes, found at import: in the upload's answer and in GET /spec. */
  securityReport?: SecurityReport;
}

export type SecurityFindingKind =
  'writes' | 'credential_in_query' | 'plain_http' | 'private_network' | 'unconfigured_scheme' | 'per_operation_servers';

export interface SecurityFinding {
  kind: SecurityFindingKind;
  severity: 'high' | 'medium' | 'info';
  message: string;
  /** The tools it concerns, when it concerns some: the first 20 names. */
  tools?: string[];
  /** How many tools it concerns in all (set with `tools`; more than its length when names were left out). */
  toolCount?: number;
  pointer?: string;
}

export interface SecurityReport {
  findings: SecurityFinding[];
}

/** POST /api/workspaces/:id/spec as JSON; a file goes as multipart field `file` instead. */
export type SpecUploadBody = { url: string } | { content: string };

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'TRACE';

export interface ToolAnnotationsView {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolView {
  name: string;
  method: HttpMethod;
  path: string;
  summary: string;
  description: string;
  tags: string[];
  deprecated: boolean;
  /** The operation's own server (path- or operation-level `servers`); null when it has none. */
  serverUrl: string | null;
  enabled: boolean;
  annotations: ToolAnnotationsView;
  inputSchema: Record<string, unknown>;
}

export interface ToolList {
  tools: ToolView[];
}

export interface ToggleToolBody {
  enabled: boolean;
}

export interface ToggleToolsBody {
  tools: Record<string, boolean>;
}

export type AuthType = 'none' | 'bearer' | 'api_key' | 'basic' | 'headers' | 'passthrough' | 'oauth2';
export type ApiKeyPlacement = 'header' | 'query' | 'cookie';

/** What is saved, never a secret value. */
export interface AuthView {
  type: AuthType;
  environment?: string;
  /** api_key only. */
  in?: ApiKeyPlacement;
  /** api_key only: the header, query or cookie name. */
  name?: string;
  /** headers only: the names of the saved headers. */
  headerNames?: string[];
  /** passthrough only: header names forwarded besides Authorization, X-API-Key and the spec's apiKey headers. */
  forward?: string[];
  /** oauth2 only: the settings, without the client secret, and the redirect URI to register. */
  oauth?: OAuthSettingsView;
  /** oauth2 only: the connection's state. */
  health?: OAuthHealthView;
  saved: boolean;
  updatedAt: string | null;
  /** The origin the credentials go to (set when saved, or confirmed); null when there is no base URL yet. Not in an environment's embedded view. */
  origin?: string | null;
  /** The API's address moved since the credentials were saved: no call is sent until an admin confirms (POST …/auth/confirm). */
  held?: boolean;
}

export interface OAuthSettingsView {
  flow: 'client_credentials' | 'authorization_code';
  issuer?: string;
  authorizationUrl?: string;
  tokenUrl: string;
  revocationUrl?: string;
  registrationUrl?: string;
  clientId?: string;
  scopes?: string[];
  audience?: string;
  redirectUri?: string;
  /** Whether a client secret is sealed for the client in use (given, or registered by the gateway). */
  hasClientSecret?: boolean;
}

/** Every field always there; null while it is not known (before the first token, say). */
export interface OAuthHealthView {
  connected: boolean;
  expiresAt: string | null;
  lastRefreshAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailure: string | null;
  reconnectNeeded: boolean;
}

export type AuthInput =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'api_key'; in?: ApiKeyPlacement; name?: string; value: string }
  | { type: 'basic'; username: string; password?: string }
  | { type: 'headers'; headers: Record<string, string> }
  | { type: 'passthrough'; headers?: Record<string, string>; forward?: string[] }
  | OAuthInput;

/** PUT /auth for `type: "oauth2"`: an `issuer` is discovered; the client secret is sealed and never shown again. */
export interface OAuthInput {
  type: 'oauth2';
  flow: 'client_credentials' | 'authorization_code';
  issuer?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
  audience?: string;
}

/** POST /api/workspaces/:id/oauth/start: where to send the browser. */
export interface OAuthStartView {
  authorizeUrl: string;
  redirectUri: string;
}

export interface LogItem {
  id: string;
  at: string;
  tool: string;
  method: string | null;
  /** With query-string secrets masked. */
  url: string | null;
  status: number | null;
  ok: boolean;
  durationMs: number;
  error: string | null;
  /** `url`, or the id of the access key that made the call. */
  caller: string;
  callerLabel?: string | null;
  environment?: string;
  userAgent: string | null;
  /** JSON text of the arguments the client sent. */
  arguments: string | null;
  responseExcerpt: string | null;
}

export interface LogPage {
  items: LogItem[];
  nextCursor: string | null;
}

export interface LogQuery {
  limit?: number;
  cursor?: string;
  tool?: string;
  ok?: boolean;
  /** `url`, or an access key's id. */
  caller?: string;
  environment?: 'live' | 'test';
}

export interface EnvironmentView {
  name: string;
  mcpUrl: string;
  baseUrl: string | null;
  baseUrlOverride: string | null;
  auth: AuthView;
  createdAt: string;
}

export interface EnvironmentList {
  environments: EnvironmentView[];
}

export interface NewEnvironmentBody {
  name: 'test';
  baseUrl?: string | null;
}

export interface NewAccessKeyBody {
  label: string;
  scope?: 'read' | 'write';
  tools?: string[];
  environment?: 'live' | 'test';
  expiresAt?: string;
  /** null or absent: the workspace's choice. */
  schemaProfile?: KeySchemaProfile | null;
  /** null or absent: the workspace's choice. */
  toolMode?: KeyToolMode | null;
  /** Bound to this toolset (its environment is the key's): the key sees its tools only. */
  toolsetId?: string | null;
}

export interface AccessKeyList {
  keys: AccessKeyView[];
}

export interface AccessKeyView {
  id: string;
  /** Only in the answer to the creation: shown once, never again. */
  key?: string;
  label: string;
  prefix: string;
  scope: string;
  tools: string[] | null;
  environment: string;
  /** null: the workspace's choice. */
  schemaProfile: KeySchemaProfile | null;
  /** null: the workspace's choice. */
  toolMode: KeyToolMode | null;
  /** null: not bound to a toolset. */
  toolsetId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** What a toolset holds: any tool named, tagged with one of the tags, or at or under one of the path prefixes. */
export interface ToolsetSelectionBody {
  tools?: string[];
  tags?: string[];
  pathPrefixes?: string[];
}

export interface NewToolsetBody extends ToolsetSelectionBody {
  name: string;
  /** The environment its URL serves; `live` when absent. */
  environment?: 'live' | 'test';
}

export interface UpdateToolsetBody extends ToolsetSelectionBody {
  name?: string;
}

export interface ToolsetView {
  id: string;
  name: string;
  environment: string;
  tools: string[];
  tags: string[];
  pathPrefixes: string[];
  /** Its own MCP URL: clients on it see only the toolset's tools. */
  mcpUrl: string;
  /** The enabled tools it holds now, in the workspace's order. */
  matched: string[];
  /** Tools it holds that are switched off (and so not offered). */
  disabledMatched: number;
  /** Access keys bound to it: it cannot be deleted while there are any. */
  boundKeys: number;
  createdAt: string;
  updatedAt: string;
}

export interface ToolsetList {
  toolsets: ToolsetView[];
}
