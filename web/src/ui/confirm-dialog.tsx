// A modal confirmation on the native <dialog>: focus is trapped and Escape cancels, for free.
import type { ReactNode } from 'react';
import { FormError } from './states';
import { useDialog } from './use-dialog';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  error?: unknown;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ open, title, children, confirmLabel, danger, pending, error, onConfirm, onCancel }: ConfirmDialogProps) {
  const { ref, titleId } = useDialog(open);
  return (
    <dialog ref={ref} onCancel={(e) => (e.preventDefault(), onCancel())} aria-labelledby={titleId}>
      <article>
        <header>
          <h2 id={titleId}>{title}</h2>
        </header>
        <div className="dialog-body">{children}</div>
        <FormError error={error} />
        <footer>
          <button type="button" className="secondary outline" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
          <button
            type="button"
            className={danger ? 'danger' : undefined}
            onClick={onConfirm}
            aria-busy={pending}
            disabled={pending}
            autoFocus
          >
            {confirmLabel}
          </button>
        </footer>
      </article>
    </dialog>
  );
}
