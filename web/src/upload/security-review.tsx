// The import-time security report: what the spec lets a caller do or exposes (writes, credentials
// in a query string or over plain http, a private-network upstream, schemes not configured,
// per-operation servers), grouped by severity, so the admin decides with eyes open.
import { useId } from 'react';
import { ShieldAlert, ShieldCheck } from 'lucide-react';
import type { SecurityFinding, SecurityReport } from '@latchkey/api';

const SEVERITIES = [
  ['high', 'High'],
  ['medium', 'Medium'],
  ['info', 'Info'],
] as const;

/** Past this many, a finding's tools are summed up rather than listed. */
const TOOLS_SHOWN = 8;

/** `count`: how many tools in all (the report names only the first few of a long list). */
function ToolNames({ tools, count = tools.length }: { tools: string[]; count?: number }) {
  const shown = tools.slice(0, TOOLS_SHOWN);
  return (
    <span className="finding-tools">
      {shown.map((name) => (
        <code key={name} className="tool-chip">
          {name}
        </code>
      ))}
      {count > shown.length && <span className="muted small-text">and {count - shown.length} more</span>}
    </span>
  );
}

function Finding({ finding }: { finding: SecurityFinding }) {
  return (
    <li>
      <span>{finding.message}</span>
      {finding.pointer && <code className="pointer">{finding.pointer}</code>}
      {finding.tools && finding.tools.length > 0 && <ToolNames tools={finding.tools} count={finding.toolCount} />}
    </li>
  );
}

export function SecurityReview({ report }: { report: SecurityReport | undefined }) {
  const headingId = useId();
  if (!report) return null;
  const { findings } = report;
  return (
    <section className="security-review" aria-labelledby={headingId}>
      <h4 id={headingId}>
        {findings.length > 0 ? <ShieldAlert aria-hidden size={16} /> : <ShieldCheck aria-hidden size={16} />} Security review
      </h4>
      {findings.length === 0 ? (
        <p className="muted small-text">No findings.</p>
      ) : (
        SEVERITIES.map(([severity, label]) => {
          const group = findings.filter((f) => f.severity === severity);
          if (group.length === 0) return null;
          return (
            <div key={severity} className={`finding-group finding-${severity}`}>
              <h5>
                <span className={`badge severity-badge severity-${severity}`}>{label}</span> {group.length}
              </h5>
              <ul>
                {group.map((finding, i) => (
                  <Finding key={`${finding.kind}-${i}`} finding={finding} />
                ))}
              </ul>
            </div>
          );
        })
      )}
    </section>
  );
}
