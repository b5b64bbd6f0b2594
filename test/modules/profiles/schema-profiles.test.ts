// The openai and gemini schema profiles, one rule at a time: each converted schema passes the
// profile's checker (test/helpers/profile-rules.ts), and arguments written the profile's way map
// back to the real ones. The whole corpus and GitHub's spec are checked in test/corpus.
import t from 'tap';
import { applyPlan, profiledTool, profileForClient, type SchemaProfile } from '../../../server/modules/profiles/index.js';
import type { JsonSchema } from '../../../server/modules/specs/types.js';
import { geminiProblems, openAiProblems } from '../../helpers/profile-rules.js';

function profiled(profile: SchemaProfile, properties: Record<string, JsonSchema>, required: string[] = []) {
  const tool = profiledTool(profile, 'tool', { type: 'object', properties, required, additionalProperties: false });
  const problems = profile === 'openai' ? openAiProblems(tool.inputSchema) : geminiProblems(tool.inputSchema);
  const back = (args: Record<string, unknown>) => (tool.toRealArguments ? tool.toRealArguments(args) : args);
  const property = (name: string) => (tool.inputSchema.properties as Record<string, JsonSchema>)[name];
  return { tool, problems, back, property };
}

t.test('default leaves the tool as imported', async (t) => {
  const schema = { type: 'object', properties: { a: { type: 'string', default: 'x' } } };
  const tool = profiledTool('default', 'tool', schema);
  t.equal(tool.inputSchema, schema);
  t.equal(tool.toRealArguments, undefined);
});

