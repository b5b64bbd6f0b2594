import { KeyRound } from 'lucide-react';

export function Logo() {
  return (
    <span className="logo">
      <span className="logo-mark" aria-hidden>
        <KeyRound size={18} strokeWidth={2.5} />
      </span>
      Latchkey
    </span>
  );
}
