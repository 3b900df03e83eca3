import { CodeSystems, ODS_CODE_SYSTEM, headingTag, type PurposeOfUseCode } from '@openidcr/model';
import { exampleIsa } from '../isa/example.js';
import { IsaSchema, type Isa, type IsaInput } from '../isa/schema.js';
import { DEFAULT_ROLES } from '../roles/roles.js';
import { createConsentModel } from '../consent/models.js';
import type { ConsentRecord } from '../consent/records.js';
import type { Relationship } from '../relationship/relationship.js';
import type { DecisionRequest, DecisionUser, LocalityPolicy } from './types.js';

/** The instant every scenario is decided at. */
export const NOW = '2026-11-22T10:00:00Z';
export const PERSON = 'person-1';

export const GP_A = 'Y90001';
export const GP_B = 'Y90002';
export const ACUTE = 'X9A';
export const MENTAL_HEALTH = 'X9M';
export const COMMUNITY = 'X9C';
export const COUNCIL = 'X9L';

/** A policy from the example ISA with changes. */
export function policyWith(change: (isa: IsaInput) => void = () => undefined, roles = DEFAULT_ROLES): LocalityPolicy {
  const draft = structuredClone(exampleIsa) as IsaInput;
  change(draft);
  const isa: Isa = IsaSchema.parse(draft);
  return { isa, roles, consentModel: createConsentModel(isa.consentModel) };
}

export const basePolicy = policyWith();

export const USERS = {
  gpA: { id: 'u-gp-a', name: 'Dr Amara Okafor', roleId: 'gp', sdsRoleCode: 'S8000:G8000:R8000', organisation: { ods: GP_A, kind: 'gp-practice' }, activityCodes: ['B0360'] },
  gpB: { id: 'u-gp-b', name: 'Dr Ben Walsh', roleId: 'gp', sdsRoleCode: 'R8000', organisation: { ods: GP_B, kind: 'gp-practice' }, activityCodes: [] },
  ae: { id: 'u-ae', name: 'Dr Chen Li', roleId: 'hospital-clinician', sdsRoleCode: 'S8000:G8000:R8000', organisation: { ods: ACUTE, kind: 'acute-trust' }, activityCodes: ['B0360'] },
  hospitalPharmacist: { id: 'u-pharm', name: 'Priya Shah', roleId: 'pharmacist', sdsRoleCode: 'R1290', organisation: { ods: ACUTE, kind: 'acute-trust' }, activityCodes: ['B0570'] },
  mentalHealth: { id: 'u-mh', name: 'Dr Grace Adeyemi', roleId: 'mental-health-clinician', sdsRoleCode: 'R8000', organisation: { ods: MENTAL_HEALTH, kind: 'mental-health-trust' }, activityCodes: [] },
  communityNurse: { id: 'u-nurse', name: 'Tom Reid', roleId: 'nurse', sdsRoleCode: 'R8001', organisation: { ods: COMMUNITY, kind: 'community-services' }, activityCodes: [] },
  careCoordinator: { id: 'u-cc', name: 'Sam Patel', roleId: 'care-coordinator', sdsRoleCode: 'R8003', organisation: { ods: COMMUNITY, kind: 'community-services' }, activityCodes: [] },
  socialWorker: { id: 'u-sw', name: 'Jo Evans', roleId: 'social-worker', sdsRoleCode: 'R8014', organisation: { ods: COUNCIL, kind: 'local-authority' }, activityCodes: [] },
  gpReceptionist: { id: 'u-admin', name: 'Kim Hall', roleId: 'administrator', sdsRoleCode: 'R8009', organisation: { ods: GP_A, kind: 'gp-practice' }, activityCodes: [] },
  privacyOfficer: { id: 'u-po', name: 'Pat Morgan', roleId: 'privacy-officer', sdsRoleCode: 'R0001', organisation: { ods: ACUTE, kind: 'acute-trust' }, activityCodes: ['B0015'] },
} satisfies Record<string, DecisionUser>;

let counter = 0;
export function relationship(kind: Relationship['kind'], organisation: string, extra: Partial<Relationship> = {}): Relationship {
  counter += 1;
  return { id: `rel-${counter}`, personId: PERSON, kind, organisation, start: '2026-11-20T08:00:00Z', ...extra };
}

export function consent(action: ConsentRecord['action'], decision: ConsentRecord['decision'], extra: Partial<ConsentRecord> = {}): ConsentRecord {
  counter += 1;
  return { id: `consent-${counter}`, personId: PERSON, status: 'active', action, decision, dateTime: '2026-10-01T09:00:00Z', ...extra };
}

/** The relationships a typical person has: registered at GP_A, in A&E now, on the community and social care caseloads. */
export const TYPICAL_RELATIONSHIPS: Relationship[] = [
  relationship('encounter', ACUTE, { start: '2026-11-22T08:30:00Z' }),
  relationship('episode', MENTAL_HEALTH),
  relationship('referral', COMMUNITY),
  relationship('care-team', COUNCIL),
];

