import { results } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const resultsFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'test results',
  results,
  ['Test results (8, 4 outside the reference range)', 'HbA1c', '58 mmol/mol', '20 to 41 mmol/mol', 'High', '5.9 mmol/L', '>88 mL/min/1.73m2', 'Over 60', 'HbA1c trend', 'Potassium trend'],
  ['No test results have been shared with this record.'],
);
