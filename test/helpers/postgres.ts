// Throwaway PostgreSQL for tests. The cluster logic lives in scripts/postgres-cluster.mjs, which
// scripts/run-tests.mjs (plain JS) also uses for the PostgreSQL pass; this file gives it types.
import { createHash } from 'node:crypto';

export interface Cluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres — a superuser, trust auth. */
  adminUrl: string;
  port: number;
  /** The temp dir holding the server's files; stop() deletes it. */
  dataDir: string;
  /** Creates a database (a random `lk_…` name unless given); answers its URL. */
  createDatabase(name?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Stops the server at once (pg_ctl stop -m immediate) and deletes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

interface ClusterModule {
  startCluster(): Promise<Cluster>;
  ensureDatabase(adminUrl: string, name: string): Promise<string>;
}

// Imported by a computed specifier: the module is plain JS without declarations, and the
// interface above is its type.
const modulePath = new URL('../../scripts/postgres-cluster.mjs', import.meta.url).href;
const clusterModule = (): Promise<ClusterModule> => import(modulePath);

/** Starts a cluster of its own for one test; call stop() in its teardown. */
export async function startCluster(): Promise<Cluster> {
  return (await clusterModule()).startCluster();
}

const databases = new Map<string, Promise<string>>();

/**
 * For the PostgreSQL pass (scripts/run-tests.mjs sets LATCHKEY_TEST_POSTGRES_URL): the URL of a
 * database on that cluster named after `key`, created the first time. The same key answers the same
 * database, so a gateway restarted on the same data dir finds its data again.
 */
export function testDatabaseUrl(key: string): Promise<string> {
  const adminUrl = process.env.LATCHKEY_TEST_POSTGRES_URL;
  if (!adminUrl) {
    return Promise.reject(
      new Error(
        'LATCHKEY_TEST_DATABASE=postgres needs LATCHKEY_TEST_POSTGRES_URL, the admin URL of a running cluster: run tests through `node scripts/run-tests.mjs`, which starts one.',
      ),
    );
  }
  const name = `lk_${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
  let url = databases.get(name);
  if (!url) {
    url = clusterModule().then((m) => m.ensureDatabase(adminUrl, name));
    // A failed attempt is not remembered: the next call tries again.
    url.catch(() => databases.delete(name));
    databases.set(name, url);
  }
  return url;
}
