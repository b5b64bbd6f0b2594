// The contract between spec import (modules/specs) and the upstream caller (modules/upstream).
// A ToolDefinition is plain JSON: it is stored in the database as is and rebuilt into a runtime
// tool (compiled validator, bound request builder) once per workspace version.

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'TRACE';

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

/** A JSON Schema (2020-12) object, as offered to MCP clients. */
export type JsonSchema = { [key: string]: unknown };

/**
 * Sanitized -> real property names of one value and the values inside it, where a name in the
 * input schema differs from the API's (e.g. `_odata.type` for `@odata.type`). Stored only where
 * something at or below the level was renamed.
 */
export interface NameMap {
  /** Sanitized name -> real name at this level, where they differ. */
  names?: Record<string, string>;
  /** The level inside each declared property, by sanitized name. */
  properties?: Record<string, NameMap>;
  /** The level inside each array item (items and prefixItems alike). */
  items?: NameMap;
  /** The level inside properties not listed in `properties` (additionalProperties, patternProperties). */
  additionalProperties?: NameMap;
}

/** How one OpenAPI parameter maps between a tool argument and the HTTP request. */
export interface ParamBinding {
  /** The property name in the tool's inputSchema (sanitized to ^[a-zA-Z0-9_.-]{1,64}$). */
  arg: string;
  /** The parameter's real name in the HTTP request (e.g. `filter[status]`). */
  name: string;
  in: ParamLocation;
  required: boolean;
  /** OpenAPI 3 `style`, defaulted per location (path/header: simple, query/cookie: form). */
  style: 'simple' | 'label' | 'matrix' | 'form' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject';
  /** OpenAPI 3 `explode`, defaulted (true for form, false otherwise). */
  explode: boolean;
  /** Query only: reserved characters are sent unencoded. */
  allowReserved: boolean;
  /** The parameter's value shape, so serialization need not inspect the schema at call time. */
  shape: 'primitive' | 'array' | 'object';
  /** Set when the parameter uses `content` (e.g. application/json) instead of `schema`: sent JSON-encoded. */
  contentType?: string;
  /** Property names inside the value (an object, objects in an array), at any depth, where the schema's differ from the API's. */
  names?: NameMap;
}

/** How the request body maps from the tool's `body` argument. */
export interface BodyBinding {
  /** The property name in the inputSchema; `body` unless a parameter already took that name. */
  arg: string;
  /** The media type to send, chosen from the operation's (JSON preferred). */
  contentType: string;
  required: boolean;
  /** multipart/form-data and form-urlencoded: per-property encoding from the spec. */
  encoding?: Record<string, { contentType?: string; style?: string; explode?: boolean }>;
  /** multipart/form-data: properties that are files (format binary/base64 or a binary content type). */
  fileProperties?: string[];
  /** Sanitized property name in the schema -> real property name in the body, where they differ. */
  propertyNames?: Record<string, string>;
  /** The same below the top level. Its own `names` is never set: the top level stays in `propertyNames`, as stored tools have it. */
  nestedNames?: Omit<NameMap, 'names'>;
  /** The media type is not text-based (octet-stream, images, PDFs…): the argument is base64 of the raw bytes; decode before sending. */
  binary?: boolean;
}

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDefinition {
  /** ^[a-zA-Z0-9_-]{1,64}$, unique per workspace, stable across re-uploads of the same operation. */
  name: string;
  operationId?: string;
  method: HttpMethod;
  /** The path template exactly as in the spec, e.g. `/api/items/{id}`. */
  path: string;
  /** A path- or operation-level server that overrides the workspace base URL, resolved to an absolute URL. */
  serverUrl?: string;
  summary?: string;
  description: string;
  tags: string[];
  deprecated: boolean;
  inputSchema: JsonSchema;
  /** The 2xx JSON response's schema, lenient (output-schema.ts), where the response is an object; absent otherwise. */
  outputSchema?: JsonSchema;
  annotations: ToolAnnotations;
  params: ParamBinding[];
  body?: BodyBinding;
  /** A short stable hash of method, path, params, body, inputSchema and outputSchema: a change means "changed" on re-upload. */
  fingerprint: string;
}

/** A security scheme as declared by the spec, reduced to what defaults an auth form. */
export interface SecuritySchemeSummary {
  key: string;
  type: 'apiKey' | 'http' | 'oauth2' | 'openIdConnect' | 'mutualTLS';
  /** apiKey */
  in?: 'header' | 'query' | 'cookie';
  name?: string;
  /** http: `bearer`, `basic`, … */
  scheme?: string;
  /** oauth2: the flows' URLs, as declared. */
  flows?: Record<string, { authorizationUrl?: string; tokenUrl?: string; refreshUrl?: string; scopes?: Record<string, string> }>;
  openIdConnectUrl?: string;
}

export interface SpecWarning {
  message: string;
  /** A JSON pointer into the uploaded document, when the warning is about one place. */
  pointer?: string;
}

export interface ImportedSpec {
  title: string;
  version: string;
  /** info.description, trimmed and bounded (spec-identity.ts). */
  description?: string;
  /** info.x-logo.url when it is an https or small data: image URL (spec-identity.ts). */
  iconUrl?: string;
  /** The document's own version as uploaded: `2.0`, `3.0.3`, `3.1.0`. */
  openapi: string;
  /** The default base URL: the first server, variables substituted, resolved against the spec's URL. Undefined when none can be derived. */
  baseUrl?: string;
  securitySchemes: SecuritySchemeSummary[];
  tools: ToolDefinition[];
  warnings: SpecWarning[];
}

export interface SpecProblem {
  message: string;
  /** A JSON pointer into the document, `` (empty) for the whole document. */
  pointer: string;
}
