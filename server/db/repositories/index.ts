import type { Db } from '../client.js';
import { createCallLogsRepository } from './call-logs-repository.js';
import { createCredentialsRepository } from './credentials-repository.js';
import { createOAuthPendingRepository } from './oauth-pending-repository.js';
import { createRevokedSessionsRepository } from './revoked-sessions-repository.js';
import { createSettingsRepository } from './settings-repository.js';
import { createSpecsRepository } from './specs-repository.js';
import { createToolsRepository } from './tools-repository.js';
import { createAccessKeysRepository } from './access-keys-repository.js';
import { createEnvironmentsRepository } from './environments-repository.js';
import { createWorkspacesRepository } from './workspaces-repository.js';

export function createRepositories(db: Db) {
  return {
    workspaces: createWorkspacesRepository(db),
    environments: createEnvironmentsRepository(db),
    accessKeys: createAccessKeysRepository(db),
    specs: createSpecsRepository(db),
    tools: createToolsRepository(db),
    credentials: createCredentialsRepository(db),
    callLogs: createCallLogsRepository(db),
    settings: createSettingsRepository(db),
    oauthPending: createOAuthPendingRepository(db),
    revokedSessions: createRevokedSessionsRepository(db),
    /** Runs `fn` in one SQLite transaction; repositories take the `tx` it gets. */
    transaction<T>(fn: (tx: Db) => T): T {
      return db.transaction((tx) => fn(tx as unknown as Db));
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
