import t from 'tap';
import { clientProfile } from '../../../server/modules/mcp/client-profile.js';

const init = (name: unknown) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', clientInfo: { name, version: '1' }, capabilities: {} },
});

t.test('a 2025 initialize from a known client gets a session id that names its profile', async (t) => {
  const chosen = clientProfile(init('gemini-cli-mcp-client'), {});
  t.equal(chosen?.profile, 'gemini');
  t.match(chosen?.session, /^lk-profile-gemini-[A-Za-z0-9_-]{16}$/);
  t.not(clientProfile(init('gemini-cli-mcp-client'), {})?.session, chosen?.session, 'a new id each time');
  t.equal(clientProfile(init('claude-code'), {}), undefined, 'an unknown client: no profile, no session id');
  t.equal(clientProfile(init(undefined), {}), undefined);
});

t.test('later requests are known by the session id they carry', async (t) => {
  const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
  t.same(clientProfile(list, { 'mcp-session-id': 'lk-profile-openai-abc' }), { profile: 'openai' });
  t.same(clientProfile([list], { 'mcp-session-id': 'lk-profile-gemini-abc' }), { profile: 'gemini' }, 'a batch too');
  t.equal(clientProfile(list, { 'mcp-session-id': 'lk-profile-evil-abc' }), undefined, 'an id naming no profile is ignored');
  t.equal(clientProfile(list, { 'mcp-session-id': 'some-other-server-id' }), undefined);
  t.equal(clientProfile(list, {}), undefined);
});

t.test('a 2026-07-28 request names its client in _meta', async (t) => {
  const request = {
    jsonrpc: '2.0',
    id: 3,
    method: 'tools/list',
    params: { _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'openai-mcp', version: '1' } } },
  };
  t.same(clientProfile(request, {}), { profile: 'openai' }, 'no session id: every request says who it is');
  t.equal(clientProfile({ ...request, params: { _meta: { 'io.modelcontextprotocol/clientInfo': 'openai-mcp' } } }, {}), undefined);
});
