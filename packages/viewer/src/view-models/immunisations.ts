import type { Immunization } from '@openidcr/model';
import { conceptText, formatClinicalDate, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { sourceOf } from './source.js';

export interface ImmunisationRow {
  id: string | undefined;
  vaccine: string;
  date: string;
  dateIso: string | undefined;
  /** `Given`, or `Not given: <reason>`. */
  status: string;
  dose: string;
  source: string;
}

/** Immunisations newest first; entered-in-error left out. */
export function toImmunisationRows(content: RecordContent): ImmunisationRow[] {
  return resourcesOfHeading<Immunization>(content, 'immunisations')
    .filter((i) => i.status !== 'entered-in-error')
    .map((i) => {
      const applied = i.protocolApplied?.[0];
      const dose = applied?.doseNumberPositiveInt !== undefined ? `Dose ${applied.doseNumberPositiveInt}` : (applied?.doseNumberString ?? NOT_KNOWN);
      const reason = conceptText(i.statusReason);
      return {
        id: i.id,
        vaccine: conceptText(i.vaccineCode) ?? NOT_KNOWN,
        date: i.occurrenceDateTime ? formatClinicalDate(i.occurrenceDateTime) : (i.occurrenceString ?? NOT_KNOWN),
        dateIso: i.occurrenceDateTime,
        status: i.status === 'not-done' ? `Not given${reason ? `: ${reason}` : ''}` : 'Given',
        dose,
        source: sourceOf(content, i)?.name ?? NOT_KNOWN,
      };
    })
    .sort(byDateDescending((r) => r.dateIso));
}
