import { useEffect, useState, type FormEvent } from 'react';
import type { WorkspaceToolMode, WorkspaceView } from '@latchkey/api';
import { ChoiceForm } from './choice-form';
import { useToolMode, useUpdateWorkspace } from '../api/queries';
import { SavedIndicator } from '../ui/badges';
import { FormError } from '../ui/states';

export const TOOL_MODE_LABELS: Record<WorkspaceToolMode, string> = {
  auto: 'Auto: by the size of the list',
  all: 'All: list every enabled tool',
  dynamic: 'Dynamic: search, describe and call',
};

const count = (n: number) => n.toLocaleString('en-US');
const MIN_RESPONSE_BUDGET = 1_000;

/** What clients get now, measured by the gateway on the list it serves. */
function ToolModeReport({ workspace }: { workspace: WorkspaceView }) {
  const report = useToolMode(workspace.id, workspace.updatedAt, workspace.enabledToolCount);
  if (!report.data) return null;
  const { mode, tools, estimatedTokens, dynamicEstimatedTokens, reason } = report.data;
  return (
    <p className="tool-mode-report" data-testid="tool-mode-report" aria-live="polite">
      <strong>Clients get {mode === 'dynamic' ? 'three meta-tools' : `${count(tools)} tool${tools === 1 ? '' : 's'}`}</strong>
      {mode === 'dynamic'
        ? ` (about ${count(dynamicEstimatedTokens)} tokens of tools/list) instead of ${count(tools)} tools (about ${count(estimatedTokens)} tokens).`
        : ` (about ${count(estimatedTokens)} tokens of tools/list).`}{' '}
      <span className="muted">{reason}</span>
    </p>
  );
}

/** How tools are offered: every one listed, or found through search_tools. */
export function ToolModeForm({ workspace }: { workspace: WorkspaceView }) {
  return (
    <ChoiceForm
      workspace={workspace}
      field="toolMode"
      labels={TOOL_MODE_LABELS}
      label="How tools are offered"
      save="Save tool mode"
      className="tool-mode-form"
      hint={
        <>
          Every listed tool costs the model context on every turn, and clients load only a few dozen. Dynamic lists{' '}
          <code>search_tools</code>, <code>describe_tools</code> and <code>call_tool</code> instead; calls through them are checked, limited
          and logged as the real tool&rsquo;s. Auto lists every tool up to 40 tools and about 30,000 tokens. An access key can choose its
          own.
        </>
      }
    >
      <ToolModeReport workspace={workspace} />
    </ChoiceForm>
  );
}

/** Tokens one tool answer may hold before it is cut (as JSON stays JSON); 0: no budget. */
export function ResponseBudgetForm({ workspace }: { workspace: WorkspaceView }) {
  const update = useUpdateWorkspace(workspace.id);
  const current = workspace.responseBudget ?? 25_000;
  const [value, setValue] = useState(String(current));
  useEffect(() => setValue(String(current)), [current]);
  const dirty = value.trim() !== String(current);
  const tokens = Number(value);
  // The gateway's own rule, said before a request is made.
  const tooSmall = value.trim() !== '' && tokens > 0 && tokens < MIN_RESPONSE_BUDGET;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!tooSmall) update.mutate({ responseBudget: tokens });
  }

  return (
    <form onSubmit={submit} className="inline-form response-budget-form">
      <label>
        Response budget <span className="muted">(tokens; 0 for none)</span>
        <input
          type="number"
          min={0}
          max={10_000_000}
          step={1}
          value={value}
          onChange={(e) => (setValue(e.target.value), update.reset())}
          aria-describedby="response-budget-hint"
          aria-invalid={tooSmall || undefined}
        />
        {tooSmall && (
          <small className="form-error" role="alert">
            0 (no budget) or at least {count(MIN_RESPONSE_BUDGET)} tokens: a smaller answer would hold little more than its note.
          </small>
        )}
        <small id="response-budget-hint">
          A larger answer is shortened as valid JSON: long lists keep their first items, and a note tells the model how many were left out
          and how to page or narrow the call. Every tool also takes a <code>response_filter</code> (JMESPath) to keep only what it needs.
        </small>
      </label>
      <div className="button-row">
        <button type="submit" className="secondary" disabled={!dirty || tooSmall || update.isPending} aria-busy={update.isPending}>
          Save budget
        </button>
        {update.isSuccess && !dirty && <SavedIndicator />}
      </div>
      <FormError error={update.error} />
    </form>
  );
}
