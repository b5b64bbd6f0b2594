// `user:password@` in a spec's servers is removed wherever it comes from, with a warning that says
// where credentials belong; nothing quotes it back.
import t from 'tap';
import {
  documentBaseUrl,
  firstServer,
  resolveServerUrl,
  USERINFO_WARNING,
  withoutUserinfo,
} from '../../../server/modules/specs/servers.js';
import type { SpecWarning } from '../../../server/modules/specs/types.js';

t.test('withoutUserinfo', async (t) => {
  t.equal(withoutUserinfo('https://user:pw@api.example.com/v1'), 'https://api.example.com/v1');
  t.equal(withoutUserinfo('https://user@api.example.com'), 'https://api.example.com/');
  t.equal(withoutUserinfo('https://a@b:c@api.example.com/x'), 'https://api.example.com/x', 'the last @ ends the userinfo');
  t.equal(withoutUserinfo('https://u:p@{region}.example.com/v1'), 'https://{region}.example.com/v1', 'text no parser accepts');
  t.equal(withoutUserinfo('//u:p@api.example.com/v1'), '//api.example.com/v1', 'scheme-relative');
  t.equal(withoutUserinfo('https://api.example.com/v1'), 'https://api.example.com/v1', 'unchanged without userinfo');
  t.equal(withoutUserinfo('/v1/users@home'), '/v1/users@home', 'an @ in a path is not userinfo');
  t.equal(withoutUserinfo('https://api.example.com/a@b'), 'https://api.example.com/a@b');
});

t.test('resolveServerUrl strips userinfo and says why, without quoting it', async (t) => {
  const absolute = resolveServerUrl('https://svc:s3cretpw@api.example.com/v1/', undefined, undefined);
  t.same(absolute, { url: 'https://api.example.com/v1', warning: USERINFO_WARNING });
  t.match(USERINFO_WARNING, /Credentials in server URLs are ignored: save them as Basic auth/);

  const variable = resolveServerUrl('https://{auth}api.example.com', { auth: { default: 'svc:s3cretpw@' } }, undefined);
  t.equal(variable.url, 'https://api.example.com', "userinfo brought in by a variable's default");
  t.equal(variable.warning, USERINFO_WARNING);

  const relative = resolveServerUrl('//svc:s3cretpw@other.example.com/v2', undefined, 'https://docs.example.com/openapi.json');
  t.equal(relative.url, 'https://other.example.com/v2');

  const fromSource = resolveServerUrl('/v1', undefined, 'https://svc:s3cretpw@docs.example.com/openapi.json');
  t.same(fromSource, { url: 'https://docs.example.com/v1' }, "a spec URL's userinfo is not inherited");

  const notHttp = resolveServerUrl('ftp://svc:s3cretpw@files.example.com', undefined, undefined);
  t.equal(notHttp.url, undefined);
  t.notMatch(notHttp.warning!, 's3cretpw', 'the other warning does not quote it');
  t.match(notHttp.warning!, 'is not http or https');

  t.same(
    resolveServerUrl('https://api.example.com/v1', undefined, undefined),
    { url: 'https://api.example.com/v1' },
    'no warning without userinfo',
  );
  t.same(firstServer([{ url: 'https://u:p@api.example.com' }], undefined), { url: 'https://api.example.com', warning: USERINFO_WARNING });
});

t.test('Swagger 2 host with userinfo', async (t) => {
  const warnings: SpecWarning[] = [];
  const doc = { swagger: '2.0', host: 'svc:s3cretpw@api.example.com', basePath: '/v2', schemes: ['https'] };
  t.equal(documentBaseUrl(doc, {}, undefined, warnings), 'https://api.example.com/v2');
  t.same(warnings, [{ message: USERINFO_WARNING, pointer: '/host' }]);
});