export function request(user: DecisionUser, change: Partial<DecisionRequest> = {}, purposeOfUse: PurposeOfUseCode = 'TREAT'): DecisionRequest {
  return {
    user,
    purposeOfUse,
    patient: { personId: PERSON, registeredGpOds: GP_A },
    policy: basePolicy,
    consents: [],
    relationships: TYPICAL_RELATIONSHIPS,
    now: NOW,
    ...change,
  };
}

type Item = { resourceType: string; id: string; meta?: Record<string, unknown>; [key: string]: unknown };

const src = (ods: string): string => `${ODS_CODE_SYSTEM}|${ods}`;
const snomed = (code: string, display: string) => ({ coding: [{ system: CodeSystems.snomed, code, display }] });
const label = (system: string, code: string) => ({ system, code });

/** A person's record across the locality: every heading, every source, sensitive and private items. */
export const RECORD: Item[] = [
  { resourceType: 'Patient', id: 'patient-gp', meta: { source: src(GP_A) } },
  { resourceType: 'Condition', id: 'gp-diabetes', meta: { source: src(GP_A) }, code: snomed('44054006', 'Diabetes mellitus type 2') },
  { resourceType: 'Condition', id: 'gp-hiv', meta: { source: src(GP_A) }, code: snomed('86406008', 'Human immunodeficiency virus infection') },
  { resourceType: 'Condition', id: 'gp-std-labelled', meta: { source: GP_A, security: [label(CodeSystems.actCode, 'STD'), label(CodeSystems.confidentiality, 'R')] } },
  { resourceType: 'Condition', id: 'gp-depression', meta: { source: src(GP_A) }, code: snomed('35489007', 'Depressive disorder') },
  { resourceType: 'MedicationStatement', id: 'gp-metformin', meta: { source: src(GP_A) } },
  { resourceType: 'AllergyIntolerance', id: 'gp-penicillin', meta: { source: src(GP_A) } },
  { resourceType: 'Observation', id: 'gp-hba1c', meta: { source: src(GP_A) } },
  { resourceType: 'Immunization', id: 'gp-flu', meta: { source: src(GP_A) } },
  { resourceType: 'Appointment', id: 'gp-review', meta: { source: src(GP_A) } },
  { resourceType: 'DocumentReference', id: 'gp-private-letter', meta: { source: src(GP_A), tag: [label(CodeSystems.sharing, 'private')] } },
  { resourceType: 'Flag', id: 'gp-safeguarding', meta: { source: src(GP_A), security: [label(CodeSystems.actCode, 'SDV')] }, code: snomed('397940009', 'Victim of domestic abuse') },
  { resourceType: 'Procedure', id: 'gp-ivf', meta: { source: src(GP_A), tag: [headingTag('problems')] }, code: snomed('52637005', 'In vitro fertilisation') },
  { resourceType: 'Condition', id: 'gp-termination', meta: { source: src(GP_A) }, code: snomed('386639001', 'Termination of pregnancy') },
  { resourceType: 'Condition', id: 'gp-gender', meta: { source: src(GP_A) }, code: snomed('407374003', 'Transsexual') },
  { resourceType: 'Condition', id: 'gp-very-restricted', meta: { source: src(GP_A), security: [label(CodeSystems.confidentiality, 'V')] } },
  { resourceType: 'Encounter', id: 'acute-ae', meta: { source: src(ACUTE) } },
  { resourceType: 'Observation', id: 'acute-troponin', meta: { source: src(ACUTE) } },
  { resourceType: 'DocumentReference', id: 'acute-discharge', meta: { source: src(ACUTE) } },
  { resourceType: 'Condition', id: 'mh-schizophrenia', meta: { source: src(MENTAL_HEALTH) }, code: snomed('58214004', 'Schizophrenia') },
  { resourceType: 'Encounter', id: 'mh-contact', meta: { source: src(MENTAL_HEALTH) } },
  { resourceType: 'MedicationStatement', id: 'community-dressing', meta: { source: src(COMMUNITY), tag: [label(CodeSystems.sharing, 'share-out')] } },
  { resourceType: 'Appointment', id: 'community-visit', meta: { source: src(COMMUNITY) } },
  { resourceType: 'EpisodeOfCare', id: 'council-adult-social-care', meta: { source: src(COUNCIL), tag: [headingTag('social-care')] } },
  { resourceType: 'CareTeam', id: 'council-care-team', meta: { source: src(COUNCIL) } },
  { resourceType: 'Condition', id: 'no-source' },
  { resourceType: 'Consent', id: 'consent-resource', meta: { source: src(GP_A) } },
  { resourceType: 'Organization', id: 'org-acute' },
];
