// Issue #17: the import-time security report through the admin API — in the upload's answer and
// in GET /spec, recomputed there so it follows the auth settings saved afterwards.
import t from 'tap';
import { startGateway } from '../helpers/gateway.js';

const ok = { '200': { description: 'OK' } };

const riskySpec = {
  openapi: '3.0.3',
  info: { title: 'Risky', version: '1' },
  servers: [{ url: 'http://127.0.0.1:9/api' }],
  components: { securitySchemes: { queryKey: { type: 'apiKey', in: 'query', name: 'api_key' } } },
  security: [{ queryKey: [] }],
  paths: {
    '/items': { get: { operationId: 'listItems', responses: ok }, post: { operationId: 'createItem', responses: ok } },
    '/items/{id}': {
      delete: {
        operationId: 'deleteItem',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: ok,
      },
    },
    '/status': { get: { operationId: 'status', servers: [{ url: 'http://status.example.com' }], responses: ok } },
  },
};

const cleanSpec = {
  openapi: '3.0.3',
  info: { title: 'Clean', version: '1' },
  servers: [{ url: 'https://api.example.com/v1' }],
  paths: { '/items': { get: { operationId: 'listItems', responses: ok } } },
};

t.test('an upload answers the report, GET /spec recomputes it as the auth settings change', async (t) => {
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'risky' });
  const uploaded = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(riskySpec) });
  t.equal(uploaded.status, 200, uploaded.text);
  const findings = uploaded.body.securityReport.findings as {
    kind: string;
    severity: string;
    message: string;
    tools?: string[];
    toolCount?: number;
    pointer?: string;
  }[];
  const byKind = (kind: string) => findings.find((f) => f.kind === kind);
  t.same(findings.map((f) => f.kind).sort(), [
    'credential_in_query',
    'per_operation_servers',
    'plain_http',
    'private_network',
    'unconfigured_scheme',
    'writes',
  ]);
  t.match(byKind('writes'), { severity: 'medium', tools: ['deleteItem', 'createItem'], toolCount: 2 });
  t.match(byKind('credential_in_query'), { severity: 'medium', pointer: '/components/securitySchemes/queryKey' });
  t.match(byKind('plain_http'), { severity: 'high', tools: ['status'] });
  t.match(byKind('plain_http')!.message, /http:\/\/status\.example\.com/);
  t.notMatch(byKind('plain_http')!.message, /127\.0\.0\.1/, 'the loopback base URL is not "plain http on a network"');
  t.match(byKind('private_network'), { severity: 'info' });
  t.match(byKind('private_network')!.message, /http:\/\/127\.0\.0\.1:9 \(the base URL\)/);
  t.match(byKind('unconfigured_scheme'), { severity: 'medium', pointer: '/components/securitySchemes/queryKey' });
  t.match(byKind('per_operation_servers'), { tools: ['status'], pointer: '/paths/~1status/get' });

  const got = await gw.api('GET', `/api/workspaces/${ws.id}/spec`);
  t.same(got.body.securityReport, uploaded.body.securityReport, 'GET answers the same report');

  const saved = await gw.api('PUT', `/api/workspaces/${ws.id}/auth`, {
    type: 'api_key',
    value: 'report-secret-7f3a',
    in: 'query',
    name: 'api_key',
  });
  t.equal(saved.status, 200, saved.text);
  const after = await gw.api('GET', `/api/workspaces/${ws.id}/spec`);
  t.notOk(
    (after.body.securityReport.findings as { kind: string }[]).some((f) => f.kind === 'unconfigured_scheme'),
    'the configured scheme is no longer reported',
  );
  t.notMatch(after.text, /report-secret-7f3a/, 'no secret in the report');

  const patched = await gw.api('PATCH', `/api/workspaces/${ws.id}`, { baseUrl: 'https://api.example.com' });
  t.equal(patched.status, 200, patched.text);
  const overridden = (await gw.api('GET', `/api/workspaces/${ws.id}/spec`)).body.securityReport.findings as { kind: string }[];
  t.same(overridden.map((f) => f.kind).sort(), ['credential_in_query', 'writes'], "the admin's https base URL wins over every server");
});

t.test('a clean spec reports nothing', async (t) => {
  const gw = await startGateway(t);
  const { body: ws } = await gw.api('POST', '/api/workspaces', { name: 'clean' });
  const uploaded = await gw.api('POST', `/api/workspaces/${ws.id}/spec`, { content: JSON.stringify(cleanSpec) });
  t.equal(uploaded.status, 200, uploaded.text);
  t.same(uploaded.body.securityReport, { findings: [] });
  t.same((await gw.api('GET', `/api/workspaces/${ws.id}/spec`)).body.securityReport, { findings: [] });
});
