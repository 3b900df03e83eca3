import { NHS_NUMBER_SYSTEM, formatNhsNumber, isValidNhsNumber, type Patient, type Reference } from '@openidcr/model';
import { formatAddress, formatBirthDateWithAge, formatClinicalDate, formatGender, formatPatientName, NOT_KNOWN, todayIso } from '../format/clinical.js';
import type { AllergyState } from './allergies.js';
import { referenceName } from './source.js';
import type { RecordContent } from './record-bundle.js';

export interface BannerView {
  name: string;
  /** `943 476 5919`, or `Not known`. */
  nhsNumber: string;
  /** The NHS number digits without spaces, for copying; undefined when there is none. */
  nhsNumberDigits: string | undefined;
  born: string;
  /** `Died 01-Feb-2024` when the person has died. */
  deceased: string | undefined;
  gender: string;
  address: string;
  gp: string;
  allergyState: AllergyState;
}

/** The NHS number of a patient (the identifier in the NHS number system with a valid check digit). */
export function nhsNumberOf(patient: Pick<Patient, 'identifier'> | undefined): string | undefined {
  const value = patient?.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM && i.value)?.value;
  return value && isValidNhsNumber(value) ? value.replace(/\s/g, '') : undefined;
}

/** The banner of a patient, by NHS CUI conventions. `on` is the date ages are counted to (default today, UTC). */
export function toBannerView(
  patient: Patient,
  options: { allergyState: AllergyState; content?: Pick<RecordContent, 'byReference'>; on?: string },
): BannerView {
  const digits = nhsNumberOf(patient);
  const gpRefs: Reference[] = patient.generalPractitioner ?? [];
  const content = options.content ?? { byReference: new Map() };
  const gpNames = gpRefs.map((ref) => referenceName(content, ref)).filter((n): n is string => Boolean(n));
  const deceased = patient.deceasedDateTime
    ? `Died ${formatClinicalDate(patient.deceasedDateTime)}`
    : patient.deceasedBoolean
      ? 'Deceased'
      : undefined;
  return {
    name: formatPatientName(patient.name),
    nhsNumber: digits ? formatNhsNumber(digits) : NOT_KNOWN,
    nhsNumberDigits: digits,
    born: formatBirthDateWithAge(patient.birthDate, deceased && patient.deceasedDateTime ? patient.deceasedDateTime.slice(0, 10) : (options.on ?? todayIso())),
    deceased,
    gender: formatGender(patient.gender),
    address: formatAddress(patient.address),
    gp: gpNames.length > 0 ? gpNames.join(', ') : NOT_KNOWN,
    allergyState: options.allergyState,
  };
}
