// What the model sees of an upstream answer: JSON pretty-printed (and as structuredContent when it
// is an object), text as text, images as images, sound as audio, other bytes as an embedded resource. Upstream
// failures are `isError` results the model can read, not protocol errors. Every stored secret is
// masked in all of it: an upstream that echoes the request (or quotes the key in an error) must not
// hand the caller what the gateway holds for it.
import { TextDecoder } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isJsonMediaType, mediaType } from './encode-body.js';
import { containsSecret, maskBytes, maskerFor, maskJsonValue, maskSecrets, type SecretMasker } from './mask.js';
import type { UpstreamResponse } from './types.js';
import { isPlainObject } from '../shared/is-plain-object.js';
import { estimateTokens } from '../shared/tokens.js';
import { RESPONSE_FILTER_ARG, shapeValue, type ResponseShape } from './response-shape.js';
import { FilterFailed } from './errors.js';
import { conformsToOutput, type OutputShape } from './output-conformance.js';
import { RESULT_KEY } from '../specs/output-schema.js';

export interface ToolResultOptions {
  /** The client's byte cap, named in truncation notes. */
  maxResponseBytes: number;
  /** Every secret form this call may meet (see secretValues); masked wherever it appears. */
  secrets?: readonly string[];
  /** The call's response_filter and the workspace's budget (response-shape.ts). */
  shape?: ResponseShape;
  /** The tool's outputSchema, which structuredContent must conform to (output-conformance.ts). */
  output?: OutputShape;
}

/** An error body longer than this many characters is cut: the status says most of it. */
const ERROR_BODY_BUDGET = 8192;
export const RESPONSE_RESOURCE_URI = 'latchkey://response';

const TEXTUAL =
  /^(text\/|application\/(xml|javascript|ecmascript|x-www-form-urlencoded|yaml|x-yaml|graphql|x-ndjson|csv|sql|x-sh)$)|\+(xml|yaml)$/;

type Content = CallToolResult['content'][number];

/** A result's structuredContent as the upstream's own JSON text (see toolResultJson). */
const upstreamJson = new WeakMap<CallToolResult, string>();

/**
 * The result as JSON text. structuredContent that came from an upstream JSON body is that body's
 * own text, already checked by JSON.parse, instead of the parsed value serialised again: a third
 * of the answer's serialising, and large numbers keep every digit the upstream sent.
 */
export function toolResultJson(result: CallToolResult): string {
  const raw = upstreamJson.get(result);
  // Only plain success results (content and structuredContent, nothing else) are ever registered.
  return raw === undefined ? JSON.stringify(result) : `{"content":${JSON.stringify(result.content)},"structuredContent":${raw}}`;
}

/** The first content's text (or what kind of content it is), cut to `chars` characters: what the call log keeps. */
export function resultExcerpt(result: CallToolResult, chars: number): string {
  const first = result.content[0];
  const text = first && first.type === 'text' ? first.text : first ? `[${first.type} content]` : '';
  return text.length <= chars ? text : text.slice(0, chars);
}

/** A tool result already serialised, with what the call log needs of it. */
export interface SerializedToolResult {
  isError: boolean;
  /** resultExcerpt's text. */
  excerpt: string;
  /** toolResultJson's text as UTF-8: the bytes go into the answer as they are. */
  json: Uint8Array;
}

const utf8 = new TextEncoder();

/** toToolResult and toolResultJson in one step, for the result thread (see tool-result-off-thread.ts). */
export function serializeToolResult(res: UpstreamResponse, opts: ToolResultOptions, excerptChars: number): SerializedToolResult {
  const result = toToolResult(res, opts);
  return { isError: result.isError === true, excerpt: resultExcerpt(result, excerptChars), json: utf8.encode(toolResultJson(result)) };
}

/** JSON answers up to this size are pretty-printed; larger ones are returned compact. */
const PRETTY_MAX_BYTES = 64 * 1024;

export function toToolResult(res: UpstreamResponse, opts: ToolResultOptions): CallToolResult {
  const declared = res.headers['content-type'];
  const type = declared ? mediaType(declared) : sniffType(res.body);
  const ok = res.status >= 200 && res.status < 300;
  const masker = opts.secrets ? maskerFor(opts.secrets) : undefined;
  if (!ok) return errorResult(res, type, opts, masker);
  const result = successResult(res, type, opts, masker);
  // A tool that declares an outputSchema answers structuredContent on every success, or clients
  // fail the call: an answer that is not JSON (or none) gives the empty object, which conforms.
  if (opts.output && !result.isError && result.structuredContent === undefined) result.structuredContent = {};
  return result;
}

