// What the test authorization server remembers: clients, codes, tokens and the counters /__stats
// shows. No HTTP here, so the rules (single-use codes, PKCE, rotation, reuse detection) read in
// one place. Tokens are opaque random strings; a "grant" ties together everything issued from one
// approval (or one client_credentials request) so that reuse of a code or a rotated refresh token
// can revoke all of it, as OAuth 2.1 recommends.
import { createHash, randomBytes } from 'node:crypto';

export const SUPPORTED_SCOPES = ['items:read', 'items:write'] as const;
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export const CODE_TTL_MS = 60_000;

export interface OAuthClient {
  clientId: string;
  /** Absent for a public client (token_endpoint_auth_method `none`). */
  clientSecret?: string;
  /** Exact-match list; empty means any URI is accepted (only the pre-registered client). */
  redirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes: GrantType[];
  clientName?: string;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  resource?: string;
  expiresAt: number;
  /** Set once exchanged: a second use revokes what the first one produced. */
  grantId?: string;
}

interface AccessTokenRecord {
  clientId: string;
  scope: string;
  grantId: string;
  expiresAt: number;
}

interface RefreshTokenRecord {
  clientId: string;
  scope: string;
  grantId: string;
  resource?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

export interface OAuthStats {
  /** Access tokens issued, by any grant. */
  tokensIssued: number;
  /** Successful refresh_token grants. */
  refreshes: number;
  /** refresh_token grants refused (unknown, revoked, reused or wrong client). */
  refreshFailures: number;
  authorizationCodesIssued: number;
  registrations: number;
  revocations: number;
}

export type AccessCheck = 'ok' | 'INVALID_TOKEN' | 'TOKEN_EXPIRED';

/** A refusal at the token endpoint, in RFC 6749 §5.2 terms. */
export class GrantError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

// Expired access tokens are kept a while so a late caller hears TOKEN_EXPIRED rather than
// INVALID_TOKEN; beyond this they are forgotten so a long-running server does not grow forever.
const EXPIRED_KEPT_MS = 3_600_000;
const PRUNE_EVERY = 1000;
const ROTATED_KEPT = 10_000;

export function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export function pkceChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Null when every requested scope is supported; the unknown one otherwise. */
export function unknownScope(scope: string): string | null {
  for (const name of scope.split(' ')) {
    if (name && !(SUPPORTED_SCOPES as readonly string[]).includes(name)) return name;
  }
  return null;
}

/** The granted scope: what was asked for, or everything when nothing was. */
export function normaliseScope(requested: string | null | undefined): string {
  const names = (requested ?? '').split(' ').filter(Boolean);
  return names.length === 0 ? SUPPORTED_SCOPES.join(' ') : [...new Set(names)].join(' ');
}

export class OAuthState {
  readonly clients = new Map<string, OAuthClient>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Refresh tokens already rotated away, to recognise reuse. */
  private readonly rotatedRefreshTokens = new Map<string, string>();
  private readonly revokedGrants = new Set<string>();
  private issuedSincePrune = 0;
  readonly stats: OAuthStats = {
    tokensIssued: 0,
    refreshes: 0,
    refreshFailures: 0,
    authorizationCodesIssued: 0,
    registrations: 0,
    revocations: 0,
  };

  constructor(
    private readonly tokenTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  addClient(client: OAuthClient): void {
    this.clients.set(client.clientId, client);
  }

  issueCode(record: Omit<CodeRecord, 'expiresAt' | 'grantId'>): string {
    const code = randomToken('ac_');
    this.codes.set(code, { ...record, expiresAt: this.now() + CODE_TTL_MS });
    this.stats.authorizationCodesIssued++;
    return code;
  }

  exchangeCode(code: string, input: { clientId: string; redirectUri: string | null; codeVerifier: string }): TokenResponse {
    const record = this.codes.get(code);
    if (!record) throw new GrantError('invalid_grant', 'The authorization code is unknown.');
    if (record.grantId) {
      // RFC 6749 §4.1.2: a code used twice means it leaked; what it produced is revoked too.
      this.revokeGrant(record.grantId);
      throw new GrantError('invalid_grant', 'The authorization code was already used; the tokens issued for it are revoked.');
    }
    if (record.expiresAt <= this.now()) {
      this.codes.delete(code);
      throw new GrantError('invalid_grant', 'The authorization code expired (codes live 60 s).');
    }
    if (record.clientId !== input.clientId) throw new GrantError('invalid_grant', 'The authorization code was issued to another client.');
    const grantId = randomToken('g_');
    // Consumed whatever happens next: a failed PKCE check does not leave the code usable.
    record.grantId = grantId;
    if (input.redirectUri !== record.redirectUri)
      throw new GrantError('invalid_grant', 'redirect_uri does not match the one in the authorization request.');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(input.codeVerifier)) {
      throw new GrantError('invalid_grant', 'PKCE verification failed: code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~].');
    }
    if (pkceChallengeOf(input.codeVerifier) !== record.codeChallenge) {
      throw new GrantError('invalid_grant', 'PKCE verification failed: code_verifier does not match the code_challenge (S256).');
    }
    return this.issueTokens({ clientId: record.clientId, scope: record.scope, grantId, withRefreshToken: true, resource: record.resource });
  }

