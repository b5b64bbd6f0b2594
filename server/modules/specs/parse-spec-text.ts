// Spec text -> a plain object. JSON is tried first (fast, and most large specs are JSON), YAML
// otherwise; errors say where the text broke.
import { parseDocument } from 'yaml';
import { SpecUnreadable } from '../../errors.js';
import { isObject, withDetails } from './json-utils.js';

function unreadable(message: string): Error {
  return withDetails(new SpecUnreadable(message), [{ message, pointer: '' }]);
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * A parser's message without the document's own text (a fetched document may be anything: an
 * error must say what is wrong, not echo it): V8 quotes the text's start, the YAML parser puts
 * tags, directives and aliases after a colon or in the message.
 */
function withoutSource(message: string): string {
  return message
    .replace(/^Unexpected token '[^]*', "[^]*" is not valid JSON$/, 'Unexpected token')
    .replace(
      /^(Unsupported YAML version|Unknown directive|Invalid escape sequence|Plain value cannot start with reserved character) .*$/s,
      '$1',
    )
    .replace(/^The \S+ tag has no suffix$/, 'A tag has no suffix')
    .replace(/^Verbatim tags aren't resolved, so .* is invalid\.?$/s, "Verbatim tags aren't resolved")
    .replace(/^Unresolved plain scalar .*$/s, 'Unresolved plain scalar')
    .replace(/:\s.*$/s, '');
}

function describeJsonError(text: string, error: unknown): string {
  const message = withoutSource(error instanceof Error ? error.message : String(error));
  const position = /at position (\d+)/.exec(message);
  return position ? `${message.replace(/\s*(in JSON )?at position \d+.*$/s, '')} (${lineAndColumn(text, Number(position[1]))})` : message;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** YAML anchors can make a graph with cycles; a spec must be a tree (with shared subtrees at most). */
function hasCycle(value: unknown, ancestors = new Set<object>(), acyclic = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null || acyclic.has(value)) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const children = Array.isArray(value) ? value : Object.values(value);
  const cyclic = children.some((child) => hasCycle(child, ancestors, acyclic));
  ancestors.delete(value);
  if (!cyclic) acyclic.add(value); // shared subtrees (aliases) are walked once
  return cyclic;
}

export function parseSpecText(text: string): unknown {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') throw unreadable('the text is empty.');

  let value: unknown;
  if (/^\s*[{[]/.test(source)) {
    try {
      value = JSON.parse(source);
    } catch (error) {
      // JSON-looking text that is not JSON may still be YAML flow style; report the JSON error if not.
      const yaml = parseDocument(source, { merge: true, uniqueKeys: false });
      if (yaml.errors.length > 0) throw unreadable(`not valid JSON: ${describeJsonError(source, error)}.`);
      value = yaml.toJS({ maxAliasCount: 1000 });
    }
  } else {
    const yaml = parseDocument(source, { merge: true, uniqueKeys: false });
    if (yaml.errors.length > 0) {
      const first = yaml.errors[0];
      const where = first.linePos?.[0] ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})` : '';
      throw unreadable(
        `not valid YAML: ${withoutSource(first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''))}${where}.`,
      );
    }
    try {
      value = yaml.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      throw unreadable(`the YAML could not be read: ${withoutSource(error instanceof Error ? error.message : String(error))}.`);
    }
    if (hasCycle(value)) throw unreadable('the YAML refers to itself through an anchor, which a spec cannot do.');
  }
  if (!isObject(value)) throw unreadable(`the top level is ${kindOf(value)}, not an object (mapping).`);
  return value;
}
