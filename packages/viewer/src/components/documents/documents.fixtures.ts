import { documents, FIXTURE_TODAY, organisations, patient, PATIENT_ID, practitioners, searchset } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const documentsFixtures: Fixture<HeadingProps & { openId?: string }>[] = [
  ...headingStateFixtures(
    'documents',
    [...documents, ...practitioners],
    ['Letters and discharge summaries (3)', 'Diabetes review letter', 'Rhys Jones', 'Discharge summary', 'Dr Asha Patel', 'Clinic letter', '16-Jul-2019'],
    ['No letters or discharge summaries have been shared with this record.'],
  ),
  {
    name: 'open-html-letter',
    description: 'An HTML clinic letter open inline: sandboxed, its script and tracking image never run.',
    props: { patientId: PATIENT_ID, today: FIXTURE_TODAY, bundle: searchset([patient, ...Object.values(organisations), ...documents, ...practitioners]), openId: 'd-letter' },
    shows: ['Clinic letter, 16-Jul-2019', 'Close'],
  },
  {
    name: 'open-text-summary',
    description: 'A plain-text discharge summary open inline.',
    props: { patientId: PATIENT_ID, today: FIXTURE_TODAY, bundle: searchset([patient, ...Object.values(organisations), ...documents, ...practitioners]), openId: 'd-dis' },
    shows: ['Discharge summary, 05-Feb-2024', 'Follow-up: GP review in 2 weeks.'],
  },
];
