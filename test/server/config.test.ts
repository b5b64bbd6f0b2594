import t from 'tap';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, defaultPublicUrl, loadConfig } from '../../server/config.js';

t.test('defaults', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 8080);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.dataDir, path.resolve('./data'));
  t.equal(c.publicUrl, undefined, 'derived from the listening address');
  t.equal(defaultPublicUrl(c.host, c.port), 'http://127.0.0.1:8080');
  t.equal(c.maxResponseBytes, 8 * 1024 * 1024);
  t.equal(c.logLevel, 'info');
  t.equal(c.masterKey, undefined);
  t.equal(c.trustProxy, false, 'X-Forwarded-For is not believed unless asked');
});

t.test('LATCHKEY_TRUST_PROXY', async (t) => {
  t.equal(loadConfig({ LATCHKEY_TRUST_PROXY: 'true' }).trustProxy, true);
  t.equal(loadConfig({ LATCHKEY_TRUST_PROXY: 'false' }).trustProxy, false);
  t.same(loadConfig({ LATCHKEY_TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,loopback,::1,fd00::/8' }).trustProxy, [
    '127.0.0.1',
    '10.0.0.0/8',
    'loopback',
    '::1',
    'fd00::/8',
  ]);
  for (const bad of ['2', 'proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1', 'yes']) {
    t.throws(() => loadConfig({ LATCHKEY_TRUST_PROXY: bad }), /LATCHKEY_TRUST_PROXY must be true, false, or the proxies' addresses/, bad);
  }
});

t.test('valid settings', async (t) => {
  const key = randomBytes(32);
  const c = loadConfig({
    PORT: '9000',
    HOST: '0.0.0.0',
    PUBLIC_URL: 'https://mcp.example.com/',
    LATCHKEY_MASTER_KEY: key.toString('base64'),
    LOG_LEVEL: 'warn',
    LATCHKEY_MAX_RESPONSE_BYTES: '2048',
  });
  t.equal(c.port, 9000);
  t.equal(c.publicUrl, 'https://mcp.example.com');
  t.same(c.masterKey, key);
  t.equal(c.logLevel, 'warn');
  t.equal(c.maxResponseBytes, 2048);
  t.equal(defaultPublicUrl('0.0.0.0', 9000), 'http://127.0.0.1:9000');
});

t.test('bad settings explain themselves in one line', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: '70000' }, /PORT must be a whole number from 0 to 65535/],
    [{ PORT: 'abc' }, /PORT must be a whole number/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ LATCHKEY_MASTER_KEY: randomBytes(16).toString('base64') }, /must decode to 32 bytes, got 16/],
    [{ LATCHKEY_MASTER_KEY: 'not base64 !!' }, /must be base64 of 32 random bytes/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL must start with http/],
    [{ LATCHKEY_ADMIN_TOKEN: 'short' }, /at least 16 characters/],
  ];
  for (const [env, message] of cases) {
    const err = t.throws(() => loadConfig(env)) as Error;
    t.type(err, ConfigError, JSON.stringify(env));
    t.match(err.message, message);
    t.notMatch(err.message, /\n/, 'one line');
  }
});

t.test('LATCHKEY_ALLOW_PRIVATE_NETWORKS', async (t) => {
  t.equal(loadConfig({}).allowPrivateNetworks, false, 'off by default');
  t.equal(loadConfig({ LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'true' }).allowPrivateNetworks, true);
  t.equal(loadConfig({ LATCHKEY_ALLOW_PRIVATE_NETWORKS: ' TRUE ' }).allowPrivateNetworks, true);
  t.equal(loadConfig({ LATCHKEY_ALLOW_PRIVATE_NETWORKS: 'false' }).allowPrivateNetworks, false);
  t.equal(loadConfig({ LATCHKEY_ALLOW_PRIVATE_NETWORKS: '' }).allowPrivateNetworks, false);
  for (const bad of ['1', 'yes', 'on', 'maybe']) {
    const err = t.throws(() => loadConfig({ LATCHKEY_ALLOW_PRIVATE_NETWORKS: bad })) as Error;
    t.type(err, ConfigError);
    t.equal(err.message, `LATCHKEY_ALLOW_PRIVATE_NETWORKS must be true or false, got "${bad}".`);
  }
});

t.test('LATCHKEY_MAX_CALLS_IN_FLIGHT', async (t) => {
  t.equal(loadConfig({}).maxCallsInFlight, 16, 'default');
  t.equal(loadConfig({ LATCHKEY_MAX_CALLS_IN_FLIGHT: '64' }).maxCallsInFlight, 64);
  for (const bad of ['0', '-1', '1.5', 'many']) {
    t.throws(
      () => loadConfig({ LATCHKEY_MAX_CALLS_IN_FLIGHT: bad }),
      { message: /LATCHKEY_MAX_CALLS_IN_FLIGHT must be a whole number from 1 to 10000/ },
      bad,
    );
  }
});

t.test('LATCHKEY_SHUTDOWN_GRACE_MS covers the upstream timeout unless set', async (t) => {
  t.equal(loadConfig({}).shutdownGraceMs, 32_000, 'the default upstream timeout and 2 s');
  t.equal(loadConfig({ LATCHKEY_UPSTREAM_TIMEOUT_MS: '60000' }).shutdownGraceMs, 62_000, 'follows a longer upstream timeout');
  t.equal(loadConfig({ LATCHKEY_SHUTDOWN_GRACE_MS: '5000' }).shutdownGraceMs, 5000);
  t.throws(() => loadConfig({ LATCHKEY_SHUTDOWN_GRACE_MS: 'soon' }), /LATCHKEY_SHUTDOWN_GRACE_MS must be a whole number/);
});

t.test('OpenTelemetry traces by the standard OTEL_* variables', async (t) => {
  t.equal(loadConfig({}).tracing, undefined, 'off unless an endpoint is set');
  t.match(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing, {
    url: 'http://collector:4318/v1/traces',
    serviceName: 'latchkey',
    sampler: 'parentbased_always_on',
    samplerArg: 1,
    scheduleDelayMs: 5000,
  });
  const full = loadConfig({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otel.example.com/custom/traces',
    OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ops, authorization=Bearer%20abc',
    OTEL_SERVICE_NAME: 'gw-eu',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
  }).tracing;
  t.match(full, {
    url: 'https://otel.example.com/custom/traces',
    headers: { 'x-team': 'ops', authorization: 'Bearer abc' },
    serviceName: 'gw-eu',
    sampler: 'parentbased_traceidratio',
    samplerArg: 0.25,
  });
  t.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).tracing, undefined);
  t.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).tracing, undefined);
  t.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  t.throws(
    () => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'sometimes' }),
    /OTEL_TRACES_SAMPLER must be one of/,
  );
  t.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '2' }), /from 0 to 1/);
  t.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }), /name=value pairs/);
});
