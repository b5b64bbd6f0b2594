import t from 'tap';
import { MAX_DESCRIPTION_CHARS, specDescription, specIcon } from '../../../server/modules/specs/spec-identity.js';
import { instructionsFor, MAX_INSTRUCTIONS_DESCRIPTION } from '../../../server/modules/mcp/mcp-server.js';
import type { SpecWarning } from '../../../server/modules/specs/types.js';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

t.test('the description: trimmed, absent when empty, bounded', async (t) => {
  t.equal(specDescription({ description: '  An API.\n' }), 'An API.');
  t.equal(specDescription({ description: '   ' }), undefined);
  t.equal(specDescription({ description: 42 }), undefined);
  t.equal(specDescription({}), undefined);
  t.equal(specDescription({ description: 'x'.repeat(MAX_DESCRIPTION_CHARS + 10) })?.length, MAX_DESCRIPTION_CHARS);
});

t.test('x-logo: https and small data: images are icons; anything else is a warning', async (t) => {
  const icon = (logo: unknown, sourceUrl?: string) => {
    const warnings: SpecWarning[] = [];
    return { url: specIcon({ 'x-logo': logo }, sourceUrl, warnings), warnings };
  };
  t.same(specIcon({}, undefined, []), undefined, 'no x-logo, no icon');
  t.same(icon({ url: 'https://cdn.example.com/logo.png' }), { url: 'https://cdn.example.com/logo.png', warnings: [] });
  t.same(
    icon({ url: 'img/logo.svg' }, 'https://api.example.com/v1/openapi.json').url,
    'https://api.example.com/v1/img/logo.svg',
    'relative to the spec',
  );
  t.same(icon({ url: PNG }).url, PNG, 'a base64 PNG');
  for (const [logo, why] of [
    [{ url: 'http://cdn.example.com/logo.png' }, /not https \(http\)/],
    [{ url: 'javascript:alert(1)' }, /not https \(javascript\)/],
    [{ url: 'https://user:pw@cdn.example.com/l.png' }, /credentials/],
    [{ url: 'img/logo.svg' }, /not a URL/],
    [{ url: 'data:text/html;base64,PGI+aGk8L2I+' }, /not a base64 PNG, JPEG, WebP or SVG/],
    [{ url: `data:image/png;base64,${'A'.repeat(40_000)}` }, /at most 32 KB/],
    [{ url: `https://cdn.example.com/${'a'.repeat(2_100)}.png` }, /longer than 2048/],
    [{ backgroundColor: '#fff' }, /has no url/],
    ['https://cdn.example.com/logo.png', /has no url/],
  ] as const) {
    const { url, warnings } = icon(logo);
    t.equal(url, undefined, JSON.stringify(logo).slice(0, 60));
    t.match(warnings, [{ message: why, pointer: '/info/x-logo' }]);
  }
});

t.test('instructions quote the description, cut at a sentence when it is long', async (t) => {
  t.equal(
    instructionsFor({ name: 'Pets' }),
    'Tools for "Pets", served by Latchkey. Credentials are added by the gateway: never ask the user for API keys.',
  );
  t.match(
    instructionsFor({ name: 'Pets', description: 'Manage pets.' }),
    /never ask the user for API keys\.\n\nAbout the API, from its OpenAPI description:\nManage pets\.$/,
  );
  const long = `${'A sentence about pets. '.repeat(100)}`;
  const text = instructionsFor({ name: 'Pets', description: long });
  const quoted = text.slice(text.indexOf('description:\n') + 'description:\n'.length);
  t.ok(quoted.length <= MAX_INSTRUCTIONS_DESCRIPTION + 4, `bounded (${quoted.length})`);
  t.match(quoted, /pets\. \[…\]$/, 'cut after a sentence, and said to be cut');
  const oneWord = instructionsFor({ name: 'Pets', description: 'x'.repeat(5_000) });
  t.ok(oneWord.endsWith(' […]'), 'a text without spaces is cut too');
});
