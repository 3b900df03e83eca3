import type { Bundle } from '@openidcr/model';
import { deniedOutcome, FIXTURE_TODAY, organisations, searchset, unansweredOutcome } from '../../fixtures/record.js';
import type { Fixture } from '../../fixtures/states.js';
import type { HeadingProblem, HeadingStatus } from '../heading/heading-element.js';

type R = { resourceType: string; id?: string; [key: string]: unknown };

const person = (id: string, family: string, given: string, birthDate: string, nhs: string): R => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs }],
  name: [{ family, given: [given] }],
  birthDate,
  generalPractitioner: [{ reference: 'Organization/org-gp' }],
});
const ward = (id: string, name: string): R => ({ resourceType: 'Location', id, name });
const stay = (id: string, patientId: string, locationId: string, start: string, expected?: string): R => ({
  resourceType: 'Encounter',
  id,
  status: 'in-progress',
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
  subject: { reference: `Patient/${patientId}` },
  period: { start },
  serviceProvider: { reference: 'Organization/org-acute' },
  location: [{ location: { reference: `Location/${locationId}` }, status: 'active' }],
  ...(expected ? { extension: [{ url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ExpectedDischargeDate', valueDateTime: expected }] } : {}),
});

export const wardResources: R[] = [
  organisations.gp,
  organisations.acute,
  ward('w1', 'Ward 12 (respiratory)'),
  ward('w2', 'Acute medical unit'),
  person('p1', 'Smith', 'John', '1960-03-12', '9434765919'),
  person('p2', 'Ahmed', 'Fatima', '1948-07-30', '9990000018'),
  person('p3', 'Brown', 'Olive', '1935-12-02', '9990000026'),
  stay('s1', 'p1', 'w1', '2026-11-18T22:10:00Z', '2026-11-24'),
  stay('s2', 'p2', 'w2', '2026-11-21T08:00:00Z'),
  stay('s3', 'p3', 'w1', '2026-11-02T13:30:00Z', '2026-11-25'),
  { ...stay('s4', 'p2', 'w2', '2026-10-01T08:00:00Z'), status: 'finished' },
];

export const virtualWardFixtures: Fixture<{ bundle?: Bundle; today: string; practiceName?: string; status?: HeadingStatus; problem?: HeadingProblem }>[] = [
  {
    name: 'patients-in-hospital',
    description: 'Three of the practice’s patients are in hospital.',
    props: { bundle: searchset(wardResources), today: FIXTURE_TODAY, practiceName: 'Riverside Medical Practice' },
    shows: ['Riverside Medical Practice: patients in hospital', '3 patients in hospital, longest stay first', 'BROWN, Olive', 'Ward 12 (respiratory)', '02-Nov-2026', '20', '25-Nov-2026', "St Luke's Hospital NHS Trust", 'AHMED, Fatima', 'Not known'],
  },
  { name: 'empty', description: 'Nobody is in hospital.', props: { bundle: searchset([]), today: FIXTURE_TODAY }, shows: ["None of the practice's patients is in hospital at the moment."] },
  { name: 'loading', description: 'Waiting.', props: { status: 'loading', today: FIXTURE_TODAY }, shows: ['Loading patients in hospital'] },
  { name: 'error', description: 'Failed.', props: { status: 'error', problem: { message: 'The record service had a problem (HTTP 502).' }, today: FIXTURE_TODAY }, shows: ['The list could not be loaded', 'HTTP 502'] },
  { name: 'denied', description: 'Denied.', props: { status: 'denied', problem: { message: 'Denied', outcome: deniedOutcome(false) }, today: FIXTURE_TODAY }, shows: ['You do not have access to this list'] },
  {
    name: 'hospital-did-not-answer',
    description: 'A hospital did not answer.',
    props: { bundle: searchset(wardResources, [unansweredOutcome('Ridgeway General Hospital')]), today: FIXTURE_TODAY },
    shows: ['not every hospital answered', 'Ridgeway General Hospital did not answer'],
  },
];
