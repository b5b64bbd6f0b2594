// The one reader and writer of sealed credential rows, and the only code that seals or opens a
// workspace's other sealed values (its URL tokens, an OAuth Connect's PKCE verifier). Secrets are
// sealed on the way in and opened on the way out, typed by the kind of credentials; no other code
// seals, opens or parses them, so seal contexts and secret shapes are decided in one place (a
// master-key rotation, key-rotation.ts, re-seals values without reading them). Writes that change
// what calls use are announced by the repository (store.changed), and every node's gateway reloads by itself.
import type { CredentialsRepository, CredentialsRow } from '../../db/repositories/credentials-repository.js';
import type { Db } from '../../db/client.js';
import { sealedKeyId, type SealContext, type Vault } from '../vault/index.js';
import { authSealContext, pendingSealContext, toolsetTokenSealContext, urlTokenSealContext } from '../workspaces/seal-contexts.js';
import type { AuthPublicInfo, AuthType } from './auth-settings.js';
import type { OAuthHealth } from './oauth-connection.js';
import type { OAuthPublicInfo, OAuthSecret } from './oauth-settings.js';

type Meta = Omit<CredentialsRow, 'sealed' | 'type' | 'publicInfo'>;
type Settings = { type: 'oauth2'; publicInfo: OAuthPublicInfo } | { type: AuthType; publicInfo: AuthPublicInfo };
/** A saved row as the admin API shows it: everything but the secret. */
export type CredentialsSummary = Meta & Settings;

export type OAuthCredentials = Meta & { type: 'oauth2'; publicInfo: OAuthPublicInfo; secret: OAuthSecret };
export type StaticCredentials = Meta & { type: AuthType; publicInfo: AuthPublicInfo; secret: Record<string, unknown> };
/** A saved row with its secret opened. */
export type OpenedCredentials = OAuthCredentials | StaticCredentials;

export type NewCredentials = Pick<CredentialsRow, 'workspaceId' | 'environment' | 'origin'> &
  (
    | { type: 'oauth2'; publicInfo: OAuthPublicInfo; secret: OAuthSecret }
    | { type: AuthType; publicInfo: AuthPublicInfo; secret: Record<string, unknown> }
  );

/** The row's `type` column says which settings its JSON holds: written only by save() below. */
function summary({ sealed: _sealed, ...rest }: CredentialsRow): CredentialsSummary {
  return rest as CredentialsSummary;
}

/**
 * `learnKeys` teaches the vault a master-key rotation's other key: called when a value turns up
 * sealed under a key the vault does not know (the rotation re-sealed it before this node heard).
 */
export function createCredentialStore(repo: CredentialsRepository, vault: Vault, learnKeys: () => Promise<void> = async () => {}) {
  const openSealed = async (sealed: string, context: SealContext): Promise<string> => {
    const keyId = sealedKeyId(sealed);
    if (keyId !== undefined && !vault.knows(keyId)) await learnKeys();
    return vault.open(sealed, context);
  };
  const open = async (row: CredentialsRow): Promise<OpenedCredentials> => {
    const secret = JSON.parse(await openSealed(row.sealed, authSealContext(row.workspaceId, row.environment))) as Record<string, unknown>;
    // The secret's shape follows the row's type, as save() sealed it.
    return { ...summary(row), secret } as OpenedCredentials;
  };
  const seal = (workspaceId: string, environment: string, secret: object) =>
    vault.seal(JSON.stringify(secret), authSealContext(workspaceId, environment));

  return {
    /** The saved credentials without their secret (nothing is opened). */
    async describe(workspaceId: string, environment = 'live', tx?: Db): Promise<CredentialsSummary | undefined> {
      const row = await repo.get(workspaceId, environment, tx);
      return row && summary(row);
    },

    /** The saved credentials with their secret opened. */
    async open(workspaceId: string, environment = 'live'): Promise<OpenedCredentials | undefined> {
      const row = await repo.get(workspaceId, environment);
      return row && (await open(row));
    },

    /** Every environment's credentials of a workspace, opened: what the gateway builds runtimes from. */
    async openAll(workspaceId: string): Promise<OpenedCredentials[]> {
      return Promise.all((await repo.list(workspaceId)).map(open));
    },

    /** New settings: sealed and saved with a fresh `updatedAt` (an OAuth connection starts over). */
    async save(next: NewCredentials): Promise<CredentialsSummary> {
      const row: CredentialsRow = {
        workspaceId: next.workspaceId,
        environment: next.environment,
        type: next.type,
        publicInfo: next.publicInfo,
        sealed: seal(next.workspaceId, next.environment, next.secret),
        updatedAt: new Date().toISOString(),
        health: null,
        refreshLeaseUntil: null,
        origin: next.origin,
      };
      await repo.upsert(row);
      return summary(row);
    },

    /**
     * OAuth: a new secret (rotated tokens, a registered client) under the same settings. The
     * connection goes on; other nodes reload the secret under the refresh lease.
     */
    async updateOAuthSecret(
      workspaceId: string,
      environment: string,
      secret: OAuthSecret,
      health: Partial<OAuthHealth> | null,
    ): Promise<void> {
      await repo.updateSealed(workspaceId, environment, seal(workspaceId, environment, secret), health);
    },

    /** OAuth: the grant the admin just connected. A new `updatedAt`: every node starts a fresh connection with it. */
    async connectOAuth(current: OAuthCredentials, secret: OAuthSecret, health: OAuthHealth): Promise<void> {
      const { secret: _old, ...rest } = current;
      await repo.upsert({
        ...rest,
        sealed: seal(current.workspaceId, current.environment, secret),
        health,
        updatedAt: new Date().toISOString(),
      });
    },

    /** An environment's URL token, sealed for its row (the row keeps a hash to look it up by). */
    sealUrlToken: (workspaceId: string, environment: string, token: string) =>
      vault.seal(token, urlTokenSealContext(workspaceId, environment)),
    openUrlToken: (env: { workspaceId: string; name: string; urlTokenSealed: string }) =>
      openSealed(env.urlTokenSealed, urlTokenSealContext(env.workspaceId, env.name)),
    /** A toolset's URL token, sealed for its row like an environment's. */
    sealToolsetToken: (workspaceId: string, toolsetId: string, token: string) =>
      vault.seal(token, toolsetTokenSealContext(workspaceId, toolsetId)),
    openToolsetToken: (toolset: { workspaceId: string; id: string; urlTokenSealed: string }) =>
      openSealed(toolset.urlTokenSealed, toolsetTokenSealContext(toolset.workspaceId, toolset.id)),
    /** The PKCE verifier of an OAuth Connect in progress, kept sealed until the callback. */
    sealVerifier: (workspaceId: string, verifier: string) => vault.seal(verifier, pendingSealContext(workspaceId)),
    openVerifier: (pending: { workspaceId: string; verifierSealed: string }) =>
      openSealed(pending.verifierSealed, pendingSealContext(pending.workspaceId)),

    updateHealth: repo.updateHealth,
    setOrigin: repo.setOrigin,
    tryRefreshLease: repo.tryRefreshLease,
    releaseRefreshLease: repo.releaseRefreshLease,
    delete: repo.delete,
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
