// A real SQLite store in a temporary data dir, closed and removed when the test ends.
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore, type Store } from '../../server/db/client.js';

export function openTempStore(t: Test, prefix: string, opts: { watch?: boolean } = {}): { store: Store; dataDir: string } {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const store = openSqliteStore(dataDir, opts);
  t.teardown(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { store, dataDir };
}
