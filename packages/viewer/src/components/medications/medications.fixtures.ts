import { medications } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const medicationsFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'medications',
  medications,
  ['Current medications (2)', 'Metformin 500mg tablets', 'One tablet twice a day with meals', '1 capsule once a day', 'Past medications (2)', 'Amoxicillin 500mg capsules', '10-Feb-2024', 'Sertraline 50mg tablets', 'Northfield Mental Health Trust'],
  ['No medications have been shared with this record.'],
);
