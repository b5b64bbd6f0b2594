// Issue #17's import-time security report, one finding at a time, and a clean spec that has none.
import t from 'tap';
import { MAX_NAMED, securityReport, type SecurityReportInput } from '../../../server/modules/specs/security-report.js';
import { annotationsFor } from '../../../server/modules/specs/build-tool.js';
import type { HttpMethod, SecuritySchemeSummary } from '../../../server/modules/specs/types.js';

function tool(name: string, method: HttpMethod, serverUrl?: string) {
  return { name, method, path: `/${name}`, annotations: annotationsFor(method, name), ...(serverUrl && { serverUrl }) };
}

const bearer: SecuritySchemeSummary = { key: 'token', type: 'http', scheme: 'bearer' };

function input(over: Partial<SecurityReportInput> = {}): SecurityReportInput {
  return {
    tools: [tool('listItems', 'GET'), tool('getItem', 'GET')],
    baseUrl: 'https://api.example.com/v1',
    securitySchemes: [bearer],
    authType: 'bearer',
    openapi: '3.0.3',
    ...over,
  };
}

const kinds = (i: SecurityReportInput) => securityReport(i).findings.map((f) => f.kind);

t.test('a clean spec (read-only, https, a configured scheme, one server) has no findings', async (t) => {
  t.same(securityReport(input()), { findings: [] });
  t.same(securityReport(input({ securitySchemes: [], authType: 'none' })), { findings: [] }, 'no schemes, no auth: nothing to say either');
});

t.test('writes: counted per method, destructive ones named first', async (t) => {
  const report = securityReport(
    input({
      tools: [
        tool('listItems', 'GET'),
        tool('createItem', 'POST'),
        tool('replaceItem', 'PUT'),
        tool('deleteItem', 'DELETE'),
        tool('patchItem', 'PATCH'),
      ],
    }),
  );
  t.equal(report.findings.length, 1);
  const [writes] = report.findings;
  t.match(writes, { kind: 'writes', severity: 'medium', tools: ['deleteItem', 'createItem', 'replaceItem', 'patchItem'], toolCount: 4 });
  t.match(writes.message, /4 operations can change data upstream \(1 POST, 1 PUT, 1 PATCH, 1 DELETE\)\. 1 deletes data: deleteItem\./);
  t.match(
    securityReport(input({ tools: [tool('createItem', 'POST')] })).findings[0],
    { kind: 'writes', severity: 'info' },
    'writes without deletes: info',
  );
});

t.test('tool lists stop at MAX_NAMED names and say how many in all', async (t) => {
  const many = Array.from({ length: 45 }, (_, i) => tool(`create${i}`, 'POST'));
  const [writes] = securityReport(input({ tools: many })).findings;
  t.equal(writes.tools!.length, MAX_NAMED);
  t.equal(writes.toolCount, 45);
});

t.test('credential_in_query: an apiKey scheme in the query string', async (t) => {
  const schemes: SecuritySchemeSummary[] = [{ key: 'key', type: 'apiKey', in: 'query', name: 'api_key' }];
  const [finding] = securityReport(input({ securitySchemes: schemes, authType: 'api_key' })).findings;
  t.match(finding, { kind: 'credential_in_query', severity: 'medium', pointer: '/components/securitySchemes/key' });
  t.match(finding.message, /\?api_key=/);
  t.equal(
    securityReport(input({ securitySchemes: schemes, authType: 'api_key', openapi: '2.0' })).findings[0].pointer,
    '/securityDefinitions/key',
    'Swagger 2 pointer',
  );
  t.same(
    kinds(input({ securitySchemes: [{ key: 'key', type: 'apiKey', in: 'header', name: 'X-Key' }], authType: 'api_key' })),
    [],
    'a header key is fine',
  );
});

t.test('plain_http: http to a non-loopback host, high when credentials go along', async (t) => {
  const [finding] = securityReport(input({ baseUrl: 'http://api.example.com/v1' })).findings;
  t.match(finding, { kind: 'plain_http', severity: 'high' });
  t.match(finding.message, /http:\/\/api\.example\.com \(the base URL\)/);
  t.match(securityReport(input({ baseUrl: 'http://api.example.com', securitySchemes: [], authType: 'none' })).findings[0], {
    kind: 'plain_http',
    severity: 'medium',
  });
  for (const loopback of ['http://127.0.0.1:8080', 'http://localhost:3000', 'http://[::1]:9000', 'http://2130706433/']) {
    t.notOk(kinds(input({ baseUrl: loopback })).includes('plain_http'), `${loopback}: loopback is not plain http on a network`);
  }
  const perOp = securityReport(input({ tools: [tool('listItems', 'GET'), tool('ping', 'GET', 'http://status.example.com')] })).findings;
  t.match(
    perOp.find((f) => f.kind === 'plain_http'),
    { tools: ['ping'], toolCount: 1 },
    'a per-operation server over http is named by its tools',
  );
});

