import { whatMattersObservation, type WhatMattersView } from '../../what-matters/what-matters.js';

const written: WhatMattersView = {
  statements: ['Staying in my own home with my cat', 'Being able to get to church on Sundays', 'Not being in pain at night'],
  version: 3,
  updated: '2026-05-20T18:04:00Z',
  author: 'Thomas Barnes',
};
const observation = {
  ...whatMattersObservation({
    personId: 'person-a',
    statements: written.statements,
    author: { kind: 'self', nhsNumber: '9434765919', name: 'Thomas Barnes' },
    now: new Date('2026-05-20T18:04:00Z'),
  }),
  meta: { versionId: '3' },
};

/** Named states of `<idcr-what-matters>`: the citizen's editor and the clinician's read-only view. */
export const whatMattersFixtures = {
  editorEmpty: { value: { statements: [], version: 0 } satisfies WhatMattersView },
  editorWritten: { value: written },
  editorSaved: { value: written, saved: true },
  editorSaveFailed: { value: written, status: 'error' as const, errorMessage: 'Someone else changed these statements. Reload to see the latest.' },
  readonlyFromObservation: { readonly: true, observation },
  readonlyByProxy: { readonly: true, value: { ...written, statements: ['Keeping to my routine'], author: 'Sarah Barnes (carer, on behalf of the person)' } },
  readonlyEmpty: { readonly: true, value: { statements: [], version: 0 } satisfies WhatMattersView },
  loading: { status: 'loading' as const },
};
