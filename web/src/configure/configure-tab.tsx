import { useState } from 'react';
import type { WorkspaceView } from '@latchkey/api';
import { AuthForm } from './auth-form';
import { BaseUrlForm } from './base-url-form';
import { EnvironmentSwitch, hasTest, type EnvironmentName } from './environment-switch';
import { OAuthBanner, readOAuthReturn } from './oauth-banner';
import { ToolList } from './tool-list';
import { NameBudgetForm } from './name-budget-form';
import { SchemaProfileForm } from './schema-profile-form';
import { ResponseBudgetForm, ToolModeForm } from './tool-mode-form';

export function ConfigureTab({ workspace, onUpload }: { workspace: WorkspaceView; onUpload(): void }) {
  // Coming back from an OAuth provider: which environment, and how it went.
  const [returned] = useState(readOAuthReturn);
  const [chosen, setEnvironment] = useState<EnvironmentName>(returned.environment ?? 'live');
  const environment = hasTest(workspace) ? chosen : 'live';
  return (
    <div className="stack">
      <OAuthBanner outcome={returned.outcome} />
      <section className="panel" aria-labelledby="upstream-heading">
        <h2 id="upstream-heading">Upstream API</h2>
        <EnvironmentSwitch workspace={workspace} value={environment} onChange={setEnvironment} />
        <BaseUrlForm key={environment} workspace={workspace} environment={environment} />
      </section>
      <section className="panel" aria-labelledby="auth-heading">
        <h2 id="auth-heading">Authentication{environment === 'test' && <span className="badge env-badge env-test">test</span>}</h2>
        <p className="muted">
          Saved once and sealed in the gateway: MCP clients never see it. A saved secret is never shown again; to change it, type a new one.
        </p>
        <AuthForm key={environment} workspace={workspace} environment={environment} />
      </section>
      <section className="panel" aria-labelledby="tools-heading">
        <h2 id="tools-heading">Tools</h2>
        <ToolList workspace={workspace} onUpload={onUpload} />
        <NameBudgetForm workspace={workspace} />
        <SchemaProfileForm workspace={workspace} />
        <ToolModeForm workspace={workspace} />
        <ResponseBudgetForm workspace={workspace} />
      </section>
    </div>
  );
}
