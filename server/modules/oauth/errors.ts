// Every error this module throws, one class per failure with a stable `code` (as undici does).
// Messages may name an endpoint (origin and path) and what the server said, never a token, a code,
// a PKCE verifier or a client secret: they end up in logs, the call log and the console.

export abstract class OAuthModuleError extends Error {
  abstract readonly code: string;
}

/** No usable authorization server metadata at any of the well-known URLs. */
export class OAuthDiscoveryFailed extends OAuthModuleError {
  override readonly name = 'OAuthDiscoveryFailed';
  readonly code = 'LK_OAUTH_DISCOVERY_FAILED';
}

/** Dynamic client registration (RFC 7591) was refused or failed. */
export class OAuthRegistrationFailed extends OAuthModuleError {
  override readonly name = 'OAuthRegistrationFailed';
  readonly code = 'LK_OAUTH_REGISTRATION_FAILED';
  constructor(
    message: string,
    /** The server's `error` code (e.g. `invalid_redirect_uri`) when it sent one. */
    readonly error?: string,
    readonly errorDescription?: string,
  ) {
    super(message);
  }
}

/**
 * The token or revocation endpoint answered with an OAuth error (RFC 6749 §5.2), e.g.
 * `invalid_grant`. `errorDescription` is the server's text, cut short and with anything we sent
 * as a secret masked.
 */
export class OAuthTokenError extends OAuthModuleError {
  override readonly name = 'OAuthTokenError';
  readonly code = 'LK_OAUTH_TOKEN_ERROR';
  constructor(
    message: string,
    readonly error: string,
    readonly errorDescription: string | undefined,
    /** The HTTP status, 400 or 401 usually. */
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The endpoint could not be used at all: unreachable, too slow, a 5xx, a 3xx, an answer that is
 * not OAuth. Usually worth trying again later, unlike an OAuthTokenError.
 */
export class OAuthRequestFailed extends OAuthModuleError {
  override readonly name = 'OAuthRequestFailed';
  readonly code = 'LK_OAUTH_REQUEST_FAILED';
  constructor(
    message: string,
    /** `ECONNREFUSED`, `TIMEOUT`, `HTTP_503`, `TOO_LARGE`, `INVALID_RESPONSE`… for logs and tests. */
    readonly reason: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The redirect back from the authorization endpoint carried an error, or does not belong to us. */
export class OAuthAuthorizationFailed extends OAuthModuleError {
  override readonly name = 'OAuthAuthorizationFailed';
  readonly code = 'LK_OAUTH_AUTHORIZATION_FAILED';
  constructor(
    message: string,
    /** The server's error (`access_denied`…) or ours: `state_mismatch`, `issuer_mismatch`, `missing_code`. */
    readonly error: string,
    readonly errorDescription?: string,
  ) {
    super(message);
  }
}

export type ReconnectReason = 'not_connected' | 'refresh_refused' | 'no_refresh_token';

/** The stored grant cannot be renewed; a person has to go through the authorization flow again. */
export class OAuthReconnectNeeded extends OAuthModuleError {
  override readonly name = 'OAuthReconnectNeeded';
  readonly code = 'LK_OAUTH_RECONNECT_NEEDED';
  constructor(
    message: string,
    readonly reason: ReconnectReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
