// GitHub's REST description (13 MB, ~1,000 operations) is the size benchmark for imports. It is
// not a dependency: the test runs when @octokit/openapi happens to be installed, or when
// GITHUB_OPENAPI_JSON names a copy of api.github.com.json.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import t from 'tap';
import { importSpec, parseSpecText } from '../../../server/modules/specs/index.js';

const require = createRequire(import.meta.url);
let file: string | undefined = process.env.GITHUB_OPENAPI_JSON;
try {
  file ??= require.resolve('@octokit/openapi/generated/api.github.com.json');
} catch {
  file = undefined;
}

t.test('GitHub REST spec imports in seconds', { skip: file ? false : '@octokit/openapi is not installed' }, async (t) => {
  const started = Date.now();
  const spec = await importSpec(parseSpecText(readFileSync(file!, 'utf8')));
  const elapsed = Date.now() - started;
  t.ok(spec.tools.length > 500, `${spec.tools.length} tools`);
  t.ok(elapsed < 20_000, `${elapsed} ms`);
  const largest = Math.max(...spec.tools.map((tool) => JSON.stringify(tool.inputSchema).length));
  t.ok(largest < 80_000, `largest input schema ${largest} chars`);
});
