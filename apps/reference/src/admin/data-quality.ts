import express, { type Request, type Response, type Router } from 'express';
import { authenticate, evaluateQualityGate, userOf, type GateStatus, type Locality, type QualityMeasures, type TokenVerifier } from '@openidcr/architecture';
import { isValidNhsNumber } from '@openidcr/model';
import type { Db } from '@openidcr/store';
import { problem } from '../http-problem.js';

/**
 * The data-quality scorecard of each source channel, from the message log and the dead letters: NHS number
 * completeness and validity, name agreement with the person's other records, coding, timeliness, rejects and
 * warnings; and, for a channel with a `qualityGate`, whether it is still in trial.
 */
export interface DataQualityDeps {
  locality: Locality;
  db: Db;
  verifier: TokenVerifier;
  /** Told each fresh set of scorecards (the app keeps the policy point's sources-in-trial from them). */
  onScored?: ((cards: ChannelScorecard[]) => void) | undefined;
}

/**
 * The organisations whose items the policy point withholds: those with a channel in trial and none live or
 * passing. Items carry their organisation (meta.source), not their channel, so a second feed of an organisation
 * already live cannot be told apart: it is shown, and its scorecard says it is in trial.
 */
export function sourcesInTrialOf(channels: ReadonlyArray<{ organisation: string; state: GateStatus['state'] }>): Set<string> {
  const shown = new Set(channels.filter((c) => c.state !== 'trial').map((c) => c.organisation));
  return new Set(channels.filter((c) => c.state === 'trial' && !shown.has(c.organisation)).map((c) => c.organisation));
}

/** The newest messages the content measures are read from (counts of outcomes cover the whole log). */
export const SCORECARD_WINDOW = 20_000;

/** HL7 v2 coding systems (component 3 of a CE/CWE) that are national or international terminologies. */
const NATIONAL_CODE_SYSTEMS = new Set(['SCT', 'SNOMED', 'SNOMEDCT', 'SNOMED-CT', 'SNM', 'LN', 'LOINC', 'I10', 'I10C', 'ICD10', 'ICD-10', 'CTV3', 'READ', 'RD', 'C4', 'OPCS4', 'DMD', 'NICIP']);
/** Fields holding what an item is (its code): observation, order, diagnosis, allergen, problem, medication. */
const CODED_FIELDS: Array<[segment: string, field: number]> = [['OBX', 3], ['OBR', 4], ['DG1', 3], ['AL1', 3], ['PRB', 3], ['RXE', 2], ['RXA', 5], ['RXO', 1]];

export interface ChannelScorecard {
  channel: string;
  sender: string;
  organisation: string;
  measures: QualityMeasures;
  counts: {
    accepted: number;
    rejected: number;
    deadLetters: number;
    withWarnings: number;
    withoutNhsNumber: number;
    invalidNhsNumber: number;
    nameDisagrees: number;
    codedItems: number;
    locallyCoded: number;
    uncoded: number;
  };
  /** What is wrong, in words, worst first; empty when nothing is. */
  findings: string[];
  gate: GateStatus;
}

interface Parsed {
  nhs: 'valid' | 'invalid' | 'missing';
  family: string | undefined;
  sentAt: number | undefined;
  coded: number;
  local: number;
  uncoded: number;
}

