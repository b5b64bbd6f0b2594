import { useEffect, useState, type FormEvent } from 'react';
import type { WorkspaceSchemaProfile, WorkspaceView } from '@latchkey/api';
import { useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

export const PROFILE_LABELS: Record<WorkspaceSchemaProfile, string> = {
  auto: 'Auto: by the client’s name',
  default: 'Default: JSON Schema 2020-12',
  openai: 'OpenAI strict mode',
  gemini: 'Gemini subset',
};

/** Which form of each tool's input schema clients get: the strictest their model accepts. */
export function SchemaProfileForm({ workspace }: { workspace: WorkspaceView }) {
  const update = useUpdateWorkspace(workspace.id);
  const current = workspace.schemaProfile ?? 'auto';
  const [value, setValue] = useState<WorkspaceSchemaProfile>(current);
  useEffect(() => setValue(current), [current]);
  const dirty = value !== current;

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ schemaProfile: value });
  }

  return (
    <form onSubmit={submit} className="inline-form schema-profile-form">
      <label>
        Tool schemas for clients
        <select
          value={value}
          onChange={(e) => (setValue(e.target.value as WorkspaceSchemaProfile), update.reset())}
          aria-describedby="schema-profile-hint"
        >
          {Object.entries(PROFILE_LABELS).map(([profile, label]) => (
            <option key={profile} value={profile}>
              {label}
            </option>
          ))}
        </select>
        <small id="schema-profile-hint">
          Models refuse schemas by their own rules. Auto gives ChatGPT (<code>openai-mcp</code>) OpenAI&rsquo;s strict form and the Gemini
          CLI Gemini&rsquo;s subset, and every other client the default. Calls reach the API the same whatever the form; an access key can
          choose its own.
        </small>
      </label>
      <div className="button-row">
        <button type="submit" className="secondary" disabled={!dirty || update.isPending} aria-busy={update.isPending}>
          Save schema form
        </button>
        {update.isSuccess && !dirty && <SavedIndicator />}
      </div>
      <FormError error={update.error} />
    </form>
  );
}
