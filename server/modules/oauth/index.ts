// The gateway as an OAuth client of an upstream API: discover the authorization server, register,
// run the code flow with PKCE or the client credentials grant, and keep the access token fresh.
// Plain TypeScript; routes and the workspace runtime wire it to storage and HTTP.
export { discoverAuthorizationServer, metadataUrls, type DiscoveryOptions } from './discovery.js';
export { registerClient, type RegistrationRequest } from './registration.js';
export { createPkcePair, createState, pkceChallenge } from './pkce.js';
export { buildAuthorizeUrl, readAuthorizationCallback, type AuthorizeUrlInput, type CallbackExpectations } from './authorize-url.js';
export {
  basicClientAuthorization,
  chooseTokenEndpointAuthMethod,
  clientCredentialsToken,
  exchangeCode,
  refreshTokens,
  revokeToken,
  type ClientCredentialsInput,
  type ExchangeCodeInput,
  type RefreshTokensInput,
  type RevokeTokenInput,
  type TokenRequestOptions,
} from './token-endpoint.js';
export {
  createTokenManager,
  isPermanentOAuthFailure,
  type TokenManager,
  type TokenManagerOptions,
  type TokenManagerState,
} from './token-manager.js';
export type { OAuthHttpOptions } from './http.js';
export {
  OAuthAuthorizationFailed,
  OAuthDiscoveryFailed,
  OAuthModuleError,
  OAuthReconnectNeeded,
  OAuthRegistrationFailed,
  OAuthRequestFailed,
  OAuthTokenError,
  type ReconnectReason,
} from './errors.js';
export type { AuthServerMetadata, ClientAuth, PkcePair, RegisteredClient, TokenEndpointAuthMethod, TokenSet } from './types.js';
