// Shaping upstream answers into MCP tool results.
import t from 'tap';
import { secretValues, toToolResult, toolResultJson, type UpstreamResponse } from '../../../server/modules/upstream/index.js';

const opts = { maxResponseBytes: 1024 * 1024 };

function response(
  status: number,
  contentType: string | undefined,
  body: Buffer | string,
  extra: Partial<UpstreamResponse> = {},
): UpstreamResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    status,
    statusText:
      ({ 200: 'OK', 204: 'No Content', 404: 'Not Found', 401: 'Unauthorized', 302: 'Found' } as Record<number, string>)[status] ?? '',
    headers: contentType ? { 'content-type': contentType } : {},
    body: bytes,
    truncated: false,
    totalBytes: bytes.length,
    durationMs: 1,
    ...extra,
  };
}

t.test('JSON object: pretty text and structuredContent', async (t) => {
  const result = toToolResult(response(200, 'application/json; charset=utf-8', '{"id":"w-1","tags":["a"],"n":1}'), opts);
  t.notOk(result.isError);
  t.same(result.content, [{ type: 'text', text: '{\n  "id": "w-1",\n  "tags": [\n    "a"\n  ],\n  "n": 1\n}' }]);
  t.same(result.structuredContent, { id: 'w-1', tags: ['a'], n: 1 });
});

