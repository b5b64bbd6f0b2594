// Turns @readme/openapi-parser's messages into {message, pointer} problems. The library reports
// schema errors as text with a code frame of JSON.stringify(dereferencedDocument, null, 2); the
// framed line number is mapped back to the JSON pointer of that line. Its own semantic checks
// name places as unescaped `/paths/...` ids in backticks, which are matched against real keys.
import type { SpecProblem } from './types.js';
import { isObject } from './json-utils.js';
import { escapePointerToken, pointerOf } from './json-pointer.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Pointer per line of JSON.stringify(value, null, 2), built without producing the text. */
export function linePointers(value: unknown): string[] {
  const lines: string[] = [''];
  const walk = (node: unknown, pointer: string): void => {
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.map((v, i) => [String(i), v])
      : isObject(node)
        ? Object.entries(node).filter(([, v]) => v !== undefined && typeof v !== 'function')
        : [];
    if (entries.length === 0) return;
    for (const [key, child] of entries) {
      const childPointer = `${pointer}/${escapePointerToken(key)}`;
      lines.push(childPointer);
      walk(child, childPointer);
    }
    lines.push(pointer); // the closing bracket
  };
  walk(value, '');
  return lines;
}

function framedLine(message: string): number | undefined {
  const match = /^>\s*(\d+)\s*\|/m.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** "REQUIRED must have required property 'x'" + frame -> a one-line message without the frame. */
function headline(message: string): string {
  const [head] = message.split(/\n\s*\n/);
  const text = head
    .replace(/^[A-Z][A-Z ]+(?= [a-z])/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const hint = /^\s*\|\s*\^+\s*(.+)$/m.exec(message)?.[1]?.trim();
  return hint && !/is missing here!$/.test(hint) ? `${text}: ${hint.replace(/!$/, '')}` : text;
}

/** `/paths/items/{id}/get/parameters/x` (unescaped) -> `/paths/~1items~1{id}/get/parameters/x`. */
function pointerFromPathId(doc: unknown, id: string): string | undefined {
  if (!id.startsWith('/paths/') || !isObject(doc) || !isObject(doc.paths)) return id.startsWith('/components/') ? id : undefined;
  const rest = id.slice('/paths'.length);
  const keys = Object.keys(doc.paths).sort((a, b) => b.length - a.length);
  for (const key of keys) {
    if (rest === key) return pointerOf('paths', key);
    if (rest.startsWith(`${key}/`) && METHODS.some((m) => rest.slice(key.length + 1).split('/')[0] === m)) {
      return withParameterIndex(doc.paths[key], pointerOf('paths', key), rest.slice(key.length));
    }
  }
  return undefined;
}

/** The library names parameters (`/get/parameters/limit`); a pointer needs their index. */
function withParameterIndex(pathItem: unknown, prefix: string, rest: string): string {
  const match = /^\/([a-z]+)\/parameters\/([^/]+)(.*)$/.exec(rest);
  if (!match || /^\d+$/.test(match[2]) || !isObject(pathItem)) return prefix + rest;
  const [, method, name, tail] = match;
  const operation = pathItem[method];
  const params = isObject(operation) && Array.isArray(operation.parameters) ? operation.parameters : [];
  const index = params.findIndex((p) => isObject(p) && p.name === name);
  return index === -1 ? prefix + rest : `${prefix}/${method}/parameters/${index}${tail}`;
}

function pointerOfOperationId(doc: unknown, operationId: string): string | undefined {
  if (!isObject(doc) || !isObject(doc.paths)) return undefined;
  const found: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op) && op.operationId === operationId) found.push(pointerOf('paths', path, method, 'operationId'));
    }
  }
  return found[1] ?? found[0];
}

/**
 * Problems with pointers. `dereferenced` is the object the library validated (it dereferences in
 * place); `original` is the document before, used to find places named in semantic messages.
 */
export function problemsFromMessages(messages: string[], dereferenced: unknown, original: unknown): SpecProblem[] {
  let lines: string[] | undefined;
  return messages.map((raw) => {
    const line = framedLine(raw);
    if (line !== undefined) {
      lines ??= linePointers(dereferenced);
      let pointer = lines[line - 1] ?? '';
      const missing = /must have required property '([^']+)'/.exec(raw);
      if (missing) pointer += `/${escapePointerToken(missing[1])}`;
      return { message: headline(raw), pointer };
    }
    const message = raw.trim();
    const duplicateId = /^The operationId `([^`]+)` is duplicated/.exec(message);
    if (duplicateId) return { message, pointer: pointerOfOperationId(original, duplicateId[1]) ?? '' };
    const ids = [...message.matchAll(/`(\/(?:paths|components)\/[^`]*)`/g)].map((m) => m[1]);
    for (const id of ids.reverse()) {
      const pointer = pointerFromPathId(original, id);
      if (pointer !== undefined) return { message, pointer };
    }
    return { message, pointer: '' };
  });
}
