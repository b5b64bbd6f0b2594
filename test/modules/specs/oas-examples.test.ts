// Every example spec from @readme/oas-examples either imports into tools that strict MCP clients
// accept, or fails with one of our own errors: never a TypeError.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import { importSpec, parseSpecText } from '../../../server/modules/specs/index.js';
import { hasRef } from './fixtures/helpers.js';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('@readme/oas-examples/package.json'));
const DIRS = ['3.0/json', '3.1/json', '2.0/json', '3.0/yaml', '3.1/yaml', '2.0/yaml'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ARG_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Problems a strict client would reject: arrays without items, objects without type, $refs. */
function portabilityProblems(schema: unknown, at = '#'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => portabilityProblems(s, `${at}/${i}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const problems: string[] = [];
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('array') && node.items === undefined) problems.push(`${at}: array without items`);
  if (node.properties !== undefined && node.type === undefined) problems.push(`${at}: properties without type`);
  for (const key of ['nullable', 'discriminator', 'xml', 'externalDocs', 'example', 'readOnly', '$ref', '$defs']) {
    if (key in node && !(at.endsWith('/properties') || at.endsWith('/patternProperties'))) problems.push(`${at}: ${key}`);
  }
  for (const [key, value] of Object.entries(node))
    if (typeof value === 'object' && key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples')
      problems.push(...portabilityProblems(value, `${at}/${key}`));
  return problems;
}

const files = DIRS.flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .map((f) => join(dir, f)),
);

t.test('the example corpus is there', async (t) => {
  t.ok(files.length > 50, `${files.length} example specs`);
});

for (const file of files) {
  t.test(file, async (t) => {
    const text = readFileSync(join(root, file), 'utf8');
    let spec;
    try {
      spec = await importSpec(parseSpecText(text), { sourceUrl: `https://examples.test/${file}` });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      t.match(code, /^LK_SPEC_/, `fails only with a defined error: ${String(error)}`);
      return;
    }
    const ajv = new Ajv2020({ strict: false, logger: false });
    const names = spec.tools.map((tool) => tool.name);
    t.equal(new Set(names).size, names.length, 'names are unique');
    for (const tool of spec.tools) {
      t.match(tool.name, TOOL_NAME);
      t.notOk(hasRef(tool.inputSchema), `${tool.name}: no $ref`);
      t.same(portabilityProblems(tool.inputSchema), [], `${tool.name}: portable`);
      for (const name of Object.keys(tool.inputSchema.properties as object)) t.match(name, ARG_NAME);
      try {
        ajv.compile(tool.inputSchema);
        t.pass(`${tool.name}: compiles`);
      } catch (error) {
        t.fail(`${tool.name}: ${String(error)}`);
      }
    }
  });
}
