import t from 'tap';
import {
  asModernResult,
  checkModernRequest,
  decodeHeaderValue,
  isAnswer,
  isModernRequest,
  modernResultHead,
} from '../../../server/modules/mcp/modern-protocol.js';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

t.test('which era a request speaks', async (t) => {
  t.ok(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2026-07-28' }), 'the header');
  t.ok(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }, {}), '_meta alone');
  t.ok(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'server/discover' }, {}), 'server/discover alone');
  t.notOk(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } }, {}), 'initialize');
  t.notOk(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2025-06-18' }), 'a 2025 header');
  t.notOk(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: 1 } } }, {}), "2025's _meta");
  t.ok(isModernRequest([{ jsonrpc: '2.0', id: 1, method: 'server/discover' }], {}), 'a batch holding a modern request');
});

t.test('Mcp-Name values: plain, =?base64?…?=, and encodings that are not valid', async (t) => {
  t.equal(decodeHeaderValue('  listItems '), 'listItems', 'whitespace around a value is not part of it');
  t.equal(decodeHeaderValue(`=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=`), 'Hello, 世界');
  t.equal(decodeHeaderValue('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='), '=?base64?literal?=');
  t.equal(decodeHeaderValue('=?base64?abc?='), undefined, 'bad padding');
  t.equal(decodeHeaderValue('=?base64?ab$d?='), undefined, 'a character outside base64');
  t.equal(decodeHeaderValue(`=?base64?${Buffer.from([0xff, 0xfe]).toString('base64')}?=`), undefined, 'bytes that are not UTF-8');
});

t.test('a 2025 result becomes a 2026 one without being parsed again', async (t) => {
  const head = modernResultHead({ name: 'latchkey', version: '9' });
  const text = asModernResult(head, '{"content":[],"isError":true}') as string;
  t.same(JSON.parse(text), {
    resultType: 'complete',
    _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'latchkey', version: '9' } },
    content: [],
    isError: true,
  });
  t.same(JSON.parse(asModernResult(head, '{}') as string).resultType, 'complete', 'an empty result');
  const bytes = Buffer.from('{"content":[{"type":"text","text":"é"}]}');
  const pieces = asModernResult(head, bytes) as Buffer[];
  t.equal(pieces[1].buffer, bytes.buffer, 'the result bytes are not copied');
  t.same(JSON.parse(Buffer.concat(pieces).toString()).content, [{ type: 'text', text: 'é' }]);
});

t.test('checks in the order the revision gives them', async (t) => {
  const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'x' };
  const code = (body: unknown, h: Record<string, string> = headers) => {
    const checked = checkModernRequest(body, h);
    return isAnswer(checked) ? [checked.status, checked.body && JSON.parse(checked.body as string).error.code] : 'ok';
  };
  const call = (meta: unknown, name = 'x') => ({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, _meta: meta } });
  t.same(code(call(undefined), {}), [400, -32602], 'a missing _meta before missing headers');
  t.same(code(call(META), { ...headers, 'mcp-protocol-version': '2099-01-01' }), [400, -32020], 'a header mismatch before the version');
  const future = { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' };
  t.same(code(call(future), { ...headers, 'mcp-protocol-version': '2099-01-01' }), [400, -32022], 'then the version');
  t.same(code(call(META, 'y')), [400, -32020], 'then Mcp-Name');
  t.equal(code(call(META)), 'ok');
  t.same(code({ jsonrpc: '2.0', method: 'notifications/initialized' }), [202, undefined], 'a notification is accepted');
  t.same(code({ jsonrpc: '2.0', id: 1, result: {} }), [400, -32600], 'a response is not a client message');
  t.same(code({ jsonrpc: '2.0', id: 1.5, method: 'tools/list', params: { _meta: META } }), [400, -32600], 'an id that is not an integer');
});
