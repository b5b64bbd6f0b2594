// The address side of the egress policy: every way of writing an address is classified as the
// address it connects to, and the lookup refuses what the policy forbids.
import t from 'tap';
import {
  checkAddress,
  classifyAddress,
  classifyHost,
  createEgressLookup,
  EgressRefused,
  hostToAddress,
  isOwnNetworkKind,
  type ResolvedAddress,
  type Resolver,
} from '../../../server/modules/shared/egress.js';

t.test('WHATWG URL parsing normalises every IPv4 form to dotted decimal (and the policy relies on it)', async (t) => {
  for (const host of [
    '2130706433',
    '0x7f.1',
    '0177.0.0.1',
    '127.1',
    '0x7f000001',
    '017700000001',
    '0x7f.0x0.0x0.0x1',
    '127.0.0.1.',
    '%31%32%37.0.0.1',
  ]) {
    t.equal(new URL(`http://${host}/`).hostname, '127.0.0.1', host);
  }
  t.equal(new URL('http://[::ffff:127.0.0.1]/').hostname, '[::ffff:7f00:1]', 'IPv4-mapped IPv6 becomes hex groups');
  t.equal(new URL('http://0/').hostname, '0.0.0.0');
});

t.test('every form of a loopback address', async (t) => {
  const forms = [
    '127.0.0.1',
    '127.255.255.254',
    '2130706433',
    '0x7f.1',
    '0177.0.0.1',
    '127.1',
    '0x7f000001',
    '[::1]',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '::ffff:7f00:1',
    '[::ffff:7f00:1]',
    '::ffff:0:7f00:1',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::127.0.0.1',
    '2002:7f00:1::',
  ];
  for (const form of forms) t.equal(classifyAddress(form)?.kind, 'loopback', form);
  t.match(classifyAddress('[::ffff:127.0.0.1]'), { kind: 'loopback', address: '::ffff:127.0.0.1', embeddedIpv4: '127.0.0.1' });
  t.match(classifyAddress('0x7f.1'), { kind: 'loopback', address: '127.0.0.1' });
});

