// Every error the admin API can answer with, defined once. Only the error handler in app.ts
// turns them into `{"error":{"code","message","details?"}}` bodies.
import createError, { type FastifyErrorConstructor } from '@fastify/error';

export interface ErrorDetail {
  message: string;
  pointer: string;
}

/** An error that carries a list of problems (e.g. every place a spec is invalid). */
export interface DetailedError extends Error {
  details?: ErrorDetail[];
}

function define(code: string, message: string, statusCode: number): FastifyErrorConstructor {
  return createError(code, message, statusCode);
}

export const Unauthorized = define('LK_UNAUTHORIZED', 'A valid admin token is required: send "Authorization: Bearer <admin token>".', 401);
export const NotFound = define('LK_NOT_FOUND', '%s', 404);
export const WorkspaceNotFound = define('LK_WORKSPACE_NOT_FOUND', 'No workspace with id "%s".', 404);
export const ToolNotFound = define('LK_TOOL_NOT_FOUND', 'No tool named "%s" in this workspace.', 404);
export const EnvironmentNotFound = define('LK_ENVIRONMENT_NOT_FOUND', 'This workspace has no "%s" environment.', 404);
export const AccessKeyNotFound = define('LK_ACCESS_KEY_NOT_FOUND', 'No access key with id "%s" in this workspace.', 404);
export const ToolsetNotFound = define('LK_TOOLSET_NOT_FOUND', 'No toolset with id "%s" in this workspace.', 404);
export const Conflict = define('LK_CONFLICT', '%s', 409);
export const SpecMissing = define('LK_SPEC_MISSING', 'This workspace has no spec yet: upload one with POST /api/workspaces/:id/spec.', 404);
export const BadRequest = define('LK_BAD_REQUEST', '%s', 400);

export const SpecUnreadable = define('LK_SPEC_UNREADABLE', 'The spec is neither JSON nor YAML: %s', 422);
export const SpecInvalid = define('LK_SPEC_INVALID', 'The spec is not a valid OpenAPI document: %s', 422);
export const SpecNoOperations = define(
  'LK_SPEC_NO_OPERATIONS',
  'The spec defines no operations, so there is nothing to turn into tools.',
  422,
);
export const SpecFetchFailed = define('LK_SPEC_FETCH_FAILED', 'Could not fetch the spec from %s: %s', 422);
export const SpecTooLarge = define('LK_SPEC_TOO_LARGE', 'The spec is larger than the %s limit.', 413);

export const AuthInvalid = define('LK_AUTH_INVALID', 'The auth settings are not valid: %s', 422);

/** Sealed data that cannot be opened: wrong master key, tampering, or a ciphertext moved to another row. */
export const SealBroken = define('LK_SEAL_BROKEN', 'A sealed secret could not be opened (%s).', 500);

/** Every operation in the spec was skipped; `details` says why for each one. */
export const SpecNoUsableOperations = define(
  'LK_SPEC_NO_USABLE_OPERATIONS',
  "None of the spec's operations could be turned into a tool: %s",
  422,
);

/** Console sessions (POST /api/session) and the guard that accepts them. */
export const WrongAdminToken = define('LK_WRONG_ADMIN_TOKEN', 'That is not the admin token.', 401);
export const CsrfRejected = define(
  'LK_CSRF_REJECTED',
  'This request needs the X-Latchkey-CSRF header of the signed-in session (GET /api/session answers it).',
  403,
);
export const TooManyAttempts = define(
  'LK_TOO_MANY_ATTEMPTS',
  'Too many wrong admin tokens from this address; try again in %s seconds.',
  429,
);

/** A spec fetch the egress policy does not allow (a loopback, private or link-local address). */
export const SpecFetchRefused = define('LK_SPEC_FETCH_REFUSED', 'Could not fetch the spec from %s: %s', 422);
/** The spec import ran out of what one import may use (its thread's memory). */
export const SpecTooComplex = define('LK_SPEC_TOO_COMPLEX', 'The spec is too complex to import: %s.', 422);

/** POST /mcp/<token>: request bodies refused before (or instead of) parsing them. */
export const McpPrototypeKey = define(
  'LK_MCP_PROTOTYPE_KEY',
  'Invalid Request: a "__proto__" key (or "constructor" with "prototype") is not accepted in a request body.',
  400,
);
export const McpBodyTooWide = define(
  'LK_MCP_BODY_TOO_WIDE',
  'Invalid Request: an object or array in the body holds more than %s members, the most Latchkey accepts in one call.',
  400,
);
export const McpBodyTooManyValues = define(
  'LK_MCP_BODY_TOO_MANY_VALUES',
  'Invalid Request: the body holds more than %s values, the most Latchkey accepts in one request (a batch counts as one); send less at once.',
  400,
);
export const McpBodyLengthMismatch = define(
  'LK_MCP_BODY_LENGTH_MISMATCH',
  'Parse error: the body is not as long as its Content-Length header says.',
  400,
);
export const McpBodyUnreadable = define(
  'LK_MCP_BODY_UNREADABLE',
  'Parse error: the body could not be read to its end (the connection failed while sending it).',
  400,
);
