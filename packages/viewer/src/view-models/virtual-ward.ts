import type { Encounter, Patient } from '@openidcr/model';
import { conceptText, formatBirthDateWithAge, formatClinicalDate, formatPatientName, NOT_KNOWN, todayIso } from '../format/clinical.js';
import { formatNhsNumber } from '@openidcr/model';
import { nhsNumberOf } from './banner.js';
import { resolveReference, type RecordContent } from './record-bundle.js';
import { referenceName } from './source.js';

export interface WardRow {
  patientId: string | undefined;
  encounterId: string | undefined;
  name: string;
  nhsNumber: string;
  nhsNumberDigits: string | undefined;
  born: string;
  hospital: string;
  ward: string;
  admitted: string;
  admittedIso: string | undefined;
  expectedDischarge: string;
  daysIn: number | undefined;
}

/** Extensions that carry an expected discharge date (UK Core and common local profiles). */
const EXPECTED_DISCHARGE = /expected-?discharge/i;

function expectedDischargeOf(e: Encounter): string | undefined {
  for (const ext of (e.extension ?? []) as { url: string; valueDateTime?: string; valueDate?: string; extension?: { url: string; valueDateTime?: string; valueDate?: string }[] }[]) {
    if (EXPECTED_DISCHARGE.test(ext.url)) return ext.valueDateTime ?? ext.valueDate;
    for (const inner of ext.extension ?? []) if (EXPECTED_DISCHARGE.test(inner.url)) return inner.valueDateTime ?? inner.valueDate;
  }
  return undefined;
}

/**
 * A practice's patients currently in hospital: in-progress inpatient Encounters (with their Patients included in the
 * Bundle, e.g. `Encounter?status=in-progress&class=IMP&_include=Encounter:subject`), longest stay first.
 */
export function toWardRows(content: RecordContent, on: string = todayIso()): WardRow[] {
  const rows: WardRow[] = [];
  for (const r of content.resources) {
    if (r.resourceType !== 'Encounter') continue;
    const e = r as Encounter;
    if (e.status !== 'in-progress' && e.status !== 'arrived' && e.status !== 'onleave') continue;
    const patient = resolveReference(content, e.subject?.reference) as Patient | undefined;
    const digits = nhsNumberOf(patient);
    const ward = e.location?.find((l) => l.status === 'active') ?? e.location?.at(-1);
    const admittedIso = e.period?.start;
    const days = admittedIso ? Math.floor((Date.parse(on) - Date.parse(admittedIso.slice(0, 10))) / 86_400_000) : undefined;
    rows.push({
      patientId: patient?.id ?? e.subject?.reference?.replace(/^.*Patient\//, ''),
      encounterId: e.id,
      name: patient ? formatPatientName(patient.name) : (e.subject?.display ?? NOT_KNOWN),
      nhsNumber: digits ? formatNhsNumber(digits) : NOT_KNOWN,
      nhsNumberDigits: digits,
      born: formatBirthDateWithAge(patient?.birthDate, on),
      hospital: referenceName(content, e.serviceProvider) ?? NOT_KNOWN,
      ward: (ward ? referenceName(content, ward.location) : undefined) ?? conceptText(e.serviceType) ?? NOT_KNOWN,
      admitted: formatClinicalDate(admittedIso),
      admittedIso,
      expectedDischarge: formatClinicalDate(expectedDischargeOf(e)),
      daysIn: days !== undefined && days >= 0 ? days : undefined,
    });
  }
  return rows.sort((a, b) => (a.admittedIso ?? '9') < (b.admittedIso ?? '9') ? -1 : 1);
}
