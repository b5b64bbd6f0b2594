// Upload: a spec by file, pasted text or URL. While tools are generated the form shows progress;
// then what was imported (and, on a re-upload, what changed), or the parser's error with where.
import { useState } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { useSpec, useUploadSpec, type SpecSource } from '../api/queries';
import { ErrorState, Loading } from '../ui/states';
import { SpecSourceForm } from './spec-source-form';
import { CurrentSpec, UploadError, UploadResult } from './spec-summary';

export function UploadTab({ workspace, onConfigure }: { workspace: WorkspaceView; onConfigure(): void }) {
  const spec = useSpec(workspace);
  const upload = useUploadSpec(workspace.id);
  const hadSpec = workspace.toolCount > 0;
  // Whether the last upload replaced a spec: then what changed is worth showing.
  const [replaced, setReplaced] = useState(false);

  return (
    <div className="stack">
      <section className="panel">
        <h2>{hadSpec ? 'Replace the spec' : 'Upload an OpenAPI spec'}</h2>
        <p className="muted">
          OpenAPI 3.0, 3.1 or Swagger 2.0, as JSON or YAML. Every operation becomes an MCP tool; read-only ones start enabled.
          {hadSpec && ' Tools that still exist keep their on/off state.'}
        </p>
        <SpecSourceForm pending={upload.isPending} onSubmit={(source: SpecSource) => (setReplaced(hadSpec), upload.mutate(source))} />
        {upload.isPending && (
          <div className="upload-progress" role="status">
            <progress aria-label="Generating tools" />
            <span>Reading the spec and generating tools…</span>
          </div>
        )}
        {upload.isError && <UploadError error={upload.error} />}
        {upload.isSuccess && <UploadResult summary={upload.data} firstUpload={!replaced} onConfigure={onConfigure} />}
      </section>
      {hadSpec && (
        <section className="panel">
          <h2>Current spec</h2>
          {spec.isPending ? (
            <Loading />
          ) : spec.isError ? (
            <ErrorState error={spec.error} onRetry={() => void spec.refetch()} />
          ) : (
            <CurrentSpec summary={spec.data} review={!upload.isSuccess} />
          )}
        </section>
      )}
    </div>
  );
}
