import type { IngestResult } from '../ingest/ingestor.js';

export interface TypeCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface Rejection {
  file: string;
  messageType: string;
  controlId: string | undefined;
  ackCode: string;
  reason: string;
}

/** The `openidcr ingest` summary: `{"accepted":n,"duplicates":n,"rejected":n,"byType":{...}}` plus the reasons. */
export interface IngestSummary extends TypeCounts {
  byType: Record<string, TypeCounts>;
  rejections: Rejection[];
}

export function emptySummary(): IngestSummary {
  return { accepted: 0, duplicates: 0, rejected: 0, byType: {}, rejections: [] };
}

/** Adds one result. AR and AE both count as rejected: either way the message did not reach the record. */
export function count(summary: IngestSummary, file: string, r: Pick<IngestResult, 'outcome' | 'messageType' | 'controlId' | 'ackCode' | 'problems'>): void {
  const key = r.messageType || 'UNKNOWN';
  const t = (summary.byType[key] ??= { accepted: 0, duplicates: 0, rejected: 0 });
  if (r.outcome === 'accepted') {
    summary.accepted++;
    t.accepted++;
  } else if (r.outcome === 'duplicate') {
    summary.duplicates++;
    t.duplicates++;
  } else {
    summary.rejected++;
    t.rejected++;
    summary.rejections.push({ file, messageType: key, controlId: r.controlId, ackCode: r.ackCode, reason: r.problems.map((p) => p.message).join('; ') || 'rejected' });
  }
}

export function formatSummary(s: IngestSummary): string {
  const lines = [`accepted ${s.accepted}, duplicates ${s.duplicates}, rejected ${s.rejected}`];
  const types = Object.keys(s.byType).sort();
  if (types.length) {
    const width = Math.max(...types.map((t) => t.length), 4);
    lines.push(`${'type'.padEnd(width)}  accepted  duplicates  rejected`);
    for (const t of types) {
      const c = s.byType[t]!;
      lines.push(`${t.padEnd(width)}  ${String(c.accepted).padStart(8)}  ${String(c.duplicates).padStart(10)}  ${String(c.rejected).padStart(8)}`);
    }
  }
  for (const r of s.rejections) lines.push(`rejected ${r.file} ${r.messageType} ${r.controlId ?? '(no control id)'} ${r.ackCode}: ${r.reason}`);
  return lines.join('\n');
}

/** A one-line progress bar for a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(ratio * 100).toFixed(0)}%`;
}
