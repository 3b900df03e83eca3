import { MAX_PATIENTS } from '../people/nhs-number.js';

/** Options for generating a population. */
export interface SyntheticOptions {
  /** PRNG seed; default 42. */
  seed?: number;
  /** How many patients (at most MAX_PATIENTS, the distinct NHS numbers of the test range). */
  patients: number;
  /** Share of HL7 v2 messages given a deliberate data-quality fault, 0..1; default 0. */
  faultRate?: number;
  /** ISO date (YYYY-MM-DD) the history ends at; default '2026-06-01'. The clock is never read. */
  start?: string;
  /** First patient index to generate; default 0. Lets a population be produced in parallel slices. */
  offset?: number;
}

export interface ResolvedOptions {
  seed: number;
  patients: number;
  faultRate: number;
  start: string;
  offset: number;
}

/** A problem with an option, naming the field. */
export interface OptionIssue {
  code: 'invalid-seed' | 'invalid-patients' | 'invalid-fault-rate' | 'invalid-start' | 'invalid-offset' | 'too-many-patients';
  field: string;
  message: string;
}

export type OptionsResult = { ok: true; options: ResolvedOptions } | { ok: false; issues: OptionIssue[] };

/** Checks options from a caller or the command line; returns the issues instead of throwing. */
export function parseSyntheticOptions(input: SyntheticOptions): OptionsResult {
  const issues: OptionIssue[] = [];
  const seed = input.seed ?? 42;
  const faultRate = input.faultRate ?? 0;
  const start = input.start ?? '2026-06-01';
  const offset = input.offset ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) issues.push({ code: 'invalid-seed', field: 'seed', message: `seed: expected an integer 0..4294967295, got ${String(input.seed)}` });
  if (!Number.isInteger(input.patients) || input.patients < 0) issues.push({ code: 'invalid-patients', field: 'patients', message: `patients: expected a whole number of 0 or more, got ${String(input.patients)}` });
  if (!Number.isInteger(offset) || offset < 0) issues.push({ code: 'invalid-offset', field: 'offset', message: `offset: expected a whole number of 0 or more, got ${String(input.offset)}` });
  else if (Number.isInteger(input.patients) && offset + input.patients > MAX_PATIENTS) {
    issues.push({ code: 'too-many-patients', field: 'patients', message: `patients: offset + patients must be at most ${MAX_PATIENTS}, the distinct NHS numbers in the test range 999 000 0000 - 999 999 9999` });
  }
  if (typeof faultRate !== 'number' || !(faultRate >= 0 && faultRate <= 1)) issues.push({ code: 'invalid-fault-rate', field: 'faultRate', message: `faultRate: expected a number from 0 to 1, got ${String(input.faultRate)}` });
  if (typeof start !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`)) || new Date(`${start}T00:00:00Z`).toISOString().slice(0, 10) !== start) {
    issues.push({ code: 'invalid-start', field: 'start', message: `start: expected an ISO date YYYY-MM-DD, got ${String(input.start)}` });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, options: { seed, patients: input.patients, faultRate, start, offset } };
}