t.test('a result as JSON text carries the upstream body itself as structuredContent', async (t) => {
  const body = ' {"id":"w-1", "big": 12345678901234567890, "nested": {"a": [1, "\\u00e9"]}}\n';
  const result = toToolResult(response(200, 'application/json', body), opts);
  const json = toolResultJson(result);
  t.same(JSON.parse(json), JSON.parse(JSON.stringify(result)), 'the same value as serialising the result');
  t.match(json, /"structuredContent": \{"id":"w-1", "big": 12345678901234567890,/, 'spliced as sent: large numbers keep every digit');
  // Everything else is serialised as it is.
  for (const other of [
    toToolResult(response(200, 'application/json', '[1,2]'), opts),
    toToolResult(response(200, 'text/plain', 'plain'), opts),
    toToolResult(response(404, 'application/json', '{"error":"nope"}'), opts),
    toToolResult(response(200, 'application/json', '{"cut":'), opts),
  ]) {
    t.equal(toolResultJson(other), JSON.stringify(other));
  }
  const structured = toToolResult(response(200, 'application/json', '{"a":1}'), opts);
  t.equal(toolResultJson({ ...structured }), JSON.stringify(structured), 'a copy of a result is serialised, never spliced');
});

t.test('JSON array and primitives: text only', async (t) => {
  const array = toToolResult(response(200, 'application/vnd.api+json', '[1,2]'), opts);
  t.same(array.content, [{ type: 'text', text: '[\n  1,\n  2\n]' }]);
  t.equal(array.structuredContent, undefined);
  const broken = toToolResult(response(200, 'application/json', '{not json'), opts);
  t.same(broken.content, [{ type: 'text', text: '{not json' }], 'unparsable JSON is shown as is');
  const sniffed = toToolResult(response(200, undefined, '{"a":1}'), opts);
  t.same(sniffed.structuredContent, { a: 1 }, 'JSON without a content type is recognised');
});

t.test('text, charsets, XML', async (t) => {
  t.same(toToolResult(response(200, 'text/plain', 'hello'), opts).content, [{ type: 'text', text: 'hello' }]);
  const latin1 = toToolResult(response(200, 'text/plain; charset=ISO-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9])), opts);
  t.same(latin1.content, [{ type: 'text', text: 'café' }], 'latin1 decoded');
  const quoted = toToolResult(response(200, 'text/html; charset="windows-1252"', Buffer.from([0x80])), opts);
  t.same(quoted.content, [{ type: 'text', text: '€' }]);
  const unknown = toToolResult(response(200, 'text/plain; charset=no-such-charset', 'ok'), opts);
  t.same(unknown.content, [{ type: 'text', text: 'ok' }], 'an unknown charset falls back to UTF-8');
  t.same(toToolResult(response(200, 'application/atom+xml', '<feed/>'), opts).content, [{ type: 'text', text: '<feed/>' }]);
  t.same(toToolResult(response(200, 'image/svg+xml', '<svg/>'), opts).content, [{ type: 'text', text: '<svg/>' }], 'SVG is text');
});

t.test('images and other binary', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
  t.same(toToolResult(response(200, 'image/png', png), opts).content, [
    { type: 'image', data: png.toString('base64'), mimeType: 'image/png' },
  ]);
  const pdf = toToolResult(response(200, 'application/pdf', png), opts);
  t.same(pdf.content, [
    { type: 'resource', resource: { uri: 'latchkey://response', mimeType: 'application/pdf', blob: png.toString('base64') } },
  ]);
  const unlabelled = toToolResult(response(200, undefined, png), opts);
  t.equal(unlabelled.content[0].type, 'resource', 'bytes without a content type are binary');
});

t.test('empty bodies', async (t) => {
  t.same(toToolResult(response(204, undefined, ''), opts), { content: [{ type: 'text', text: '204 No Content (empty response body).' }] });
  t.same(toToolResult(response(200, 'application/json', ''), opts).content, [{ type: 'text', text: '200 OK (empty response body).' }]);
});

t.test('non-2xx answers are isError results with the body', async (t) => {
  const denied = toToolResult(response(401, 'application/json', '{"error":"INVALID_API_KEY"}'), opts);
  t.same(denied, {
    isError: true,
    content: [{ type: 'text', text: 'Upstream answered 401 Unauthorized: {\n  "error": "INVALID_API_KEY"\n}' }],
  });
  const missing = toToolResult(response(404, 'application/problem+json', '{"title":"Not Found"}'), opts);
  t.ok(missing.isError);
  t.equal(missing.structuredContent, undefined);
  t.match(missing.content[0], { type: 'text', text: /^Upstream answered 404 Not Found: \{\n {2}"title": "Not Found"\n\}$/ });
  const long = toToolResult(response(500, 'text/plain', 'x'.repeat(50_000)), opts);
  t.ok((long.content[0] as { text: string }).text.length < 9000, 'long error bodies are cut');
  t.same(toToolResult(response(404, undefined, ''), opts).content, [
    { type: 'text', text: 'Upstream answered 404 Not Found (empty response body).' },
  ]);
  const binary = toToolResult(response(500, 'application/octet-stream', Buffer.alloc(10)), opts);
  t.same(binary.content, [{ type: 'text', text: 'Upstream answered 500: [10 bytes of application/octet-stream]' }]);
  const away = toToolResult(
    { ...response(302, 'text/html', ''), headers: { location: 'https://elsewhere.example/steal?token=abc' } },
    opts,
  );
  t.ok(away.isError);
  t.match((away.content[0] as { text: string }).text, /302 Found \(a redirect to https:\/\/elsewhere\.example, not followed/);
  t.notMatch((away.content[0] as { text: string }).text, 'token=abc', 'only the origin of the location is shown');
});

t.test('truncated answers say so and carry no structuredContent', async (t) => {
  const cap = { maxResponseBytes: 16 };
  const json = toToolResult(response(200, 'application/json', '{"data":"xxxxxx', { truncated: true, totalBytes: 5242880 }), cap);
  t.same(json.content, [{ type: 'text', text: '{"data":"xxxxxx\n\n[Response truncated: showed the first 15 of 5242880 bytes]' }]);
  t.equal(json.structuredContent, undefined);
  const chunked = toToolResult(response(200, 'text/plain', 'abc', { truncated: true, totalBytes: undefined }), cap);
  t.match((chunked.content[0] as { text: string }).text, /\[Response truncated: showed the first 3 bytes of more than 3\]$/);
  const cutChar = toToolResult(response(200, 'text/plain', Buffer.from('ab€').subarray(0, 4), { truncated: true }), cap);
  t.match((cutChar.content[0] as { text: string }).text, /^ab\n/, 'a multi-byte character cut at the cap is dropped');
  const image = toToolResult(response(200, 'image/png', Buffer.alloc(16), { truncated: true, totalBytes: 100 }), cap);
  t.same(image.content, [
    { type: 'text', text: '200 OK: a image/png body, not shown. [Response truncated: showed the first 16 of 100 bytes]' },
  ]);
});

// An upstream that reflects the request (an echo endpoint, an error quoting the key) must not hand
// a stored secret to the caller, in any form, in any part of the result.
const marker = `REFLECTED${Date.now().toString(36)}`;
const credentialSets = {
  bearer: { type: 'bearer', token: `b_${marker}` },
  basic: { type: 'basic', username: 'ada', password: `p_${marker}/+=` },
  apiKey: { type: 'api_key', in: 'query', name: 'api_key', value: `q_${marker} &"\\é` },
  headers: { type: 'headers', headers: { 'X-Tenant': `t_${marker}` } },
} as const;

/** Every way the marker could be read back out of a result. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const creds of Object.values(credentialSets)) {
    for (const form of secretValues(creds)) if (text.includes(form)) found.push(form);
  }
  if (text.includes(marker)) found.push(marker);
  return found;
}

function echoOf(creds: (typeof credentialSets)[keyof typeof credentialSets]): Record<string, unknown> {
  const values = secretValues(creds);
  const raw =
    creds.type === 'bearer'
      ? creds.token
      : creds.type === 'basic'
        ? creds.password
        : creds.type === 'api_key'
          ? creds.value
          : creds.headers['X-Tenant'];
  return {
    url: `/api/echo?api_key=${encodeURIComponent(raw)}`,
    headers: { authorization: values.find((v) => v.startsWith('Bearer ') || v.startsWith('Basic ')) ?? '', 'x-tenant': raw },
    query: { api_key: raw },
    [`key-${raw}`]: 'as a property name',
    basic: creds.type === 'basic' ? `${creds.username}:${creds.password}` : undefined,
  };
}

t.test('a reflected secret is masked in text, structuredContent and the spliced JSON', async (t) => {
  for (const [kind, creds] of Object.entries(credentialSets)) {
    const secrets = secretValues(creds);
    const body = JSON.stringify(echoOf(creds));
    const result = toToolResult(response(200, 'application/json', body), { ...opts, secrets });
    const json = toolResultJson(result);
    t.same(leaks(json), [], `${kind}: nothing in the serialised result`);
    t.same(leaks(JSON.stringify(result)), [], `${kind}: nothing in the result object`);
    const parsed = JSON.parse(json);
    t.match(parsed.structuredContent, { query: { api_key: /\*\*\*\*/ } }, `${kind}: still valid JSON, masked where the secret was`);
    t.same(parsed.structuredContent, result.structuredContent, `${kind}: the text and the object agree`);
  }
});

