import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { UpdateWorkspaceBody, WorkspaceView } from '@latchkey/api';
import { useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

type ChoiceField = 'schemaProfile' | 'toolMode';

/** One workspace setting picked from a list and saved on its own (schema form, tool mode). */
export function ChoiceForm<F extends ChoiceField>({
  workspace,
  field,
  labels,
  label,
  hint,
  save,
  className,
  children,
}: {
  workspace: WorkspaceView;
  field: F;
  labels: Record<NonNullable<UpdateWorkspaceBody[F]>, string>;
  label: string;
  hint: ReactNode;
  save: string;
  className: string;
  /** Shown between the field and the button (what the setting does now). */
  children?: ReactNode;
}) {
  type Value = NonNullable<UpdateWorkspaceBody[F]>;
  const update = useUpdateWorkspace(workspace.id);
  const current = (workspace[field] ?? 'auto') as Value;
  const [value, setValue] = useState<Value>(current);
  useEffect(() => setValue(current), [current]);
  const dirty = value !== current;
  const hintId = `${className}-hint`;

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ [field]: value } as UpdateWorkspaceBody);
  }

  return (
    <form onSubmit={submit} className={`inline-form ${className}`}>
      <label>
        {label}
        <select value={value} onChange={(e) => (setValue(e.target.value as Value), update.reset())} aria-describedby={hintId}>
          {Object.entries(labels).map(([choice, text]) => (
            <option key={choice} value={choice}>
              {text as string}
            </option>
          ))}
        </select>
        <small id={hintId}>{hint}</small>
      </label>
      {children}
      <div className="button-row">
        <button type="submit" className="secondary" disabled={!dirty || update.isPending} aria-busy={update.isPending}>
          {save}
        </button>
        {update.isSuccess && !dirty && <SavedIndicator />}
      </div>
      <FormError error={update.error} />
    </form>
  );
}
