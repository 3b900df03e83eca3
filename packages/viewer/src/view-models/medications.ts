import type { Dosage, MedicationRequest, MedicationStatement, Reference } from '@openidcr/model';
import { conceptText, formatClinicalDate, formatQuantity, NOT_KNOWN, todayIso } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resolveReference, resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { sourceOf } from './source.js';

export interface MedicationRow {
  id: string | undefined;
  medicine: string;
  dose: string;
  started: string;
  startedIso: string | undefined;
  ended: string;
  status: string;
  source: string;
}

export interface MedicationsView {
  current: MedicationRow[];
  past: MedicationRow[];
}

const STATUS_WORDS: Record<string, string> = {
  active: 'Active',
  'on-hold': 'On hold',
  intended: 'Intended',
  completed: 'Completed',
  stopped: 'Stopped',
  cancelled: 'Cancelled',
  'not-taken': 'Not taken',
  draft: 'Draft',
  unknown: NOT_KNOWN,
};

function medicineName(content: RecordContent, med: MedicationStatement | MedicationRequest): string {
  const fromConcept = conceptText(med.medicationCodeableConcept);
  if (fromConcept) return fromConcept;
  const ref = med.medicationReference as Reference | undefined;
  const medication = resolveReference(content, ref?.reference) as { code?: Parameters<typeof conceptText>[0] } | undefined;
  return conceptText(medication?.code) ?? ref?.display ?? NOT_KNOWN;
}

/** A dosage in words: its text, else the dose quantity with route and timing code. */
export function doseText(dosages: readonly Dosage[] | undefined): string {
  const parts = (dosages ?? []).map((d) => {
    if (d.text?.trim()) return d.text.trim();
    const dose = formatQuantity(d.doseAndRate?.[0]?.doseQuantity);
    const timing = conceptText(d.timing?.code);
    const route = conceptText(d.route);
    const words = [dose, route, timing, d.asNeededBoolean ? 'when required' : undefined].filter(Boolean);
    return words.length > 0 ? words.join(' ') : d.patientInstruction?.trim();
  });
  const present = parts.filter((p): p is string => Boolean(p));
  return present.length > 0 ? present.join('; ') : NOT_KNOWN;
}

function dates(med: MedicationStatement | MedicationRequest): { start?: string; end?: string } {
  if (med.resourceType === 'MedicationStatement') {
    return { start: med.effectivePeriod?.start ?? med.effectiveDateTime ?? med.dateAsserted, end: med.effectivePeriod?.end };
  }
  const validity = (med as { dispenseRequest?: { validityPeriod?: { start?: string; end?: string } } }).dispenseRequest?.validityPeriod;
  return { start: validity?.start ?? med.authoredOn, end: validity?.end };
}

const CURRENT = new Set(['active', 'on-hold', 'intended', 'draft']);

/** Medications split into current and past, newest first. `on` is today's date unless given. */
export function toMedicationsView(content: RecordContent, on: string = todayIso()): MedicationsView {
  const meds = resourcesOfHeading<MedicationStatement | MedicationRequest>(content, 'medications').filter(
    (m) => m.status !== 'entered-in-error' && (m.resourceType === 'MedicationStatement' || m.resourceType === 'MedicationRequest'),
  );
  const current: MedicationRow[] = [];
  const past: MedicationRow[] = [];
  for (const med of meds) {
    const { start, end } = dates(med);
    const ended = end !== undefined && end.slice(0, 10) < on;
    const row: MedicationRow = {
      id: med.id,
      medicine: medicineName(content, med),
      dose: doseText(med.resourceType === 'MedicationStatement' ? med.dosage : (med as { dosageInstruction?: Dosage[] }).dosageInstruction),
      started: formatClinicalDate(start),
      startedIso: start,
      ended: end ? formatClinicalDate(end) : med.status === 'active' ? 'Ongoing' : NOT_KNOWN,
      status: STATUS_WORDS[med.status] ?? med.status,
      source: sourceOf(content, med)?.name ?? NOT_KNOWN,
    };
    (CURRENT.has(med.status) && !ended ? current : past).push(row);
  }
  const order = byDateDescending<MedicationRow>((r) => r.startedIso);
  return { current: current.sort(order), past: past.sort(order) };
}
