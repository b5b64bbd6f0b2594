// GitHub's REST description (13 MB, 1,223 operations) is the size case for imports. It comes
// from the @octokit/openapi devDependency (GITHUB_OPENAPI_JSON may name another copy of
// api.github.com.json). The time bound here only catches a pathological regression; the figures
// on a quiet machine come from `tsx bench/spec-scale.ts`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import t from 'tap';
import { importSpec, parseSpecText } from '../../../server/modules/specs/index.js';
import { assignToolNames, DEFAULT_NAME_BUDGET, renameForBudget } from '../../../server/modules/specs/tool-names.js';

const require = createRequire(import.meta.url);
const file = process.env.GITHUB_OPENAPI_JSON ?? require.resolve('@octokit/openapi/generated/api.github.com.json');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

t.test('GitHub REST spec: one tool per operation, in seconds', async (t) => {
  const text = readFileSync(file, 'utf8');
  const document = JSON.parse(text) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(document.paths).reduce((n, item) => n + METHODS.filter((m) => item[m] !== undefined).length, 0);

  const started = Date.now();
  const spec = await importSpec(parseSpecText(text));
  const elapsed = Date.now() - started;

  t.ok(operations >= 1000, `${operations} operations in the document`);
  t.equal(spec.tools.length, operations, 'every operation became a tool');
  t.notOk(
    spec.warnings.some((w) => /was skipped/.test(w.message)),
    'none was skipped',
  );
  const names = spec.tools.map((tool) => tool.name);
  t.equal(new Set(names).size, names.length, 'names are unique');
  t.same(
    names.filter((name) => !TOOL_NAME.test(name)),
    [],
    'names are valid',
  );
  t.ok(elapsed < 45_000, `imported in ${elapsed} ms`);
  const largest = Math.max(...spec.tools.map((tool) => JSON.stringify(tool.inputSchema).length));
  t.ok(largest < 80_000, `largest input schema ${largest} chars`);

  // Claude Code calls a tool mcp__<server>__<tool> and refuses the whole past 64 characters.
  const tooLongForClaudeCode = (list: string[]) => list.filter((name) => `mcp__github__${name}`.length > 64).length;
  t.ok(tooLongForClaudeCode(names) > 100, `at MCP's 64, ${tooLongForClaudeCode(names)} tools break in Claude Code`);
  const budgeted = assignToolNames(spec.tools, [], DEFAULT_NAME_BUDGET);
  t.equal(tooLongForClaudeCode(budgeted), 0, 'at the default budget, none');
  t.equal(new Set(budgeted).size, budgeted.length, 'still unique');
  t.ok(
    budgeted.every((name, i) => name.length <= DEFAULT_NAME_BUDGET && (names[i].length > DEFAULT_NAME_BUDGET || name === names[i])),
    'every name that fits is kept; the others are shortened to fit',
  );
  const { tools: renamed, renamed: changes } = renameForBudget(
    spec.tools.map((definition) => ({ name: definition.name, enabled: true, definition })),
    DEFAULT_NAME_BUDGET,
  );
  t.equal(changes.size, names.filter((name) => name.length > DEFAULT_NAME_BUDGET).length, 'a new budget renames exactly the tools over it');
  t.ok(
    renamed.every((tool) => tool.name === tool.definition.name && tool.name.length <= DEFAULT_NAME_BUDGET),
    'and their definitions carry the new names',
  );
  t.equal(new Set(renamed.map((tool) => tool.name)).size, renamed.length, 'unique after renaming');
  t.same(renameForBudget(renamed, DEFAULT_NAME_BUDGET).renamed.size, 0, 'renaming again under the same budget changes nothing');
});