  refresh(refreshToken: string, input: { clientId: string; scope: string | null }): TokenResponse {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) {
      this.stats.refreshFailures++;
      const rotatedFrom = this.rotatedRefreshTokens.get(refreshToken);
      if (rotatedFrom) {
        this.revokeGrant(rotatedFrom);
        throw new GrantError(
          'invalid_grant',
          'The refresh token was already used (tokens rotate on every refresh); the whole grant is revoked.',
        );
      }
      throw new GrantError('invalid_grant', 'The refresh token is unknown or revoked.');
    }
    if (record.clientId !== input.clientId) {
      this.stats.refreshFailures++;
      throw new GrantError('invalid_grant', 'The refresh token was issued to another client.');
    }
    let scope = record.scope;
    if (input.scope !== null) {
      const granted = new Set(record.scope.split(' '));
      const asked = normaliseScope(input.scope);
      if (!asked.split(' ').every((name) => granted.has(name))) {
        this.stats.refreshFailures++;
        throw new GrantError('invalid_scope', 'A refresh can only narrow the scope, not widen it.');
      }
      scope = asked;
    }
    this.refreshTokens.delete(refreshToken);
    this.rotatedRefreshTokens.set(refreshToken, record.grantId);
    // A Map iterates oldest first: past the cap, the oldest rotated token is forgotten.
    if (this.rotatedRefreshTokens.size > ROTATED_KEPT)
      this.rotatedRefreshTokens.delete(this.rotatedRefreshTokens.keys().next().value as string);
    this.stats.refreshes++;
    return this.issueTokens({
      clientId: record.clientId,
      scope,
      grantId: record.grantId,
      withRefreshToken: true,
      resource: record.resource,
    });
  }

  clientCredentials(clientId: string, scope: string): TokenResponse {
    // RFC 6749 §4.4.3: no refresh token; the client simply asks again.
    return this.issueTokens({ clientId, scope, grantId: randomToken('g_'), withRefreshToken: false });
  }

  checkAccessToken(token: string): AccessCheck {
    const record = this.accessTokens.get(token);
    if (!record || this.revokedGrants.has(record.grantId)) return 'INVALID_TOKEN';
    return record.expiresAt <= this.now() ? 'TOKEN_EXPIRED' : 'ok';
  }

  /** RFC 7009: revoking a refresh token ends its grant; an access token ends alone. */
  revokeToken(token: string, clientId: string): void {
    const refresh = this.refreshTokens.get(token);
    if (refresh && refresh.clientId === clientId) {
      this.revokeGrant(refresh.grantId);
      this.stats.revocations++;
      return;
    }
    const access = this.accessTokens.get(token);
    if (access && access.clientId === clientId) {
      this.accessTokens.delete(token);
      this.stats.revocations++;
    }
  }

  /** Every refresh token stops working; access tokens live on until they expire. */
  revokeAllRefreshTokens(): number {
    const count = this.refreshTokens.size;
    this.refreshTokens.clear();
    return count;
  }

  /** Every access token counts as expired from now on, so the next /api call answers TOKEN_EXPIRED. */
  expireAllAccessTokens(): number {
    const now = this.now();
    let count = 0;
    for (const record of this.accessTokens.values()) {
      if (record.expiresAt > now) {
        record.expiresAt = now;
        count++;
      }
    }
    return count;
  }

  private revokeGrant(grantId: string): void {
    this.revokedGrants.add(grantId);
    for (const [token, record] of this.refreshTokens) if (record.grantId === grantId) this.refreshTokens.delete(token);
  }

  private issueTokens(input: {
    clientId: string;
    scope: string;
    grantId: string;
    withRefreshToken: boolean;
    resource?: string;
  }): TokenResponse {
    if (++this.issuedSincePrune >= PRUNE_EVERY) this.prune();
    const accessToken = randomToken('at_');
    this.accessTokens.set(accessToken, {
      clientId: input.clientId,
      scope: input.scope,
      grantId: input.grantId,
      expiresAt: this.now() + this.tokenTtlSeconds * 1000,
    });
    this.stats.tokensIssued++;
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.tokenTtlSeconds,
      scope: input.scope,
    };
    if (input.withRefreshToken) {
      const refreshToken = randomToken('rt_');
      this.refreshTokens.set(refreshToken, {
        clientId: input.clientId,
        scope: input.scope,
        grantId: input.grantId,
        ...(input.resource === undefined ? {} : { resource: input.resource }),
      });
      response.refresh_token = refreshToken;
    }
    return response;
  }

  private prune(): void {
    this.issuedSincePrune = 0;
    const now = this.now();
    for (const [token, record] of this.accessTokens) if (record.expiresAt + EXPIRED_KEPT_MS < now) this.accessTokens.delete(token);
    for (const [code, record] of this.codes) if (record.expiresAt + EXPIRED_KEPT_MS < now) this.codes.delete(code);
  }
}
