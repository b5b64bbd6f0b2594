// Three ways to give a spec: a file (dropped or picked), pasted text, or a URL the gateway fetches.
import { useId, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { ClipboardPaste, FileUp, Link } from 'lucide-react';
import type { SpecSource } from '../api/queries';

type Mode = 'file' | 'paste' | 'url';

const MODES: { id: Mode; label: string; icon: typeof FileUp }[] = [
  { id: 'file', label: 'File', icon: FileUp },
  { id: 'paste', label: 'Paste', icon: ClipboardPaste },
  { id: 'url', label: 'URL', icon: Link },
];

export function SpecSourceForm({ pending, onSubmit }: { pending: boolean; onSubmit(source: SpecSource): void }) {
  const [mode, setMode] = useState<Mode>('file');
  const [text, setText] = useState('');
  const [url, setUrl] = useState('');
  const name = useId();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (mode === 'paste' && text.trim()) onSubmit({ kind: 'json', body: { content: text } });
    if (mode === 'url' && url.trim()) onSubmit({ kind: 'json', body: { url: url.trim() } });
  }

  return (
    <div className="spec-source">
      <fieldset className="segmented" role="radiogroup" aria-label="Spec source">
        {MODES.map(({ id, label, icon: Icon }) => (
          <label key={id} className={mode === id ? 'active' : undefined}>
            <input type="radio" name={name} value={id} checked={mode === id} onChange={() => setMode(id)} />
            <Icon aria-hidden size={16} /> {label}
          </label>
        ))}
      </fieldset>
      {mode === 'file' && <DropZone disabled={pending} onFile={(file) => onSubmit({ kind: 'file', file })} />}
      {mode === 'paste' && (
        <form onSubmit={submit}>
          <label>
            Spec text (JSON or YAML)
            <textarea
              className="mono"
              rows={10}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={'openapi: 3.0.3\ninfo:\n  title: My API\n  version: "1.0"\npaths: …'}
              spellCheck={false}
              required
            />
          </label>
          <button type="submit" aria-busy={pending} disabled={pending}>
            Import spec
          </button>
        </form>
      )}
      {mode === 'url' && (
        <form onSubmit={submit}>
          <label>
            Spec URL
            <input
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://api.example.com/openapi.json"
              required
            />
          </label>
          <button type="submit" aria-busy={pending} disabled={pending}>
            Import from URL
          </button>
        </form>
      )}
    </div>
  );
}

function DropZone({ disabled, onFile }: { disabled: boolean; onFile(file: File): void }) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  function drop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  }
  return (
    <label
      className={`drop-zone${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <FileUp aria-hidden size={28} />
      <span>
        <strong>Drop a spec file here</strong> or choose one
      </span>
      <span className="muted small-text">.json, .yaml or .yml</span>
      <input
        ref={input}
        type="file"
        aria-label="Spec file"
        accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
    </label>
  );
}
