import {
  ODS_CODE_SYSTEM,
  CodeSystems,
  Confidentiality,
  NHS_NUMBER_SYSTEM,
  Sensitivity,
  headingTag,
  localIdentifierSystem,
} from '@openidcr/model';
import type { SensitivityCode } from '@openidcr/model';
import { sourceUri } from '../locality/locality.js';
import type { SyntheticOrganisation, SyntheticUser } from '../locality/locality.js';
import { fhirDate, fhirDateTime, MINUTE } from '../random/time.js';
import { medicineCoding } from '../terminology/medicines.js';
import { DOCUMENT_TYPES, HOSPITAL_ADMISSION, NO_KNOWN_ALLERGY, PATIENT_REFERRAL } from '../terminology/clinical.js';
import type {
  Admission,
  AllergyItem,
  AppointmentItem,
  CareEpisode,
  DocumentItem,
  ImmunisationItem,
  LabReport,
  MedicationCourse,
  Person,
  Problem,
  Referral,
} from '../history/model.js';

/** A FHIR R4 resource as the generator writes it: plain JSON with a type and an id. */
export interface FhirResource {
  resourceType: string;
  id: string;
  meta: { source: string; security?: Array<{ system: string; code: string; display: string }>; tag?: Array<{ system: string; code: string }> };
  [element: string]: unknown;
}

/** The code system for the kinds of care episode (a local code system: there is no national one). */
export const CARE_SERVICE_SYSTEM = 'https://openidcr.org/CodeSystem/care-service';

const snomed = (code: string, display: string): { system: string; code: string; display: string } => ({ system: CodeSystems.snomed, code, display });
const concept = (code: string, display: string): { coding: Array<{ system: string; code: string; display: string }>; text: string } => ({
  coding: [snomed(code, display)],
  text: display,
});
/** An Organization reference that also carries the ODS code, so it resolves with or without the Organization resource. */
const orgRef = (org: SyntheticOrganisation): { reference: string; identifier: { system: string; value: string }; display: string } => ({
  reference: `Organization/${org.resource.id}`,
  identifier: { system: ODS_CODE_SYSTEM, value: org.ods },
  display: org.name,
});
const userRef = (user: SyntheticUser): { reference: string; display: string } => ({ reference: `Practitioner/${user.id}`, display: user.name });

/** The id of a person's n-th item of a kind: stable for (seed, index, n). */
export function itemId(person: Person, prefix: string, n: number): string {
  return `${prefix}-${person.seed}-${person.index}-${n}`;
}

function meta(org: SyntheticOrganisation, labels: readonly SensitivityCode[], system = org.system): FhirResource['meta'] {
  const m: FhirResource['meta'] = { source: sourceUri(org.ods, system) };
  if (labels.length > 0) m.security = [...labels.map((label) => ({ ...Sensitivity[label] })), { ...Confidentiality.R }];
  return m;
}

function patientRef(person: Person): { reference: string; display: string } {
  return { reference: `Patient/${person.id}`, display: `${person.family.toUpperCase()}, ${person.given[0] ?? ''}` };
}

function patientResource(person: Person): FhirResource {
  const identifier: Array<Record<string, unknown>> = [{ system: NHS_NUMBER_SYSTEM, value: person.nhsNumber }];
  for (const [ods, value] of Object.entries(person.localIds)) identifier.push({ system: localIdentifierSystem(ods), value });
  const telecom: Array<Record<string, string>> = [{ system: 'phone', value: person.phone, use: 'home' }];
  if (person.mobile) telecom.push({ system: 'phone', value: person.mobile, use: 'mobile' });
  const name: Record<string, unknown> = { use: 'official', family: person.family, given: person.given };
  if (person.prefix) name.prefix = [person.prefix];
  return {
    resourceType: 'Patient',
    id: person.id,
    meta: meta(person.practice, []),
    identifier,
    active: true,
    name: [name],
    telecom,
    gender: person.gender,
    birthDate: fhirDate(person.birthMs),
    address: [{ use: 'home', type: 'both', line: person.address.line, city: person.address.city, district: person.address.district, postalCode: person.address.postalCode, country: 'GB' }],
    generalPractitioner: [orgRef(person.practice), userRef(person.gp)],
    managingOrganization: orgRef(person.practice),
  };
}

