import type { Bundle, Patient } from '@openidcr/model';
import { allergies, FIXTURE_TODAY, noKnownAllergy, organisations, patient, searchset } from '../../fixtures/record.js';
import type { Fixture } from '../../fixtures/states.js';
import type { AllergyState } from '../../view-models/allergies.js';

export interface BannerProps {
  bundle?: Bundle;
  patient?: Patient;
  today?: string;
  status?: 'ready' | 'loading' | 'error' | 'denied';
  allergiesAvailable?: boolean;
  allergyState?: AllergyState;
  problem?: { message: string };
}

const orgs = Object.values(organisations);

export const bannerFixtures: Fixture<BannerProps>[] = [
  {
    name: 'known-allergies',
    description: 'The full banner of the fictional record, with allergies.',
    props: { today: FIXTURE_TODAY, bundle: searchset([patient, ...orgs, ...allergies]) },
    shows: ['SMITH, John Edward (Mr)', 'Born', '12-Mar-1960 (66y)', 'Gender', 'Male', 'NHS No.', '943 476 5919', '12 Canal Street, Ridgeway, RG1 4AB', 'Riverside Medical Practice', 'Known allergies'],
  },
  {
    name: 'no-known-allergies',
    description: 'No known allergies were recorded.',
    props: { today: FIXTURE_TODAY, bundle: searchset([patient, ...orgs, noKnownAllergy]) },
    shows: ['No known allergies'],
  },
  {
    name: 'allergies-not-recorded',
    description: 'Nothing about allergies was shared.',
    props: { today: FIXTURE_TODAY, bundle: searchset([patient, ...orgs]) },
    shows: ['Allergies not recorded'],
  },
  {
    name: 'allergies-unavailable',
    description: 'Allergies could not be read (denied or failed).',
    props: { today: FIXTURE_TODAY, bundle: searchset([patient, ...orgs]), allergiesAvailable: false },
    shows: ['Allergies unavailable'],
  },
  {
    name: 'missing-data',
    description: 'A patient with only a name: every missing value reads Not known.',
    props: { today: FIXTURE_TODAY, patient: { resourceType: 'Patient', id: 'p2', name: [{ family: "O'Neill", given: ['Siobhán'] }] } },
    shows: ["O'NEILL, Siobhán", 'Not known', 'Allergies not recorded'],
  },
  {
    name: 'deceased-infant',
    description: 'A baby who died: age in months at death.',
    props: {
      today: FIXTURE_TODAY,
      patient: { resourceType: 'Patient', id: 'p3', name: [{ family: 'Khan', given: ['Amir'] }], birthDate: '2025-01-10', deceasedDateTime: '2026-03-02', gender: 'male' },
    },
    shows: ['KHAN, Amir', 'Died 02-Mar-2026', '10-Jan-2025 (13m)'],
  },
  { name: 'loading', description: 'Waiting for the patient.', props: { status: 'loading' }, shows: ['Loading patient details'] },
  { name: 'error', description: 'The patient could not be read.', props: { status: 'error', problem: { message: 'HTTP 500' } }, shows: ['could not be loaded', 'HTTP 500'] },
];
