// `latchkey doctor`: checks the settings, the database and its migrations, the master key, and
// whether each workspace's API answers; one `ok`/`FAIL` line each.
import { existsSync } from 'node:fs';
import { loadConfig, type Config } from '../config.js';
import { openStore, pendingMigrations, type Store } from '../db/client.js';
import { createRepositories } from '../db/repositories/index.js';
import { createVault, keyIdOf, learnStoredRotation, opensCheck, VAULT_CHECK, type RotationRecord } from '../modules/vault/index.js';
import { configuredKey, dataFile, masterKeyFile, out, whereData } from './shared.js';

type Check = { ok: boolean; what: string; detail: string };

async function checkStore(config: Config, store: Store): Promise<Check[]> {
  const checks: Check[] = [];
  const pending = await pendingMigrations(store);
  if (pending > 0) {
    // The tables the other checks read may not exist yet.
    checks.push({
      ok: false,
      what: 'migrations',
      detail: `${pending} not applied yet: start the gateway (it applies them), then run the doctor again for the other checks`,
    });
    return checks;
  }
  checks.push({ ok: true, what: 'migrations', detail: 'all applied' });
  const repos = createRepositories(store);
  const sealed = await repos.settings.get(VAULT_CHECK.key);
  if (sealed === undefined) {
    checks.push({ ok: true, what: 'master key', detail: 'nothing sealed yet (the gateway has not started on this database)' });
  } else {
    const from = config.masterKey ? 'LATCHKEY_MASTER_KEY' : masterKeyFile(config);
    // configuredKey never makes a key file where there is none: the doctor only looks.
    if (!config.masterKey && !existsSync(from)) {
      checks.push({
        ok: false,
        what: 'master key',
        detail: `neither LATCHKEY_MASTER_KEY nor ${from} is there, and the data is sealed: give the gateway the key it was sealed with`,
      });
    } else {
      const { key } = configuredKey(config);
      const vault = createVault(key);
      const rotation = await learnStoredRotation(vault, repos.settings);
      checks.push(
        opensCheck(vault, sealed)
          ? { ok: true, what: 'master key', detail: `${from} opens the sealed data` }
          : {
              ok: false,
              what: 'master key',
              detail: `${from} is not the key this data was sealed with: start with the original key (or the new one, if it was rotated)`,
            },
      );
      if (rotation) checks.push(rotationCheck(rotation, keyIdOf(key)));
    }
  }
  // Each workspace's API: any HTTP answer counts (a 401 or 404 from its root still means it is there).
  for (const ws of await repos.workspaces.list()) {
    const spec = await repos.specs.get(ws.id);
    for (const env of await repos.environments.list(ws.id)) {
      const baseUrl = env.baseUrlOverride ?? spec?.baseUrl ?? undefined;
      const what = `workspace "${ws.name}" (${env.name})`;
      if (!baseUrl) {
        checks.push({ ok: true, what, detail: 'no base URL yet (no spec uploaded)' });
        continue;
      }
      try {
        const res = await fetch(baseUrl, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5000) });
        checks.push({ ok: true, what, detail: `${new URL(baseUrl).origin} answers (HTTP ${res.status})` });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why =
          (err as Error).name === 'TimeoutError' ? 'no answer within 5 s' : (cause?.code ?? cause?.message ?? (err as Error).message);
        checks.push({ ok: false, what, detail: `${new URL(baseUrl).origin} cannot be reached: ${why}` });
      }
    }
  }
  return checks;
}

export async function doctor(): Promise<boolean> {
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig();
    checks.push({ ok: true, what: 'settings', detail: 'every setting is valid' });
  } catch (err) {
    checks.push({ ok: false, what: 'settings', detail: (err as Error).message });
  }
  if (config) {
    const where = config.databaseUrl ? whereData(config) : `SQLite at ${dataFile(config)}`;
    if (!config.databaseUrl && !existsSync(dataFile(config))) {
      checks.push({
        ok: false,
        what: 'database',
        detail: `no data at ${where}: set DATA_DIR (or DATABASE_URL) to the gateway's, or start the gateway once`,
      });
    } else {
      let store: Store | undefined;
      try {
        store = await openStore(config, { migrate: false });
        await store.ping();
        checks.push({ ok: true, what: 'database', detail: `${where} answers` });
        checks.push(...(await checkStore(config, store)));
      } catch (err) {
        checks.push({ ok: false, what: 'database', detail: `${where}: ${(err as Error).message}` });
      } finally {
        await store?.close();
      }
    }
  }
  for (const check of checks) out(`${check.ok ? 'ok ' : 'FAIL'}  ${check.what}: ${check.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  out(failed === 0 ? 'Nothing wrong found.' : `${failed} problem${failed === 1 ? '' : 's'} found.`);
  return failed === 0;
}

/** A rotation is not a problem, but the operator should know where it stands. */
function rotationCheck(rotation: RotationRecord, configured: string): Check {
  if (rotation.state === 'running') {
    return {
      ok: true,
      what: 'master-key rotation',
      detail: `in progress since ${rotation.startedAt} (to key ${rotation.to}): run latchkey rotate-master-key again with the new key to finish it`,
    };
  }
  const next = configured === rotation.to ? 'once every node has the new key,' : 'give every node the new key, restart them, then';
  return {
    ok: true,
    what: 'master-key rotation',
    detail: `finished ${rotation.finishedAt ?? ''} (key ${rotation.from} to ${rotation.to}); ${next} run latchkey rotate-master-key --forget-old`,
  };
}
