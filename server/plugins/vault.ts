import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config.js';
import {
  createVault,
  learnStoredRotation,
  loadMasterKey,
  opensCheck,
  sealedKeyId,
  VAULT_CHECK,
  type Vault,
} from '../modules/vault/index.js';
import { createCredentialStore, type CredentialStore } from '../modules/credentials/credential-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    vault: Vault;
    /** The only reader and writer of sealed credential rows. */
    credentials: CredentialStore;
  }
}

async function vaultPlugin(app: FastifyInstance) {
  const source = loadMasterKey(app.config.dataDir, app.config.masterKey);
  const vault = createVault(source.key);
  const { settings } = app.repos;
  // A master-key rotation in progress (or finished, with the old key not yet forgotten): this node
  // learns the other key from the database, whichever of the two it was given.
  let learning: Promise<void> | undefined;
  const learnKeys = () =>
    (learning ??= learnStoredRotation(vault, settings)
      .then(() => undefined)
      .finally(() => {
        learning = undefined;
      }));
  await learnKeys();

  // A sealed canary written on first start: if the key changes, we refuse to start instead of
  // failing on every tool call later.
  const stored = await settings.setIfAbsent(VAULT_CHECK.key, vault.seal(VAULT_CHECK.text, VAULT_CHECK.context));
  if (!opensCheck(vault, stored)) {
    const from = source.origin === 'env' ? 'LATCHKEY_MASTER_KEY' : `the key in ${source.file}`;
    // Several nodes on one PostgreSQL database must all be given the same LATCHKEY_MASTER_KEY.
    const shared = app.store.dialect === 'postgres' ? ' Every node sharing a database must be given the same LATCHKEY_MASTER_KEY.' : '';
    const ids = `(the data is sealed under key id ${sealedKeyId(stored) ?? 'unknown'}; this key's id is ${vault.keyId})`;
    throw new ConfigError(
      `The master key (${from}) is not the one this data was sealed with ${ids}; start with the original key, or the new one if it was rotated (data: ${app.store.description}).${shared}`,
    );
  }
  // `latchkey rotate-master-key` announces its start and its end to every node.
  app.store.changes.subscribe((workspaceId) => {
    if (workspaceId === '*')
      learnKeys().catch((err: unknown) => app.log.warn({ err }, 'could not read the master-key rotation; values are opened as before'));
  });
  app.decorate('vault', vault);
  app.decorate('credentials', createCredentialStore(app.repos.credentials, vault, learnKeys));
}

export default fp(vaultPlugin, { name: 'vault', dependencies: ['config', 'db'] });
