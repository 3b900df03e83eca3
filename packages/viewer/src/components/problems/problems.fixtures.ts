import { problems } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const problemsFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'problems',
  problems,
  ['Active problems (2)', 'Type 2 diabetes mellitus', '14-May-2012', 'Hypertension', 'Past problems (1)', 'Depressive disorder', '01-Aug-2019', 'Northfield Mental Health Trust'],
  ['No problems or diagnoses have been shared with this record.'],
);
