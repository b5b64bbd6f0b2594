// A value sealed on first start and opened at every start: proof that the master key given is the
// one the data was sealed with (read by the gateway, `latchkey doctor` and the rotation).
import type { Vault } from './vault.js';

export const VAULT_CHECK = { key: 'vault_check', context: { workspaceId: '_instance', field: 'vault-check' }, text: 'latchkey' } as const;

/** True when the vault opens the stored check value (and it says what it should). */
export function opensCheck(vault: Vault, stored: string): boolean {
  try {
    return vault.open(stored, VAULT_CHECK.context) === VAULT_CHECK.text;
  } catch {
    return false;
  }
}
