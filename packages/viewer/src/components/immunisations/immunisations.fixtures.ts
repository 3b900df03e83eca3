import { immunisations } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const immunisationsFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'immunisations',
  immunisations,
  ['Immunisations (3)', 'Influenza vaccine', '04-Oct-2025', 'Dose 6', 'Not given: Declined by the person'],
  ['No immunisations have been shared with this record.'],
);
