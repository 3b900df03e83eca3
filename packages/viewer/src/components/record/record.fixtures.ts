import type { Bundle } from '@openidcr/model';
import { FIXTURE_TODAY, recordBundle, unansweredOutcome, withheldOutcome } from '../../fixtures/record.js';
import type { Fixture } from '../../fixtures/states.js';

export interface RecordProps {
  bundle?: Bundle;
  today?: string;
  headings?: string;
  selected?: string;
}

export const recordFixtures: Fixture<RecordProps>[] = [
  {
    name: 'summary',
    description: 'The whole fictional record, opened on its summary.',
    props: { bundle: recordBundle(), today: FIXTURE_TODAY },
    shows: ['SMITH, John Edward (Mr)', 'Known allergies', 'Summary', 'Lives alone', 'Penicillin', 'Type 2 diabetes mellitus', 'Metformin 500mg tablets', 'Where this information comes from'],
  },
  {
    name: 'withheld-and-unanswered',
    description: 'Some items withheld by policy; the mental health trust did not answer.',
    props: { bundle: recordBundle([withheldOutcome(4), unansweredOutcome('Northfield Mental Health Trust')]), today: FIXTURE_TODAY },
    shows: ['Some information is not shown to you', '4 items were withheld', 'Northfield Mental Health Trust did not answer', 'Allergies', 'Known allergies'],
  },
  {
    name: 'results-tab',
    description: 'The results tab open.',
    props: { bundle: recordBundle(), today: FIXTURE_TODAY, selected: 'results' },
    shows: ['Test results', 'HbA1c', 'Potassium', 'High'],
  },
  {
    name: 'custom-headings',
    description: 'A locality that shows only allergies and medications, in that order.',
    props: { bundle: recordBundle(), today: FIXTURE_TODAY, headings: 'allergies,medications' },
    shows: ['Summary', 'Allergies', 'Medications'],
  },
];
