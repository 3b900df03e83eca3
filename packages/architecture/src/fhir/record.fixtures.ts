import type { BatchResource, ResourceLike } from '@openidcr/model';
import { CodeSystems, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, Sensitivity, headingTag, localIdentifierSystem } from '@openidcr/model';
import type { LegitimateRelationshipInput } from '@openidcr/store';

/**
 * A small locality record for the API tests, shared by the pooled and the federated topologies:
 * John Smith (registered at Y90001, seen at X9A, known to X9L social care) and Mary Jones (registered at Y90002).
 */
export const SMITH_NHS = '9434765919';
export const JONES_NHS = '9400000014';

const src = (ods: string) => `${ODS_CODE_SYSTEM}|${ods}`;
type R = ResourceLike & { id: string };

function patient(id: string, ods: string, options: { nhs: string; family: string; given: string; birthDate: string; gp: string; postcode: string; mrn?: string }): R {
  return {
    resourceType: 'Patient',
    id,
    meta: { source: src(ods) },
    identifier: [
      { system: NHS_NUMBER_SYSTEM, value: options.nhs },
      ...(options.mrn ? [{ system: localIdentifierSystem(ods), value: options.mrn }] : []),
    ],
    name: [{ use: 'official', family: options.family, given: [options.given] }],
    gender: options.given === 'Mary' ? 'female' : 'male',
    birthDate: options.birthDate,
    address: [{ use: 'home', line: ['1 High Street'], city: 'Northtown', postalCode: options.postcode }],
    generalPractitioner: [{ identifier: { system: ODS_CODE_SYSTEM, value: options.gp }, display: `Practice ${options.gp}` }],
  };
}

