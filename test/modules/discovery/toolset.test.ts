// Toolset selections alone: normalising what an admin typed, matching by name, tag and path
// prefix (at segment boundaries, tags without regard to case), the problems reported before
// anything is saved, and following renamed tools.
import t from 'tap';
import {
  normaliseSelection,
  renamedSelection,
  selectionProblem,
  toolsetMatcher,
  type SelectableTool,
} from '../../../server/modules/discovery/toolset.js';

const TOOLS: SelectableTool[] = [
  { name: 'issues_list', tags: ['issues'], path: '/repos/{owner}/{repo}/issues' },
  { name: 'issues_create-comment', tags: ['Issues'], path: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
  { name: 'repos_get', tags: ['repos'], path: '/repos/{owner}/{repo}' },
  { name: 'repos_list-forks', tags: ['repos'], path: '/repos/{owner}/{repo}/forks' },
  { name: 'reposition', tags: [], path: '/reposition' },
  { name: 'meta_root', tags: [], path: '/' },
];

const held = (input: Parameters<typeof normaliseSelection>[0]) =>
  TOOLS.filter(toolsetMatcher(normaliseSelection(input))).map((tool) => tool.name);

t.test('normalising: trimmed, no blanks or repeats, prefixes without a trailing slash', async (t) => {
  t.same(normaliseSelection({ tools: [' a ', 'a', ''], tags: ['x', ' x'], pathPrefixes: ['/repos/', '/repos', '  ', '/'] }), {
    tools: ['a'],
    tags: ['x'],
    pathPrefixes: ['/repos', '/'],
  });
  t.same(normaliseSelection({}), { tools: [], tags: [], pathPrefixes: [] });
});

t.test('matching: any of names, tags and prefixes', async (t) => {
  t.same(held({ tags: ['ISSUES'] }), ['issues_list', 'issues_create-comment'], 'tags without regard to case');
  t.same(held({ pathPrefixes: ['/repos/{owner}/{repo}/issues'] }), ['issues_list', 'issues_create-comment'], 'the prefix itself and below');
  t.same(held({ pathPrefixes: ['/repos'] }), ['issues_list', 'issues_create-comment', 'repos_get', 'repos_list-forks'], 'not /reposition');
  t.same(
    held({ pathPrefixes: ['/'] }),
    TOOLS.map((tool) => tool.name),
    '/ holds every path',
  );
  t.same(held({ tools: ['repos_get'], tags: ['issues'] }), ['issues_list', 'issues_create-comment', 'repos_get']);
  t.same(held({}), [], 'an empty selection holds nothing');
});

t.test('problems: each named, nothing matching nothing', async (t) => {
  const problem = (input: Parameters<typeof normaliseSelection>[0], tools = TOOLS) => selectionProblem(normaliseSelection(input), tools);
  t.match(problem({}), /at least one tool name, tag or path prefix/);
  t.match(problem({ tools: ['issues_list', 'nope', 'nada'] }), /No tools named "nope", "nada" in this workspace/);
  t.match(problem({ tags: ['isues'] }), /has the tag "isues" \(its tags include "issues", "repos"\)/, 'known tags offered, once each');
  t.match(problem({ tags: ['x'] }, [{ name: 'a', tags: [], path: '/a' }]), /its spec declares no tags/);
  t.match(problem({ pathPrefixes: ['repos'] }), /start with "\/".*"repos" does not/);
  t.match(problem({ pathPrefixes: ['/repo'] }), /No tool's path is at or under "\/repo"/, 'a prefix matches whole segments');
  const many = Array.from({ length: 9 }, (_, i) => `t${i}`);
  t.match(problem({ tools: many }), /"t0", "t1", "t2", "t3", "t4" and 4 more/, 'a long list is cut');
  t.equal(problem({ tools: ['repos_get'], tags: ['issues'], pathPrefixes: ['/repos/{owner}/{repo}/forks'] }), undefined);
});

t.test('renamed tools: the selection follows, or is left alone', async (t) => {
  const selection = normaliseSelection({ tools: ['issues_create-comment', 'repos_get'], tags: ['issues'] });
  t.same(renamedSelection(selection, new Map([['issues_create-comment', 'issues_create-c_1a2b']])), {
    tools: ['issues_create-c_1a2b', 'repos_get'],
    tags: ['issues'],
    pathPrefixes: [],
  });
  t.equal(renamedSelection(selection, new Map([['other', 'x']])), undefined);
});
