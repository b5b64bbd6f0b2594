// A list of tools to tick: a key's named tools, a toolset's hand-picked ones.
import type { ToolView } from '@latchkey/api';
import { MethodBadge } from '../ui/badges';

export function ToolChecklist({
  tools,
  picked,
  label,
  onToggle,
}: {
  tools: readonly ToolView[];
  picked: readonly string[];
  label: string;
  onToggle(name: string, on: boolean): void;
}) {
  return (
    <ul className="key-tools" aria-label={label}>
      {tools.map((tool) => (
        <li key={tool.name}>
          <label>
            <input type="checkbox" checked={picked.includes(tool.name)} onChange={(e) => onToggle(tool.name, e.target.checked)} />
            <MethodBadge method={tool.method} /> <span className="mono">{tool.name}</span>
            {!tool.enabled && <span className="badge">disabled</span>}
          </label>
        </li>
      ))}
    </ul>
  );
}
