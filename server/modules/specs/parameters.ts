// An operation's parameters: path-level and operation-level merged (the operation wins per
// name + location), each turned into a tool argument with a portable name and a binding that
// tells the request builder how to serialise it.
import type { JsonSchema, ParamBinding, ParamLocation, SpecWarning } from './types.js';
import { isObject, stringOrUndefined, truncateText, type JsonObject } from './json-utils.js';
import { followRefs, pointerOf } from './json-pointer.js';
import { MAX_DESCRIPTION, typeList } from './schema-keywords.js';
import type { SchemaConverter } from './schema-portable.js';
import { SkipOperation } from './skip-operation.js';
import { portableNames, uniqueArgName } from './property-names.js';

const LOCATIONS: ParamLocation[] = ['path', 'query', 'header', 'cookie'];
const STYLES = new Set<ParamBinding['style']>(['simple', 'label', 'matrix', 'form', 'spaceDelimited', 'pipeDelimited', 'deepObject']);
// OpenAPI 3: header parameters with these names SHALL be ignored (content negotiation and auth own them).
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export interface ToolParameter {
  binding: ParamBinding;
  schema: JsonSchema;
}

function shapeOf(schema: JsonSchema): ParamBinding['shape'] {
  const types = typeList(schema);
  if (types.includes('array')) return 'array';
  if (types.includes('object')) return 'object';
  return 'primitive';
}

interface RawParameter {
  param: JsonObject;
  name: string;
  in: ParamLocation;
  pointer: string;
}

function collect(doc: JsonObject, list: unknown, pointer: string, into: Map<string, RawParameter>, warnings: SpecWarning[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, index) => {
    const at = `${pointer}/parameters/${index}`;
    const resolved = followRefs(doc, entry);
    if (resolved.unresolved) throw new SkipOperation(`its parameter uses the unresolved reference "${resolved.unresolved}"`, at);
    const param = resolved.value;
    if (!isObject(param) || typeof param.name !== 'string' || !LOCATIONS.includes(param.in as ParamLocation)) {
      warnings.push({ message: 'A parameter without a usable name and location (path, query, header, cookie) was ignored.', pointer: at });
      return;
    }
    const location = param.in as ParamLocation;
    if (location === 'header' && IGNORED_HEADERS.has(param.name.toLowerCase())) return;
    into.set(`${location}:${param.name}`, { param, name: param.name, in: location, pointer: at });
  });
}

export function buildParameters(
  doc: JsonObject,
  path: string,
  pathItem: JsonObject,
  operation: JsonObject,
  pointer: string,
  converter: SchemaConverter,
  warnings: SpecWarning[],
  taken: Set<string>,
): ToolParameter[] {
  const merged = new Map<string, RawParameter>();
  collect(doc, pathItem.parameters, pointerOf('paths', path), merged, warnings);
  collect(doc, operation.parameters, pointer, merged, warnings);

  const placeholders = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
  for (const [key, raw] of merged) {
    if (raw.in === 'path' && !placeholders.has(raw.name)) {
      merged.delete(key);
      warnings.push({
        message: `The path parameter "${raw.name}" does not appear in the path ${path}; it was left out.`,
        pointer: raw.pointer,
      });
    }
  }
  // A placeholder without a declared parameter still has to be filled: offer it as a string.
  for (const name of placeholders) {
    if (merged.has(`path:${name}`)) continue;
    warnings.push({ message: `The path parameter "${name}" is not declared; it was added as a required string.`, pointer });
    merged.set(`path:${name}`, { param: { name, in: 'path', required: true, schema: { type: 'string' } }, name, in: 'path', pointer });
  }

  // Names are handed out path first, then query, header, cookie: `id` and `header_id`, never the reverse.
  const ordered = [...merged.values()].sort((a, b) => LOCATIONS.indexOf(a.in) - LOCATIONS.indexOf(b.in));
  return ordered.map(({ param, name, in: location }) => {
    const arg = uniqueArgName(name, location, taken);
    let schema: JsonSchema;
    let contentType: string | undefined;
    if (param.schema !== undefined) {
      schema = converter.convert(param.schema);
    } else if (isObject(param.content) && Object.keys(param.content).length > 0) {
      const [type, media] = Object.entries(param.content)[0];
      contentType = type;
      schema = converter.convert(isObject(media) ? media.schema : undefined);
    } else {
      schema = {};
    }
    const description = stringOrUndefined(param.description);
    if (description !== undefined) schema.description = truncateText(description, MAX_DESCRIPTION);
    if (param.deprecated === true) schema.description = `Deprecated. ${schema.description ?? ''}`.trim();
    if (schema.examples === undefined && param.example !== undefined && JSON.stringify(param.example).length <= 300)
      schema.examples = [param.example];

    const defaultStyle = location === 'path' || location === 'header' ? 'simple' : 'form';
    const style = STYLES.has(param.style as ParamBinding['style']) ? (param.style as ParamBinding['style']) : defaultStyle;
    const binding: ParamBinding = {
      arg,
      name,
      in: location,
      required: location === 'path' || param.required === true,
      style,
      explode: typeof param.explode === 'boolean' ? param.explode : style === 'form',
      allowReserved: location === 'query' && param.allowReserved === true,
      shape: shapeOf(schema),
    };
    if (contentType !== undefined) binding.contentType = contentType;
    // An object's keys are sent (form, deepObject, JSON content): they need portable names too.
    const portable = portableNames(schema);
    if (portable.names) binding.names = portable.names;
    return { binding, schema: portable.schema };
  });
}
