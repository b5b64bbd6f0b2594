// A re-upload (or a new base URL) moved the API to another origin: the saved credentials stay
// with the origin they were saved for, and calls go without them, until the admin confirms here.
import type { AuthView, WorkspaceView } from '@latchkey/api';
import { ShieldAlert } from 'lucide-react';
import { useConfirmCredentials } from '../api/queries';
import { FormError } from '../ui/states';

const originOf = (url: string | null | undefined) => {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
};

export function HeldCredentials({ workspace, environment, auth }: { workspace: WorkspaceView; environment: string; auth: AuthView }) {
  const confirm = useConfirmCredentials(workspace.id, environment);
  if (!auth.held) return null;
  const now = environment === 'live' ? originOf(workspace.baseUrl) : undefined;
  return (
    <div className="held-banner" role="alert">
      <ShieldAlert aria-hidden size={20} />
      <div>
        <p>
          <strong>The API&apos;s address changed: the saved credentials are held back.</strong>
        </p>
        <p>
          They were saved for <span className="mono">{auth.origin ?? 'another address'}</span>
          {now && (
            <>
              {', and the API is now at '}
              <span className="mono">{now}</span>
            </>
          )}
          . No tool call is sent{environment === 'test' ? ' from the test environment' : ''} until you confirm; confirm only if you trust
          the new address with them.
        </p>
        <FormError error={confirm.error} />
        <button type="button" className="small" onClick={() => confirm.mutate()} aria-busy={confirm.isPending} disabled={confirm.isPending}>
          Confirm: send the credentials to the new address
        </button>
      </div>
    </div>
  );
}
