import { FIXTURE_TODAY } from '../../fixtures/record.js';
import type { Fixture } from '../../fixtures/states.js';

export const patientSearchFixtures: Fixture<{ mode?: 'nhs-number' | 'name'; today: string }>[] = [
  { name: 'by-nhs-number', description: 'Search by NHS number.', props: { today: FIXTURE_TODAY }, shows: ['Search by', 'NHS number', '10 digits, like 943 476 5919', 'Search'] },
  { name: 'by-name', description: 'Search by name and date of birth.', props: { mode: 'name', today: FIXTURE_TODAY }, shows: ['Family name', 'Date of birth', 'Day', 'Month', 'Year'] },
];
