// The request body as one tool argument: the media type is chosen (JSON first), files in
// multipart bodies accept text or base64, non-text bodies travel as base64 strings.
import type { BodyBinding, JsonSchema } from './types.js';
import { asStoredJson, isObject, ownEntry, setEntry, stringOrUndefined, truncateText, type JsonObject } from './json-utils.js';
import { followRefs } from './json-pointer.js';
import { MAX_DESCRIPTION, typeList } from './schema-keywords.js';
import type { SchemaConverter } from './schema-portable.js';
import { SkipOperation } from './skip-operation.js';
import { portableNames, uniqueArgName } from './property-names.js';

type BodyKind = 'json' | 'form' | 'multipart' | 'text' | 'binary';

const FILE_SCHEMA: JsonSchema = {
  anyOf: [
    { type: 'string', description: 'The file content as text.' },
    {
      type: 'object',
      properties: {
        filename: { type: 'string' },
        contentType: { type: 'string', description: 'e.g. image/png' },
        base64: { type: 'string', contentEncoding: 'base64', description: 'The file content, base64-encoded.' },
      },
      required: ['base64'],
    },
  ],
};

function baseType(mediaType: string): string {
  return mediaType.split(';')[0].trim().toLowerCase();
}

/** Lower is preferred: JSON, form, multipart, text, octet-stream, anything else. */
function preference(mediaType: string): number {
  const type = baseType(mediaType);
  if (type === 'application/json') return 0;
  if (type.endsWith('+json') || type.endsWith('/json')) return 1;
  const rank = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'application/octet-stream'].indexOf(type);
  return rank === -1 ? 10 : rank + 2;
}

function kindOf(mediaType: string): BodyKind {
  const type = baseType(mediaType);
  if (type.endsWith('/json') || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('multipart/')) return 'multipart';
  if (type.startsWith('text/') || /[/+](xml|yaml|x-yaml|javascript|csv|graphql|x-ndjson)$/.test(type)) return 'text';
  return 'binary';
}

function isFileSchema(converted: unknown, raw: unknown, encodingType: string | undefined): boolean {
  if (encodingType !== undefined && kindOf(encodingType) === 'binary') return true;
  const schemas = [converted, raw].filter(isObject);
  return schemas.some((s) => s.format === 'binary' || s.format === 'base64' || typeof s.contentMediaType === 'string');
}

export interface ToolBody {
  binding: BodyBinding;
  schema: JsonSchema;
}

export function buildRequestBody(
  doc: JsonObject,
  operation: JsonObject,
  pointer: string,
  converter: SchemaConverter,
  taken: Set<string>,
): ToolBody | undefined {
  if (operation.requestBody === undefined) return undefined;
  const resolved = followRefs(doc, operation.requestBody);
  if (resolved.unresolved)
    throw new SkipOperation(`its request body uses the unresolved reference "${resolved.unresolved}"`, `${pointer}/requestBody`);
  const body = resolved.value;
  if (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0) return undefined;

  const mediaTypes = Object.keys(body.content);
  const declared = mediaTypes.reduce((best, type) => (preference(type) < preference(best) ? type : best));
  const media = isObject(body.content[declared]) ? (body.content[declared] as JsonObject) : {};
  const rawSchema = followRefs(doc, media.schema).value;
  let kind = kindOf(declared);
  let contentType = declared;
  if (baseType(declared) === '*/*' || baseType(declared) === 'application/*') {
    // A wildcard cannot be sent as Content-Type: JSON unless the schema says bytes.
    const bytes = isObject(rawSchema) && rawSchema.format === 'binary';
    kind = bytes ? 'binary' : 'json';
    contentType = bytes ? 'application/octet-stream' : 'application/json';
  }

  let schema: JsonSchema;
  if (kind === 'text') {
    schema = { type: 'string', description: `The request body as ${baseType(contentType)} text.` };
  } else if (kind === 'binary') {
    schema = {
      type: 'string',
      contentEncoding: 'base64',
      description: `The request body (${baseType(contentType)}) as base64-encoded bytes.`,
    };
  } else {
    schema = converter.convert(media.schema);
  }
  const description = stringOrUndefined(body.description);
  if (description !== undefined) {
    const text = truncateText(description, MAX_DESCRIPTION);
    schema.description = kind === 'binary' ? `${text} ${schema.description as string}` : text;
  }

  const binding: BodyBinding = { arg: uniqueArgName('body', 'request', taken), contentType, required: body.required === true };
  if (kind === 'binary') binding.binary = true;

  if ((kind === 'form' || kind === 'multipart') && isObject(media.encoding)) {
    const encoding: NonNullable<BodyBinding['encoding']> = {};
    for (const [name, value] of Object.entries(media.encoding)) {
      if (!isObject(value)) continue;
      setEntry(
        encoding,
        name,
        asStoredJson({
          contentType: stringOrUndefined(value.contentType),
          style: stringOrUndefined(value.style),
          explode: typeof value.explode === 'boolean' ? value.explode : undefined,
        }),
      );
    }
    if (Object.keys(encoding).length > 0) binding.encoding = encoding;
  }

  if (kind === 'multipart' && isObject(schema.properties)) {
    const properties: Record<string, JsonSchema> = {};
    const files: string[] = [];
    const rawProperties = isObject(rawSchema) && isObject(rawSchema.properties) ? rawSchema.properties : {};
    for (const [real, property] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
      const raw = followRefs(doc, ownEntry(rawProperties, real)).value;
      const encodingType = ownEntry(binding.encoding, real)?.contentType;
      const items = typeList(property).includes('array') ? property.items : undefined;
      const rawItems = isObject(raw) ? followRefs(doc, raw.items).value : undefined;
      let out = property;
      if (isFileSchema(property, raw, encodingType)) {
        out = { ...FILE_SCHEMA, description: property.description ?? 'A file.' };
        files.push(real);
      } else if (items !== undefined && isFileSchema(items, rawItems, encodingType)) {
        out = { type: 'array', items: FILE_SCHEMA, description: property.description ?? 'Files.' };
        files.push(real);
      }
      setEntry(properties, real, out);
    }
    schema = { ...schema, properties };
    if (files.length > 0) binding.fileProperties = files;
  }

  // Portable property names at every level; the top level's map stays where stored tools have it.
  const portable = portableNames(schema);
  schema = portable.schema;
  if (portable.names) {
    const { names, ...below } = portable.names;
    if (names) binding.propertyNames = names;
    if (Object.keys(below).length > 0) binding.nestedNames = below;
  }
  return { binding, schema };
}
