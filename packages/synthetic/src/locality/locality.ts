import { ODS_CODE_SYSTEM, SDS_USER_ID_SYSTEM, SDS_ROLE_PROFILE_SYSTEM, CodeSystems } from '@openidcr/model';
import { Rng, hashString } from '../random/prng.js';
import { PLACES, MALE_GIVEN, FEMALE_GIVEN, FAMILY } from '../people/names.js';
import type { LocalityPlace } from '../people/names.js';

export type OrganisationKind = 'gp-practice' | 'acute-trust' | 'mental-health-trust' | 'community-services' | 'social-care';

export type UserRole =
  | 'gp'
  | 'hospital-clinician'
  | 'nurse'
  | 'pharmacist'
  | 'mental-health-clinician'
  | 'social-worker'
  | 'care-coordinator'
  | 'administrator'
  | 'privacy-officer';

/** A FHIR Organization as the generator writes it. */
export interface FhirOrganization {
  resourceType: 'Organization';
  id: string;
  meta: { source: string };
  identifier: Array<{ system: string; value: string }>;
  active: boolean;
  type: Array<{ coding: Array<{ system: string; code: string; display: string }>; text: string }>;
  name: string;
  telecom: Array<{ system: 'phone' | 'email'; value: string; use: 'work' }>;
  address: Array<{ use: 'work'; line: string[]; city: string; district: string; postalCode: string; country: string }>;
}

/** A FHIR Practitioner as the generator writes it. */
export interface FhirPractitioner {
  resourceType: 'Practitioner';
  id: string;
  meta: { source: string };
  identifier: Array<{ system: string; value: string }>;
  active: boolean;
  name: Array<{ use: 'official'; family: string; given: string[]; prefix?: string[] }>;
  gender: 'male' | 'female';
  telecom: Array<{ system: 'email'; value: string; use: 'work' }>;
}

export interface SyntheticOrganisation {
  ods: string;
  name: string;
  kind: OrganisationKind;
  /** The name of the clinical system that feeds from this organisation (MSH-3, and part of `meta.source`). */
  system: string;
  resource: FhirOrganization;
}

export interface SyntheticUser {
  id: string;
  name: string;
  role: UserRole;
  ods: string;
  /** National RBAC access role code (e.g. R8000 Clinical Practitioner Access Role). */
  sdsRoleCode: string;
  practitioner: FhirPractitioner;
}

export interface SyntheticLocality {
  seed: number;
  name: string;
  /** Postcode area and towns of the locality, used for patients' addresses. */
  place: LocalityPlace;
  organisations: SyntheticOrganisation[];
  users: SyntheticUser[];
}

/** The `meta.source` URI naming the system an item came from: `urn:ods:<ODS code>:<system>`. */
export function sourceUri(ods: string, system: string): string {
  return `urn:ods:${ods}:${system}`;
}

/** National RBAC access roles used for each OpenIDCR role. */
export const SDS_ROLE_CODES: Record<UserRole, { code: string; display: string }> = {
  gp: { code: 'R8000', display: 'Clinical Practitioner Access Role' },
  'hospital-clinician': { code: 'R8000', display: 'Clinical Practitioner Access Role' },
  'mental-health-clinician': { code: 'R8000', display: 'Clinical Practitioner Access Role' },
  nurse: { code: 'R8001', display: 'Nurse Access Role' },
  pharmacist: { code: 'R8003', display: 'Health Professional Access Role' },
  'social-worker': { code: 'R8014', display: 'Social Worker Access Role' },
  'care-coordinator': { code: 'R8003', display: 'Health Professional Access Role' },
  administrator: { code: 'R8010', display: 'Clerical Access Role' },
  'privacy-officer': { code: 'R0001', display: 'Privacy Officer' },
};

const ORG_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/organization-type';

const PRACTICE_NAMES = ['Moorside Surgery', 'Riverside Medical Practice', 'The Health Centre', 'Beech House Surgery', 'Park View Medical Centre', 'Church Lane Practice', 'Castle Street Surgery', 'Fairfield Medical Group'];

/** Which users each kind of organisation has: role and how many. */
const STAFFING: Record<OrganisationKind, ReadonlyArray<[UserRole, number]>> = {
  'gp-practice': [['gp', 3], ['nurse', 1], ['pharmacist', 1], ['administrator', 1]],
  'acute-trust': [['hospital-clinician', 6], ['nurse', 3], ['pharmacist', 1], ['administrator', 1], ['privacy-officer', 1]],
  'mental-health-trust': [['mental-health-clinician', 3], ['nurse', 1], ['care-coordinator', 2], ['privacy-officer', 1]],
  'community-services': [['nurse', 3], ['care-coordinator', 1], ['administrator', 1]],
  'social-care': [['social-worker', 3], ['care-coordinator', 1], ['administrator', 1], ['privacy-officer', 1]],
};

const CLINICAL_PREFIX: Partial<Record<UserRole, string>> = { gp: 'Dr', 'hospital-clinician': 'Dr', 'mental-health-clinician': 'Dr' };

