// Where outbound connections may go. Addresses are classified (public, loopback, private…) and
// checked at connect time: the lookup below IS the lookup the socket uses, so a DNS answer that
// changes between a check and the connect (rebinding) cannot slip through — there is no separate
// check. Host literals never reach a lookup (net connects to them directly), so the connector
// checks those itself.
import dns from 'node:dns';
import { isIP, isIPv4 } from 'node:net';
import { buildConnector } from 'undici';

export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved';

export interface AddressClass {
  kind: AddressKind;
  /** The address as an IP literal (IPv6 without brackets), whatever form it was written in. */
  address: string;
  /** The IPv4 address an IPv6 form stands for (IPv4-mapped, NAT64, 6to4), when that decided the kind. */
  embeddedIpv4?: string;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injectable so tests can play DNS. */
export type Resolver = (hostname: string, opts: { family?: number; hints?: number }) => Promise<readonly ResolvedAddress[]>;

export interface EgressPolicy {
  /** LATCHKEY_ALLOW_PRIVATE_NETWORKS: loopback, private, link-local, unspecified and reserved addresses too. */
  allowPrivateNetworks: boolean;
  /**
   * Hosts written as an IP literal or `localhost` are taken as given: an admin who names
   * http://127.0.0.1:3456 means it. Only names that DNS turns into an address are checked.
   */
  trustLiteralHosts?: boolean;
  resolve?: Resolver;
}

/** A connection the policy does not allow. `code` is stable; the message names host and reason. */
export class EgressRefused extends Error {
  override readonly name = 'EgressRefused';
  readonly code = 'LK_EGRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: AddressKind,
  ) {
    super(describeRefusal(host, address, kind));
  }
}

const KIND_WORDS: Record<AddressKind, string> = {
  public: 'a public address',
  loopback: 'a loopback address (this machine)',
  private: 'a private-network address',
  'link-local': 'a link-local address',
  unspecified: 'the unspecified address (it reaches this machine)',
  reserved: 'a reserved address',
};

const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

export function describeKind(kind: AddressKind, address?: string): string {
  if (address && METADATA_ADDRESSES.has(address)) return `${KIND_WORDS[kind]} (the cloud metadata service)`;
  return KIND_WORDS[kind];
}

/** "127.0.0.1 is a loopback address (this machine)" or "api.test resolves to 10.0.0.5, a private-network address". */
export function describeRefusal(host: string, address: string, kind: AddressKind): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === address
    ? `${address} is ${describeKind(kind, address)}`
    : `${host} resolves to ${address}, ${describeKind(kind, address)}`;
}

// ---------------------------------------------------------------------------------------------
// Classification

function ipv4ToNumber(address: string): number {
  const [a, b, c, d] = address.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function numberToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

// IANA's special-purpose registry (RFC 6890 and successors), the ranges that matter here.
const V4_RANGES: [string, number, AddressKind][] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network": connecting to 0.0.0.0 reaches this host
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['169.254.0.0', 16, 'link-local'], // cloud metadata lives here
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'reserved'], // multicast
  ['240.0.0.0', 4, 'reserved'], // incl. 255.255.255.255
];

const V4_MASKS = V4_RANGES.map(([base, bits, kind]) => {
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return { network: (ipv4ToNumber(base) & mask) >>> 0, mask, kind };
});

function classifyV4Number(n: number): AddressKind {
  for (const { network, mask, kind } of V4_MASKS) if ((n & mask) >>> 0 === network) return kind;
  return 'public';
}

/** Eight 16-bit groups; `address` must pass isIPv6 (a zone id is dropped). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipv4ToNumber(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  if (!text.includes('::')) return parse(text);
  const [head, tail] = text.split('::');
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function embedded(groups: number[], hi: number, lo: number): AddressClass {
  const v4 = numberToIpv4(((groups[hi] << 16) | groups[lo]) >>> 0);
  return { kind: classifyV4Number(ipv4ToNumber(v4)), address: '', embeddedIpv4: v4 };
}

function classifyV6(address: string): AddressClass {
  const g = ipv6Groups(address);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const canonical = address.replace(/%.*$/, '').toLowerCase();
  const withAddress = (c: AddressClass): AddressClass => ({ ...c, address: canonical });
  if (zeros(0, 8)) return { kind: 'unspecified', address: canonical };
  if (zeros(0, 7) && g[7] === 1) return { kind: 'loopback', address: canonical };
  // IPv4 written as IPv6: mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d), the deprecated
  // compatible form (::a.b.c.d), and NAT64's well-known prefix (64:ff9b::a.b.c.d), which a NAT64
  // gateway turns into that very IPv4 address.
  if (zeros(0, 5) && g[5] === 0xffff) return withAddress(embedded(g, 6, 7));
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return withAddress(embedded(g, 6, 7));
  if (zeros(0, 6)) return withAddress(embedded(g, 6, 7));
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return withAddress(embedded(g, 6, 7));
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return { kind: 'private', address: canonical }; // local-use NAT64
  if (g[0] === 0x2002) {
    // 6to4 reaches the IPv4 address in bits 16-48; a non-public one is treated as that address.
    const inner = embedded(g, 1, 2);
    return inner.kind === 'public' ? { kind: 'public', address: canonical } : withAddress(inner);
  }
  if ((g[0] & 0xfe00) === 0xfc00) return { kind: 'private', address: canonical }; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return { kind: 'link-local', address: canonical };
  if ((g[0] & 0xffc0) === 0xfec0) return { kind: 'private', address: canonical }; // deprecated site-local
  if ((g[0] & 0xff00) === 0xff00) return { kind: 'reserved', address: canonical }; // multicast
  if (g[0] === 0x100 && zeros(1, 4)) return { kind: 'reserved', address: canonical }; // discard-only
  if (g[0] === 0x2001 && (g[1] < 0x200 || g[1] === 0xdb8)) return { kind: 'reserved', address: canonical }; // Teredo, benchmarking, ORCHID, documentation
  if ((g[0] & 0xe000) === 0x2000) return { kind: 'public', address: canonical }; // 2000::/3, global unicast
  return { kind: 'reserved', address: canonical };
}

/**
 * The IP address a URL host stands for, or undefined for a DNS name. Accepts every form a URL
 * parser accepts — `[::1]`, `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` — by letting WHATWG URL
 * parsing normalise it to the address it connects to (it does that for every IPv4 form).
 */
