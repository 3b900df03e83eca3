import { z } from 'zod';

const share = (what: string) => z.number({ error: `expected a share from 0 to 1 (${what})` }).min(0).max(1);

/**
 * A channel's data-quality gate. A channel that has one is **in trial** until its scorecard meets every threshold
 * given (over at least `minMessages` messages); while in trial its data is stored but withheld from clinicians.
 * Thresholds left out are shown on the scorecard but not required.
 */
export const QualityGateSchema = z.strictObject({
  /** Messages needed before the channel can pass (default 20). */
  minMessages: z.number().int().min(1).max(1_000_000).default(20),
  /** Least share of messages carrying an NHS number in PID-3. */
  nhsNumberCompleteness: share('messages with an NHS number').optional(),
  /** Least share of the NHS numbers sent that have a valid check digit. */
  nhsNumberValidity: share('NHS numbers that are valid').optional(),
  /** Least share of messages whose family name agrees with the person's other records (catches misspellings). */
  nameAgreement: share('messages whose name agrees').optional(),
  /** Least share of coded items (OBX-3, DG1-3, AL1-3, …) coded in a national system (SNOMED CT, LOINC, ICD-10, Read). */
  codedShare: share('coded items in a national code system').optional(),
  /** Most share of messages rejected (negative ACK or dead letter). */
  maxRejectRate: share('messages rejected').optional(),
  /** Most minutes from the message time (MSH-7) to its arrival, for 95% of messages. */
  maxDelayMinutes: z.number().min(0).optional(),
});
export type QualityGate = z.output<typeof QualityGateSchema>;
export type QualityGateInput = z.input<typeof QualityGateSchema>;

/** A channel's measures, as the scorecard computes them (a share is undefined when nothing was there to measure). */
export interface QualityMeasures {
  messages: number;
  nhsNumberCompleteness: number | undefined;
  nhsNumberValidity: number | undefined;
  nameAgreement: number | undefined;
  codedShare: number | undefined;
  rejectRate: number | undefined;
  delayMinutesP95: number | undefined;
}

/** One threshold of a gate against its measure. */
export interface GateCheck {
  measure: keyof QualityGate;
  label: string;
  required: string;
  found: string;
  met: boolean;
}

/** Where a channel stands: no gate (`live`), `passing`, or `trial` with what is not yet met. */
export interface GateStatus {
  state: 'live' | 'passing' | 'trial';
  checks: GateCheck[];
  /** `trial: not yet passing NHS number completeness 62% (needs 95%)`, or `passing`. */
  summary: string;
}

const pct = (n: number | undefined) => (n === undefined ? 'nothing to measure' : `${Math.round(n * 1000) / 10}%`);

/** Evaluates a channel's measures against its gate. Pure. */
export function evaluateQualityGate(gate: QualityGate | undefined, m: QualityMeasures): GateStatus {
  if (!gate) return { state: 'live', checks: [], summary: 'live (no data-quality gate)' };
  const checks: GateCheck[] = [{ measure: 'minMessages', label: 'Messages received', required: `at least ${gate.minMessages}`, found: String(m.messages), met: m.messages >= gate.minMessages }];
  const atLeast = (measure: keyof QualityGate, label: string, found: number | undefined) => {
    const required = gate[measure] as number | undefined;
    if (required === undefined) return;
    checks.push({ measure, label, required: `at least ${pct(required)}`, found: pct(found), met: found !== undefined && found >= required });
  };
  const atMost = (measure: keyof QualityGate, label: string, found: number | undefined, format: (n: number | undefined) => string) => {
    const required = gate[measure] as number | undefined;
    if (required === undefined) return;
    checks.push({ measure, label, required: `at most ${format(required)}`, found: format(found), met: found === undefined || found <= required });
  };
  atLeast('nhsNumberCompleteness', 'NHS number completeness', m.nhsNumberCompleteness);
  atLeast('nhsNumberValidity', 'NHS number validity', m.nhsNumberValidity);
  atLeast('nameAgreement', 'Name agreement', m.nameAgreement);
  atLeast('codedShare', 'Coded in a national system', m.codedShare);
  atMost('maxRejectRate', 'Rejected', m.rejectRate, pct);
  atMost('maxDelayMinutes', 'Delay (95% of messages)', m.delayMinutesP95, (n) => (n === undefined ? 'nothing to measure' : `${Math.round(n)} minutes`));
  const failing = checks.filter((c) => !c.met);
  if (failing.length === 0) return { state: 'passing', checks, summary: 'passing' };
  return { state: 'trial', checks, summary: `trial: not yet passing ${failing.map((c) => `${c.label} ${c.found} (needs ${c.required})`).join('; ')}` };
}