function letter(rng: Rng, from = 'ABCDEFGHJKLMNPQRSTVWXY'): string {
  return from[rng.int(0, from.length - 1)] as string;
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

function organisation(
  rng: Rng,
  place: LocalityPlace,
  kind: OrganisationKind,
  ods: string,
  name: string,
  system: string,
  phoneIndex: number,
): SyntheticOrganisation {
  const town = rng.pick(place.towns);
  const district = rng.pick(town.districts);
  const postcode = `${place.postcodeArea}${district} ${rng.int(1, 9)}${letter(rng, 'ABDEFGHJLNPQRSTUWXYZ')}${letter(rng, 'ABDEFGHJLNPQRSTUWXYZ')}`;
  const typeCode = kind === 'social-care' ? { code: 'govt', display: 'Government' } : { code: 'prov', display: 'Healthcare Provider' };
  const resource: FhirOrganization = {
    resourceType: 'Organization',
    id: `org-${ods}`,
    meta: { source: sourceUri(ods, system) },
    identifier: [{ system: ODS_CODE_SYSTEM, value: ods }],
    active: true,
    type: [{ coding: [{ system: ORG_TYPE_SYSTEM, ...typeCode }], text: kind }],
    name,
    // Ofcom reserves 01632 960000-960999 for drama: never a real line.
    telecom: [{ system: 'phone', value: `01632 960${String(100 + phoneIndex).padStart(3, '0')}`, use: 'work' }],
    address: [{ use: 'work', line: [`${rng.int(1, 120)} ${rng.pick(['High Street', 'Station Road', 'Hospital Lane', 'Market Place', 'Town Hall Square'])}`], city: town.name, district: place.county, postalCode: postcode, country: 'GB' }],
  };
  return { ods, name, kind, system, resource };
}

/**
 * The organisations and users of a synthetic locality: 4 GP practices, an acute trust, a mental health trust,
 * community services and a council's adult social care. Depends only on the seed.
 */
export function generateLocality(options: { seed?: number } = {}): SyntheticLocality {
  const seed = options.seed ?? 42;
  const rng = new Rng(seed >>> 0, hashString('locality'));
  const place = rng.pick(PLACES);
  const trustPrefix = `R${letter(rng, 'ABCDEFGHJKMNPQRTVWXY')}`;
  const practiceLetter = letter(rng, 'ABCDFGHJKLMNP');
  const usedOds = new Set<string>();
  const unique = (make: () => string): string => {
    let code = make();
    while (usedOds.has(code)) code = make();
    usedOds.add(code);
    return code;
  };

  const organisations: SyntheticOrganisation[] = [];
  const practiceNames = rng.sample(PRACTICE_NAMES, 4);
  for (let i = 0; i < 4; i++) {
    const ods = unique(() => `${practiceLetter}${digits(rng, 5)}`);
    // Two practices run one GP system, two another; each sends its registrations as A28 or A04 accordingly.
    organisations.push(organisation(rng, place, 'gp-practice', ods, practiceNames[i] as string, i < 2 ? 'GPSYSTEM-A' : 'GPSYSTEM-B', organisations.length));
  }
  const town = place.towns[0]?.name ?? place.name;
  organisations.push(organisation(rng, place, 'acute-trust', unique(() => `${trustPrefix}${letter(rng, 'ABCDEFGHJKLMNPQRTVWXY')}`), `${town} Hospitals NHS Foundation Trust`, 'PAS', organisations.length));
  organisations.push(organisation(rng, place, 'mental-health-trust', unique(() => `R${letter(rng, 'ABCDEFGHJKMNPQRTVWXY')}${letter(rng, 'ABCDEFGHJKLMNPQRTVWXY')}`), `${place.name} Mental Health NHS Trust`, 'MHEPR', organisations.length));
  organisations.push(organisation(rng, place, 'community-services', unique(() => `R${letter(rng, 'ABCDEFGHJKMNPQRTVWXY')}${letter(rng, 'ABCDEFGHJKLMNPQRTVWXY')}`), `${place.name} Community Health Services`, 'COMMEPR', organisations.length));
  organisations.push(organisation(rng, place, 'social-care', unique(() => digits(rng, 3)), `${place.county} County Council Adult Social Care`, 'SOCIALCARE', organisations.length));

  const users: SyntheticUser[] = [];
  for (const org of organisations) {
    for (const [role, count] of STAFFING[org.kind]) {
      for (let n = 0; n < count; n++) {
        const female = rng.chance(0.55);
        const given = rng.pick(female ? FEMALE_GIVEN : MALE_GIVEN);
        const family = rng.pick(FAMILY);
        const sdsUserId = `5${digits(rng, 11)}`;
        const id = `prac-${org.ods}-${role}-${n + 1}`;
        const prefix = CLINICAL_PREFIX[role];
        const practitioner: FhirPractitioner = {
          resourceType: 'Practitioner',
          id,
          meta: { source: sourceUri(org.ods, org.system) },
          identifier: [
            { system: SDS_USER_ID_SYSTEM, value: sdsUserId },
            { system: SDS_ROLE_PROFILE_SYSTEM, value: `${sdsUserId.slice(0, 6)}${SDS_ROLE_CODES[role].code.slice(1)}` },
          ],
          active: true,
          name: [prefix ? { use: 'official', family, given: [given], prefix: [prefix] } : { use: 'official', family, given: [given] }],
          gender: female ? 'female' : 'male',
          telecom: [{ system: 'email', value: `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, '') + `${n + 1}@${org.ods.toLowerCase()}.nhs.example`, use: 'work' }],
        };
        users.push({ id, name: `${prefix ? `${prefix} ` : ''}${given} ${family}`, role, ods: org.ods, sdsRoleCode: SDS_ROLE_CODES[role].code, practitioner });
      }
    }
  }
  return { seed, name: place.name, place, organisations, users };
}

/** The SDS job role coding system, re-exported for callers that build PractitionerRoles from users. */
export const SDS_JOB_ROLE_SYSTEM = CodeSystems.sdsJobRole;
