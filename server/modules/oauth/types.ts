// The shapes this module hands out. TokenSet and RegisteredClient hold secrets: the gateway seals
// them before storing and never shows them; AuthServerMetadata is public.

/** RFC 8414 authorization server metadata, the fields the gateway uses (names as in the RFC). */
export interface AuthServerMetadata {
  issuer: string;
  /** Absent when the server only offers grants without a browser (client_credentials). */
  authorization_endpoint?: string;
  token_endpoint: string;
  registration_endpoint?: string;
  revocation_endpoint?: string;
  scopes_supported?: string[];
  response_types_supported?: string[];
  grant_types_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  /** RFC 9207: the server adds `iss` to the authorization response. */
  authorization_response_iss_parameter_supported?: boolean;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** How the gateway authenticates itself at the token and revocation endpoints. */
export interface ClientAuth {
  clientId: string;
  /** Absent for a public client. */
  clientSecret?: string;
  /** Default: client_secret_basic when there is a secret, none otherwise. */
  authMethod?: TokenEndpointAuthMethod;
}

export interface TokenSet {
  accessToken: string;
  /** Kept from the previous set when a refresh answer carries none (RFC 6749 §6). */
  refreshToken?: string;
  /** Epoch ms; absent when the server did not say (then the token is used until refused). */
  expiresAt?: number;
  /** Epoch ms when the set was obtained; lets the refresh margin shrink for short-lived tokens. */
  issuedAt?: number;
  /** Space-separated, as granted (or as requested when the server did not say). */
  scope?: string;
  /** Always `Bearer`: other token types are refused. */
  tokenType: 'Bearer';
}

export interface RegisteredClient {
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Epoch ms when the secret stops working; absent when it does not expire. */
  clientSecretExpiresAt?: number;
}

export interface PkcePair {
  verifier: string;
  challenge: string;
  method: 'S256';
}