function observation(id: string, ods: string, patientId: string, options: { date: string; category: string; system: string; code: string; display: string; value: number; unit: string }): R {
  return {
    resourceType: 'Observation',
    id,
    meta: { source: src(ods) },
    status: 'final',
    category: [{ coding: [{ system: CodeSystems.observationCategory, code: options.category }] }],
    code: { coding: [{ system: options.system, code: options.code, display: options.display }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: options.date,
    valueQuantity: { value: options.value, unit: options.unit, system: CodeSystems.ucum, code: options.unit },
    performer: [{ reference: 'Organization/org-x9a' }],
  };
}

/** Per person (patient key): the resources each source organisation holds. */
export function smithRecord(ids: { gp: string; hospital: string; council: string }): Record<string, R[]> {
  return {
    Y90001: [
      patient(ids.gp, 'Y90001', { nhs: SMITH_NHS, family: 'Smith', given: 'John', birthDate: '1960-03-12', gp: 'Y90001', postcode: 'NT1 4AP' }),
      {
        resourceType: 'Condition',
        id: 'cond-diabetes',
        meta: { source: src('Y90001') },
        clinicalStatus: { coding: [{ system: CodeSystems.conditionClinical, code: 'active' }] },
        category: [{ coding: [{ system: CodeSystems.conditionCategory, code: 'problem-list-item' }] }],
        code: { coding: [{ system: CodeSystems.snomed, code: '44054006', display: 'Diabetes mellitus type 2' }] },
        subject: { reference: `Patient/${ids.gp}` },
        onsetDateTime: '2019-05-01',
        recorder: { reference: 'Practitioner/prac-1' },
      },
      {
        resourceType: 'MedicationStatement',
        id: 'med-metformin',
        meta: { source: src('Y90001') },
        status: 'active',
        medicationCodeableConcept: { coding: [{ system: CodeSystems.snomed, code: '109081006', display: 'Metformin' }] },
        subject: { reference: `Patient/${ids.gp}` },
        effectivePeriod: { start: '2019-06-01' },
        dosage: [{ text: '500 mg twice a day' }],
      },
      {
        resourceType: 'AllergyIntolerance',
        id: 'allergy-penicillin',
        meta: { source: src('Y90001') },
        clinicalStatus: { coding: [{ system: CodeSystems.allergyClinical, code: 'active' }] },
        category: ['medication'],
        code: { coding: [{ system: CodeSystems.snomed, code: '764146007', display: 'Penicillin' }] },
        patient: { reference: `Patient/${ids.gp}` },
        recordedDate: '2010-02-02',
      },
      observation('obs-bp', 'Y90001', ids.gp, { date: '2023-03-03T10:00:00Z', category: 'vital-signs', system: CodeSystems.loinc, code: '85354-9', display: 'Blood pressure', value: 130, unit: 'mm[Hg]' }),
    ],
    X9A: [
      patient(ids.hospital, 'X9A', { nhs: SMITH_NHS, family: 'Smith', given: 'John', birthDate: '1960-03-12', gp: 'Y90001', postcode: 'NT1 4AP', mrn: 'RX1234' }),
      observation('obs-hba1c', 'X9A', ids.hospital, { date: '2024-01-10T09:00:00Z', category: 'laboratory', system: CodeSystems.loinc, code: '4548-4', display: 'HbA1c', value: 52, unit: 'mmol/mol' }),
      observation('obs-hb', 'X9A', ids.hospital, { date: '2024-06-10T09:00:00Z', category: 'laboratory', system: CodeSystems.loinc, code: '718-7', display: 'Haemoglobin', value: 135, unit: 'g/L' }),
      {
        resourceType: 'Condition',
        id: 'cond-sensitive',
        meta: { source: src('X9A'), security: [Sensitivity.HIV] },
        clinicalStatus: { coding: [{ system: CodeSystems.conditionClinical, code: 'active' }] },
        code: { coding: [{ system: CodeSystems.snomed, code: '86406008', display: 'Human immunodeficiency virus infection' }] },
        subject: { reference: `Patient/${ids.hospital}` },
        onsetDateTime: '2015-01-01',
      },
      {
        resourceType: 'Encounter',
        id: 'enc-admission',
        meta: { source: src('X9A') },
        status: 'finished',
        class: { system: CodeSystems.encounterClass, code: 'IMP', display: 'inpatient encounter' },
        subject: { reference: `Patient/${ids.hospital}` },
        period: { start: '2024-06-09T14:00:00Z', end: '2024-06-12T11:00:00Z' },
        serviceProvider: { reference: 'Organization/org-x9a' },
      },
    ],
    X9L: [
      patient(ids.council, 'X9L', { nhs: SMITH_NHS, family: 'Smith', given: 'John', birthDate: '1960-03-12', gp: 'Y90001', postcode: 'NT1 4AP', mrn: 'SC-778' }),
      {
        resourceType: 'EpisodeOfCare',
        id: 'eoc-social',
        meta: { source: src('X9L'), tag: [headingTag('social-care')] },
        status: 'active',
        type: [{ text: 'Adult social care: home care' }],
        patient: { reference: `Patient/${ids.council}` },
        period: { start: '2024-07-01' },
      },
    ],
  };
}

export function jonesRecord(ids: { gp: string }): Record<string, R[]> {
  return {
    Y90002: [
      patient(ids.gp, 'Y90002', { nhs: JONES_NHS, family: 'Jones', given: 'Mary', birthDate: '1975-08-30', gp: 'Y90002', postcode: 'NT2 9ZZ' }),
      {
        resourceType: 'Condition',
        id: 'cond-asthma',
        meta: { source: src('Y90002') },
        clinicalStatus: { coding: [{ system: CodeSystems.conditionClinical, code: 'active' }] },
        code: { coding: [{ system: CodeSystems.snomed, code: '195967001', display: 'Asthma' }] },
        subject: { reference: `Patient/${ids.gp}` },
        onsetDateTime: '2001-01-01',
      },
    ],
  };
}

/** Reference data: who recorded and who provides care. */
export const REFERENCE_DATA: R[] = [
  { resourceType: 'Organization', id: 'org-x9a', meta: { source: src('X9A') }, identifier: [{ system: ODS_CODE_SYSTEM, value: 'X9A' }], name: 'Northshire Hospitals NHS Foundation Trust' },
  { resourceType: 'Practitioner', id: 'prac-1', meta: { source: src('Y90001') }, name: [{ family: 'Patel', given: ['Asha'], prefix: ['Dr'] }] },
];

/** The pooled store's view: one patient key per person, every source's resources under it. */
export function pooledRecord(): { resources: BatchResource[]; relationships: LegitimateRelationshipInput[] } {
  const smith = smithRecord({ gp: 'pat-smith-gp', hospital: 'pat-smith-hosp', council: 'pat-smith-council' });
  const jones = jonesRecord({ gp: 'pat-jones-gp' });
  const resources: BatchResource[] = [
    ...Object.values(smith).flat().map((resource) => ({ patientKey: 'person-smith', resource })),
    ...Object.values(jones).flat().map((resource) => ({ patientKey: 'person-jones', resource })),
    ...REFERENCE_DATA.map((resource) => ({ resource })),
  ];
  return { resources, relationships: relationshipsFor({ smith: 'person-smith' }) };
}

/** John Smith's admission gives the hospital (every user of X9A) a legitimate relationship with him. */
export function relationshipsFor(keys: { smith: string }): LegitimateRelationshipInput[] {
  return [{ patientKey: keys.smith, id: 'rel-admission', userId: '*', organisation: 'X9A', kind: 'encounter', source: 'ADT A01', startedAt: '2024-06-09T14:00:00Z' }];
}
