// Where each sealed value of a workspace is bound (the AAD). `live` keeps the field names that
// existed before environments, so data sealed then still opens.
import type { SealContext } from '../vault/index.js';

export function authSealContext(workspaceId: string, environment: string): SealContext {
  return { workspaceId, field: environment === 'live' ? 'auth' : `auth:${environment}` };
}

/** The PKCE verifier of an OAuth Connect in progress. */
export function pendingSealContext(workspaceId: string): SealContext {
  return { workspaceId, field: 'oauth-pending' };
}

export function urlTokenSealContext(workspaceId: string, environment: string): SealContext {
  return { workspaceId, field: environment === 'live' ? 'url-token' : `url-token:${environment}` };
}

/** A toolset's URL token: bound to the toolset's id, so it cannot be moved to another row. */
export function toolsetTokenSealContext(workspaceId: string, toolsetId: string): SealContext {
  return { workspaceId, field: `toolset-url-token:${toolsetId}` };
}