function conditionResource(person: Person, p: Problem): FhirResource {
  const r: FhirResource = {
    resourceType: 'Condition',
    id: itemId(person, 'cond', p.n),
    meta: meta(p.org, p.labels),
    clinicalStatus: { coding: [{ system: CodeSystems.conditionClinical, code: p.abatementMs === undefined ? 'active' : 'resolved' }] },
    verificationStatus: { coding: [{ system: CodeSystems.conditionVerification, code: 'confirmed' }] },
    category: [{ coding: [{ system: CodeSystems.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: concept(p.def.code, p.def.display),
    subject: patientRef(person),
    onsetDateTime: fhirDateTime(p.onsetMs),
    recordedDate: fhirDateTime(p.onsetMs),
    recorder: userRef(p.recordedBy),
    asserter: userRef(p.recordedBy),
  };
  if (p.abatementMs !== undefined) r.abatementDateTime = fhirDateTime(p.abatementMs);
  return r;
}

function medicationResource(person: Person, m: MedicationCourse): FhirResource {
  const period: Record<string, string> = { start: fhirDateTime(m.startMs) };
  if (m.endMs !== undefined) period.end = fhirDateTime(m.endMs);
  return {
    resourceType: 'MedicationStatement',
    id: itemId(person, 'med', m.n),
    meta: meta(m.org, m.labels),
    identifier: [{ system: localIdentifierSystem(m.org.ods), value: m.orderNumber }],
    status: m.status,
    medicationCodeableConcept: { coding: [medicineCoding(m.medicine)], text: m.medicine.display },
    subject: patientRef(person),
    effectivePeriod: period,
    dateAsserted: fhirDateTime(m.startMs),
    informationSource: userRef(m.prescriber),
    reasonReference: [{ reference: `Condition/${itemId(person, 'cond', m.problem.n)}`, display: m.problem.def.display }],
    dosage: [{ text: m.medicine.dose }],
  };
}

function allergyResource(person: Person, a: AllergyItem): FhirResource {
  return {
    resourceType: 'AllergyIntolerance',
    id: itemId(person, 'alg', a.n),
    meta: meta(person.practice, a.labels),
    clinicalStatus: { coding: [{ system: CodeSystems.allergyClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: CodeSystems.allergyVerification, code: 'confirmed' }] },
    type: 'allergy',
    category: [a.def.category],
    criticality: a.severity === 'severe' ? 'high' : 'low',
    code: concept(a.def.code, a.def.display),
    patient: patientRef(person),
    recordedDate: fhirDateTime(a.recordedMs),
    recorder: userRef(person.gp),
    reaction: [{ manifestation: [concept(a.reaction.code, a.reaction.display)], severity: a.severity }],
  };
}

function noKnownAllergyResource(person: Person): FhirResource {
  return {
    resourceType: 'AllergyIntolerance',
    id: itemId(person, 'alg', 0),
    meta: meta(person.practice, []),
    clinicalStatus: { coding: [{ system: CodeSystems.allergyClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: CodeSystems.allergyVerification, code: 'confirmed' }] },
    code: concept(NO_KNOWN_ALLERGY.code, NO_KNOWN_ALLERGY.display),
    patient: patientRef(person),
    recordedDate: fhirDateTime(person.allergyRecordedMs),
    recorder: userRef(person.gp),
  };
}

const ROUTES = {
  IM: { system: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration', code: 'IM', display: 'Injection, intramuscular' },
  SC: { system: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration', code: 'SQ', display: 'Injection, subcutaneous' },
} as const;

function immunisationResource(person: Person, i: ImmunisationItem): FhirResource {
  return {
    resourceType: 'Immunization',
    id: itemId(person, 'imm', i.n),
    meta: meta(i.org, i.labels),
    status: 'completed',
    vaccineCode: { coding: [snomed(i.def.code, i.def.display)], text: i.def.vaccine },
    patient: patientRef(person),
    occurrenceDateTime: fhirDateTime(i.atMs),
    recorded: fhirDateTime(i.atMs),
    primarySource: true,
    lotNumber: i.lot,
    route: { coding: [{ ...ROUTES[i.def.route] }] },
    performer: [{ actor: userRef(i.by) }, { actor: orgRef(i.org) }],
  };
}

const INTERPRETATION = {
  H: { code: 'H', display: 'High' },
  L: { code: 'L', display: 'Low' },
  A: { code: 'A', display: 'Abnormal' },
} as const;

function quantity(value: number, unit: string): Record<string, unknown> {
  return { value, unit, system: CodeSystems.ucum, code: unit };
}

function labResources(person: Person, r: LabReport): FhirResource[] {
  const observations: FhirResource[] = r.results.map((result) => {
    const obs: FhirResource = {
      resourceType: 'Observation',
      id: `${itemId(person, 'obs', r.n)}-${result.n}`,
      meta: meta(r.lab, r.labels, 'LIMS'),
      status: 'final',
      category: [{ coding: [{ system: CodeSystems.observationCategory, code: 'laboratory', display: 'Laboratory' }] }],
      code: { coding: [{ system: CodeSystems.loinc, code: result.test.loinc, display: result.test.display }], text: result.test.short },
      subject: patientRef(person),
      effectiveDateTime: fhirDateTime(r.collectedMs),
      issued: fhirDateTime(r.reportedMs),
      performer: [orgRef(r.lab)],
    };
    if (typeof result.value === 'number') {
      const q = quantity(result.value, result.test.unit ?? '1');
      if (result.text?.startsWith('>')) q.comparator = '>';
      obs.valueQuantity = q;
      const range: Record<string, unknown> = {};
      if (result.low !== undefined) range.low = quantity(result.low, result.test.unit ?? '1');
      if (result.high !== undefined) range.high = quantity(result.high, result.test.unit ?? '1');
      if (Object.keys(range).length > 0) obs.referenceRange = [range];
    } else {
      obs.valueCodeableConcept = concept(result.value.code, result.value.display);
    }
    if (result.flag) obs.interpretation = [{ coding: [{ system: CodeSystems.observationInterpretation, ...INTERPRETATION[result.flag] }] }];
    return obs;
  });
  const panelSystem = r.panel.system === 'snomed' ? CodeSystems.snomed : CodeSystems.loinc;
  const report: FhirResource = {
    resourceType: 'DiagnosticReport',
    id: itemId(person, 'rep', r.n),
    meta: meta(r.lab, r.labels, 'LIMS'),
    identifier: [{ system: localIdentifierSystem(r.lab.ods), value: r.accession }],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
    code: { coding: [{ system: panelSystem, code: r.panel.code, display: r.panel.display }], text: r.panel.display },
    subject: patientRef(person),
    effectiveDateTime: fhirDateTime(r.collectedMs),
    issued: fhirDateTime(r.reportedMs),
    performer: [orgRef(r.lab)],
    resultsInterpreter: [userRef(r.requester)],
    result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
  };
  if (r.comment) report.conclusion = r.comment;
  return [report, ...observations];
}

function encounterResource(person: Person, a: Admission): FhirResource {
  const period: Record<string, string> = { start: fhirDateTime(a.admittedMs) };
  if (a.dischargedMs !== undefined) period.end = fhirDateTime(a.dischargedMs);
  const locations = a.wards.map((w, i) => {
    const next = a.wards[i + 1];
    const end = next ? next.fromMs : a.dischargedMs;
    const p: Record<string, string> = { start: fhirDateTime(w.fromMs) };
    if (end !== undefined) p.end = fhirDateTime(end);
    return { location: { display: `${w.ward}, bed ${w.bed}` }, status: end === undefined ? 'active' : 'completed', period: p };
  });
  const r: FhirResource = {
    resourceType: 'Encounter',
    id: itemId(person, 'enc', a.n),
    meta: meta(a.org, a.labels),
    identifier: [{ system: localIdentifierSystem(a.org.ods), value: a.visitNumber }],
    status: a.dischargedMs === undefined ? 'in-progress' : 'finished',
    class: { system: CodeSystems.encounterClass, code: 'IMP', display: 'inpatient encounter' },
    type: [concept(HOSPITAL_ADMISSION.code, HOSPITAL_ADMISSION.display)],
    subject: patientRef(person),
    participant: [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ATND', display: 'attender' }] }], individual: userRef(a.consultant) }],
    period,
    location: locations,
    serviceProvider: orgRef(a.org),
  };
  if (a.problem) r.reasonReference = [{ reference: `Condition/${itemId(person, 'cond', a.problem.n)}`, display: a.problem.def.display }];
  if (a.dischargedMs !== undefined) {
    r.hospitalization = { dischargeDisposition: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'home', display: 'Home' }] } };
  }
  return r;
}

function referralResource(person: Person, ref: Referral): FhirResource {
  return {
    resourceType: 'ServiceRequest',
    id: itemId(person, 'ref', ref.n),
    meta: meta(ref.fromOrg, ref.labels),
    identifier: [{ system: localIdentifierSystem(ref.fromOrg.ods), value: ref.referralId }],
    status: ref.status,
    intent: 'order',
    category: [concept(PATIENT_REFERRAL.code, PATIENT_REFERRAL.display)],
    code: { coding: [snomed(PATIENT_REFERRAL.code, PATIENT_REFERRAL.display)], text: `Referral to ${ref.specialty}` },
    priority: ref.priority,
    subject: patientRef(person),
    authoredOn: fhirDateTime(ref.authoredMs),
    requester: userRef(ref.from),
    performer: [orgRef(ref.to)],
    reasonReference: [{ reference: `Condition/${itemId(person, 'cond', ref.problem.n)}`, display: ref.problem.def.display }],
  };
}

function appointmentResource(person: Person, a: AppointmentItem): FhirResource {
  const r: FhirResource = {
    resourceType: 'Appointment',
    id: itemId(person, 'appt', a.n),
    meta: meta(a.org, a.labels),
    identifier: [{ system: localIdentifierSystem(a.org.ods), value: a.appointmentId }],
    status: a.status,
    serviceType: [{ text: a.service }],
    description: `${a.service} - ${a.location}`,
    start: fhirDateTime(a.startMs),
    end: fhirDateTime(a.startMs + a.minutes * MINUTE),
    minutesDuration: a.minutes,
    created: fhirDateTime(a.bookedMs),
    participant: [
      { actor: patientRef(person), status: a.status === 'cancelled' ? 'declined' : 'accepted' },
      { actor: userRef(a.clinician), status: 'accepted' },
      { actor: { display: `${a.location}, ${a.org.name}` }, status: 'accepted' },
    ],
  };
  if (a.referral) r.basedOn = [{ reference: `ServiceRequest/${itemId(person, 'ref', a.referral.n)}` }];
  return r;
}

function documentResource(person: Person, d: DocumentItem): FhirResource {
  const type = d.kind === 'discharge-summary' ? DOCUMENT_TYPES.dischargeSummary : DOCUMENT_TYPES.clinicLetter;
  const text = d.lines.join('\n');
  const r: FhirResource = {
    resourceType: 'DocumentReference',
    id: itemId(person, 'doc', d.n),
    meta: meta(d.org, d.labels),
    masterIdentifier: { system: localIdentifierSystem(d.org.ods), value: d.documentNumber },
    status: 'current',
    docStatus: 'final',
    type: { coding: [snomed(type.code, type.display)], text: d.title },
    subject: patientRef(person),
    date: fhirDateTime(d.atMs),
    author: [userRef(d.author), orgRef(d.org)],
    custodian: orgRef(d.org),
    description: d.title,
    content: [{ attachment: { contentType: 'text/plain', language: 'en-GB', data: Buffer.from(text, 'utf8').toString('base64'), title: d.title, creation: fhirDateTime(d.atMs) } }],
  };
  if (d.admission) r.context = { encounter: [{ reference: `Encounter/${itemId(person, 'enc', d.admission.n)}` }] };
  return r;
}

function episodeResource(person: Person, e: CareEpisode): FhirResource {
  const period: Record<string, string> = { start: fhirDateTime(e.startMs) };
  if (e.endMs !== undefined) period.end = fhirDateTime(e.endMs);
  const m = meta(e.org, e.labels);
  if (e.kind === 'social-care') m.tag = [headingTag('social-care')];
  const r: FhirResource = {
    resourceType: 'EpisodeOfCare',
    id: itemId(person, 'eoc', e.n),
    meta: m,
    status: e.endMs === undefined ? 'active' : 'finished',
    type: [{ coding: [{ system: CARE_SERVICE_SYSTEM, code: e.kind, display: e.service }], text: e.service }],
    patient: patientRef(person),
    managingOrganization: orgRef(e.org),
    period,
    careManager: userRef(e.manager),
  };
  if (e.problem) r.diagnosis = [{ condition: { reference: `Condition/${itemId(person, 'cond', e.problem.n)}`, display: e.problem.def.display } }];
  return r;
}

/** Every FHIR resource of a person's history, the Patient first. */
export function personResources(person: Person): FhirResource[] {
  const out: FhirResource[] = [patientResource(person)];
  for (const p of person.problems) out.push(conditionResource(person, p));
  for (const m of person.medications) out.push(medicationResource(person, m));
  if (person.allergyStatus === 'nka') out.push(noKnownAllergyResource(person));
  for (const a of person.allergies) out.push(allergyResource(person, a));
  for (const i of person.immunisations) out.push(immunisationResource(person, i));
  for (const r of person.reports) out.push(...labResources(person, r));
  for (const a of person.admissions) out.push(encounterResource(person, a));
  for (const r of person.referrals) out.push(referralResource(person, r));
  for (const a of person.appointments) out.push(appointmentResource(person, a));
  for (const d of person.documents) out.push(documentResource(person, d));
  for (const e of person.episodes) out.push(episodeResource(person, e));
  return out;
}
