// The import thread answers what importSpec(parseSpecText(…)) answers on this one: the same spec,
// and the same errors (class, code, status, message, details) for the API's error handler.
import t from 'tap';
import { importSpec, importSpecText, parseSpecText } from '../../../server/modules/specs/index.js';
import { SpecInvalid, SpecNoOperations, SpecUnreadable } from '../../../server/errors.js';

const ok = { '200': { description: 'OK' } };
const spec = {
  openapi: '3.0.3',
  info: { title: 'T', version: '1' },
  servers: [{ url: 'https://api.example.com' }],
  paths: {
    '/items/{id}': {
      get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok },
    },
  },
};

async function inThisThread(text: string) {
  return importSpec(parseSpecText(text));
}

async function settle(promise: Promise<unknown>) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error as Error & { code?: string; statusCode?: number; details?: unknown } };
  }
}

t.test('a spec imported on the thread is the spec imported here', async (t) => {
  const text = JSON.stringify(spec);
  t.same(await importSpecText(text), await inThisThread(text));
  const relative = JSON.stringify({ ...spec, servers: [{ url: '/v1' }] });
  t.equal(
    (await importSpecText(relative, { sourceUrl: 'https://specs.example.com/api/openapi.json' })).baseUrl,
    'https://specs.example.com/v1',
    'options reach the thread',
  );
});

t.test('errors arrive as the same class with the same code, status, message and details', async (t) => {
  const cases: [string, string, new (...args: never[]) => Error][] = [
    ['unreadable', '{"openapi": ', SpecUnreadable],
    [
      'invalid',
      JSON.stringify({
        ...spec,
        paths: { '/x': { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'strin' } }], responses: ok } } },
      }),
      SpecInvalid,
    ],
    ['no operations', JSON.stringify({ ...spec, paths: {} }), SpecNoOperations],
    ['not OpenAPI', '{"hello": "world"}', SpecInvalid],
  ];
  for (const [name, text, Class] of cases) {
    const here = await settle(inThisThread(text));
    const there = await settle(importSpecText(text));
    t.ok(here.error && there.error, `${name}: both refuse`);
    t.ok(there.error instanceof Class, `${name}: ${Class.name}`);
    t.same(
      { code: there.error?.code, statusCode: there.error?.statusCode, message: there.error?.message, details: there.error?.details },
      { code: here.error?.code, statusCode: here.error?.statusCode, message: here.error?.message, details: here.error?.details },
      `${name}: same code, status, message and details`,
    );
  }
});

t.test('imports run side by side, each answered with its own result', async (t) => {
  const texts = ['A', 'B', 'C'].map((title) => JSON.stringify({ ...spec, info: { title, version: '1' } }));
  const titles = (await Promise.all(texts.map((text) => importSpecText(text)))).map((s) => s.title);
  t.same(titles, ['A', 'B', 'C']);
});
