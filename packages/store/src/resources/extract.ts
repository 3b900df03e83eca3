import type { HeadingId, ResourceLike } from '@openidcr/model';
import { getHeading, headingOf, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, isOdsCodeShape } from '@openidcr/model';

/** The extension a mapper may put on a resource to name the organisation it came from (an ODS code). */
export const SOURCE_ORGANISATION_EXTENSION = 'https://openidcr.org/StructureDefinition/source-organisation';

/** The columns the store keeps beside each resource body, for search and for the policy. */
export interface IndexColumns {
  heading: HeadingId | undefined;
  sourceOrg: string | undefined;
  /** `system|code` of every `meta.security` coding. */
  securityLabels: string[];
  /** ISO instant of the clinically relevant date, or undefined when the resource has none. */
  effectiveDate: string | undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const step of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[step];
  }
  return current;
}

const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * A FHIR date, dateTime or instant as an ISO instant: partial dates take their first moment (`2020-03` →
 * `2020-03-01T00:00:00.000Z`), dates and times without an offset are read as UTC. Anything else is undefined.
 */
export function fhirDateToInstant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = FHIR_DATE.exec(value);
  if (!match) return undefined;
  const [, year, month = '01', day = '01', hour, minute, second = '00', fraction = '', zone = 'Z'] = match;
  const iso = hour === undefined ? `${year}-${month}-${day}T00:00:00Z` : `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone}`;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Where to look for a date when the heading's own date element is absent, in order. */
const FALLBACK_DATE_ELEMENTS = [
  'effectiveDateTime',
  'effectivePeriod.start',
  'effectiveInstant',
  'issued',
  'authoredOn',
  'onsetDateTime',
  'onsetPeriod.start',
  'recordedDate',
  'occurrenceDateTime',
  'period.start',
  'start',
  'date',
  'dateAsserted',
  'created',
];

/** The clinically relevant date: the heading's date element, else the first common date element present. */
export function effectiveDateOf(resource: ResourceLike, heading: HeadingId | undefined): string | undefined {
  const elements = heading === undefined ? FALLBACK_DATE_ELEMENTS : [getHeading(heading).dateElement, ...FALLBACK_DATE_ELEMENTS];
  for (const element of elements) {
    if (element === undefined) continue;
    const instant = fhirDateToInstant(at(resource, element));
    if (instant !== undefined) return instant;
  }
  return undefined;
}

/**
 * The organisation a resource came from:
 * 1. the `source-organisation` extension (valueIdentifier.value, valueReference.identifier.value or valueString);
 * 2. else `meta.source`: the ODS code after `|`, after `ods:`, or in the last path segment, when it has the ODS
 *    code shape (`https://fhir.nhs.uk/Id/ods-organization-code|RR8`, `urn:ods:RR8`, `urn:ods:RR8:PAS-SYSTEM`,
 *    `https://x/Organization/RR8`);
 * 3. else `meta.source` as it is. Undefined when there is neither.
 */
export function sourceOrgOf(resource: ResourceLike): string | undefined {
  const extensions = Array.isArray(resource.extension) ? (resource.extension as unknown[]) : [];
  for (const extension of extensions) {
    if (!isObject(extension) || extension.url !== SOURCE_ORGANISATION_EXTENSION) continue;
    const value = at(extension, 'valueIdentifier.value') ?? at(extension, 'valueReference.identifier.value') ?? extension.valueString;
    if (typeof value === 'string' && value.length > 0) return value;
  }
  const source = resource.meta?.source;
  if (typeof source !== 'string' || source.length === 0) return undefined;
  const candidates = [
    source.startsWith(`${ODS_CODE_SYSTEM}|`) ? source.slice(ODS_CODE_SYSTEM.length + 1) : undefined,
    /(?:^|:)ods:([A-Za-z0-9]+)(?::|$)/i.exec(source)?.[1],
    /\/([A-Za-z0-9]+)\/?$/.exec(source)?.[1],
    /\|([A-Za-z0-9]+)$/.exec(source)?.[1],
  ];
  for (const candidate of candidates) if (candidate !== undefined && isOdsCodeShape(candidate.toUpperCase())) return candidate.toUpperCase();
  return source;
}

