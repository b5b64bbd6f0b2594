// Drizzle schema, SQLite dialect. schema-pg.ts is its PostgreSQL twin: the same tables, columns and
// JavaScript types, so one set of repositories serves both. Change both together; `npm run
// db:generate` turns the changes into a migration for each dialect (migrations/ and migrations/postgres/).

import { customType, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AuthPublicInfo } from '../modules/credentials/auth-settings.js';
import type { OAuthHealth } from '../modules/credentials/oauth-connection.js';
import type { OAuthPublicInfo } from '../modules/credentials/oauth-settings.js';
import type { ToolsetSelection } from '../modules/discovery/toolset.js';
import type { SecuritySchemeSummary, SpecWarning, ToolDefinition } from '../modules/specs/types.js';

/** A value stored as JSON text and read back typed: callers never parse it themselves. */
const json = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);

/** Instance-wide settings: the admin token's hash, the master key's check value. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const workspaces = sqliteTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  /** `url`: the opaque URL suffices; `keys`: every MCP request must carry a workspace access key. */
  access: text('access').notNull().default('url'),
  /** Calls per minute; null: the instance default (LATCHKEY_RATE_LIMIT); 0: no limit. */
  rateLimit: integer('rate_limit'),
  /** The longest tool name this workspace gives (tool-names.ts); null: 64, as before budgets existed. */
  toolNameBudget: integer('tool_name_budget'),
  /** The schema profile every client gets (profiles/); null: chosen per client from its clientInfo. */
  schemaProfile: text('schema_profile'),
  /** `all` or `dynamic` (discovery/tool-mode.ts); null: auto, by the size of the tool list. */
  toolMode: text('tool_mode'),
  /** Tokens a tool's answer may hold before it is cut; null: the default (25,000); 0: no budget. */
  responseBudget: integer('response_budget'),
  /**
   * JSON: string[] of origins (`https://uploads.example.com`) tool calls may go to besides the base
   * URL's, with the workspace's credentials; null: none.
   */
  allowedOrigins: json<string[]>('allowed_origins'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** `live` always exists; `test` on request. Each has its own URL, base URL and credentials. */
export const environments = sqliteTable(
  'environments',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** sha256 of the opaque URL token: the MCP endpoint looks environments up by it. */
    urlTokenHash: text('url_token_hash').notNull().unique(),
    /** The URL token itself, sealed, so the console can show the URL again. */
    urlTokenSealed: text('url_token_sealed').notNull(),
    /** null: the spec's default server is used. */
    baseUrlOverride: text('base_url_override'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);

/** Workspace access keys: only a hash is kept; the key is shown once, at creation. */
export const accessKeys = sqliteTable(
  'access_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    /** The first characters of the key (`lk_live_ab12`), to recognise it in lists. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    /** `read`: read-only tools only; `write`: every enabled tool. */
    scope: text('scope').notNull(),
    /** JSON: string[] of tool names the key is narrowed to; null: no narrowing. */
    tools: json<string[]>('tools'),
    environment: text('environment').notNull(),
    /** The schema profile this key's client gets; null: the workspace's choice. */
    schemaProfile: text('schema_profile'),
    /** The tool mode this key's client gets; null: the workspace's choice. */
    toolMode: text('tool_mode'),
    /** The toolset this key is bound to (toolsets.id): it sees that toolset's tools only; null: not bound. */
    toolsetId: text('toolset_id'),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
    expiresAt: text('expires_at'),
  },
  (t) => [index('access_keys_workspace_id_idx').on(t.workspaceId)],
);

/** A named subset of a workspace's tools with its own opaque URL (discovery/toolset.ts). */
export const toolsets = sqliteTable(
  'toolsets',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    environment: text('environment').notNull(),
    /** JSON: the tools it holds, by name, tag and path prefix (any one matches). */
    selection: json<ToolsetSelection>('selection').notNull(),
    /** sha256 of its URL token, looked up like an environment's; the token itself sealed beside it. */
    urlTokenHash: text('url_token_hash').notNull().unique(),
    urlTokenSealed: text('url_token_sealed').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('toolsets_workspace_id_idx').on(t.workspaceId)],
);