function successResult(res: UpstreamResponse, type: string, opts: ToolResultOptions, masker: SecretMasker | undefined): CallToolResult {
  if (res.body.length === 0 && !res.truncated) return textResult(maskSecrets(`${statusLine(res)} (empty response body).`, masker));
  let note = res.truncated ? `\n\n${truncationNote(res, opts)}` : '';
  if (isJsonMediaType(type)) {
    const text = decodeText(res);
    const parsed = res.truncated ? undefined : parseJson(text);
    if (!parsed) return withinBudget(maskSecrets(text, masker, res.truncated), opts.shape, note, res.truncated);
    let value = parsed.value;
    let raw: string | undefined = text;
    let cutNote: string | undefined;
    if (opts.shape) {
      let shaped;
      try {
        shaped = shapeValue(value, opts.shape, text.length);
      } catch (err) {
        if (!(err instanceof FilterFailed)) throw err;
        // The call was made: say so, so that a write is not repeated to mend the filter.
        return {
          isError: true,
          content: [
            {
              type: 'text',
              text: maskSecrets(
                `The API answered ${statusLine(res)}, but ${err.message}. The call took effect: fix the filter rather than repeating a change.`,
                masker,
              ),
            },
          ],
        };
      }
      if (shaped.changed) raw = undefined;
      value = shaped.value;
      cutNote = shaped.note;
    }
    // Indenting a large answer costs the model tokens and the gateway time and memory for nothing.
    let pretty = render(value, raw === undefined ? undefined : res.body.length, opts.shape);
    // The pretty text has every string escaped one canonical way (however the upstream escaped
    // it); the raw text is what is spliced in. A secret in either: mask the parsed strings and
    // serialise again, which keeps the answer valid JSON.
    if (masker && (containsSecret(pretty, masker) || (raw !== undefined && containsSecret(raw, masker)))) {
      value = maskJsonValue(value, masker);
      pretty = render(value, undefined, opts.shape);
      raw = undefined;
    }
    const result = textResult(pretty);
    if (cutNote) result.content.push({ type: 'text', text: cutNote });
    if (opts.output && (opts.shape?.filter !== undefined || !isPlainObject(value) || !conformsToOutput(opts.output, value))) {
      // Not the declared object (a filter's result, or the API answered otherwise): the form every outputSchema also declares.
      result.structuredContent = { [RESULT_KEY]: value };
    } else if (isPlainObject(value)) {
      result.structuredContent = value;
      if (raw !== undefined) upstreamJson.set(result, raw);
    }
    if (opts.shape?.filter !== undefined && value === null)
      result.content.push({ type: 'text', text: `[The "${RESPONSE_FILTER_ARG}" expression matched nothing in the response.]` });
    return result;
  }
  if (opts.shape?.filter !== undefined)
    note += `\n\n[The response is ${type}, not JSON: "${RESPONSE_FILTER_ARG}" applies to JSON only, so it is shown unfiltered.]`;
  if (isTextual(type)) return withinBudget(maskSecrets(decodeText(res), masker, res.truncated), opts.shape, note, res.truncated);
  if (res.truncated) {
    return textResult(`${maskSecrets(statusLine(res), masker)}: a ${type} body, not shown. ${truncationNote(res, opts)}`);
  }
  const data = maskBytes(res.body, masker).toString('base64');
  // Images and sound as what MCP calls them (clients show or play them); other bytes as a resource.
  const content: Content = type.startsWith('image/')
    ? { type: 'image', data, mimeType: type }
    : type.startsWith('audio/')
      ? { type: 'audio', data, mimeType: type }
      : { type: 'resource', resource: { uri: RESPONSE_RESOURCE_URI, mimeType: type, blob: data } };
  return { content: [content] };
}

