// OTEL_EXPORTER_OTLP_HEADERS that the exporter could not send are refused at start-up: the
// exporter would otherwise drop every span without a word. (The other OTEL_* settings are tested
// in config.test.ts.)
import t from 'tap';
import { ConfigError, loadConfig } from '../../server/config.js';

const withHeaders = (headers: string) => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: headers });

t.test('collector headers: names must be header names, values must not break a line', async (t) => {
  t.same(withHeaders('authorization=Bearer%20abc, x-team=ops').tracing?.headers, { authorization: 'Bearer abc', 'x-team': 'ops' });
  t.throws(
    () => withHeaders('bad name=x'),
    new ConfigError('OTEL_EXPORTER_OTLP_HEADERS names a header that is not a valid HTTP header name: "bad name".'),
  );
  t.throws(() => withHeaders('x-ok=a%0Ab'), /a line break or NUL/);
  t.throws(() => withHeaders('x-ok=%zz'), /not URL-encoded correctly/);
});