t.test('private_network: loopback, private, link-local and localhost, in every written form', async (t) => {
  for (const url of [
    'http://127.0.0.1:8080',
    'http://localhost',
    'https://api.localhost',
    'http://10.1.2.3',
    'https://172.20.0.5',
    'https://192.168.1.10',
    'http://169.254.169.254',
    'http://0.0.0.0',
    'http://[::1]',
    'http://[fd00::1]',
    'http://[fe80::1]',
    'http://[::ffff:127.0.0.1]',
    'http://[::ffff:a00:1]',
    'http://0x7f000001',
    'http://017700000001',
    'http://2130706433',
  ]) {
    const finding = securityReport(input({ baseUrl: url })).findings.find((f) => f.kind === 'private_network');
    t.match(finding, { severity: 'info' }, url);
  }
  for (const url of ['https://8.8.8.8', 'https://172.32.0.1', 'https://[2001:db8::1]', 'https://api.example.com']) {
    t.notOk(kinds(input({ baseUrl: url })).includes('private_network'), `${url} is public`);
  }
});

t.test('unconfigured_scheme: declared schemes the workspace does not provide', async (t) => {
  const none = securityReport(input({ authType: 'none' })).findings;
  t.match(none, [{ kind: 'unconfigured_scheme', severity: 'medium', pointer: '/components/securitySchemes/token' }]);
  t.match(none[0].message, /"token" \(HTTP bearer\) — and the workspace has no auth configured/);
  t.match(securityReport(input({ authType: 'basic' })).findings, [{ kind: 'unconfigured_scheme', severity: 'medium' }], 'a different type');
  const alternatives = securityReport(
    input({ securitySchemes: [bearer, { key: 'key', type: 'apiKey', in: 'header', name: 'X-Key' }], authType: 'bearer' }),
  ).findings;
  t.match(alternatives, [{ kind: 'unconfigured_scheme', severity: 'info' }], 'an alternative left unconfigured is only worth knowing');
  t.match(alternatives[0].message, /"key" \(API key in header\)/);
  for (const [authType, scheme] of [
    ['api_key', { key: 'k', type: 'apiKey', in: 'query', name: 'k' }],
    ['headers', { key: 'k', type: 'apiKey', in: 'header', name: 'X-K' }],
    ['basic', { key: 'b', type: 'http', scheme: 'basic' }],
    ['oauth2', { key: 'o', type: 'oauth2' }],
    ['bearer', { key: 'o', type: 'openIdConnect' }],
    ['passthrough', { key: 'm', type: 'mutualTLS' }],
  ] as [string, SecuritySchemeSummary][]) {
    t.notOk(kinds(input({ securitySchemes: [scheme], authType })).includes('unconfigured_scheme'), `${authType} provides ${scheme.type}`);
  }
});

t.test('per_operation_servers: origins named, and none when the admin set the base URL', async (t) => {
  const tools = [
    tool('listItems', 'GET'),
    tool('upload', 'GET', 'https://uploads.example.com/v2'),
    tool('download', 'GET', 'https://uploads.example.com/v2'),
    tool('same', 'GET', 'https://api.example.com/v1'),
  ];
  const [finding] = securityReport(input({ tools })).findings;
  t.match(finding, {
    kind: 'per_operation_servers',
    severity: 'medium',
    tools: ['upload', 'download'],
    toolCount: 2,
    pointer: '/paths/~1upload/get',
  });
  t.match(finding.message, /https:\/\/uploads\.example\.com\/v2 \(2 operations\)/);
  t.same(kinds(input({ tools, baseUrlOverridden: true })), [], 'the base URL wins: no operation leaves it');
  t.match(
    securityReport(input({ tools: [tool('v2', 'GET', 'https://api.example.com/v2')] })).findings,
    [{ kind: 'per_operation_servers', severity: 'info' }],
    'same origin, other path: info',
  );
});

t.test('most serious first', async (t) => {
  const report = securityReport(
    input({
      baseUrl: 'http://10.0.0.5',
      tools: [tool('deleteAll', 'DELETE')],
      authType: 'none',
      securitySchemes: [{ key: 'k', type: 'apiKey', in: 'query', name: 'k' }],
    }),
  );
  t.same(
    report.findings.map((f) => f.severity),
    ['high', 'medium', 'medium', 'medium', 'info'],
  );
  t.same(
    report.findings.map((f) => f.kind),
    ['plain_http', 'writes', 'credential_in_query', 'unconfigured_scheme', 'private_network'],
  );
});