t.test('openai: every property required, optional ones nullable, and null means left out', async (t) => {
  const { tool, problems, back, property } = profiled(
    'openai',
    { id: { type: 'integer' }, note: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
    ['id'],
  );
  t.same(problems, []);
  t.same(tool.inputSchema.required, ['id', 'note', 'tags']);
  t.equal(tool.inputSchema.additionalProperties, false);
  t.same(property('id').type, 'integer', 'a required property stays as it was');
  t.same(property('note').type, ['string', 'null']);
  t.same(back({ id: 1, note: null, tags: null }), { id: 1 }, 'null for an optional property: left out of the request');
  t.same(back({ id: 1, note: 'n', tags: ['a'] }), { id: 1, note: 'n', tags: ['a'] });
  t.same(Object.keys(back({ tags: ['a'], id: 1, note: null }) as object), ['tags', 'id'], "the model's key order is kept");
});

t.test('openai: an optional enum gains null; an optional union gains a null branch', async (t) => {
  const { problems, property } = profiled('openai', {
    state: { type: 'string', enum: ['open', 'closed'], default: 'open' },
    either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
  });
  t.same(problems, []);
  t.same(property('state').enum, ['open', 'closed', null]);
  t.match(property('state').description, /default: "open"/i, 'the dropped default is said in words');
  t.same(property('either').anyOf, [{ type: 'string' }, { type: 'integer' }, { type: 'null' }]);
});

t.test('a free-form object is offered as JSON text and parsed back', async (t) => {
  for (const profile of ['openai', 'gemini'] as const) {
    const { problems, back, property } = profiled(
      profile,
      { metadata: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels.' } },
      ['metadata'],
    );
    t.same(problems, [], profile);
    t.equal(property('metadata').type, 'string', profile);
    t.match(
      property('metadata').description,
      /^Labels\. Write the value as JSON text \(a free-form object\); it must match this JSON Schema: \{"type":"object"/,
      profile,
    );
    t.same(back({ metadata: '{"team":"core","tier":"1"}' }), { metadata: { team: 'core', tier: '1' } }, profile);
    t.same(
      back({ metadata: 'not json' }),
      { metadata: 'not json' },
      `${profile}: text that is not JSON is passed on for the real validator to judge`,
    );
    t.same(
      back({ metadata: { team: 'core' } }),
      { metadata: { team: 'core' } },
      `${profile}: a model that sends the object anyway is understood`,
    );
  }
});

t.test('gemini: one type, nullable, no anyOf/const/default/title/additionalProperties', async (t) => {
  const { problems, property, back } = profiled('gemini', {
    name: { type: ['string', 'null'], title: 'Name', default: 'x', minLength: 1 },
    kind: { const: 'user' },
    size: { type: 'integer', enum: [1, 2, 10] },
    flag: { enum: [true, false, null] },
    either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    shape: {
      oneOf: [
        { type: 'object', properties: { radius: { type: 'number' } }, required: ['radius'] },
        { type: 'object', properties: { width: { type: 'number' }, height: { type: 'number' } }, required: ['width', 'height'] },
      ],
    },
    mixed: { type: ['string', 'integer'] },
    both: { type: ['integer', 'number'], exclusiveMinimum: 0 },
  });
  t.same(problems, []);
  t.same(property('name'), { type: 'string', minLength: 1, nullable: true, description: 'Default: "x".' });
  t.same(property('kind'), { type: 'string', enum: ['user'] });
  t.same(property('size'), { type: 'string', enum: ['1', '2', '10'] }, 'an integer enum is offered as strings');
  t.same(property('flag'), { type: 'string', enum: ['true', 'false'], nullable: true });
  t.same(property('either'), { type: 'string', nullable: true });
  t.same(Object.keys(property('shape').properties as object), ['radius', 'width', 'height'], 'object alternatives merge');
  t.same(property('shape').required, undefined, 'required only where every alternative requires');
  t.equal(property('mixed').type, 'string');
  t.match(property('mixed').description, /JSON text \(one of string, integer\)/);
  t.same(property('both'), { type: 'number', description: 'ExclusiveMinimum 0.' });
  t.same(
    back({ size: '10', flag: 'false', mixed: '7', name: null }),
    { size: 10, flag: false, mixed: 7, name: null },
    'labels and JSON text map back',
  );
  t.same(back({ mixed: 'plain words' }), { mixed: 'plain words' });
});

t.test('gemini: 1 and "1" in one enum stay apart', async (t) => {
  const { problems, property, back } = profiled('gemini', { v: { enum: [1, '1', 'a'] } });
  t.same(problems, []);
  t.same(property('v').enum, ['1', 'a', '1 (number)'], 'a string keeps its text; the number that would take it is labelled');
  t.same(back({ v: '1' }), { v: '1' });
  t.same(back({ v: '1 (number)' }), { v: 1 });
});

t.test('allOf merges where it can, and is JSON text where it cannot', async (t) => {
  for (const profile of ['openai', 'gemini'] as const) {
    const merged = profiled(
      profile,
      { a: { allOf: [{ type: 'object', properties: { x: { type: 'string' } } }, { properties: { y: { type: 'integer' } } }] } },
      ['a'],
    );
    t.same(merged.problems, [], profile);
    t.same(Object.keys(merged.property('a').properties as object), ['x', 'y'], `${profile}: merged`);
    const clash = profiled(profile, { a: { allOf: [{ type: 'string' }, { type: 'integer' }] } }, ['a']);
    t.same(clash.problems, [], profile);
    t.equal(clash.property('a').type, 'string', `${profile}: parts that cannot combine: JSON text`);
  }
});

t.test('openai: objects deeper than 10 levels are JSON text from there down', async (t) => {
  let deep: JsonSchema = { type: 'object', properties: { leaf: { type: 'string' } }, required: ['leaf'] };
  for (let i = 0; i < 12; i++) deep = { type: 'object', properties: { next: deep }, required: ['next'] };
  const { problems, back } = profiled('openai', { root: deep }, ['root']);
  t.same(problems, []);
  let real: unknown = { leaf: 'x' };
  for (let i = 0; i < 12; i++) real = { next: real };
  // The model writes the levels it sees; below the cut, JSON text.
  const path: string[] = [];
  let node: unknown = profiled('openai', { root: deep }, ['root']).property('root');
  while (typeof node === 'object' && node !== null && (node as JsonSchema).type === 'object') {
    node = ((node as JsonSchema).properties as Record<string, unknown>).next;
    path.push('next');
  }
  const written = structuredClone(real);
  let at = written as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) at = at.next as Record<string, unknown>;
  at.next = JSON.stringify(at.next);
  t.ok(path.length > 5 && path.length < 12, `cut after ${path.length} levels`);
  t.same(back({ root: written }), { root: real });
});

t.test('openai: past 1,000 enum values the list is left to the real validator', async (t) => {
  const many = Array.from({ length: 600 }, (_, i) => `v${i}`);
  const { problems, property } = profiled('openai', { a: { type: 'string', enum: many }, b: { type: 'string', enum: many } }, ['a', 'b']);
  t.same(problems, []);
  t.equal((property('a').enum as unknown[]).length, 600);
  t.equal(property('b').enum, undefined);
  t.match(property('b').description, /fixed list of values too long/);
});

t.test('openai: a root past 5,000 properties becomes one JSON-text argument, unwrapped on the way back', async (t) => {
  const properties = Object.fromEntries(Array.from({ length: 5_100 }, (_, i) => [`p${i}`, { type: 'string' }]));
  const tool = profiledTool('openai', 'big', { type: 'object', properties, additionalProperties: false });
  t.same(openAiProblems(tool.inputSchema), []);
  t.same(Object.keys(tool.inputSchema.properties as object), ['arguments']);
  t.same(tool.toRealArguments!({ arguments: '{"p1":"x","p4000":"y"}' }), { p1: 'x', p4000: 'y' });
});

t.test('names: __proto__ and constructor are properties like any other', async (t) => {
  for (const profile of ['openai', 'gemini'] as const) {
    const { tool, problems, back } = profiled(
      profile,
      { ['__proto__']: { type: 'integer', enum: [1, 2] }, constructor: { type: 'object' } },
      ['__proto__', 'constructor'],
    );
    t.same(problems, [], profile);
    t.ok(Object.hasOwn(tool.inputSchema.properties as object, '__proto__'), `${profile}: __proto__ is an own property of the schema`);
    const args = JSON.parse(
      profile === 'gemini' ? '{"__proto__":"2","constructor":"{\\"a\\":1}"}' : '{"__proto__":2,"constructor":"{\\"a\\":1}"}',
    );
    const real = back(args);
    t.ok(Object.hasOwn(real, '__proto__'), `${profile}: kept as an own property`);
    t.equal(Object.getPrototypeOf(real), Object.prototype, `${profile}: the prototype is untouched`);
    t.same(JSON.stringify(real), '{"__proto__":2,"constructor":{"a":1}}', profile);
  }
});

t.test('gemini: a tool name must start with a letter or an underscore', async (t) => {
  t.equal(profiledTool('gemini', '2fa_enable', { type: 'object', properties: {} }).name, '_2fa_enable');
  t.equal(profiledTool('gemini', 'list-items', { type: 'object', properties: {} }).name, 'list-items');
  t.equal(profiledTool('openai', '2fa_enable', { type: 'object', properties: {} }).name, '2fa_enable');
  t.equal(profiledTool('gemini', `9${'x'.repeat(63)}`, { type: 'object', properties: {} }).name.length, 64);
});

t.test('JSON text past the argument bounds is refused before it is parsed', async (t) => {
  const plan = { kind: 'json' } as const;
  t.throws(() => applyPlan(plan, '['.repeat(2_000_000) + ']'.repeat(2_000_000)), /nested more than 64 levels deep/);
  t.throws(() => applyPlan(plan, `[${'1,'.repeat(30_000)}1]`), /more than 20,000 values/);
  t.same(applyPlan(plan, '[[1,2],{"a":[3]}]'), [[1, 2], { a: [3] }], 'within bounds: parsed');
  t.equal(applyPlan(plan, '{"broken"'), '{"broken"', 'text that is not JSON stays text');
});

t.test('a plan only copies what it maps', async (t) => {
  const plan = { kind: 'object', properties: new Map(), absentWhenNull: new Set(['a']) } as const;
  t.same(applyPlan(plan, 'text'), 'text', 'a value of another shape passes as it came');
  t.same(applyPlan({ kind: 'array', items: { kind: 'json' } }, ['1', '[2]']), [1, [2]]);
});

t.test('clients known by name get their profile; any other gets none', async (t) => {
  t.equal(profileForClient('openai-mcp'), 'openai');
  t.equal(profileForClient('gemini-cli-mcp-client'), 'gemini');
  t.equal(profileForClient('Gemini-CLI-MCP-Client-myserver'), 'gemini', 'by prefix, any case');
  t.equal(profileForClient('claude-code'), undefined);
  t.equal(profileForClient(undefined), undefined);
  t.equal(profileForClient(42), undefined);
});