/** `system|code` for every security label on the resource. */
export function securityLabelsOf(resource: ResourceLike): string[] {
  const labels: string[] = [];
  for (const coding of resource.meta?.security ?? []) {
    if (coding.code) labels.push(`${coding.system ?? ''}|${coding.code}`);
  }
  return labels;
}

/** All the index columns of a resource. */
export function indexColumnsOf(resource: ResourceLike): IndexColumns {
  const heading = headingOf(resource);
  return {
    heading,
    sourceOrg: sourceOrgOf(resource),
    securityLabels: securityLabelsOf(resource),
    effectiveDate: effectiveDateOf(resource, heading),
  };
}

/** One row of the demographic search index of a Patient resource (one per name). */
export interface PatientSearchRow {
  seq: number;
  family: string | undefined;
  given: string | undefined;
  birthDate: string | undefined;
  gender: string | undefined;
  postcode: string | undefined;
  gpOds: string | undefined;
  gpReference: string | undefined;
}

/** Lower-cases and trims a name, and removes accents, so that search is case- and accent-insensitive. */
export function normaliseName(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').trim().toLowerCase();
}

/** Upper-cases a postcode and removes its spaces: `ls1 4ap` → `LS14AP`. */
export function normalisePostcode(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** The demographic search rows of a Patient resource. */
export function patientSearchRowsOf(patient: ResourceLike): PatientSearchRow[] {
  const birthDate = typeof patient.birthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(patient.birthDate) ? patient.birthDate : undefined;
  const gender = typeof patient.gender === 'string' ? patient.gender : undefined;
  const addresses = Array.isArray(patient.address) ? (patient.address as unknown[]).filter(isObject) : [];
  const home = addresses.find((address) => address.use === 'home' && typeof address.postalCode === 'string') ??
    addresses.find((address) => typeof address.postalCode === 'string');
  const postcode = home ? normalisePostcode(home.postalCode as string) : undefined;
  let gpOds: string | undefined;
  let gpReference: string | undefined;
  for (const gp of Array.isArray(patient.generalPractitioner) ? (patient.generalPractitioner as unknown[]) : []) {
    if (!isObject(gp)) continue;
    const identifier = gp.identifier;
    if (gpOds === undefined && isObject(identifier) && identifier.system === ODS_CODE_SYSTEM && typeof identifier.value === 'string') {
      gpOds = identifier.value;
    }
    if (gpReference === undefined && typeof gp.reference === 'string' && gp.reference.startsWith('Organization/')) {
      gpReference = gp.reference;
    }
  }
  const names = Array.isArray(patient.name) ? (patient.name as unknown[]).filter(isObject) : [];
  const shared = { birthDate, gender, postcode, gpOds, gpReference };
  if (names.length === 0) return [{ seq: 0, family: undefined, given: undefined, ...shared }];
  return names.map((name, seq) => {
    const given = Array.isArray(name.given) ? (name.given as unknown[]).filter((part): part is string => typeof part === 'string') : [];
    return {
      seq,
      family: typeof name.family === 'string' ? normaliseName(name.family) : undefined,
      given: given.length > 0 ? normaliseName(given.join(' ')) : undefined,
      ...shared,
    };
  });
}

/** The identifiers of a Patient resource as `{system, value}`; NHS numbers without their spaces. */
export function patientIdentifiersOf(patient: ResourceLike): Array<{ system: string; value: string }> {
  const out = new Map<string, { system: string; value: string }>();
  for (const identifier of Array.isArray(patient.identifier) ? (patient.identifier as unknown[]) : []) {
    if (!isObject(identifier) || typeof identifier.system !== 'string' || typeof identifier.value !== 'string') continue;
    const value = identifier.system === NHS_NUMBER_SYSTEM ? identifier.value.replace(/[\s-]/g, '') : identifier.value;
    out.set(`${identifier.system}|${value}`, { system: identifier.system, value });
  }
  return [...out.values()];
}