export const specs = sqliteTable('specs', {
  workspaceId: text('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  version: text('version').notNull(),
  openapi: text('openapi').notNull(),
  sourceUrl: text('source_url'),
  baseUrl: text('base_url'),
  /** JSON: SecuritySchemeSummary[] */
  securitySchemes: json<SecuritySchemeSummary[]>('security_schemes').notNull(),
  /** JSON: SpecWarning[] */
  warnings: json<SpecWarning[]>('warnings').notNull(),
  /** info.description as uploaded (bounded at import); the MCP instructions quote it, bounded again. */
  description: text('description'),
  /** An https or data:image URL from info.x-logo: the icon MCP clients show for this server and its tools. */
  iconUrl: text('icon_url'),
  uploadedAt: text('uploaded_at').notNull(),
});

export const tools = sqliteTable(
  'tools',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Order in the spec, so listings follow the document. */
    position: integer('position').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    /** JSON: ToolDefinition */
    definition: json<ToolDefinition>('definition').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);

export const credentials = sqliteTable(
  'credentials',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    environment: text('environment').notNull().default('live'),
    type: text('type').notNull(),
    /** JSON: the non-secret description (in, name, header names). */
    publicInfo: json<AuthPublicInfo | OAuthPublicInfo>('public_info').notNull(),
    /** The secret part, sealed with the vault (AAD: workspace id + "auth" or "auth:<environment>"). */
    sealed: text('sealed').notNull(),
    updatedAt: text('updated_at').notNull(),
    /** JSON, OAuth only: the connection's health (expiry, last refresh, last failure); no secret. */
    health: json<Partial<OAuthHealth>>('health'),
    /**
     * OAuth only, epoch ms: a gateway process is renewing the tokens until then. Several processes
     * on one database must not refresh at once: with rotating refresh tokens the second would
     * replay a spent one, and providers that detect that revoke the whole grant.
     */
    refreshLeaseUntil: integer('refresh_lease_until'),
    /**
     * The origin (`https://api.example.com`) the credentials were saved for: the environment's
     * base URL origin then. They are sent nowhere else; null (rows saved before origins were
     * recorded, or saved before there was a base URL): bound on the next spec upload.
     */
    origin: text('origin'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.environment] })],
);

/** Authorization-code flows in progress: single use, short-lived, bound to the console session. */
export const oauthPending = sqliteTable('oauth_pending', {
  /** sha256 of the `state` sent to the provider. */
  stateHash: text('state_hash').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  environment: text('environment').notNull(),
  /** sha256 of the flow's binding: the value of its lk_oauth_ cookie, an HMAC of the session id and the state's hash. */
  sessionHash: text('session_hash').notNull(),
  /** The PKCE verifier, sealed (AAD: workspace id + "oauth-pending"). */
  verifierSealed: text('verifier_sealed').notNull(),
  expiresAt: text('expires_at').notNull(),
});

/**
 * Console sessions signed out before they expire, by sha256 of the session id (the session cookie
 * is stateless, so a copy of it stays valid until it is refused here). In the database, so every
 * gateway process sharing it refuses the cookie, and so does this one after a restart.
 */
export const revokedSessions = sqliteTable('revoked_sessions', {
  sessionHash: text('session_hash').primaryKey(),
  /** When the session would have expired, epoch ms: the row is useless after it. */
  expiresAt: integer('expires_at').notNull(),
});

export const callLogs = sqliteTable(
  'call_logs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    at: text('at').notNull(),
    tool: text('tool').notNull(),
    method: text('method'),
    /** Masked: no secret query values. */
    url: text('url'),
    status: integer('status'),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    /** `url`, or the access key's id. */
    caller: text('caller').notNull().default('url'),
    /** The access key's label at the time of the call. */
    callerLabel: text('caller_label'),
    environment: text('environment').notNull().default('live'),
    userAgent: text('user_agent'),
    /** JSON of the arguments, cut to a budget, known secrets redacted. */
    arguments: text('arguments'),
    /** The start of the response or error text, known secrets redacted. */
    responseExcerpt: text('response_excerpt'),
  },
  (t) => [
    index('call_logs_workspace_id_idx').on(t.workspaceId, t.id),
    index('call_logs_workspace_tool_idx').on(t.workspaceId, t.tool, t.id),
    index('call_logs_at_idx').on(t.at),
  ],
);

/**
 * Calls counted per rate-limit key and minute, shared by every gateway node on one PostgreSQL
 * database: nodes lease a few calls at a time, so the count holds across nodes without a database
 * round trip on each call. Rows of past minutes are pruned.
 */
export const rateWindows = sqliteTable(
  'rate_windows',
  {
    key: text('key').notNull(),
    /** The minute, as epoch ms at its start. */
    windowStart: integer('window_start').notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/**
 * Legacy HTTP+SSE streams open on some node (PostgreSQL only: routes/mcp/sse-relay.ts). A message
 * POSTed to another node is answered there and relayed to the stream's node. Transient: not copied.
 */
export const sseStreams = sqliteTable('sse_streams', {
  id: text('id').primaryKey(),
  /** sha256 of the URL token the stream was opened on: a POST must name the same workspace URL. */
  tokenHash: text('token_hash').notNull(),
  nodeId: text('node_id').notNull(),
  /** The Mcp-Session-Id its initialize was answered with (it names a schema profile); null: none. */
  session: text('session'),
  /** Epoch ms the owning node last said the stream is open; an old one means the node is gone. */
  seenAt: integer('seen_at').notNull(),
});

/** Answers waiting to be written to a stream on another node; taken (deleted) by that node. */
export const sseMessages = sqliteTable(
  'sse_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    streamId: text('stream_id').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('sse_messages_stream_id_idx').on(t.streamId)],
);
