import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config.js';
import { createVault, loadMasterKey, type Vault } from '../modules/vault/index.js';
import { createCredentialStore, type CredentialStore } from '../modules/credentials/credential-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    vault: Vault;
    /** The only reader and writer of sealed credential rows. */
    credentials: CredentialStore;
  }
}

/** A value sealed on first start, opened at every start: the master key is the one the data was sealed with. Also read by `latchkey doctor`. */
export const VAULT_CHECK = { key: 'vault_check', context: { workspaceId: '_instance', field: 'vault-check' }, text: 'latchkey' } as const;
const { key: CHECK_KEY, context: CHECK_CONTEXT, text: CHECK_TEXT } = VAULT_CHECK;

async function vaultPlugin(app: FastifyInstance) {
  const source = loadMasterKey(app.config.dataDir, app.config.masterKey);
  const vault = createVault(source.key);
  // A sealed canary written on first start: if the key changes, we refuse to start instead of
  // failing on every tool call later.
  const stored = await app.repos.settings.setIfAbsent(CHECK_KEY, vault.seal(CHECK_TEXT, CHECK_CONTEXT));
  let opened: string | undefined;
  try {
    opened = vault.open(stored, CHECK_CONTEXT);
  } catch {
    opened = undefined;
  }
  if (opened !== CHECK_TEXT) {
    const from = source.origin === 'env' ? 'LATCHKEY_MASTER_KEY' : `the key in ${source.file}`;
    // Several nodes on one PostgreSQL database must all be given the same LATCHKEY_MASTER_KEY.
    const shared = app.store.dialect === 'postgres' ? ' Every node sharing a database must be given the same LATCHKEY_MASTER_KEY.' : '';
    throw new ConfigError(`The master key (${from}) is not the one this data was sealed with; start with the original key (data: ${app.store.description}).${shared}`);
  }
  app.decorate('vault', vault);
  app.decorate('credentials', createCredentialStore(app.repos.credentials, vault));
}

export default fp(vaultPlugin, { name: 'vault', dependencies: ['config', 'db'] });
