import { PATIENT_ID } from '../../fixtures/record.js';
import type { Fixture } from '../../fixtures/states.js';

export const breakGlassFixtures: Fixture<{ patientId: string; fhirBaseUrl?: string; open: boolean; minReasonLength?: number }>[] = [
  {
    name: 'open',
    description: 'The dialog open, asking the reason.',
    props: { patientId: PATIENT_ID, fhirBaseUrl: 'http://127.0.0.1:9/fhir', open: true },
    shows: ['Emergency access to this record', 'Why do you need access?', 'Open the record', 'Cancel'],
  },
  { name: 'closed', description: 'Closed: nothing shown.', props: { patientId: PATIENT_ID, open: false }, shows: [] },
];
