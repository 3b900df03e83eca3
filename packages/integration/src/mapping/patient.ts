import { NHS_NUMBER_SYSTEM, nhsNumberProblem, normaliseNhsNumber, ODS_CODE_SYSTEM, UNVERIFIED_NHS_NUMBER_SYSTEM, type LocalIdentifier, type PersonDemographics } from '@openidcr/model';
import type { Hl7Message, Hl7Segment } from '../hl7/message.js';
import { businessError, Hl7ErrorCodes, type Hl7Problem } from '../hl7/problems.js';
import type { SourceProfile } from '../profiles/profile.js';
import { FieldReader, hl7DateTime, practitionerRef, prune } from './datatypes.js';
import type { PatientFacts } from './context.js';

const SEX: Record<string, 'male' | 'female' | 'other' | 'unknown'> = {
  M: 'male',
  F: 'female',
  O: 'other',
  A: 'other',
  N: 'unknown',
  U: 'unknown',
};
const NUMERIC_SEX: Record<string, 'male' | 'female' | 'unknown'> = { '1': 'male', '2': 'female', '0': 'unknown', '9': 'unknown' };

/**
 * XPN.7 name type (HL7 table 0200) → HumanName.use, per the IG's ConceptMap `table-hl70200-to-name-use`, plus B (name
 * at birth) and NOUSE (no longer to be used) as `old`, which the IG leaves unmatched. `null`: a name type in the table
 * that has no FHIR use (the IG's unmatched codes); the name is kept without a use.
 */
const NAME_USE: Record<string, string | null> = {
  L: 'official',
  R: 'official',
  D: 'usual',
  N: 'nickname',
  M: 'maiden',
  BAD: 'old',
  B: 'old',
  NOUSE: 'old',
  MSK: 'anonymous',
  NAV: 'temp',
  TEMP: 'temp',
  A: null,
  C: null,
  F: null,
  I: null,
  K: null,
  NB: null,
  P: null,
  REL: null,
  S: null,
  T: null,
  U: null,
};

interface PatientName {
  use?: string | undefined;
  family?: string | undefined;
  given?: string[] | undefined;
  prefix?: string[] | undefined;
  suffix?: string[] | undefined;
}

/**
 * Every PID-5 repetition as a HumanName (XPN.1 family, XPN.2/3 given, XPN.5 prefix, XPN.4 suffix, XPN.6 degree and
 * XPN.14 professional suffix as suffixes, XPN.7 use), and the legal name the MPI matches on: the first L repetition,
 * else the first one without a name type when it comes first (PID-5: the legal name is sent in the first
 * repetition), else the first name.
 */
function readNames(pid: Hl7Segment, warnings: string[]): { names: PatientName[]; legal: PatientName | undefined } {
  const names: PatientName[] = [];
  let legal: PatientName | undefined;
  pid.repetitions(5).forEach((_, i) => {
    const c = (n: number) => pid.text(5, n, i).trim();
    // XPN.1 is an FN: its first subcomponent is the whole surname.
    const family = pid.get(5, 1, 1, i).trim();
    const given = [c(2), c(3)].filter(Boolean);
    if (!family && given.length === 0) return;
    const type = c(7).toUpperCase();
    let use: string | undefined;
    if (type) {
      const mapped = NAME_USE[type];
      if (mapped === undefined) warnings.push(`PID.5: name type ${JSON.stringify(type)} (repetition ${i + 1}) is not in HL7 table 0200; the name is kept without a use`);
      use = mapped ?? undefined;
    } else if (i === 0) {
      use = 'official';
    }
    const suffix = [c(4), c(6), c(14)].filter(Boolean);
    const name: PatientName = prune({ use, family: family || undefined, given, prefix: c(5) ? [c(5)] : undefined, suffix });
    names.push(name);
    if (!legal && (type === 'L' || (i === 0 && !type))) legal = name;
  });
  return { names, legal: legal ?? names[0] };
}

/**
 * XAD.1 (SAD: street or mailing address & street name & dwelling number) as one readable line. The IG gives each
 * subcomponent its own line; a UK address reads `12 Manor Road`, so SAD.1 is kept as the line when it already holds
 * the street name, else the parts are joined: dwelling number before street name, after a house name or flat.
 */
function streetLine(pid: Hl7Segment, repetition: number): string {
  const [street, streetName, dwelling] = [1, 2, 3].map((sub) => pid.get(11, 1, sub, repetition).trim());
  const named = [dwelling, streetName].filter(Boolean).join(' ');
  if (!street) return named;
  if (!named || (streetName && street.toUpperCase().includes(streetName.toUpperCase()))) return street;
  return /^\d+[A-Za-z]?$/.test(street) && !dwelling ? `${street} ${named}` : `${street}, ${named}`;
}

function identifierAuthority(pid: Hl7Segment, field: number, rep: number): string {
  return (pid.get(field, 4, 1, rep) || pid.get(field, 4, 2, rep)).trim();
}

