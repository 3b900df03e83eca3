import { encounters, organisations } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

export const encountersFixtures: Fixture<HeadingProps>[] = headingStateFixtures(
  'encounters',
  [...encounters, ...Object.values(organisations)],
  ['Admissions (1)', 'Attendances (2)', 'Appointments (1)', 'Referrals (1)', 'Emergency admission — Community-acquired pneumonia', '01-Feb-2024 22:10 to 05-Feb-2024 11:00', 'A&E attendance: Fall at home', 'Diabetes eye screening', 'Referral to podiatry — Diabetic foot check'],
  ['No admissions, attendances, appointments or referrals have been shared with this record.'],
);
