// Response schemas double as a whitelist: Fastify serialises only the properties listed here, so
// no field that could hold a secret can reach a response by accident.

export const ErrorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { message: { type: 'string' }, pointer: { type: 'string' } } } },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody } as const;

export const WorkspaceView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    slug: { type: 'string' },
    mcpUrl: { type: 'string' },
    mcpUrls: { type: 'object', additionalProperties: { type: 'string' } },
    baseUrl: { type: ['string', 'null'] },
    access: { type: 'string' },
    rateLimit: { type: ['integer', 'null'] },
    effectiveRateLimit: { type: 'integer' },
    toolNameBudget: { type: 'integer' },
    schemaProfile: { type: 'string' },
    toolMode: { type: 'string' },
    responseBudget: { type: 'integer' },
    allowedOrigins: { type: 'array', items: { type: 'string' } },
    toolCount: { type: 'integer' },
    enabledToolCount: { type: 'integer' },
    lastCallAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
  required: ['id', 'name', 'slug', 'mcpUrl', 'baseUrl', 'createdAt'],
} as const;

export const EnvironmentQuery = {
  type: 'object',
  properties: { environment: { type: 'string', enum: ['live', 'test'] } },
} as const;

export const IdParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 100 } },
  required: ['id'],
} as const;

const Warning = { type: 'object', properties: { message: { type: 'string' }, pointer: { type: 'string' } } } as const;

export const SpecSummary = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    title: { type: 'string' },
    version: { type: 'string' },
    openapi: { type: 'string' },
    baseUrl: { type: ['string', 'null'] },
    sourceUrl: { type: ['string', 'null'] },
    toolCount: { type: 'integer' },
    warnings: { type: 'array', items: Warning },
    uploadedAt: { type: 'string' },
    changes: {
      type: 'object',
      properties: {
        added: { type: 'array', items: { type: 'string' } },
        removed: { type: 'array', items: { type: 'string' } },
        changed: { type: 'array', items: { type: 'string' } },
      },
    },
    securityReport: {
      type: 'object',
      properties: {
        findings: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              severity: { type: 'string' },
              message: { type: 'string' },
              tools: { type: 'array', items: { type: 'string' } },
              toolCount: { type: 'integer' },
              pointer: { type: 'string' },
            },
            required: ['kind', 'severity', 'message'],
          },
        },
      },
      required: ['findings'],
    },
  },
} as const;

export const ToolView = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string' },
    summary: { type: 'string' },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    deprecated: { type: 'boolean' },
    serverUrl: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    annotations: { type: 'object', additionalProperties: true },
    inputSchema: { type: 'object', additionalProperties: true },
  },
} as const;

export const AuthView = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    environment: { type: 'string' },
    in: { type: 'string' },
    name: { type: 'string' },
    headerNames: { type: 'array', items: { type: 'string' } },
    forward: { type: 'array', items: { type: 'string' } },
    oauth: {
      type: 'object',
      properties: {
        flow: { type: 'string' },
        issuer: { type: 'string' },
        authorizationUrl: { type: 'string' },
        tokenUrl: { type: 'string' },
        revocationUrl: { type: 'string' },
        registrationUrl: { type: 'string' },
        clientId: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
        audience: { type: 'string' },
        redirectUri: { type: 'string' },
        hasClientSecret: { type: 'boolean' },
      },
    },
    // Every field always there (null while not known), so a client need not guess what a missing one means.
    health: {
      type: 'object',
      properties: {
        connected: { type: 'boolean' },
        expiresAt: { type: ['string', 'null'] },
        lastRefreshAt: { type: ['string', 'null'] },
        lastSuccessAt: { type: ['string', 'null'] },
        lastFailureAt: { type: ['string', 'null'] },
        lastFailure: { type: ['string', 'null'] },
        reconnectNeeded: { type: 'boolean' },
      },
      required: ['connected', 'expiresAt', 'lastRefreshAt', 'lastSuccessAt', 'lastFailureAt', 'lastFailure', 'reconnectNeeded'],
    },
    saved: { type: 'boolean' },
    updatedAt: { type: ['string', 'null'] },
    origin: { type: ['string', 'null'] },
    held: { type: 'boolean' },
  },
  required: ['type', 'saved'],
} as const;

export const LogItem = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string' },
    tool: { type: 'string' },
    method: { type: ['string', 'null'] },
    url: { type: ['string', 'null'] },
    status: { type: ['integer', 'null'] },
    ok: { type: 'boolean' },
    durationMs: { type: 'integer' },
    error: { type: ['string', 'null'] },
    caller: { type: 'string' },
    callerLabel: { type: ['string', 'null'] },
    environment: { type: 'string' },
    userAgent: { type: ['string', 'null'] },
    arguments: { type: ['string', 'null'] },
    responseExcerpt: { type: ['string', 'null'] },
  },
} as const;

export const EnvironmentView = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    mcpUrl: { type: 'string' },
    baseUrl: { type: ['string', 'null'] },
    baseUrlOverride: { type: ['string', 'null'] },
    auth: AuthView,
    createdAt: { type: 'string' },
  },
} as const;

export const ToolsetView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    environment: { type: 'string' },
    tools: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    pathPrefixes: { type: 'array', items: { type: 'string' } },
    mcpUrl: { type: 'string' },
    matched: { type: 'array', items: { type: 'string' } },
    disabledMatched: { type: 'integer' },
    boundKeys: { type: 'integer' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

export const AccessKeyView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    /** Only in the answer to the creation: shown once, never again. */
    key: { type: 'string' },
    label: { type: 'string' },
    prefix: { type: 'string' },
    scope: { type: 'string' },
    tools: { type: ['array', 'null'], items: { type: 'string' } },
    environment: { type: 'string' },
    /** null: the workspace's choice. */
    schemaProfile: { type: ['string', 'null'] },
    /** null: the workspace's choice. */
    toolMode: { type: ['string', 'null'] },
    /** null: not bound to a toolset. */
    toolsetId: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    lastUsedAt: { type: ['string', 'null'] },
    expiresAt: { type: ['string', 'null'] },
  },
} as const;
