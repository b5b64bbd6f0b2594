// A throwaway PostgreSQL cluster for the tests: initdb into a fresh temp dir, start it on a free
// port on 127.0.0.1 with trust auth and durability off, answer an admin URL, and on stop() kill it
// and delete the dir. Plain JS so scripts/run-tests.mjs can use it; test/helpers/postgres.ts wraps it.
//
// PostgreSQL refuses to run as root: as root (CI, this container) the cluster belongs to the
// `postgres` user and every server binary runs through `runuser -u postgres --`.
import { execFile, spawn } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const OWNER = 'postgres';
const SUPERUSER = 'postgres';
const STARTUP_TIMEOUT_S = 60;
const PORT_ATTEMPTS = 3;

// Speed over durability: the data lives for one test run. Only TCP on 127.0.0.1, so no socket
// dir to own; many connections, because a whole pass of integration files shares one cluster.
const SETTINGS = `
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 400
shared_buffers = 64MB
max_wal_size = 1GB
log_min_messages = warning
`;

/** The directory holding initdb, pg_ctl and postgres: from PATH, else Debian's /usr/lib/postgresql/<version>/bin. */
export function findBinDir() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const initdb = path.join(dir, 'initdb');
    // /usr/local/bin/initdb may be a symlink: pg_ctl and postgres sit beside its target.
    if (isExecutable(initdb)) return path.dirname(realpathSync(initdb));
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = path.join(debian, version, 'bin');
    if (isExecutable(path.join(bin, 'initdb'))) return bin;
  }
  throw new Error('PostgreSQL is not installed: no initdb in PATH or /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql).');
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function ownerIds() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${OWNER}:`));
  if (!line) throw new Error(`Running as root, but there is no "${OWNER}" user to own the test cluster (PostgreSQL refuses root).`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(file, args, { asOwner, timeoutMs }) {
  const [cmd, argv] = asOwner ? ['runuser', ['-u', OWNER, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${String(stderr || stdout || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Cleans up if this process dies without calling stop() (crash, SIGKILL, tap's timeout): a
 * detached shell polls for the owner and, once it is gone, shuts the server down (SIGQUIT is
 * PostgreSQL's immediate shutdown) and deletes the dir. It exits by itself once the dir is gone.
 */
function startReaper(root) {
  const script = `
owner=$1; root=$2
while kill -0 "$owner" 2>/dev/null && [ -d "$root" ]; do sleep 1; done
[ -d "$root" ] || exit 0
if [ -f "$root/data/postmaster.pid" ]; then
  pid=$(head -n 1 "$root/data/postmaster.pid")
  kill -QUIT "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null
fi
rm -rf "$root"
`;
  const reaper = spawn('sh', ['-c', script, 'latchkey-pg-reaper', String(process.pid), root], { detached: true, stdio: 'ignore' });
  reaper.unref();
  return reaper;
}

function quoteIdent(name) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`Not a test database name: ${JSON.stringify(name)} (lower-case letters, digits, _).`);
  return `"${name}"`;
}

/** The URL of database `name` on the cluster that `adminUrl` points at. */
export function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

async function withAdmin(adminUrl, fn) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` unless it exists; answers its URL. */
export async function ensureDatabase(adminUrl, name) {
  await withAdmin(adminUrl, async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`create database ${quoteIdent(name)}`);
    } catch (error) {
      // Another connection created it first: 42P04 duplicate_database, or 23505 when both
      // inserts into pg_database raced.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    }
  });
  return databaseUrl(adminUrl, name);
}

async function waitForConnection(adminUrl, deadline) {
  for (;;) {
    try {
      await withAdmin(adminUrl, (client) => client.query('select 1'));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`The test cluster did not accept connections: ${error.message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function logTail(logFile) {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a cluster. Answers { adminUrl, port, dataDir, createDatabase(name?), dropDatabase(name),
 * stop() }; dataDir is the temp dir that stop() deletes (the server's files are in its `data`).
 */
export async function startCluster() {
  const bin = findBinDir();
  const asOwner = process.getuid?.() === 0;
  const root = mkdtempSync(path.join(os.tmpdir(), 'latchkey-pg-'));
  const data = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  const reaper = startReaper(root);
  const opts = { asOwner, timeoutMs: (STARTUP_TIMEOUT_S + 30) * 1000 };
  let port;
  let stopping;

  async function stop() {
    stopping ??= (async () => {
      const pidFile = path.join(data, 'postmaster.pid');
      if (existsSync(pidFile)) {
        try {
          await run(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', String(STARTUP_TIMEOUT_S)], opts);
        } catch {
          // pg_ctl could not stop it (or it was already gone): make sure.
          const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
          try {
            if (pid > 0) process.kill(pid, 'SIGKILL');
          } catch {
            // not running
          }
        }
      }
      rmSync(root, { recursive: true, force: true });
      reaper.kill();
    })();
    return stopping;
  }

  try {
    if (asOwner) {
      const { uid, gid } = ownerIds();
      chownSync(root, uid, gid);
    }
    await run(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      opts,
    );
    appendFileSync(path.join(data, 'postgresql.conf'), SETTINGS);
    // The free port may be taken between asking and binding: then try another.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await run(
          path.join(bin, 'pg_ctl'),
          ['start', '-D', data, '-l', logFile, '-o', `-p ${port}`, '-w', '-t', String(STARTUP_TIMEOUT_S), '-s'],
          opts,
        );
        break;
      } catch (error) {
        const log = logTail(logFile);
        if (attempt < PORT_ATTEMPTS && /could not bind|already in use/i.test(log)) continue;
        throw new Error(`${error.message}\n${log}`, { cause: error });
      }
    }
    const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    await waitForConnection(adminUrl, Date.now() + STARTUP_TIMEOUT_S * 1000);
    return {
      adminUrl,
      port,
      dataDir: root,
      async createDatabase(name = `lk_${randomBytes(8).toString('hex')}`) {
        await withAdmin(adminUrl, (client) => client.query(`create database ${quoteIdent(name)}`));
        return databaseUrl(adminUrl, name);
      },
      async dropDatabase(name) {
        // FORCE: a test's pool may still hold connections.
        await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${quoteIdent(name)} with (force)`));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
