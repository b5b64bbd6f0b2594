// Issue #17: one large schema shared by 900 operations (by `$ref` or YAML alias) is converted
// once, not once per operation, and what all tools together hold is kept to the import's budget;
// past it, tools describe their top-level fields only and a warning says so.
import t from 'tap';
import { importSpec, parseSpecText } from '../../../server/modules/specs/index.js';
import { IMPORT_SCHEMA_BUDGET } from '../../../server/modules/specs/build-tool.js';
import { sharedSchemaSpec } from './fixtures/shared-schema-spec.js';

const total = (tools: { inputSchema: unknown }[]) => tools.reduce((n, tool) => n + JSON.stringify(tool.inputSchema).length, 0);

t.test('a schema shared by 900 operations is held to the import budget, by $ref and by YAML alias alike', async (t) => {
  const byRef = await importSpec(parseSpecText(sharedSchemaSpec({ sharing: 'ref' })));
  const byAlias = await importSpec(parseSpecText(sharedSchemaSpec({ sharing: 'alias' })));
  for (const [how, spec] of [
    ['$ref', byRef],
    ['alias', byAlias],
  ] as const) {
    t.equal(spec.tools.length, 900, `${how}: every operation is a tool`);
    const size = total(spec.tools);
    t.comment(`${how}: ${Math.round(size / 1024)} KB of input schemas`);
    t.ok(
      size < IMPORT_SCHEMA_BUDGET * 1.1,
      `${how}: ${size} bytes of input schemas, about the budget (sizes are counted as schemas are built)`,
    );
    const warning = spec.warnings.find((w) => /add up to more than 8 MB/.test(w.message));
    t.ok(warning, `${how}: a warning says so`);
    t.match(warning?.message, /\d+ tools \(POST \/r\d+ and those after it\) describe only their top-level fields/);
  }
  t.same(
    byAlias.tools.map((tool) => tool.inputSchema),
    byRef.tools.map((tool) => tool.inputSchema),
    'an alias and a $ref give the same tools',
  );
  const first = byRef.tools[0].inputSchema as { properties: { body: { properties: Record<string, unknown> } } };
  t.equal(Object.keys(first.properties.body.properties).length, 1000, 'tools within the budget have every field');
  const last = byRef.tools[899].inputSchema as { properties: { body: Record<string, unknown> } };
  t.match(last.properties.body, { type: 'object', description: /too large in total/ }, 'past the budget the body is summarised');
  t.notOk('properties' in last.properties.body);
});

t.test('a small budget summarises the tools past it, and only those', async (t) => {
  const text = sharedSchemaSpec({ sharing: 'ref', properties: 20, operations: 30 });
  const roomy = await importSpec(parseSpecText(text));
  t.notOk(
    roomy.warnings.some((w) => /add up to/.test(w.message)),
    'an ordinary spec is far below the budget',
  );
  const tight = await importSpec(parseSpecText(text), { schemaBudget: 5_000 });
  t.same(
    tight.tools.slice(0, 3).map((tool) => tool.inputSchema),
    roomy.tools.slice(0, 3).map((tool) => tool.inputSchema),
    'tools within the budget are as before',
  );
  t.match(tight.warnings.at(-1)?.message, /add up to more than [\d.]+ MB .* (\d+) tools \(POST \/r\d+ and those after it\)/);
  const spent = tight.tools.filter((tool) => /too large in total/.test(JSON.stringify(tool.inputSchema)));
  t.ok(spent.length > 0 && spent.length < 30, `${spent.length} tools summarised`);
});