t.test('unspecified, private, link-local and reserved ranges', async (t) => {
  const cases: [string, string][] = [
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    ['[::]', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['169.254.169.254', 'link-local'],
    ['0xa9fea9fe', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['012.1', 'private'], // octal 10.0.0.1
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['100.64.0.0', 'private'],
    ['100.127.255.255', 'private'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['fdff:ffff::1', 'private'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:c0a8:101', 'private'],
    ['64:ff9b:1::1', 'private'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['fbff::1', 'reserved'], // outside 2000::/3: not assigned
    ['fec0::1', 'private'], // deprecated site-local
  ];
  for (const [form, kind] of cases) t.equal(classifyAddress(form)?.kind, kind, form);
});

t.test('public addresses, including the neighbours of every private range', async (t) => {
  const publics = [
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '1.0.0.0',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2a00:1450::1',
  ];
  for (const form of publics) t.equal(classifyAddress(form)?.kind, 'public', form);
});

t.test('names are not addresses, and nothing smuggles a different host in', async (t) => {
  for (const host of [
    'example.com',
    'localhost',
    'localhost.',
    '1.2.3.4.5',
    '256.1.1.1',
    'a@127.0.0.1',
    '127.0.0.1:80',
    '127.0.0.1/x',
    'evil.com\\@127.0.0.1',
    '',
    '[example.com]',
  ]) {
    t.equal(hostToAddress(host), undefined, JSON.stringify(host));
  }
});

t.test('classifyHost: what a written host says it is, the one table the security report reads too', async (t) => {
  for (const host of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.localhost.'])
    t.equal(classifyHost(host), 'loopback', host);
  for (const host of ['notlocalhost', 'localhost.example.com', 'example.com', 'localhostx'])
    t.equal(classifyHost(host), undefined, `${host} is a name DNS decides`);
  t.equal(classifyHost('0x7f.1'), 'loopback', 'address literals as classifyAddress has them');
  t.equal(classifyHost('[fd00::1]'), 'private');
  t.equal(classifyHost('8.8.8.8'), 'public');
  const own = ['loopback', 'private', 'link-local', 'unspecified'] as const;
  for (const kind of own) t.ok(isOwnNetworkKind(kind), kind);
  for (const kind of ['public', 'reserved', undefined] as const) t.notOk(isOwnNetworkKind(kind), String(kind));
});

t.test('checkAddress: refused unless allowed, with a message naming host and reason', async (t) => {
  const off = { allowPrivateNetworks: false };
  const on = { allowPrivateNetworks: true };
  const refused = checkAddress('127.0.0.1', '127.0.0.1', off);
  t.type(refused, EgressRefused);
  t.match(refused, {
    code: 'LK_EGRESS_REFUSED',
    host: '127.0.0.1',
    address: '127.0.0.1',
    kind: 'loopback',
    message: '127.0.0.1 is a loopback address (this machine)',
  });
  t.equal(
    checkAddress('meta.example', '169.254.169.254', off)?.message,
    'meta.example resolves to 169.254.169.254, a link-local address (the cloud metadata service)',
  );
  t.equal(checkAddress('internal.example', '10.0.0.5', off)?.message, 'internal.example resolves to 10.0.0.5, a private-network address');
  t.equal(checkAddress('[::]', '::', off)?.message, ':: is the unspecified address (it reaches this machine)');
  for (const address of ['127.0.0.1', '10.0.0.5', '169.254.169.254', '::', 'fc00::1', '224.0.0.1'])
    t.equal(checkAddress('h', address, on), undefined, `${address} allowed with the setting`);
  t.equal(checkAddress('example.com', '93.184.215.14', off), undefined);
  t.type(checkAddress('weird', 'not-an-address', on), EgressRefused, 'an answer that is no address is never connected to');
});

function scripted(answers: ResolvedAddress[][]): Resolver & { calls: number } {
  const resolve = async () => answers[Math.min(resolve.calls++, answers.length - 1)];
  resolve.calls = 0;
  return resolve;
}

function lookupOnce(
  lookup: ReturnType<typeof createEgressLookup>,
  host: string,
  options: object,
): Promise<{ err: NodeJS.ErrnoException | null; address?: unknown; family?: number }> {
  return new Promise((resolve) => lookup(host, options, (err, address, family) => resolve({ err, address, family })));
}

t.test('the lookup answers like dns.lookup (all and single) and refuses any forbidden answer', async (t) => {
  const v4 = { address: '93.184.215.14', family: 4 };
  const v6 = { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 };
  const lookup = createEgressLookup({ allowPrivateNetworks: false, resolve: scripted([[v4, v6]]) });
  t.same(await lookupOnce(lookup, 'example.com', { all: true }), { err: null, address: [v4, v6], family: undefined });
  t.same(await lookupOnce(lookup, 'example.com', {}), { err: null, address: v4.address, family: 4 });
  t.same(await lookupOnce(lookup, 'example.com', { family: 6 }), { err: null, address: v6.address, family: 6 });
  t.same(await lookupOnce(lookup, 'example.com', { family: 'IPv6', all: true }), { err: null, address: [v6], family: undefined });

  const mixed = createEgressLookup({ allowPrivateNetworks: false, resolve: scripted([[v4, { address: '127.0.0.1', family: 4 }]]) });
  for (const options of [{ all: true }, {}]) {
    const { err } = await lookupOnce(mixed, 'mixed.example', options);
    t.type(err, EgressRefused, 'one forbidden address among many is enough');
    t.match(err, { code: 'LK_EGRESS_REFUSED', host: 'mixed.example', address: '127.0.0.1', kind: 'loopback' });
  }

  const none = await lookupOnce(createEgressLookup({ allowPrivateNetworks: false, resolve: scripted([[]]) }), 'nothing.example', {});
  t.match(none.err, { code: 'ENOTFOUND' });
  const failing = await lookupOnce(
    createEgressLookup({
      allowPrivateNetworks: false,
      resolve: async () => Promise.reject(Object.assign(new Error('down'), { code: 'EAI_AGAIN' })),
    }),
    'x.example',
    {},
  );
  t.match(failing.err, { code: 'EAI_AGAIN' });
});

t.test('every lookup is checked: rebinding gets no second chance', async (t) => {
  const dns = scripted([[{ address: '93.184.215.14', family: 4 }], [{ address: '127.0.0.1', family: 4 }]]);
  const lookup = createEgressLookup({ allowPrivateNetworks: false, resolve: dns });
  t.equal((await lookupOnce(lookup, 'rebind.example', {})).address, '93.184.215.14');
  t.type((await lookupOnce(lookup, 'rebind.example', {})).err, EgressRefused);
  t.equal(dns.calls, 2);
});

t.test('trusted literal hosts: localhost is taken as given, other names are still checked', async (t) => {
  const loopback = scripted([[{ address: '127.0.0.1', family: 4 }]]);
  const lookup = createEgressLookup({ allowPrivateNetworks: false, trustLiteralHosts: true, resolve: loopback });
  t.equal((await lookupOnce(lookup, 'localhost', {})).address, '127.0.0.1');
  t.type((await lookupOnce(lookup, 'internal.example', {})).err, EgressRefused);
  t.type((await lookupOnce(lookup, 'api.localhost', {})).err, EgressRefused, 'a name under localhost still has its answers checked');
  const strict = createEgressLookup({ allowPrivateNetworks: false, resolve: loopback });
  t.type((await lookupOnce(strict, 'localhost', {})).err, EgressRefused, 'not trusted unless the policy says so');
});

t.test('the system resolver is the default', async (t) => {
  const lookup = createEgressLookup({ allowPrivateNetworks: false });
  const { err } = await lookupOnce(lookup, 'localhost', {});
  t.type(err, EgressRefused, 'localhost resolves to loopback and is refused');
  const allowed = await lookupOnce(createEgressLookup({ allowPrivateNetworks: true }), 'localhost', { family: 4 });
  t.equal(allowed.address, '127.0.0.1');
});
