import { parentPort } from 'node:worker_threads';
import type { Delimiters } from './delimiters.js';
import { parseUnit, type ParseOutcome } from './message.js';
import { splitMessages } from './split.js';

/** What crosses the thread boundary: plain data (classes do not survive structured clone). */
export type SerialisedOutcome =
  | { ok: true; raw: string; lines: readonly string[]; delimiters: Delimiters; segments: { name: string; fields: string[][][][]; sequence: number }[] }
  | Extract<ParseOutcome, { ok: false }>;

export function serialise(outcome: ParseOutcome): SerialisedOutcome {
  if (!outcome.ok) return outcome;
  const m = outcome.message;
  return {
    ok: true,
    raw: m.raw,
    lines: m.lines,
    delimiters: { ...m.delimiters },
    segments: m.segments.map((s) => ({ name: s.name, fields: s.fields, sequence: s.sequence })),
  };
}

parentPort?.on('message', (job: { id: number; text: string }) => {
  try {
    const outcomes = splitMessages(job.text).messages.map((u) => serialise(parseUnit(u)));
    parentPort!.postMessage({ id: job.id, outcomes });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
