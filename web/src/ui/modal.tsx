// A modal on the native <dialog>, for forms and one-time answers: focus is trapped and Escape
// closes, for free. Its content is rendered only while open, so nothing lingers in the page.
import type { ReactNode } from 'react';
import { X } from 'lucide-react';
import { useDialog } from './use-dialog';

export function Modal({
  open,
  title,
  onClose,
  children,
  className,
}: {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
  className?: string;
}) {
  const { ref, titleId } = useDialog(open);
  return (
    <dialog ref={ref} className={`modal ${className ?? ''}`} onCancel={(e) => (e.preventDefault(), onClose())} aria-labelledby={titleId}>
      {open && (
        <article>
          <header>
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button secondary outline" aria-label="Close" onClick={onClose}>
              <X aria-hidden size={18} />
            </button>
          </header>
          {children}
        </article>
      )}
    </dialog>
  );
}