function hl7Time(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$/.exec(value ?? '');
  if (!m) return undefined;
  const zone = m[7] ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : 'Z';
  const at = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${zone}`);
  return Number.isNaN(at) ? undefined : at;
}

/** What the scorecard reads from one message. Pure; tolerant of anything (a bad message measures as missing data). */
export function readMessage(raw: string): Parsed {
  const segments = raw.split(/\r\n|\r|\n/).filter(Boolean);
  const msh = segments.find((s) => s.startsWith('MSH'));
  const fieldSep = msh?.[3] ?? '|';
  const encoding = msh?.split(fieldSep)[1] ?? '^~\\&';
  const [component, repetition] = [encoding[0] ?? '^', encoding[1] ?? '~'];
  const fields = (segment: string) => segment.split(fieldSep);
  const out: Parsed = { nhs: 'missing', family: undefined, sentAt: msh ? hl7Time(fields(msh)[6]?.split(component)[0]) : undefined, coded: 0, local: 0, uncoded: 0 };
  const pid = segments.find((s) => s.startsWith(`PID${fieldSep}`));
  if (pid) {
    const f = fields(pid);
    for (const id of (f[3] ?? '').split(repetition)) {
      const parts = id.split(component);
      if (parts[4] === 'NH' || parts[3]?.toUpperCase() === 'NHS') {
        const value = (parts[0] ?? '').replace(/\s/g, '');
        out.nhs = isValidNhsNumber(value) ? 'valid' : out.nhs === 'valid' ? 'valid' : 'invalid';
      }
    }
    out.family = f[5]?.split(repetition)[0]?.split(component)[0]?.trim().toUpperCase() || undefined;
  }
  for (const segment of segments) {
    const f = fields(segment);
    for (const [name, index] of CODED_FIELDS) {
      if (f[0] !== name || !f[index]) continue;
      const parts = f[index]!.split(component);
      const systems = [parts[2], parts[5]].map((s) => (s ?? '').toUpperCase()).filter(Boolean);
      if (!parts[0] && !parts[3]) out.uncoded++;
      else if (systems.some((s) => NATIONAL_CODE_SYSTEMS.has(s))) out.coded++;
      else out.local++;
    }
  }
  return out;
}

const share = (part: number, whole: number) => (whole === 0 ? undefined : part / whole);
const pct = (n: number | undefined) => (n === undefined ? '–' : `${Math.round(n * 1000) / 10}%`);

/** Every channel's scorecard. Outcome counts are aggregated in SQL over the whole log; content over the newest messages. */
export async function scorecards(deps: Pick<DataQualityDeps, 'locality' | 'db'>): Promise<ChannelScorecard[]> {
  const [outcomes, letters, sample] = await Promise.all([
    deps.db.query<{ sender: string; outcome: string; n: string | number; warned: string | number }>(
      'SELECT sender, outcome, count(*) AS n, count(*) FILTER (WHERE cardinality(warnings) > 0) AS warned FROM message_log GROUP BY sender, outcome',
    ),
    deps.db.query<{ channel: string | null; sender: string | null; n: string | number }>('SELECT channel, sender, count(*) AS n FROM dead_letters GROUP BY channel, sender'),
    deps.db.query<{ sender: string; raw: string; received_at: Date | string; patient_key: string | null }>(
      `SELECT sender, raw, received_at, patient_key FROM message_log WHERE outcome = 'accepted' ORDER BY received_at DESC LIMIT ${SCORECARD_WINDOW}`,
    ),
  ]);
  const parsed = sample.rows.map((row) => ({ ...row, read: readMessage(row.raw) }));
  // The name most messages give a person (over every source): a message naming them otherwise disagrees.
  const names = new Map<string, Map<string, number>>();
  for (const row of parsed) {
    if (!row.patient_key || !row.read.family) continue;
    const counts = names.get(row.patient_key) ?? new Map<string, number>();
    counts.set(row.read.family, (counts.get(row.read.family) ?? 0) + 1);
    names.set(row.patient_key, counts);
  }
  const usual = new Map([...names].map(([key, counts]) => [key, [...counts].sort((a, b) => b[1] - a[1])[0]![0]]));
  return deps.locality.channels.map((channel) => {
    // The message log names a sender by MSH-3^MSH-4 (the channel's name when a message has neither).
    const fromChannel = (sender: string | null) => sender === channel.id || sender === channel.sender || sender?.split('^')[1] === channel.sender;
    const mine = parsed.filter((row) => fromChannel(row.sender));
    const rows = outcomes.rows.filter((r) => fromChannel(r.sender));
    const accepted = rows.filter((r) => r.outcome === 'accepted').reduce((s, r) => s + Number(r.n), 0);
    const logRejected = rows.filter((r) => r.outcome !== 'accepted').reduce((s, r) => s + Number(r.n), 0);
    const deadLetters = letters.rows.filter((r) => r.channel === channel.id || (!r.channel && fromChannel(r.sender))).reduce((s, r) => s + Number(r.n), 0);
    const withWarnings = rows.reduce((s, r) => s + Number(r.warned), 0);
    const withNhs = mine.filter((r) => r.read.nhs !== 'missing').length;
    const valid = mine.filter((r) => r.read.nhs === 'valid').length;
    const named = mine.filter((r) => r.patient_key && r.read.family);
    const nameDisagrees = named.filter((r) => usual.get(r.patient_key!) !== r.read.family).length;
    const coded = mine.reduce((s, r) => s + r.read.coded, 0);
    const local = mine.reduce((s, r) => s + r.read.local, 0);
    const uncoded = mine.reduce((s, r) => s + r.read.uncoded, 0);
    const delays = mine.flatMap((r) => (r.read.sentAt === undefined ? [] : [(new Date(r.received_at).getTime() - r.read.sentAt) / 60_000])).sort((a, b) => a - b);
    const received = accepted + logRejected + deadLetters;
    const measures: QualityMeasures = {
      messages: accepted,
      nhsNumberCompleteness: share(withNhs, mine.length),
      nhsNumberValidity: share(valid, withNhs),
      nameAgreement: share(named.length - nameDisagrees, named.length),
      codedShare: share(coded, coded + local + uncoded),
      rejectRate: share(logRejected + deadLetters, received),
      delayMinutesP95: delays.length === 0 ? undefined : Math.max(0, delays[Math.min(delays.length - 1, Math.ceil(delays.length * 0.95) - 1)]!),
    };
    const findings: string[] = [];
    if (mine.length - withNhs > 0) findings.push(`${mine.length - withNhs} of ${mine.length} messages have no NHS number (${pct(measures.nhsNumberCompleteness)} complete).`);
    if (withNhs - valid > 0) findings.push(`${withNhs - valid} NHS numbers fail the check digit.`);
    if (nameDisagrees > 0) findings.push(`${nameDisagrees} messages give a family name that differs from the person's other records (misspelt or changed names).`);
    if (local + uncoded > 0) findings.push(`${local} coded items use a local code system and ${uncoded} carry text only (${pct(measures.codedShare)} in a national system).`);
    if (logRejected + deadLetters > 0) findings.push(`${logRejected + deadLetters} messages were rejected (${deadLetters} in dead letters).`);
    if (withWarnings > 0) findings.push(`${withWarnings} accepted messages carry warnings.`);
    return {
      channel: channel.id,
      sender: channel.sender,
      organisation: channel.organisation,
      measures,
      counts: { accepted, rejected: logRejected + deadLetters, deadLetters, withWarnings, withoutNhsNumber: mine.length - withNhs, invalidNhsNumber: withNhs - valid, nameDisagrees, codedItems: coded, locallyCoded: local, uncoded },
      findings,
      gate: evaluateQualityGate(channel.qualityGate, measures),
    };
  });
}

export function dataQualityRouter(deps: DataQualityDeps): Router {
  const admin = express.Router();
  admin.use(authenticate(deps.verifier), (_req: Request, res: Response, next: () => void) => {
    const user = userOf(res);
    if (!user || (user.roleId !== 'administrator' && user.roleId !== 'privacy-officer'))
      return problem(res, 403, 'forbidden', 'role: this needs one of administrator, privacy-officer');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  admin.get('/', async (_req, res, next) => {
    try {
      const cards = await scorecards(deps);
      deps.onScored?.(cards);
      const trial = sourcesInTrialOf(cards.map((c) => ({ organisation: c.organisation, state: c.gate.state })));
      res.json({ window: SCORECARD_WINDOW, channels: cards.map((c) => ({ ...c, withheldFromClinicians: trial.has(c.organisation) })) });
    } catch (error) {
      next(error);
    }
  });
  const router = express.Router();
  router.use('/app/admin/data-quality', admin);
  return router;
}
