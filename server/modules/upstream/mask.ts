// Everything that may reach a log or an error message passes through here first: URLs lose their
// userinfo and secret-looking query values, and text loses every credential string verbatim.
import { basicAuthorization } from './inject-credentials.js';
import type { UpstreamCredentials } from './types.js';

export const MASK = '****';

/** Query parameter names that usually carry a secret. Over-masking a log line costs nothing. */
const SECRET_NAME = /key|token|secret|passw|pwd|signature|^sig$|auth|credential|session|jwt|bearer|cookie/i;

/** `secrets` defaults to secretValues(credentials); callers on the hot path pass it precomputed. */
export function maskUrl(url: string, credentials: UpstreamCredentials, secrets: string[] = secretValues(credentials)): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url, secrets);
  }
  const credentialParam = credentials.type === 'api_key' && credentials.in === 'query' ? credentials.name : undefined;
  // Rebuilt by hand: URLSearchParams would re-encode the values that are not masked.
  const query = parsed.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [rawName] = pair.split('=', 1);
      const name = safeDecode(rawName);
      return name === credentialParam || SECRET_NAME.test(name) ? `${rawName}=${MASK}` : pair;
    });
  const masked = `${parsed.protocol}//${parsed.host}${parsed.pathname}${query.length ? `?${query.join('&')}` : ''}`;
  return redactSecrets(masked, secrets);
}

/**
 * Every string that must never be logged or returned: the raw secrets, the header values they turn
 * into (`Bearer x`, `Basic base64`), and their encoded forms (see secretForms). Longest first, so a
 * longer form is replaced whole rather than around a shorter one.
 */
export function secretValues(credentials: UpstreamCredentials): string[] {
  const values: string[] = [];
  switch (credentials.type) {
    case 'none':
      break;
    case 'bearer':
      values.push(credentials.token, `Bearer ${credentials.token}`);
      break;
    case 'api_key':
      values.push(credentials.value);
      break;
    case 'basic': {
      const header = basicAuthorization(credentials.username, credentials.password);
      values.push(credentials.password, `${credentials.username}:${credentials.password}`, header, header.slice('Basic '.length));
      // Without a password the username is the key (Stripe-style).
      if (!credentials.password) values.push(credentials.username);
      break;
    }
    case 'headers':
      values.push(...Object.values(credentials.headers));
      break;
  }
  return secretForms(values);
}

/**
 * Each value as it may come back from an upstream that reflects it: raw, URL-encoded (as the
 * gateway sends a query credential, and as a form encoder writes it), and JSON-escaped (quotes and
 * backslashes, `\/` as some encoders write slashes, `\uXXXX` for anything outside ASCII).
 * Deduplicated, empty ones dropped, longest first.
 */
