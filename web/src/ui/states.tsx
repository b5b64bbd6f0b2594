// Loading, error and empty states, so every panel says what is going on in the same way.
import type { ReactNode } from 'react';
import { AlertTriangle } from 'lucide-react';
import { errorMessage } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" aria-busy="true" role="status">
      {label}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = 'Could not load this' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div className="state state-error" role="alert">
      <AlertTriangle aria-hidden size={20} />
      <div>
        <strong>{title}</strong>
        <p>{errorMessage(error)}</p>
        {onRetry && (
          <button type="button" className="secondary outline small" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}

export function EmptyState({ title, children, icon, level = 3 }: { title: string; children?: ReactNode; icon?: ReactNode; level?: 2 | 3 }) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div className="state state-empty">
      {icon}
      <Heading className="state-title">{title}</Heading>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}

/** An error from a form submission, next to the form. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      <AlertTriangle aria-hidden size={16} /> {errorMessage(error)}
    </p>
  );
}
