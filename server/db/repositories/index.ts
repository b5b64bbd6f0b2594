import type { Db, Store } from '../client.js';
import { createAccessKeysRepository } from './access-keys-repository.js';
import { createCallLogsRepository } from './call-logs-repository.js';
import { createCredentialsRepository } from './credentials-repository.js';
import { createEnvironmentsRepository } from './environments-repository.js';
import { createOAuthPendingRepository } from './oauth-pending-repository.js';
import { createRateWindowsRepository } from './rate-windows-repository.js';
import { createSealedValuesRepository } from './sealed-values-repository.js';
import { createRevokedSessionsRepository } from './revoked-sessions-repository.js';
import { createSettingsRepository } from './settings-repository.js';
import { createSseRelayRepository } from './sse-relay-repository.js';
import { createSpecsRepository } from './specs-repository.js';
import { createToolsRepository } from './tools-repository.js';
import { createToolsetsRepository } from './toolsets-repository.js';
import { createWorkspacesRepository } from './workspaces-repository.js';

export function createRepositories(store: Store) {
  const { guard } = store;
  return {
    workspaces: guard(createWorkspacesRepository(store)),
    environments: guard(createEnvironmentsRepository(store)),
    accessKeys: guard(createAccessKeysRepository(store)),
    specs: guard(createSpecsRepository(store)),
    tools: guard(createToolsRepository(store)),
    toolsets: guard(createToolsetsRepository(store)),
    credentials: guard(createCredentialsRepository(store)),
    callLogs: guard(createCallLogsRepository(store)),
    settings: guard(createSettingsRepository(store)),
    oauthPending: guard(createOAuthPendingRepository(store)),
    revokedSessions: guard(createRevokedSessionsRepository(store)),
    rateWindows: guard(createRateWindowsRepository(store)),
    sealedValues: guard(createSealedValuesRepository(store)),
    sseRelay: guard(createSseRelayRepository(store)),
    /** Runs `fn` in one transaction; repositories take the `tx` it gets. */
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return store.transaction(fn);
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
