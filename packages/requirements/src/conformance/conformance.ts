import type { ConfigCondition, Requirement } from '../catalogue/schema.js';
import type { TraceMatrix } from '../trace/matrix.js';

/** How a locality's configuration stands against one requirement. */
export type ConformanceStatus = 'met' | 'off' | 'gap';

export interface ConformanceRow {
  id: string;
  title: string;
  priority: Requirement['priority'];
  status: ConformanceStatus;
  /** Why it is off or a gap, in plain English, from the conditions that did not hold. */
  because: string[];
  /** Whether `met` rests on a check of the configuration (`needs`), or only on the requirement applying. */
  checked: boolean;
  /** When test results are given: whether the requirement is also proved by passing tests. */
  tested?: 'passed' | 'failed' | 'missing';
}

export interface ConformanceReport {
  rows: ConformanceRow[];
  totals: { met: number; off: number; gap: number; mustGaps: string[]; /** Met rows backed by a check. */ metChecked: number };
}

/** The value at a dot path of a plain configuration object. */
export function valueAt(config: unknown, path: string): unknown {
  let value: unknown = config;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Whether a condition holds for a configuration. */
export function conditionHolds(config: unknown, condition: ConfigCondition): boolean {
  const value = valueAt(config, condition.path);
  if (condition.exists !== undefined) return (value !== undefined && value !== null) === condition.exists;
  if (condition.equals !== undefined) return value === condition.equals;
  if (condition.in !== undefined) return condition.in.some((v) => v === value);
  if (condition.nonEmpty !== undefined) {
    const nonEmpty = (Array.isArray(value) || typeof value === 'string') && value.length > 0;
    return nonEmpty === condition.nonEmpty;
  }
  return false;
}

/**
 * Checks a locality configuration against the requirements: which it meets, which it turns off, which gaps remain.
 * Give the running configuration (e.g. architecture's `runningConfiguration(idcr)`: the locality with `provides`,
 * what the assembled app actually offers) so that checks such as consent capture can fail when the app lacks them.
 */
export function checkConformance(requirements: readonly Requirement[], config: unknown, matrix?: TraceMatrix): ConformanceReport {
  const tested = new Map(matrix?.requirements.map((r) => [r.id, r.status]));
  const rows = requirements.map((req): ConformanceRow => {
    const off = req.appliesWhen.filter((c) => !conditionHolds(config, c));
    const gaps = req.needs.filter((c) => !conditionHolds(config, c));
    const status: ConformanceStatus = off.length > 0 ? 'off' : gaps.length > 0 ? 'gap' : 'met';
    const row: ConformanceRow = {
      id: req.id,
      title: req.title,
      priority: req.priority,
      status,
      because: (off.length > 0 ? off : gaps).map((c) => c.explain),
      checked: req.needs.length > 0,
    };
    const t = tested.get(req.id);
    if (matrix) row.tested = t ?? 'missing';
    return row;
  });
  const count = (s: ConformanceStatus) => rows.filter((r) => r.status === s).length;
  return {
    rows,
    totals: { met: count('met'), off: count('off'), gap: count('gap'), mustGaps: rows.filter((r) => r.priority === 'must' && r.status === 'gap').map((r) => r.id), metChecked: rows.filter((r) => r.status === 'met' && r.checked).length },
  };
}

/** The conformance report as Markdown. */
export function conformanceToMarkdown(report: ConformanceReport, localityName: string): string {
  const section = (status: ConformanceStatus, heading: string) => {
    const list = report.rows.filter((r) => r.status === status);
    if (list.length === 0) return [`## ${heading}`, '', 'None.', ''];
    return [
      `## ${heading}`,
      '',
      ...list.map((r) => `- **${r.id}** (${r.priority}) ${r.title}${r.because.length ? ` — ${r.because.join('; ')}` : ''}${r.tested ? ` [tests: ${r.tested}]` : ''}`),
      '',
    ];
  };
  return [
    `# Conformance of ${localityName}`,
    '',
    `${report.totals.met} met, ${report.totals.off} turned off by this configuration, ${report.totals.gap} gaps.`,
    '',
    `Of those met, ${report.totals.metChecked} are checked against the configuration (and, with \`provides\`, what the running app offers); the rest only apply to it.`,
    '',
    ...section('gap', 'Gaps to close'),
    ...section('off', 'Turned off by this configuration'),
    ...section('met', 'Met by this configuration'),
  ].join('\n');
}
