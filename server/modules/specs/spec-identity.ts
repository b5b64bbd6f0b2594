// What a spec says about the API itself, beside its operations: `info.description`, which MCP
// clients get as the server's instructions, and the `x-logo` extension (ReDoc's, used by many
// public specs), which they show as the server's and its tools' icon.
import type { SpecWarning } from './types.js';
import { isObject, type JsonObject } from './json-utils.js';

/** Kept of a description at import: the instructions quote less (mcp-server.ts bounds them again). */
export const MAX_DESCRIPTION_CHARS = 8_000;
/** An icon URL longer than this is not kept: it travels in every tool's entry of tools/list. */
const MAX_ICON_URL_CHARS = 2_048;
/** A data: icon is shown only on the server, never repeated per tool, and only this small. */
const MAX_DATA_ICON_CHARS = 32 * 1024;
/** Image types clients must or should render (MCP's icon rules); others are not offered. */
const DATA_ICON = /^data:image\/(png|jpeg|jpg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/;

export function specDescription(info: JsonObject): string | undefined {
  if (typeof info.description !== 'string') return undefined;
  const text = info.description.trim();
  if (text === '') return undefined;
  return text.length > MAX_DESCRIPTION_CHARS ? text.slice(0, MAX_DESCRIPTION_CHARS) : text;
}

/**
 * `info.x-logo.url` as an icon clients may fetch: https (resolved against the spec's own URL when
 * relative), or a small base64 data: image. Anything else is refused with a warning: MCP requires
 * clients to reject other schemes, so offering one would only show a broken icon.
 */
export function specIcon(info: JsonObject, sourceUrl: string | undefined, warnings: SpecWarning[]): string | undefined {
  const logo = info['x-logo'];
  if (logo === undefined) return undefined;
  const raw = isObject(logo) && typeof logo.url === 'string' ? logo.url.trim() : undefined;
  const refuse = (why: string) => {
    warnings.push({ message: `info.x-logo ${why}; the server and its tools are shown without an icon.`, pointer: '/info/x-logo' });
    return undefined;
  };
  if (!raw) return refuse('has no url');
  if (raw.startsWith('data:')) {
    if (raw.length > MAX_DATA_ICON_CHARS)
      return refuse(`is a data: URL of ${raw.length.toLocaleString('en-US')} characters (at most 32 KB)`);
    return DATA_ICON.test(raw) ? raw : refuse('is a data: URL that is not a base64 PNG, JPEG, WebP or SVG image');
  }
  let url: URL;
  try {
    url = new URL(raw, sourceUrl);
  } catch {
    return refuse('url is not a URL');
  }
  if (url.protocol !== 'https:') return refuse(`url is not https (${url.protocol.replace(':', '')})`);
  if (url.username || url.password) return refuse('url holds credentials');
  if (url.href.length > MAX_ICON_URL_CHARS) return refuse(`url is longer than ${MAX_ICON_URL_CHARS} characters`);
  return url.href;
}
