// The one time a key is shown. It lives only in this dialog's props: closing drops it, and the
// console keeps it nowhere else (no storage, no query cache).
import { AlertTriangle } from 'lucide-react';
import { CopyButton } from '../ui/copy-button';
import { Modal } from '../ui/modal';
import type { CreatedKey } from './create-key-dialog';

export function NewKeyDialog({ created, onClose }: { created: CreatedKey | null; onClose(): void }) {
  return (
    <Modal open={created !== null} title="Your new access key" onClose={onClose} className="key-dialog">
      {created && (
        <>
          <p>
            Key <strong>“{created.label}”</strong> for the <strong>{created.environment}</strong> environment. Give it to the client, which
            sends it as <span className="mono">X-Latchkey-Key</span> with every request.
          </p>
          <div className="url-row">
            <input className="mono grow" readOnly value={created.key} aria-label="Access key" onFocus={(e) => e.target.select()} />
            <CopyButton text={created.key} label="Copy access key" className="" />
          </div>
          <p className="callout warning-callout">
            <AlertTriangle aria-hidden size={18} />
            <span>Copy it now: you won't see it again. Latchkey keeps only a hash of it; if it is lost, revoke it and create another.</span>
          </p>
          <footer>
            <button type="button" onClick={onClose} autoFocus>
              Done
            </button>
          </footer>
        </>
      )}
    </Modal>
  );
}