export function secretForms(values: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    const uri = encodeURIComponent(value);
    for (const form of [
      value,
      uri,
      new URLSearchParams({ v: value }).toString().slice(2),
      uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    ]) {
      all.add(form);
      const json = JSON.stringify(form).slice(1, -1);
      all.add(json);
      if (json.includes('/')) all.add(json.replace(/\//g, '\\/'));
      if (/[^\x00-\x7f]/.test(json)) {
        const escaped = json.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        all.add(escaped).add(escaped.replace(/\\u([0-9a-f]{4})/g, (_m, hex: string) => `\\u${hex.toUpperCase()}`));
      }
    }
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/** `secrets` plus the forms of `extra` (a call's OAuth token, a passthrough caller's values), longest first. */
export function withSecrets(secrets: readonly string[], extra: Iterable<string>): string[] {
  const added = secretForms(extra);
  if (added.length === 0) return secrets as string[];
  return [...new Set([...secrets, ...added])].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/**
 * A list of secrets made ready for masking what reaches the caller: `forms` longest first for
 * replacing, `probes` the fewest that find any of them (a form that holds a shorter one is found
 * by it), as bytes too for bodies that are sent as base64.
 */
export interface SecretMasker {
  forms: readonly string[];
  probes: readonly string[];
  formBytes: readonly Buffer[];
  probeBytes: readonly Buffer[];
}

const maskers = new WeakMap<readonly string[], SecretMasker>();

/** Built once per list: a runtime's list lives as long as the runtime, so the hot path only looks it up. */
export function maskerFor(secrets: readonly string[]): SecretMasker | undefined {
  if (secrets.length === 0) return undefined;
  let masker = maskers.get(secrets);
  if (!masker) {
    const forms = [...new Set(secrets.filter(Boolean))].sort((a, b) => b.length - a.length);
    const probes = forms.filter((form, i) => !forms.some((other, j) => j !== i && other.length < form.length && form.includes(other)));
    masker = { forms, probes, formBytes: forms.map((f) => Buffer.from(f, 'utf8')), probeBytes: probes.map((p) => Buffer.from(p, 'utf8')) };
    maskers.set(secrets, masker);
  }
  return masker;
}

export function containsSecret(text: string, masker: SecretMasker): boolean {
  for (const probe of masker.probes) if (text.includes(probe)) return true;
  return false;
}

/** A cut-off secret leaves at most this many of its first characters at the end of a truncated body. */
const TAIL_KEPT = 3;

/**
 * Every form replaced by the mask. `truncated`: the text was cut at the byte cap, so a secret
 * may end it half sent; a tail that begins a secret is masked too.
 */
export function maskSecrets(text: string, masker: SecretMasker | undefined, truncated = false): string {
  if (!masker) return text;
  let out = containsSecret(text, masker) ? redactSecrets(text, masker.forms) : text;
  if (truncated) {
    for (const probe of masker.probes) {
      for (let k = Math.min(probe.length - 1, out.length); k > TAIL_KEPT; k--) {
        if (out.endsWith(probe.slice(0, k))) {
          out = `${out.slice(0, out.length - k)}${MASK}`;
          break;
        }
      }
    }
  }
  return out;
}

/** Bytes sent on as base64 (an image, a file): each secret's UTF-8 bytes replaced by the mask. */
export function maskBytes(bytes: Buffer, masker: SecretMasker | undefined): Buffer {
  if (!masker || !masker.probeBytes.some((p) => bytes.includes(p))) return bytes;
  let out = bytes;
  const mask = Buffer.from(MASK);
  for (const form of masker.formBytes) {
    let at = out.indexOf(form);
    if (at === -1) continue;
    const pieces: Buffer[] = [];
    let from = 0;
    while (at !== -1) {
      pieces.push(out.subarray(from, at), mask);
      from = at + form.length;
      at = out.indexOf(form, from);
    }
    pieces.push(out.subarray(from));
    out = Buffer.concat(pieces);
  }
  return out;
}

/**
 * A parsed JSON value with every string (keys included) masked, in place: it is the caller's own
 * fresh copy. Iterative, so an upstream's deeply nested answer cannot exhaust the stack here.
 * A number that spells a secret becomes the mask.
 */
export function maskJsonValue(value: unknown, masker: SecretMasker): unknown {
  const maskLeaf = (v: unknown): unknown => {
    if (typeof v === 'string') return containsSecret(v, masker) ? redactSecrets(v, masker.forms) : v;
    if (typeof v === 'number' && containsSecret(String(v), masker)) return MASK;
    return v;
  };
  if (typeof value !== 'object' || value === null) return maskLeaf(value);
  const pending: object[] = [value];
  while (pending.length > 0) {
    const container = pending.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const item = container[i];
        if (typeof item === 'object' && item !== null) pending.push(item);
        else container[i] = maskLeaf(item);
      }
      continue;
    }
    for (const key of Object.keys(container)) {
      const item = container[key];
      if (typeof item === 'object' && item !== null) pending.push(item);
      const masked = typeof item === 'object' && item !== null ? item : maskLeaf(item);
      const name = maskLeaf(key) as string;
      if (name !== key) delete container[key];
      // defineProperty: a key such as `__proto__` stays a plain property.
      if (name !== key || masked !== item)
        Object.defineProperty(container, name, { value: masked, enumerable: true, writable: true, configurable: true });
    }
  }
  return value;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
