// Spec upload: text, URL or file in; tools out. Everything is checked before anything is written,
// and the write is one transaction, so a bad upload leaves the previous spec and tools untouched.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, SpecMissing, SpecTooLarge } from '../../errors.js';
import {
  defaultEnabled,
  diffTools,
  fetchSpecText,
  importSpecText,
  securityReport,
  type SecurityReport,
} from '../../modules/specs/index.js';
import type { SecuritySchemeSummary, ToolDefinition } from '../../modules/specs/types.js';
import { errorResponses, IdParams, SpecSummary } from './schemas.js';
import { MAX_NAME_BUDGET } from '../../modules/specs/tool-names.js';
import { requireWorkspace } from './workspaces.js';
import { bindCredentialsOnUpload } from './credential-binding.js';

interface SpecSource {
  text: string;
  sourceUrl?: string;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

async function readSource(app: FastifyInstance, request: FastifyRequest): Promise<SpecSource> {
  const limit = app.config.maxSpecBytes;
  if (request.isMultipart()) {
    const file = await request.file({ limits: { fileSize: limit, files: 1 } });
    if (!file || file.fieldname !== 'file') throw new BadRequest('Send the spec as a multipart field named "file".');
    const buffer = await file.toBuffer();
    if (file.file.truncated) throw new SpecTooLarge(formatBytes(limit));
    return { text: buffer.toString('utf8') };
  }
  const body = request.body as { url?: unknown; content?: unknown } | undefined;
  if (body && typeof body.content === 'string') {
    if (Buffer.byteLength(body.content, 'utf8') > limit) throw new SpecTooLarge(formatBytes(limit));
    return { text: body.content };
  }
  if (body && typeof body.url === 'string') {
    const fetched = await fetchSpecText(body.url, { maxBytes: limit, allowPrivateNetworks: app.config.allowPrivateNetworks });
    return { text: fetched.text, sourceUrl: fetched.url };
  }
  throw new BadRequest('Send {"url": "https://…"} or {"content": "<JSON or YAML>"} as JSON, or the file as multipart field "file".');
}

/** The import-time security report, from what is stored and the workspace's live auth and base URL as they are now. */
async function reportFor(
  app: FastifyInstance,
  workspaceId: string,
  spec: { tools: ToolDefinition[]; baseUrl: string | null; securitySchemes: SecuritySchemeSummary[]; openapi: string },
): Promise<SecurityReport> {
  const override = (await app.repos.environments.get(workspaceId, 'live'))?.baseUrlOverride ?? null;
  return securityReport({
    tools: spec.tools,
    baseUrl: override ?? spec.baseUrl,
    baseUrlOverridden: override !== null,
    securitySchemes: spec.securitySchemes,
    authType: (await app.credentials.describe(workspaceId, 'live'))?.type ?? 'none',
    openapi: spec.openapi,
  });
}

export default async function specRoutes(app: FastifyInstance) {
  app.post<{ Params: { id: string } }>(
    '/workspaces/:id/spec',
    {
      // JSON escaping can double the text's size; the spec's own size is checked on the text.
      bodyLimit: app.config.maxSpecBytes * 2 + 1024 * 1024,
      schema: { params: IdParams, response: { 200: SpecSummary, ...errorResponses } },
    },
    async (request) => {
      const { id } = request.params;
      const workspace = await requireWorkspace(app, id);
      const source = await readSource(app, request);
      const previous = (await app.repos.tools.list(id)).map((t) => t.definition);
      const nameBudget = workspace.toolNameBudget ?? MAX_NAME_BUDGET;
      // Parsed and built on the import thread: a spec that takes seconds never stalls serving.
      const imported = await importSpecText(source.text, { sourceUrl: source.sourceUrl, previous, nameBudget }).catch((err: unknown) => {
        app.metrics.specImport('refused');
        throw err;
      });
      app.metrics.specImport('ok');
      const changes = diffTools(previous, imported.tools);
      const uploadedAt = new Date().toISOString();

      // Credentials held back because the API moved, tools on origins nobody allowed: said in this answer only.
      const originWarnings = await app.repos.transaction(async (tx) => {
        const warnings = await bindCredentialsOnUpload(app, id, imported, tx);
        const toggles = await app.repos.tools.toggles(id, tx);
        await app.repos.specs.upsert(
          {
            workspaceId: id,
            title: imported.title,
            version: imported.version,
            description: imported.description ?? null,
            iconUrl: imported.iconUrl ?? null,
            openapi: imported.openapi,
            sourceUrl: source.sourceUrl ?? null,
            baseUrl: imported.baseUrl ?? null,
            securitySchemes: imported.securitySchemes,
            warnings: imported.warnings,
            uploadedAt,
          },
          tx,
        );
        await app.repos.tools.replaceAll(
          id,
          imported.tools.map((definition) => ({
            name: definition.name,
            enabled: toggles.get(definition.name) ?? defaultEnabled(definition),
            definition,
          })),
          tx,
        );
        return warnings;
      });
      request.log.info({ workspaceId: id, tools: imported.tools.length, warnings: imported.warnings.length }, 'spec imported');
      return {
        status: 'ready',
        title: imported.title,
        version: imported.version,
        openapi: imported.openapi,
        baseUrl: imported.baseUrl ?? null,
        sourceUrl: source.sourceUrl ?? null,
        toolCount: imported.tools.length,
        warnings: [...imported.warnings, ...originWarnings],
        uploadedAt,
        changes,
        securityReport: await reportFor(app, id, { ...imported, baseUrl: imported.baseUrl ?? null }),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/workspaces/:id/spec',
    { schema: { params: IdParams, response: { 200: SpecSummary, ...errorResponses } } },
    async (request) => {
      const { id } = request.params;
      await requireWorkspace(app, id);
      const spec = await app.repos.specs.get(id);
      if (!spec) throw new SpecMissing();
      const tools = await app.repos.tools.list(id);
      return {
        status: 'ready',
        title: spec.title,
        version: spec.version,
        openapi: spec.openapi,
        baseUrl: spec.baseUrl,
        sourceUrl: spec.sourceUrl,
        toolCount: tools.length,
        warnings: spec.warnings,
        uploadedAt: spec.uploadedAt,
        securityReport: await reportFor(app, id, {
          tools: tools.map((t) => t.definition),
          baseUrl: spec.baseUrl,
          securitySchemes: spec.securitySchemes,
          openapi: spec.openapi,
        }),
      };
    },
  );
}

/** The spec's declared security schemes, for defaulting auth settings. */
export async function declaredSchemes(app: FastifyInstance, workspaceId: string): Promise<SecuritySchemeSummary[]> {
  return (await app.repos.specs.get(workspaceId))?.securitySchemes ?? [];
}
