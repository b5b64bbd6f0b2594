// Header name and value rows, for custom headers and passthrough's stored headers. Values are
// secrets: once saved they show as "saved", never as text.
import { Plus, X } from 'lucide-react';
import { SecretField } from './secret-field';

export interface HeaderRow {
  name: string;
  value: string;
}

interface HeaderRowsProps {
  rows: HeaderRow[];
  onChange(rows: HeaderRow[]): void;
  saved: boolean;
  /** Custom headers need one; passthrough's are optional. */
  minRows: number;
  addLabel?: string;
}

export function HeaderRows({ rows, onChange, saved, minRows, addLabel = 'Add header' }: HeaderRowsProps) {
  const setRow = (index: number, change: Partial<HeaderRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <div className="header-rows">
      {rows.map((row, i) => (
        <div className="header-row" key={i}>
          <label>
            Header name
            <input
              value={row.name}
              onChange={(e) => setRow(i, { name: e.target.value })}
              placeholder="X-Tenant"
              required
              readOnly={saved}
              spellCheck={false}
            />
          </label>
          <SecretField label="Value" value={row.value} onChange={(value) => setRow(i, { value })} saved={saved} />
          {!saved && rows.length > minRows && (
            <button
              type="button"
              className="icon-button secondary outline"
              aria-label={`Remove header ${row.name || i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <X aria-hidden size={16} />
            </button>
          )}
        </div>
      ))}
      {!saved && (
        <button
          type="button"
          className="secondary outline small"
          onClick={() => onChange([...rows, { name: '', value: '' }])}
          disabled={rows.length >= 50}
        >
          <Plus aria-hidden size={16} /> {addLabel}
        </button>
      )}
    </div>
  );
}

export const rowsToHeaders = (rows: HeaderRow[]) =>
  Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.value]));
