// Every error this module throws, one class per failure with a stable `code` (as undici does).
// Messages are written for the model and the call log: they may name an origin, never a query
// string, a header value or a credential.

export abstract class UpstreamModuleError extends Error {
  abstract readonly code: string;
}

/** The tool's arguments cannot become a request (missing path parameter, `..` in a path, bad base64…). */
export class InvalidArgument extends UpstreamModuleError {
  override readonly name = 'InvalidArgument';
  readonly code = 'LK_INVALID_ARGUMENT';
}

/** DNS failure, refused or reset connection, TLS failure: the upstream was not reached. */
export class UpstreamUnreachable extends UpstreamModuleError {
  override readonly name = 'UpstreamUnreachable';
  readonly code = 'LK_UPSTREAM_UNREACHABLE';
  /** The low-level reason, e.g. `ECONNREFUSED`, for logs and tests. */
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** No complete answer within the client's timeout (connect, headers or body). */
export class UpstreamTimeout extends UpstreamModuleError {
  override readonly name = 'UpstreamTimeout';
  readonly code = 'LK_UPSTREAM_TIMEOUT';
}

/** The caller's signal aborted the call (e.g. the MCP client cancelled it). */
export class UpstreamAborted extends UpstreamModuleError {
  override readonly name = 'UpstreamAborted';
  readonly code = 'LK_UPSTREAM_ABORTED';
}

/**
 * The egress policy refused the connection: the upstream's host name resolves to a loopback,
 * private or link-local address and LATCHKEY_ALLOW_PRIVATE_NETWORKS is off.
 */
export class UpstreamRefused extends UpstreamModuleError {
  override readonly name = 'UpstreamRefused';
  readonly code = 'LK_UPSTREAM_REFUSED';
}

/** The result thread stopped (crashed) while building this call's result: the call can be retried. */
export class ResultThreadStopped extends UpstreamModuleError {
  override readonly name = 'ResultThreadStopped';
  readonly code = 'LK_RESULT_THREAD_STOPPED';
  constructor() {
    super('The gateway could not build this result: its result thread stopped. Retry the call.');
  }
}

/** A call's `response_filter` could not be applied to the answer (a function given the wrong type, say). */
export class FilterFailed extends UpstreamModuleError {
  override readonly name = 'FilterFailed';
  readonly code = 'LK_FILTER_FAILED';
}
