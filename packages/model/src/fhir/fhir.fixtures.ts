import type { ResourceType } from './registry.js';

/** A valid example of every resource type, and for each an invalid variant with the issue it must raise. */
export interface SchemaCase {
  valid: Record<string, unknown>;
  invalid: { resource: Record<string, unknown>; location: string; message: RegExp }[];
}

const patientRef = { reference: 'Patient/p1' };
const cc = (code: string, display: string, system = 'http://snomed.info/sct') => ({ coding: [{ system, code, display }], text: display });
const without = (obj: Record<string, unknown>, key: string) => {
  const copy = { ...obj };
  delete copy[key];
  return copy;
};

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { source: 'https://fhir.nhs.uk/Id/ods-organization-code|B86001', lastUpdated: '2026-01-02T10:00:00Z' },
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
  name: [{ use: 'official', family: 'SMITH', given: ['John'], prefix: ['Mr'] }],
  gender: 'male',
  birthDate: '1960-03-12',
  address: [{ line: ['1 Park Row'], city: 'Leeds', postalCode: 'LS1 5AB' }],
  generalPractitioner: [{ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'B86001' } }],
  extension: [{ url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory', valueCodeableConcept: { text: 'A' } }],
};

const encounter = { resourceType: 'Encounter', id: 'e1', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' }, subject: patientRef, period: { start: '2026-05-01T08:30:00+01:00' } };
const observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: cc('2823-3', 'Potassium', 'http://loinc.org'),
  subject: patientRef,
  effectiveDateTime: '2026-05-01T09:00:00Z',
  valueQuantity: { value: 6.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
  referenceRange: [{ low: { value: 3.5, unit: 'mmol/L' }, high: { value: 5.3, unit: 'mmol/L' } }],
  interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
};

export const schemaCases: Record<ResourceType, SchemaCase> = {
  Patient: {
    valid: patient,
    invalid: [
      { resource: { ...patient, birthDate: '12/03/1960' }, location: 'Patient.birthDate', message: /expected YYYY-MM-DD/ },
      { resource: { ...patient, gender: 'M' }, location: 'Patient.gender', message: /"M" is not one of: male, female, other, unknown/ },
      { resource: { ...patient, name: [{ given: 'John' }] }, location: 'Patient.name[0].given', message: /expected array/ },
      { resource: { ...patient, deceasedBoolean: true, deceasedDateTime: '2020-01-01' }, location: 'Patient.deceasedDateTime', message: /only one of deceased\[x\]/ },
    ],
  },
  Practitioner: {
    valid: { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'Jones', given: ['Asha'], prefix: ['Dr'] }], identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: 'G1234567' }] },
    invalid: [{ resource: { resourceType: 'Practitioner', name: { family: 'Jones' } }, location: 'Practitioner.name', message: /expected array/ }],
  },
  PractitionerRole: {
    valid: { resourceType: 'PractitionerRole', id: 'prr1', practitioner: { reference: 'Practitioner/pr1' }, organization: { reference: 'Organization/B86001' }, code: [cc('R8000', 'Clinical Practitioner Access Role', 'https://fhir.nhs.uk/CodeSystem/NHSDigital-SDS-JobRoleCode')] },
    invalid: [{ resource: { resourceType: 'PractitionerRole', active: 'yes' }, location: 'PractitionerRole.active', message: /expected boolean/ }],
  },
  Organization: {
    valid: { resourceType: 'Organization', id: 'B86001', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'B86001' }], name: 'Park Row Surgery' },
    invalid: [{ resource: { resourceType: 'Organization', id: 'has spaces' }, location: 'Organization.id', message: /expected a FHIR id/ }],
  },
  Location: {
    valid: { resourceType: 'Location', id: 'ward-12', status: 'active', name: 'Ward 12 (respiratory)', mode: 'instance', managingOrganization: { reference: 'Organization/RR8' } },
    invalid: [{ resource: { resourceType: 'Location', id: 'w1', status: 'closed' }, location: 'Location.status', message: /active|suspended|inactive/ }],
  },
  Encounter: {
    valid: encounter,
    invalid: [
      { resource: without(encounter, 'status'), location: 'Encounter.status', message: /is required/ },
      { resource: without(encounter, 'class'), location: 'Encounter.class', message: /is required/ },
      { resource: { ...encounter, period: { start: '2026-05-01 08:30' } }, location: 'Encounter.period.start', message: /expected a FHIR dateTime/ },
    ],
  },
  EpisodeOfCare: {
    valid: { resourceType: 'EpisodeOfCare', id: 'eoc1', status: 'active', patient: patientRef, managingOrganization: { reference: 'Organization/LA001' }, period: { start: '2025-11-01' } },
    invalid: [{ resource: { resourceType: 'EpisodeOfCare', status: 'active' }, location: 'EpisodeOfCare.patient', message: /is required/ }],
  },
  Condition: {
    valid: { resourceType: 'Condition', id: 'c1', subject: patientRef, code: cc('44054006', 'Type 2 diabetes mellitus'), clinicalStatus: cc('active', 'Active', 'http://terminology.hl7.org/CodeSystem/condition-clinical'), onsetDateTime: '2015-06' },
    invalid: [{ resource: { resourceType: 'Condition', code: cc('44054006', 'Type 2 diabetes mellitus') }, location: 'Condition.subject', message: /is required/ }],
  },
  AllergyIntolerance: {
    valid: { resourceType: 'AllergyIntolerance', id: 'a1', patient: patientRef, code: cc('91936005', 'Allergy to penicillin'), reaction: [{ manifestation: [cc('271807003', 'Eruption of skin')], severity: 'moderate' }] },
    invalid: [
      { resource: { resourceType: 'AllergyIntolerance', patient: patientRef, reaction: [{ manifestation: [] }] }, location: 'AllergyIntolerance.reaction[0].manifestation', message: /at least one/ },
      { resource: { resourceType: 'AllergyIntolerance', patient: patientRef, criticality: 'severe' }, location: 'AllergyIntolerance.criticality', message: /not one of/ },
    ],
  },
  MedicationStatement: {
    valid: { resourceType: 'MedicationStatement', id: 'ms1', status: 'active', subject: patientRef, medicationCodeableConcept: cc('322236009', 'Paracetamol 500mg tablets'), dosage: [{ text: 'Two tablets up to four times a day' }], effectivePeriod: { start: '2026-01-01' } },
    invalid: [{ resource: { resourceType: 'MedicationStatement', status: 'active', subject: patientRef }, location: 'MedicationStatement.medication[x]', message: /is required/ }],
  },
  MedicationRequest: {
    valid: { resourceType: 'MedicationRequest', id: 'mr1', status: 'active', intent: 'order', subject: patientRef, medicationCodeableConcept: cc('322236009', 'Paracetamol 500mg tablets'), authoredOn: '2026-02-03' },
    invalid: [{ resource: { resourceType: 'MedicationRequest', status: 'active', subject: patientRef, medicationCodeableConcept: cc('1', 'x') }, location: 'MedicationRequest.intent', message: /is required/ }],
  },
  Observation: {
    valid: observation,
    invalid: [
      { resource: without(observation, 'code'), location: 'Observation.code', message: /is required/ },
      { resource: { ...observation, valueString: 'high' }, location: 'Observation.valueString', message: /only one of value\[x\]/ },
      { resource: { ...observation, valueQuantity: { value: '6.1' } }, location: 'Observation.valueQuantity.value', message: /expected number/ },
    ],
  },
  DiagnosticReport: {
    valid: { resourceType: 'DiagnosticReport', id: 'dr1', status: 'final', code: cc('26958001', 'Liver function test'), subject: patientRef, result: [{ reference: 'Observation/o1' }], issued: '2026-05-01T10:00:00Z' },
    invalid: [{ resource: { resourceType: 'DiagnosticReport', status: 'final', code: cc('1', 'x'), issued: '2026-05-01' }, location: 'DiagnosticReport.issued', message: /expected a FHIR instant/ }],
  },
  DocumentReference: {
    valid: { resourceType: 'DocumentReference', id: 'd1', status: 'current', type: cc('373942005', 'Discharge summary'), subject: patientRef, date: '2026-05-03T16:00:00Z', content: [{ attachment: { contentType: 'text/plain', data: 'RGlzY2hhcmdlZCBob21l' } }] },
    invalid: [{ resource: { resourceType: 'DocumentReference', status: 'current', content: [] }, location: 'DocumentReference.content', message: /at least one/ }],
  },
  ServiceRequest: {
    valid: { resourceType: 'ServiceRequest', id: 'sr1', status: 'active', intent: 'order', subject: patientRef, code: cc('306206005', 'Referral to service'), authoredOn: '2026-04-01' },
    invalid: [{ resource: { resourceType: 'ServiceRequest', status: 'sent', intent: 'order', subject: patientRef }, location: 'ServiceRequest.status', message: /not one of/ }],
  },
  Appointment: {
    valid: { resourceType: 'Appointment', id: 'ap1', status: 'booked', start: '2026-07-01T09:30:00Z', participant: [{ actor: patientRef, status: 'accepted' }] },
    invalid: [{ resource: { resourceType: 'Appointment', status: 'booked', participant: [{ actor: patientRef }] }, location: 'Appointment.participant[0].status', message: /is required/ }],
  },
  Immunization: {
    valid: { resourceType: 'Immunization', id: 'i1', status: 'completed', vaccineCode: cc('39114911000001105', 'Influenza vaccine'), patient: patientRef, occurrenceDateTime: '2025-10-12' },
    invalid: [{ resource: { resourceType: 'Immunization', status: 'completed', vaccineCode: cc('1', 'x'), patient: patientRef }, location: 'Immunization.occurrence[x]', message: /is required/ }],
  },
  CareTeam: {
    valid: { resourceType: 'CareTeam', id: 'ct1', status: 'active', name: 'District nursing', subject: patientRef, participant: [{ member: { reference: 'Practitioner/pr1' } }] },
    invalid: [{ resource: { resourceType: 'CareTeam', status: 'open' }, location: 'CareTeam.status', message: /not one of/ }],
  },
  Flag: {
    valid: { resourceType: 'Flag', id: 'f1', status: 'active', code: { text: 'Lives alone; key safe 1234 held by district nurses' }, subject: patientRef },
    invalid: [{ resource: { resourceType: 'Flag', status: 'active', subject: patientRef }, location: 'Flag.code', message: /is required/ }],
  },
  Consent: {
    valid: {
      resourceType: 'Consent',
      id: 'cs1',
      status: 'active',
      scope: cc('patient-privacy', 'Privacy Consent', 'http://terminology.hl7.org/CodeSystem/consentscope'),
      category: [cc('59284-0', 'Patient Consent', 'http://loinc.org')],
      patient: patientRef,
      dateTime: '2026-03-01T12:00:00Z',
      provision: { type: 'deny', provision: [{ type: 'permit', purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' }] }] },
    },
    invalid: [
      { resource: { resourceType: 'Consent', status: 'active', scope: cc('x', 'x'), category: [] }, location: 'Consent.category', message: /at least one/ },
      { resource: { resourceType: 'Consent', status: 'active', scope: cc('x', 'x'), category: [cc('x', 'x')], provision: { type: 'maybe' } }, location: 'Consent.provision.type', message: /not one of/ },
    ],
  },
  Provenance: {
    valid: { resourceType: 'Provenance', id: 'pv1', target: [{ reference: 'Observation/o1' }], recorded: '2026-05-01T10:00:01Z', agent: [{ who: { reference: 'Organization/RR8' } }] },
    invalid: [{ resource: { resourceType: 'Provenance', target: [{ reference: 'Observation/o1' }], recorded: '2026-05-01T10:00:01Z', agent: [{}] }, location: 'Provenance.agent[0].who', message: /is required/ }],
  },
  AuditEvent: {
    valid: {
      resourceType: 'AuditEvent',
      id: 'ae1',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'R',
      recorded: '2026-05-01T10:00:01Z',
      outcome: '0',
      agent: [{ who: { reference: 'Practitioner/pr1' }, requestor: true }],
      source: { observer: { display: 'OpenIDCR' } },
      entity: [{ what: patientRef }],
    },
    invalid: [{ resource: { resourceType: 'AuditEvent', type: { code: 'rest' }, recorded: '2026-05-01T10:00:01Z', agent: [{ requestor: true }] }, location: 'AuditEvent.source', message: /is required/ }],
  },
  Bundle: {
    valid: { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:1', resource: patient }, { resource: observation }] },
    invalid: [
      { resource: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { ...patient, birthDate: 'yesterday' } }] }, location: 'Bundle.entry[0].resource.birthDate', message: /expected YYYY-MM-DD/ },
      { resource: { resourceType: 'Bundle', type: 'bag' }, location: 'Bundle.type', message: /not one of/ },
    ],
  },
  OperationOutcome: {
    valid: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'No legitimate relationship' }] },
    invalid: [{ resource: { resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] }, location: 'OperationOutcome.issue[0].severity', message: /is required/ }],
  },
  CapabilityStatement: {
    valid: { resourceType: 'CapabilityStatement', status: 'active', date: '2026-11-22', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server', resource: [{ type: 'Patient', interaction: [{ code: 'read' }] }] }] },
    invalid: [{ resource: { resourceType: 'CapabilityStatement', status: 'active', date: '2026-11-22', kind: 'instance', fhirVersion: 'R4', format: ['json'] }, location: 'CapabilityStatement.fhirVersion', message: /expected a FHIR version/ }],
  },
};
