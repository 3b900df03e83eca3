import type { Condition } from '@openidcr/model';
import { conceptText, formatClinicalDate, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { sourceOf } from './source.js';

export interface ProblemRow {
  id: string | undefined;
  problem: string;
  status: 'Active' | 'Past' | 'Not known';
  onset: string;
  onsetIso: string | undefined;
  ended: string | undefined;
  source: string;
}

const ACTIVE = new Set(['active', 'recurrence', 'relapse']);
const PAST = new Set(['inactive', 'remission', 'resolved']);

/** Problems and diagnoses: active first, then past, each newest onset first; refuted and entered-in-error left out. */
export function toProblemRows(content: RecordContent): { active: ProblemRow[]; past: ProblemRow[] } {
  const rows = resourcesOfHeading<Condition>(content, 'problems')
    .filter((c) => !['refuted', 'entered-in-error'].includes(c.verificationStatus?.coding?.find((x) => x.code)?.code ?? ''))
    .map((c): ProblemRow => {
      const clinical = c.clinicalStatus?.coding?.find((x) => x.code)?.code;
      const onsetIso = c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate;
      const endIso = c.abatementDateTime ?? c.abatementPeriod?.end;
      return {
        id: c.id,
        problem: conceptText(c.code) ?? NOT_KNOWN,
        status: clinical && ACTIVE.has(clinical) ? 'Active' : (clinical && PAST.has(clinical)) || endIso ? 'Past' : 'Not known',
        onset: onsetIso ? formatClinicalDate(onsetIso) : (c.onsetString ?? NOT_KNOWN),
        onsetIso,
        ended: endIso ? formatClinicalDate(endIso) : c.abatementString,
        source: sourceOf(content, c)?.name ?? NOT_KNOWN,
      };
    })
    .sort(byDateDescending((r) => r.onsetIso));
  return { active: rows.filter((r) => r.status !== 'Past'), past: rows.filter((r) => r.status === 'Past') };
}
