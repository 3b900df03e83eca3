import type { Flag } from '@openidcr/model';
import { conceptText, formatClinicalDate, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { referenceName, sourceOf } from './source.js';

export interface AlertRow {
  id: string | undefined;
  alert: string;
  category: string | undefined;
  since: string;
  sinceIso: string | undefined;
  raisedBy: string;
}

/** Active alerts (Flags), newest first. Inactive and entered-in-error flags are not alerts. */
export function toAlertRows(content: RecordContent): AlertRow[] {
  return resourcesOfHeading<Flag>(content, 'alerts')
    .filter((f) => f.status === 'active' && !(f.period?.end && f.period.end < new Date().toISOString()))
    .map((f) => ({
      id: f.id,
      alert: conceptText(f.code) ?? NOT_KNOWN,
      category: conceptText(f.category?.[0]),
      since: formatClinicalDate(f.period?.start),
      sinceIso: f.period?.start,
      raisedBy: referenceName(content, f.author) ?? sourceOf(content, f)?.name ?? NOT_KNOWN,
    }))
    .sort(byDateDescending((r) => r.sinceIso));
}
