// Dynamic mode's parts alone: the search's word handling, auto's choice, and the meta-tools'
// answers to bad arguments. GitHub's whole spec is searched in test/integration/tool-modes.test.ts.
import t from 'tap';
import { buildToolIndex, processTerm, topTags, type SearchableTool } from '../../../server/modules/discovery/tool-search.js';
import { AUTO_MAX_TOKENS, AUTO_MAX_TOOLS, chooseToolMode } from '../../../server/modules/discovery/tool-mode.js';
import { buildDiscovery, type DiscoverableTool } from '../../../server/modules/discovery/meta-tools.js';

const tool = (name: string, summary: string, tags: string[] = [], path = `/${name}`, description = ''): SearchableTool => ({
  name,
  summary,
  description,
  tags,
  method: 'GET',
  path,
});

const TOOLS = [
  tool('listInvoices', 'List invoices', ['billing'], '/invoices'),
  tool('createInvoice', 'Create an invoice', ['billing'], '/invoices'),
  tool('getCustomer', 'Retrieve a customer', ['customers'], '/customers/{id}'),
  tool('search_branches', 'Search branches', ['repos'], '/branches', 'Finds branches by name.'),
  tool('deleteRepository', 'Delete a repository', ['repos'], '/repositories/{id}'),
];

t.test('words are made comparable on both sides', async (t) => {
  t.equal(processTerm('Issues'), 'issue');
  t.equal(processTerm('repositories'), 'repository');
  t.equal(processTerm('branches'), 'branch');
  t.equal(processTerm('status'), 'status', 'not every s is a plural');
  t.equal(processTerm('address'), 'address');
  t.equal(processTerm('the'), null, 'little words are dropped');

  const index = buildToolIndex(TOOLS);
  t.equal(index.search('create invoices', 3)[0].name, 'createInvoice', 'camelCase names split, plurals folded');
  t.equal(index.search('retrieve customers', 3)[0].name, 'getCustomer');
  t.equal(index.search('delete repositories', 3)[0].name, 'deleteRepository');
  t.equal(index.search('custmer', 3)[0]?.name, 'getCustomer', 'one typo is forgiven');
  t.equal(index.search('invoic', 3).length, 2, 'a word is matched by its start');
  t.same(index.search('what can you do for me', 5), [], 'a question of little words finds nothing rather than everything');
  t.same(index.search('invoices', 1), [{ name: 'listInvoices', summary: 'List invoices' }], 'the limit holds');
  t.same(topTags(TOOLS, 2), ['billing', 'repos'], 'tags, most used first');
});

t.test('auto lists every tool up to 40 tools and 30,000 tokens', async (t) => {
  t.match(chooseToolMode('auto', AUTO_MAX_TOOLS, AUTO_MAX_TOKENS), { mode: 'all' });
  t.match(chooseToolMode('auto', AUTO_MAX_TOOLS + 1, 1_000), { mode: 'dynamic', reason: /more than 40 tools/ });
  t.match(chooseToolMode('auto', 12, AUTO_MAX_TOKENS + 1), { mode: 'dynamic', reason: /above 30,000 tokens/ });
  t.match(chooseToolMode('all', 5_000, 1e6), { mode: 'all', reason: /^Set to "all" \(5,000 tools, about 1,000,000 tokens/ });
  t.match(chooseToolMode('dynamic', 1, 10), { mode: 'dynamic', reason: /^Set to "dynamic" \(1 tool,/ });
});

t.test("the meta-tools answer bad arguments in the model's words", async (t) => {
  const tools: DiscoverableTool[] = TOOLS.map((s) => ({
    entry: {
      name: s.name,
      inputSchema: { type: 'object' },
      annotations: { readOnlyHint: s.name.startsWith('get') || s.name.startsWith('list') },
    },
    searchable: s,
  }));
  const discovery = buildDiscovery({ workspace: 'Billing', tools, refusal: (name) => `Unknown tool "${name}".` });
  t.same(
    discovery.entries.map((e) => e.name),
    ['search_tools', 'describe_tools', 'call_tool'],
  );
  t.match(
    discovery.entries[0].description,
    /Find tools of "Billing" \(5 in all.*e\.g\. "list invoices".*Topics: billing, repos, customers\./,
  );
  t.equal(discovery.entries[2].annotations?.readOnlyHint, false, 'call_tool can change things when write tools are in view');
  const error = (name: string, args: Record<string, unknown>) => {
    const answer = discovery.answer(name, args);
    return 'result' in answer && answer.result.isError ? (answer.result.content[0] as { text: string }).text : 'not an error';
  };
  t.match(error('search_tools', {}), /needs "query"/);
  t.match(error('search_tools', { query: 'x', limit: 0 }), /"limit" must be a whole number from 1 to 50/);
  t.match(error('search_tools', { query: 'x'.repeat(501) }), /longer than 500 characters/);
  t.match(error('describe_tools', { names: 'listInvoices' }), /needs "names": a list/);
  t.match(error('describe_tools', { names: Array.from({ length: 21 }, (_, i) => `t${i}`) }), /at most 20 names/);
  t.match(error('call_tool', {}), /needs "name"/);
  t.match(error('call_tool', { name: 'listInvoices', arguments: [1] }), /"arguments" must be an object/);
  t.same(discovery.answer('call_tool', { name: 'listInvoices', arguments: { page: 2 } }), {
    call: { name: 'listInvoices', arguments: { page: 2 } },
  });
  const described = discovery.answer('describe_tools', { names: ['getCustomer', 'getCustomer', 'nope'] });
  t.same('result' in described && described.result.structuredContent, {
    tools: [tools[2].entry],
    unavailable: [{ name: 'nope', reason: 'Unknown tool "nope".' }],
  });

  const readOnly = buildDiscovery({ workspace: 'R', tools: tools.filter((x) => x.entry.annotations?.readOnlyHint), refusal: () => '' });
  t.equal(readOnly.entries[2].annotations?.readOnlyHint, true, 'a view of read tools only: call_tool is read-only too');
});
