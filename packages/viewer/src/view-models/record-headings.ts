import { HEADINGS, isHeadingId, type HeadingId } from '@openidcr/model';

/** The custom element that shows each heading. Several headings share one (the timeline, the care team). */
export const HEADING_ELEMENTS: Partial<Record<HeadingId, string>> = {
  alerts: 'idcr-alerts',
  problems: 'idcr-problems',
  medications: 'idcr-medications',
  allergies: 'idcr-allergies',
  immunisations: 'idcr-immunisations',
  results: 'idcr-results',
  encounters: 'idcr-encounters',
  appointments: 'idcr-encounters',
  referrals: 'idcr-encounters',
  documents: 'idcr-documents',
  'care-team': 'idcr-care-team',
  'social-care': 'idcr-care-team',
};

/** Default tabs of `<idcr-record>` after the summary. */
export const DEFAULT_RECORD_HEADINGS: HeadingId[] = ['alerts', 'problems', 'medications', 'allergies', 'immunisations', 'results', 'encounters', 'documents', 'care-team'];

export interface RecordTab {
  id: string;
  label: string;
  element: string;
  headings: HeadingId[];
}

const LABELS: Partial<Record<string, string>> = {
  'idcr-encounters': 'Timeline',
  'idcr-care-team': 'Care team',
  'idcr-documents': 'Documents',
  'idcr-results': 'Results',
  'idcr-problems': 'Problems',
  'idcr-allergies': 'Allergies',
  'idcr-medications': 'Medications',
  'idcr-immunisations': 'Immunisations',
  'idcr-alerts': 'Alerts',
};

/**
 * The record's tabs in the order a locality chose (`headings="allergies,medications"`), one per element, unknown
 * ids reported rather than dropped silently.
 */
export function recordTabs(headings: string | readonly string[] | undefined): { tabs: RecordTab[]; unknown: string[] } {
  const ids = (typeof headings === 'string' ? headings.split(',') : (headings ?? DEFAULT_RECORD_HEADINGS)).map((h) => h.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !isHeadingId(id));
  const tabs: RecordTab[] = [];
  for (const id of ids.filter(isHeadingId)) {
    const element = HEADING_ELEMENTS[id];
    if (!element) continue;
    const existing = tabs.find((t) => t.element === element);
    if (existing) existing.headings.push(id);
    else tabs.push({ id, label: LABELS[element] ?? HEADINGS.find((h) => h.id === id)!.title, element, headings: [id] });
  }
  return { tabs, unknown };
}
