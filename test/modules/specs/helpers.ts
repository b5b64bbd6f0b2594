// Small builders for OpenAPI documents used across the spec tests.
import { importSpec } from '../../../server/modules/specs/index.js';
import type { ImportedSpec, ToolDefinition } from '../../../server/modules/specs/types.js';

type Json = Record<string, unknown>;

export const ok = { '200': { description: 'OK' } };

export function openapi(paths: Json, extra: Json = {}): Json {
  return { openapi: '3.0.3', info: { title: 'Test API', version: '1.0.0' }, servers: [{ url: 'https://api.example.com/v1' }], paths, ...extra };
}

/** A document with one POST /things operation whose JSON body has the given schema. */
export function withBody(schema: Json, components: Json = {}): Json {
  return openapi(
    { '/things': { post: { operationId: 'createThing', requestBody: { required: true, content: { 'application/json': { schema } } }, responses: ok } } },
    { components: { schemas: components } },
  );
}

export async function only(document: Json, sourceUrl?: string): Promise<{ spec: ImportedSpec; tool: ToolDefinition }> {
  const spec = await importSpec(document, { sourceUrl });
  if (spec.tools.length !== 1) throw new Error(`expected one tool, got ${spec.tools.length}`);
  return { spec, tool: spec.tools[0] };
}

export function bodySchema(tool: ToolDefinition): Json {
  return (tool.inputSchema.properties as Record<string, Json>)[tool.body?.arg ?? 'body'];
}

export function arg(tool: ToolDefinition, name: string): Json {
  return (tool.inputSchema.properties as Record<string, Json>)[name];
}

/** Every `$ref` key anywhere in a value. */
export function hasRef(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasRef);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k === '$ref' || k === '$defs' || hasRef(v));
  return false;
}