function errorResult(res: UpstreamResponse, type: string, opts: ToolResultOptions, masker: SecretMasker | undefined): CallToolResult {
  let text = `Upstream answered ${maskSecrets(statusLine(res), masker)}`;
  const location = res.headers.location;
  if (res.status >= 300 && res.status < 400 && location) {
    text += ` (a redirect to ${originOf(location)}, not followed: the gateway follows at most 3 redirects, and only within the same origin)`;
  }
  if (res.body.length === 0 && !res.truncated) {
    text += ' (empty response body).';
  } else if (isJsonMediaType(type) || isTextual(type)) {
    const raw = decodeText(res);
    const parsed = isJsonMediaType(type) && !res.truncated ? parseJson(raw) : undefined;
    // Masked before the cut: a secret across the budget's edge must not leave its first half.
    const body = maskSecrets(parsed ? JSON.stringify(parsed.value, null, 2) : raw, masker, !parsed && res.truncated);
    text += `: ${body.length > ERROR_BODY_BUDGET ? `${body.slice(0, ERROR_BODY_BUDGET)}…` : body}`;
    if (res.truncated) text += `\n\n${truncationNote(res, opts)}`;
  } else {
    text += `: [${res.totalBytes ?? `more than ${res.body.length}`} bytes of ${type}]`;
  }
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * JSON for the model: indented when that is cheap (a small body; `bodyBytes` undefined means the
 * value is no longer the body) and within the budget, compact otherwise.
 */
function render(value: unknown, bodyBytes: number | undefined, shape: ResponseShape | undefined): string {
  const overBudget = (text: string) => shape?.budgetChars !== undefined && shape.budgetChars > 0 && text.length > shape.budgetChars;
  let compact: string | undefined;
  if (bodyBytes === undefined) {
    compact = JSON.stringify(value) ?? 'null';
    if (compact.length > PRETTY_MAX_BYTES) return compact;
  } else if (bodyBytes > PRETTY_MAX_BYTES) {
    return JSON.stringify(value);
  }
  const pretty = JSON.stringify(value, null, 2) ?? 'null';
  return overBudget(pretty) ? (compact ?? JSON.stringify(value)) : pretty;
}

/** Text (or JSON that did not parse) above the budget: cut at a line end, with a note. */
function withinBudget(text: string, shape: ResponseShape | undefined, note: string, truncated: boolean | undefined): CallToolResult {
  const budget = shape?.budgetChars;
  if (!budget || text.length <= budget) return textResult(text + note);
  const head = text.slice(0, budget);
  const end = head.lastIndexOf('\n');
  const kept = end > budget / 2 ? head.slice(0, end) : head;
  const more = truncated ? 'more than ' : '';
  return textResult(
    `${kept}\n\n[Response cut to fit this workspace's response budget of about ${estimateTokens(budget).toLocaleString('en-US')} tokens: showed ${kept.length.toLocaleString('en-US')} of ${more}${text.length.toLocaleString('en-US')} characters. Ask for less, e.g. with the tool's paging or filtering arguments.]${note}`,
  );
}

function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

function statusLine(res: UpstreamResponse): string {
  return res.statusText ? `${res.status} ${res.statusText}` : String(res.status);
}

export function truncationNote(res: UpstreamResponse, opts: ToolResultOptions): string {
  const shown = Math.min(res.body.length, opts.maxResponseBytes);
  return res.totalBytes !== undefined
    ? `[Response truncated: showed the first ${shown} of ${res.totalBytes} bytes]`
    : `[Response truncated: showed the first ${shown} bytes of more than ${shown}]`;
}

function isTextual(type: string): boolean {
  return TEXTUAL.test(type);
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** The body as text in its declared charset (UTF-8 by default); a cut multi-byte character is dropped, not garbled. */
function decodeText(res: UpstreamResponse): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(res.headers['content-type'] ?? '')?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  if (decoder.encoding === 'windows-1252') return decodeWindows1252(res.body);
  return decoder.decode(res.body, { stream: res.truncated });
}

// 0x80-0x9F of windows-1252 (what `latin1` and `iso-8859-1` mean on the web). Node 20's
// TextDecoder drops these bytes instead of mapping them, so this label is decoded by hand.
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** Without a Content-Type: JSON if it parses, text if it is clean UTF-8, else bytes. */
function sniffType(body: Buffer): string {
  if (body.length === 0) return 'application/octet-stream';
  let text: string;
  try {
    // Streaming mode: a multi-byte character cut at the byte cap is not a decoding error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(body, { stream: true });
  } catch {
    return 'application/octet-stream';
  }
  if (text.includes('\u0000')) return 'application/octet-stream';
  return parseJson(text) ? 'application/json' : 'text/plain';
}

/** Only the origin of where a redirect pointed: its path or query might carry anything. */
function originOf(location: string): string {
  try {
    return new URL(location).origin;
  } catch {
    return 'a relative location';
  }
}
