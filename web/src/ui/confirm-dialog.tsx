// A modal confirmation on the native <dialog>: focus is trapped and Escape cancels, for free.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { FormError } from './states';

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
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
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
          <button type="button" className={danger ? 'danger' : undefined} onClick={onConfirm} aria-busy={pending} disabled={pending} autoFocus>
            {confirmLabel}
          </button>
        </footer>
      </article>
    </dialog>
  );
}
