import type { WorkspaceView } from '@latchkey/api';
import { AuthForm } from './auth-form';
import { BaseUrlForm } from './base-url-form';
import { ToolList } from './tool-list';

export function ConfigureTab({ workspace, onUpload }: { workspace: WorkspaceView; onUpload(): void }) {
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="upstream-heading">
        <h2 id="upstream-heading">Upstream API</h2>
        <BaseUrlForm workspace={workspace} />
      </section>
      <section className="panel" aria-labelledby="auth-heading">
        <h2 id="auth-heading">Authentication</h2>
        <p className="muted">Saved once and sealed in the gateway: MCP clients never see it. A saved secret is never shown again; to change it, type a new one.</p>
        <AuthForm workspaceId={workspace.id} />
      </section>
      <section className="panel" aria-labelledby="tools-heading">
        <h2 id="tools-heading">Tools</h2>
        <ToolList workspace={workspace} onUpload={onUpload} />
      </section>
    </div>
  );
}