/** A FHIR Identifier as the Patient resource carries it. */
interface PatientIdentifier {
  system: string;
  value: string;
  type?: { text: string };
}

/**
 * Reads the person from PID (and PD1) with the sender's profile: which repetition is the NHS number (valid check
 * digit only), which are local identifiers and who issued them, and the demographics the MPI matches on. A number
 * marked as an NHS number that fails validation is kept on the Patient as an unverified identifier
 * (`UNVERIFIED_NHS_NUMBER_SYSTEM`, `type.text` saying why), never as the NHS number and never matched on.
 */
export function readPatientFacts(
  message: Hl7Message,
  pid: Hl7Segment,
  profile: SourceProfile,
  ods: string,
  problems: Hl7Problem[],
  warnings: string[],
): PatientFacts {
  const r = new FieldReader(pid, profile, ods, problems, warnings);
  const ids = profile.identifiers;
  const nhsAuthorities = new Set(ids.nhsNumberAuthorities.map((a) => a.toUpperCase()));
  const nhsTypes = new Set(ids.nhsNumberTypes.map((t) => t.toUpperCase()));
  let nhsNumber: string | undefined;
  const localIds: LocalIdentifier[] = [];
  const unverified: PatientIdentifier[] = [];

  const consider = (field: number) => {
    const reps = pid.repetitions(field);
    for (let i = 0; i < reps.length; i++) {
      const value = pid.get(field, 1, 1, i).trim();
      if (!value) continue;
      const authority = identifierAuthority(pid, field, i);
      const type = pid.get(field, 5, 1, i).trim().toUpperCase();
      const looksNhs = nhsAuthorities.has(authority.toUpperCase()) || nhsTypes.has(type);
      // PID-2 is read as an NHS number only when nothing says it is something else (old v2.3 feeds).
      const bareInPid2 = field === 2 && ids.nhsNumberInPid2 && !authority && !type;
      if (looksNhs || bareInPid2) {
        const digits = normaliseNhsNumber(value);
        const problem = nhsNumberProblem(digits);
        if (problem === undefined) {
          if (nhsNumber && nhsNumber !== digits) {
            problems.push(businessError('conflicting-nhs-numbers', `PID.${field}: two different NHS numbers (${nhsNumber}, ${digits})`, Hl7ErrorCodes.dataTypeError, { segment: 'PID', field }));
          }
          nhsNumber = digits;
          continue;
        }
        const marked = looksNhs ? 'is marked as an NHS number' : 'is read as an NHS number (PID-2 without assigning authority or type)';
        warnings.push(`PID.${field}: ${JSON.stringify(value)} ${marked} but is not a valid one (${problem}); kept as an unverified identifier, not used to match the person`);
        if (!unverified.some((u) => u.value === value)) unverified.push({ system: UNVERIFIED_NHS_NUMBER_SYSTEM, value, type: { text: `NHS number as sent, not verified: ${problem}` } });
        continue;
      }
      localIds.push({ assigningAuthority: authority || ids.localAuthority || ods, value });
    }
  };
  consider(3);
  consider(2);
  // PID-4, alternate patient id: another number the sender knows the person by.
  consider(4);
  const seen = new Set<string>();
  const unique = localIds.filter((l) => {
    const k = `${l.assigningAuthority.toUpperCase()}|${l.value}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  localIds.length = 0;
  localIds.push(...unique);

  const { names, legal } = readNames(pid, warnings);
  const birthDate = r.date(7);
  // PID-7 with a time (longer than a date): the birth time, in the patient-birthTime extension of birthDate.
  const birthTime = birthDate && pid.get(7).trim().length > 8 ? hl7DateTime(pid.get(7), profile.timeZone) : undefined;
  const sexCode = pid.get(8).trim().toUpperCase();
  let gender = SEX[sexCode] ?? (profile.quirks.numericSex ? NUMERIC_SEX[sexCode] : undefined);
  if (sexCode && !gender) {
    warnings.push(`PID.8: administrative sex ${JSON.stringify(sexCode)} not recognised; recorded as unknown`);
    gender = 'unknown';
  }

  const addresses = pid.repetitions(11).map((_, i) => {
    const a = (n: number) => pid.text(11, n, i).trim();
    const use = ({ H: 'home', B: 'work', O: 'work', C: 'temp', BA: 'billing', M: 'home', P: 'home' } as Record<string, string>)[a(7).toUpperCase()];
    return prune({ line: [streetLine(pid, i), a(2)].filter(Boolean), city: a(3), district: a(4), postalCode: a(5), country: a(6), use });
  });
  const postcode = pid.text(11, 5).trim().toUpperCase() || undefined;

  const telecom = [13, 14].flatMap((field) =>
    pid.repetitions(field).map((_, i) => {
      const number = pid.text(field, 1, i).trim() || pid.text(field, 12, i).trim();
      const email = pid.text(field, 4, i).trim();
      const equip = pid.text(field, 3, i).trim().toUpperCase();
      if (email && email.includes('@')) return { system: 'email', value: email, use: field === 13 ? 'home' : 'work' };
      if (!number) return undefined;
      return { system: equip === 'FX' ? 'fax' : 'phone', value: number, use: equip === 'CP' ? 'mobile' : field === 13 ? 'home' : 'work' };
    }),
  );

  const deceasedAt = r.softDateTime(29);
  const deceasedFlag = pid.get(30).trim().toUpperCase();

  const pd1 = message.segment('PD1');
  const generalPractitioner: unknown[] = [];
  if (pd1) {
    const practiceCode = (pd1.get(3, 3) || pd1.get(3, 10)).trim();
    const practiceName = pd1.text(3, 1).trim();
    if (practiceCode || practiceName) {
      generalPractitioner.push(prune({ identifier: practiceCode ? { system: ODS_CODE_SYSTEM, value: practiceCode } : undefined, display: practiceName || undefined, type: 'Organization' }));
    }
    const gp = practitionerRef(pd1, 4);
    if (gp) generalPractitioner.push({ ...gp, type: 'Practitioner' });
  }

  const demographics: PersonDemographics = prune({ family: legal?.family, given: legal?.given?.[0], birthDate, gender, postcode });
  if (!nhsNumber && localIds.length === 0) {
    if (demographics.family && (demographics.birthDate || demographics.given)) {
      warnings.push('PID.3: no usable NHS number or local identifier; the person is identified by demographics only');
    } else {
      problems.push(businessError('no-identifier', `PID.3: no NHS number, no local identifier, and not enough demographics (a family name with a given name or birth date) to identify the person${unverified.length ? ' (an NHS number that fails validation is not used to identify anyone)' : ''}`, Hl7ErrorCodes.requiredFieldMissing, { segment: 'PID', sequence: pid.sequence, field: 3 }));
    }
  }
  const resource = prune({
    resourceType: 'Patient',
    identifier: unverified,
    name: names,
    gender,
    birthDate,
    _birthDate: birthTime && birthTime.includes('T') ? { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: birthTime }] } : undefined,
    address: addresses,
    telecom,
    deceasedDateTime: deceasedAt,
    deceasedBoolean: !deceasedAt && (deceasedFlag === 'Y' || deceasedFlag === 'N') ? deceasedFlag === 'Y' : undefined,
    generalPractitioner,
  });
  return { nhsNumber, localIds, demographics, resource };
}

/**
 * The Patient resource for a person: id = personId, identifiers = NHS number + every known local id (what the MPI
 * decided) + the unverified numbers this message carried (`readPatientFacts` puts them in `facts.resource`).
 */
export function patientResource(
  personId: string,
  facts: PatientFacts,
  nhsNumber: string | undefined,
  localIds: readonly LocalIdentifier[],
  localSystem: (authority: string) => string,
): { resourceType: string; id: string; [k: string]: unknown } {
  const unverified = Array.isArray(facts.resource.identifier) ? (facts.resource.identifier as PatientIdentifier[]) : [];
  const identifier = [
    ...(nhsNumber ? [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }] : []),
    ...localIds.map((l) => ({ system: localSystem(l.assigningAuthority), value: l.value })),
    ...unverified,
  ];
  return { ...facts.resource, resourceType: 'Patient', id: personId, ...(identifier.length ? { identifier } : {}) };
}

/** The Patient elements read from each PID field (and PD1 for the registered GP). */
const PATIENT_ELEMENTS: ReadonlyArray<{ elements: string[]; segment: 'PID' | 'PD1'; fields: number[] }> = [
  { elements: ['name'], segment: 'PID', fields: [5] },
  // A store keeps `_birthDate` (the birth time) with `birthDate` (keepAbsentElements).
  { elements: ['birthDate'], segment: 'PID', fields: [7] },
  { elements: ['gender'], segment: 'PID', fields: [8] },
  { elements: ['address'], segment: 'PID', fields: [11] },
  { elements: ['telecom'], segment: 'PID', fields: [13, 14] },
  { elements: ['deceasedDateTime', 'deceasedBoolean'], segment: 'PID', fields: [29, 30] },
  { elements: ['generalPractitioner'], segment: 'PD1', fields: [3, 4] },
];

/**
 * Patient elements this message says nothing about, so a store keeps what an earlier message recorded: in HL7 v2 an
 * empty field means "not sent" and only `""` means "delete". A PID without PD1 (a result, a prescription, a letter)
 * leaves the registered GP as it was; a PD1 whose practice (or GP) field is `""` clears it.
 */
export function patientElementsNotCarried(message: Hl7Message, pid: Hl7Segment, resource: Record<string, unknown>): string[] {
  const keep: string[] = [];
  for (const rule of PATIENT_ELEMENTS) {
    if (rule.elements.some((element) => resource[element] !== undefined)) continue;
    const segment = rule.segment === 'PID' ? pid : message.segment('PD1');
    const cleared = segment !== undefined && rule.fields.some((field) => segment.isNull(field));
    if (!cleared) keep.push(...rule.elements);
  }
  return keep;
}
