import { allergies, FIXTURE_TODAY, noKnownAllergy, organisations, patient, PATIENT_ID, searchset, withheldOutcome } from '../../fixtures/record.js';
import { headingStateFixtures, type Fixture, type HeadingProps } from '../../fixtures/states.js';

const context = [patient, ...Object.values(organisations)];

export const allergiesFixtures: Fixture<HeadingProps>[] = [
  ...headingStateFixtures('allergies', allergies, ['Penicillin', 'High risk', 'Rash, Shortness of breath', 'Severe', 'Riverside Medical Practice', 'Sticking plaster'], ['Allergies not recorded', 'does not mean the person has no allergies']),
  {
    name: 'no-known-allergies',
    description: 'The GP recorded that the person has no known allergies.',
    props: { patientId: PATIENT_ID, today: FIXTURE_TODAY, bundle: searchset([...context, noKnownAllergy]) },
    shows: ['No known allergies', 'Recorded 12-Sep-2023 by Riverside Medical Practice'],
  },
  {
    name: 'withheld-nothing-visible',
    description: 'Nothing visible and some allergy items withheld: unavailable, never "not recorded".',
    props: { patientId: PATIENT_ID, today: FIXTURE_TODAY, bundle: searchset(context, [withheldOutcome(1)]) },
    shows: ['Allergies unavailable', 'Some information is not shown to you'],
  },
];
