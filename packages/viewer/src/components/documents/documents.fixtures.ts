import { documents, practitioners } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const documentsFixtures: Fixture<HeadingProps & { openId?: string }>[] = [
  ...headingStateFixtures(
    'documents',
    [...documents, ...practitioners],
    ['Letters and discharge summaries (3)', 'Diabetes review letter', 'Rhys Jones', 'Discharge summary', 'Dr Asha Patel', 'Clinic letter', '16-Jul-2019'],
    ['No letters or discharge summaries have been shared with this record.'],
  ),
];
