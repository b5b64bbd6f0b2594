// Where each tool's calls go is decided once, when the runtime is built: the admin's base URL wins
// over every tool's own server; otherwise a tool's own server is used, and its origin must be the
// base URL's or one the admin allowed (checked per call in call-tool).
import t from 'tap';
import { buildWorkspaceRuntime, type RuntimeInput } from '../../../server/modules/mcp/index.js';
import { tool } from '../upstream/fixtures/helpers.js';

const own = tool({ name: 'uploadFile', path: '/files', serverUrl: 'https://uploads.example.com/v2' });
const plain = tool({ name: 'listItems', path: '/items' });

function runtime(extra: Partial<RuntimeInput>) {
  return buildWorkspaceRuntime({
    workspaceId: 'ws',
    name: 'ws',
    environment: 'live',
    baseUrl: 'https://api.example.com/v1',
    credentials: { type: 'none' },
    tools: [own, plain].map((definition) => ({ definition, enabled: true })),
    ...extra,
  });
}

t.test("the spec's base URL: a tool's own server is used, its origin must be allowed", async (t) => {
  const rt = runtime({});
  const uploads = rt.tools.get('uploadFile')!;
  t.equal(uploads.baseUrl, 'https://uploads.example.com/v2');
  t.equal(uploads.origin, 'https://uploads.example.com');
  t.equal(uploads.definition, own, 'the stored definition is used as it is');
  t.equal(rt.tools.get('listItems')!.baseUrl, 'https://api.example.com/v1', 'a tool without a server of its own uses the base URL');
  t.same([...rt.allowedOrigins], ['https://api.example.com']);
  t.notOk(rt.allowedOrigins.has(uploads.origin!), 'not allowed by default');
  t.ok(runtime({ allowedOrigins: ['https://uploads.example.com'] }).allowedOrigins.has(uploads.origin!), 'allowed by the admin');
});

t.test("an admin base URL wins over every tool's own server", async (t) => {
  const rt = runtime({ baseUrl: 'https://staging.example.com', baseUrlOverridden: true });
  for (const name of ['uploadFile', 'listItems']) {
    t.equal(rt.tools.get(name)!.baseUrl, 'https://staging.example.com', name);
  }
  t.ok(rt.allowedOrigins.has('https://staging.example.com'));
});

t.test('held credentials are carried to every call', async (t) => {
  t.equal(runtime({ held: 'held back' }).held, 'held back');
  t.equal(runtime({}).held, undefined);
});