export function hostToAddress(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare)) return bare;
  // Anything that could make the URL below mean another host (userinfo, path, port) is a name.
  if (bare === '' || /[\s/\\?#@:[\]]/.test(bare)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${bare}/`).hostname;
  } catch {
    return undefined;
  }
  return isIPv4(hostname) ? hostname : undefined;
}

/** How an address (in any host form) is classified; undefined for a DNS name. */
export function classifyAddress(host: string): AddressClass | undefined {
  const address = hostToAddress(host);
  if (address === undefined) return undefined;
  if (isIPv4(address)) return { kind: classifyV4Number(ipv4ToNumber(address)), address };
  return classifyV6(address);
}

/** `localhost` and every name under it (RFC 6761 keeps them for this machine), with or without the root dot. */
export function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * What a URL host says it is, without asking DNS: an address literal's kind in any spelling,
 * `loopback` for a localhost name, undefined for any other name (only the connect can tell).
 */
export function classifyHost(host: string): AddressKind | undefined {
  if (isLocalhostName(host)) return 'loopback';
  return classifyAddress(host)?.kind;
}

/** This machine or a network of its own; documentation, multicast and other reserved ranges are neither. */
export function isOwnNetworkKind(kind: AddressKind | undefined): boolean {
  return kind === 'loopback' || kind === 'private' || kind === 'link-local' || kind === 'unspecified';
}

export function isAllowedKind(kind: AddressKind, policy: Pick<EgressPolicy, 'allowPrivateNetworks'>): boolean {
  return kind === 'public' || policy.allowPrivateNetworks;
}

/**
 * Trusted as written (trustLiteralHosts) only for the exact name every resolver maps to this
 * machine; a name under it still has its answers checked, since a resolver may forward it.
 */
function isTrustedLocalhost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === 'localhost.';
}

/** The refusal for connecting to `host`, which resolved to `address`, or undefined when allowed. */
export function checkAddress(host: string, address: string, policy: EgressPolicy): EgressRefused | undefined {
  const classified = classifyAddress(address);
  // An answer that is not an address at all is not something to connect to.
  if (!classified) return new EgressRefused(host, address, 'reserved');
  return isAllowedKind(classified.kind, policy) ? undefined : new EgressRefused(host, classified.address, classified.kind);
}

// ---------------------------------------------------------------------------------------------
// Connect-time enforcement

const defaultResolver: Resolver = (hostname, { family, hints }) =>
  dns.promises.lookup(hostname, { all: true, family: family ?? 0, hints: hints ?? 0 });

type LookupOptions = { family?: number | string; hints?: number; all?: boolean };
type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string | ResolvedAddress[], family?: number) => void;
export type EgressLookup = (hostname: string, options: LookupOptions | number | LookupCallback, callback?: LookupCallback) => void;

function familyNumber(family: LookupOptions['family']): number | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}

/**
 * A drop-in for dns.lookup (both `all` and single answers) for net/tls `lookup` and undici's
 * connector: resolves, then refuses with EgressRefused when the policy forbids ANY of the
 * addresses — so whichever one the socket tries, it was checked.
 */
export function createEgressLookup(policy: EgressPolicy): EgressLookup {
  const resolve = policy.resolve ?? defaultResolver;
  return (hostname, options, callback) => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts: LookupOptions = typeof options === 'number' ? { family: options } : typeof options === 'object' && options ? options : {};
    const family = familyNumber(opts.family);
    resolve(hostname, { family, hints: opts.hints }).then(
      (answers) => {
        const addresses = family ? answers.filter((a) => a.family === family) : [...answers];
        if (addresses.length === 0) return cb(notFound(hostname));
        if (!(policy.trustLiteralHosts && isTrustedLocalhost(hostname))) {
          for (const { address } of addresses) {
            const refused = checkAddress(hostname, address, policy);
            if (refused) return cb(refused);
          }
        }
        if (opts.all) cb(null, addresses);
        else cb(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => cb(err),
    );
  };
}

/**
 * An undici connector (for `new Agent({ connect })`) that enforces the policy: host literals are
 * checked here, names by the lookup the socket itself uses. `options` are buildConnector's
 * (timeout and the like). Runs once per new connection, never per request on a pooled one.
 */
export function createEgressConnector(policy: EgressPolicy, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: createEgressLookup(policy) } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const literal = isIP(opts.hostname) ? opts.hostname : undefined;
    if (literal && !policy.trustLiteralHosts) {
      const refused = checkAddress(literal, literal, policy);
      if (refused) {
        queueMicrotask(() => callback(refused, null));
        return;
      }
    }
    return connect(opts, callback);
  };
}

/** The EgressRefused somewhere in an error's cause chain (undici may wrap it). */
export function findEgressRefusal(err: unknown): EgressRefused | undefined {
  let current = err;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (current instanceof EgressRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