t.test('a secret escaped any way JSON allows is still masked', async (t) => {
  const secret = 'tok/SECRET_value';
  const secrets = secretValues({ type: 'bearer', token: secret });
  const unicode = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  for (const [what, inBody] of [
    ['every character as \\u', unicode],
    ['slashes as \\/', secret.replace(/\//g, '\\/')],
    ['half escaped', `${secret.slice(0, 4)}${unicode.slice(4 * 6)}`],
  ] as const) {
    const result = toToolResult(response(200, 'application/json', `{"echo":"${inBody}","n":1}`), { ...opts, secrets });
    t.notMatch(toolResultJson(result), 'SECRET_value', `${what}: masked`);
    t.same(result.structuredContent, { echo: '****', n: 1 }, `${what}: masked in the value`);
  }
  const numeric = secretValues({ type: 'api_key', in: 'query', name: 'k', value: '12345678901234567890' });
  const big = toToolResult(response(200, 'application/json', '{"k":12345678901234567890}'), { ...opts, secrets: numeric });
  t.notMatch(toolResultJson(big), '12345678901234567890', 'a numeric secret is not spliced back digit for digit');
});

t.test('text, errors, truncated and binary answers are masked too', async (t) => {
  const secret = `s_${marker}`;
  const secrets = secretValues({ type: 'basic', username: 'ada', password: secret });
  const b64 = Buffer.from(`ada:${secret}`).toString('base64');
  const text = toToolResult(response(200, 'text/plain', `Authorization: Basic ${b64}\nuser ada:${secret}\n${encodeURIComponent(secret)}`), {
    ...opts,
    secrets,
  });
  t.same(text.content, [{ type: 'text', text: 'Authorization: ****\nuser ****\n****' }]);

  const error = toToolResult(
    response(401, 'application/json', JSON.stringify({ error: 'INVALID', message: `the key ${secret} is wrong` })),
    { ...opts, secrets },
  );
  t.ok(error.isError);
  t.notMatch(JSON.stringify(error), marker, 'an error quoting the key');
  t.match(JSON.stringify(error), 'the key **** is wrong');

  // The error budget (8192) cuts the body: the secret across the cut must not leave its first half.
  const long = toToolResult(response(500, 'text/plain', `${'x'.repeat(8190)}${secret}`), { ...opts, secrets });
  t.notMatch(JSON.stringify(long), secret.slice(0, 6), 'masked before the error budget cut');

  // The byte cap cut the body inside the secret.
  const cutAt = `${'y'.repeat(100)}${secret}`.length - 5;
  const truncated = toToolResult(
    response(200, 'text/plain', `${'y'.repeat(100)}${secret}`.slice(0, cutAt), { truncated: true, totalBytes: 5000 }),
    { ...opts, secrets },
  );
  t.notMatch(JSON.stringify(truncated), secret.slice(0, secret.length - 5), 'the half a cut leaves is masked');
  t.match((truncated.content[0] as { text: string }).text, /^y{100}\*\*\*\*\n\n\[Response truncated/);

  for (const type of ['image/png', 'application/octet-stream']) {
    const binary = toToolResult(
      response(200, type, Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`h ${secret} ${b64}`), Buffer.from([255])])),
      { ...opts, secrets },
    );
    const content = binary.content[0] as { data?: string; resource?: { blob: string } };
    const bytes = Buffer.from(content.data ?? content.resource!.blob, 'base64');
    t.notOk(bytes.includes(secret) || bytes.includes(b64), `${type}: not in the bytes`);
    t.ok(bytes.includes('h **** ****'), `${type}: masked in place`);
  }
  t.same(toToolResult(response(200, 'text/plain', 'no secret here'), { ...opts, secrets }).content, [
    { type: 'text', text: 'no secret here' },
  ]);
});

t.test('without secrets in the body, the upstream JSON is still spliced as sent', async (t) => {
  const body = '{"id":"w-1", "big": 12345678901234567890}';
  const result = toToolResult(response(200, 'application/json', body), {
    ...opts,
    secrets: secretValues({ type: 'bearer', token: `b_${marker}` }),
  });
  t.match(toolResultJson(result), '"structuredContent":{"id":"w-1", "big": 12345678901234567890}');
});
