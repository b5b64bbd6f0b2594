// Drizzle schema, PostgreSQL dialect: schema.ts's twin (its comments say what each column holds).
// The same tables, columns and JavaScript types, so one set of repositories serves both dialects.
// JSON stays text, times stay ISO-8601 text: rows copy between the dialects as they are.

import { bigint, bigserial, boolean, customType, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { AuthPublicInfo } from '../modules/credentials/auth-settings.js';
import type { OAuthHealth } from '../modules/credentials/oauth-connection.js';
import type { OAuthPublicInfo } from '../modules/credentials/oauth-settings.js';
import type { ToolsetSelection } from '../modules/discovery/toolset.js';
import type { SecuritySchemeSummary, SpecWarning, ToolDefinition } from '../modules/specs/types.js';

const json = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  access: text('access').notNull().default('url'),
  rateLimit: integer('rate_limit'),
  /** The longest tool name this workspace gives (tool-names.ts); null: 64, as before budgets existed. */
  toolNameBudget: integer('tool_name_budget'),
  /** The schema profile every client gets (profiles/); null: chosen per client from its clientInfo. */
  schemaProfile: text('schema_profile'),
  /** `all` or `dynamic` (discovery/tool-mode.ts); null: auto, by the size of the tool list. */
  toolMode: text('tool_mode'),
  /** Tokens a tool's answer may hold before it is cut; null: the default (25,000); 0: no budget. */
  responseBudget: integer('response_budget'),
  allowedOrigins: json<string[]>('allowed_origins'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const environments = pgTable(
  'environments',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    urlTokenHash: text('url_token_hash').notNull().unique(),
    urlTokenSealed: text('url_token_sealed').notNull(),
    baseUrlOverride: text('base_url_override'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);

export const accessKeys = pgTable(
  'access_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    scope: text('scope').notNull(),
    tools: json<string[]>('tools'),
    environment: text('environment').notNull(),
    /** The schema profile this key's client gets; null: the workspace's choice. */
    schemaProfile: text('schema_profile'),
    /** The tool mode this key's client gets; null: the workspace's choice. */
    toolMode: text('tool_mode'),
    toolsetId: text('toolset_id'),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
    expiresAt: text('expires_at'),
  },
  (t) => [index('access_keys_workspace_id_idx').on(t.workspaceId)],
);

export const toolsets = pgTable(
  'toolsets',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    environment: text('environment').notNull(),
    selection: json<ToolsetSelection>('selection').notNull(),
    urlTokenHash: text('url_token_hash').notNull().unique(),
    urlTokenSealed: text('url_token_sealed').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('toolsets_workspace_id_idx').on(t.workspaceId)],
);

export const specs = pgTable('specs', {
  workspaceId: text('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  version: text('version').notNull(),
  openapi: text('openapi').notNull(),
  sourceUrl: text('source_url'),
  baseUrl: text('base_url'),
  securitySchemes: json<SecuritySchemeSummary[]>('security_schemes').notNull(),
  warnings: json<SpecWarning[]>('warnings').notNull(),
  /** info.description as uploaded (bounded at import); the MCP instructions quote it, bounded again. */
  description: text('description'),
  /** An https or data:image URL from info.x-logo: the icon MCP clients show for this server and its tools. */
  iconUrl: text('icon_url'),
  uploadedAt: text('uploaded_at').notNull(),
});

export const tools = pgTable(
  'tools',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    enabled: boolean('enabled').notNull(),
    definition: json<ToolDefinition>('definition').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);

export const credentials = pgTable(
  'credentials',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    environment: text('environment').notNull().default('live'),
    type: text('type').notNull(),
    publicInfo: json<AuthPublicInfo | OAuthPublicInfo>('public_info').notNull(),
    sealed: text('sealed').notNull(),
    updatedAt: text('updated_at').notNull(),
    health: json<Partial<OAuthHealth>>('health'),
    refreshLeaseUntil: bigint('refresh_lease_until', { mode: 'number' }),
    origin: text('origin'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.environment] })],
);

export const oauthPending = pgTable('oauth_pending', {
  stateHash: text('state_hash').primaryKey(),
  workspaceId: text('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  environment: text('environment').notNull(),
  sessionHash: text('session_hash').notNull(),
  verifierSealed: text('verifier_sealed').notNull(),
  expiresAt: text('expires_at').notNull(),
});

export const revokedSessions = pgTable('revoked_sessions', {
  sessionHash: text('session_hash').primaryKey(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
});

// One difference from SQLite: the primary key is (workspace_id, id), not id alone. With an index
// on id alone, PostgreSQL's planner walks it backwards past other workspaces' rows for "this
// workspace's newest 50" (60-200 ms at a million rows); without one, it takes the composite index.
export const callLogs = pgTable(
  'call_logs',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    at: text('at').notNull(),
    tool: text('tool').notNull(),
    method: text('method'),
    url: text('url'),
    status: integer('status'),
    ok: boolean('ok').notNull(),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    caller: text('caller').notNull().default('url'),
    callerLabel: text('caller_label'),
    environment: text('environment').notNull().default('live'),
    userAgent: text('user_agent'),
    arguments: text('arguments'),
    responseExcerpt: text('response_excerpt'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('call_logs_workspace_tool_idx').on(t.workspaceId, t.tool, t.id),
    index('call_logs_at_idx').on(t.at),
  ],
);

export const rateWindows = pgTable(
  'rate_windows',
  {
    key: text('key').notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

export const sseStreams = pgTable('sse_streams', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull(),
  nodeId: text('node_id').notNull(),
  session: text('session'),
  seenAt: bigint('seen_at', { mode: 'number' }).notNull(),
});

export const sseMessages = pgTable(
  'sse_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    streamId: text('stream_id').notNull(),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('sse_messages_stream_id_idx').on(t.streamId)],
);
