// A secret input that, once saved, shows a "saved" mark instead of any value: the gateway never
// sends a secret back, so there is nothing to show, and replacing it means typing a new one.
import { useId } from 'react';
import { SavedIndicator } from '../ui/badges';

interface SecretFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Saved and not being replaced: show the mark. */
  saved: boolean;
  required?: boolean;
  placeholder?: string;
}

export function SecretField({ label, value, onChange, saved, required = true, placeholder }: SecretFieldProps) {
  const id = useId();
  if (saved)
    return (
      <div className="field">
        <span className="field-label" id={id}>
          {label}
        </span>
        <div className="secret-saved" aria-labelledby={id} role="group">
          <span className="secret-dots" aria-hidden>
            ••••••••••••
          </span>
          <SavedIndicator />
        </div>
      </div>
    );
  return (
    <label>
      {label}
      <input
        type="password"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={required}
        autoComplete="new-password"
        spellCheck={false}
        placeholder={placeholder}
      />
    </label>
  );
}
