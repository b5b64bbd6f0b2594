import type { WorkspaceSchemaProfile, WorkspaceView } from '@latchkey/api';
import { ChoiceForm } from './choice-form';

export const PROFILE_LABELS: Record<WorkspaceSchemaProfile, string> = {
  auto: 'Auto: by the client’s name',
  default: 'Default: JSON Schema 2020-12',
  openai: 'OpenAI strict mode',
  gemini: 'Gemini subset',
};

/** Which form of each tool's input schema clients get: the strictest their model accepts. */
export function SchemaProfileForm({ workspace }: { workspace: WorkspaceView }) {
  return (
    <ChoiceForm
      workspace={workspace}
      field="schemaProfile"
      labels={PROFILE_LABELS}
      label="Tool schemas for clients"
      save="Save schema form"
      className="schema-profile-form"
      hint={
        <>
          Models refuse schemas by their own rules. Auto gives ChatGPT (<code>openai-mcp</code>) OpenAI&rsquo;s strict form and the Gemini
          CLI Gemini&rsquo;s subset, and every other client the default. Calls reach the API the same whatever the form; an access key can
          choose its own.
        </>
      }
    />
  );
}
