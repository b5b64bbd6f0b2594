import type { ToolView } from '@latchkey/api';
import { Check } from 'lucide-react';

export function MethodBadge({ method }: { method: string }) {
  return <span className={`badge method method-${method.toLowerCase()}`}>{method}</span>;
}

/** DELETE (or a destructive hint) changes data irreversibly; any other non-read-only tool writes. */
export function toolRisk(tool: ToolView): 'destructive' | 'write' | 'read' {
  if (tool.method === 'DELETE' || tool.annotations.destructiveHint === true) return 'destructive';
  if (tool.annotations.readOnlyHint === true || tool.method === 'GET' || tool.method === 'HEAD') return 'read';
  return 'write';
}

export function RiskBadge({ tool }: { tool: ToolView }) {
  const risk = toolRisk(tool);
  if (risk === 'read') return null;
  return <span className={`badge risk-${risk}`}>{risk === 'destructive' ? 'Destructive' : 'Writes'}</span>;
}

export function SavedIndicator({ label = 'saved' }: { label?: string }) {
  return (
    <span className="saved-indicator">
      <Check aria-hidden size={14} strokeWidth={3} /> {label}
    </span>
  );
}
