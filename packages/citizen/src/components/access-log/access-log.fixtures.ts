import type { AccessLogEntry, AccessLogPage } from '../../access-log/entry.js';

const gp: AccessLogEntry = {
  id: 'e1',
  when: '2026-06-01T09:14:00Z',
  who: { kind: 'professional', role: 'GP', organisation: { ods: 'Y90001', name: 'Riverside Surgery' } },
  action: 'Looked at your record',
  purpose: 'Your care',
  outcome: 'allowed',
  parts: ['Medications', 'Allergies and adverse reactions', 'Test results'],
};
const emergency: AccessLogEntry = {
  id: 'e2',
  when: '2026-05-30T02:41:00Z',
  who: { kind: 'professional', role: 'Hospital clinician', organisation: { ods: 'X9A', name: 'Northshire Hospitals NHS Foundation Trust' } },
  action: 'Looked at your record',
  purpose: 'Emergency access to your record',
  outcome: 'allowed',
  breakGlass: { reason: 'Emergency care: the person needs treatment now and cannot be asked' },
  parts: ['Problems and diagnoses', 'Medications'],
};
const refused: AccessLogEntry = {
  id: 'e3',
  when: '2026-05-28T15:02:00Z',
  who: { kind: 'professional', role: 'Pharmacist', organisation: { ods: 'X9C', name: 'Northshire Community Health Services' } },
  action: 'Asked to look at your record and was refused',
  purpose: 'Your care',
  outcome: 'refused',
  parts: [],
};
const you: AccessLogEntry = { id: 'e4', when: '2026-05-27T18:30:00Z', who: { kind: 'you', role: 'You' }, action: 'Downloaded a copy of your record', purpose: 'At your request', outcome: 'allowed', parts: [] };
const proxy: AccessLogEntry = {
  id: 'e5',
  when: '2026-05-26T11:00:00Z',
  who: { kind: 'proxy', role: 'Parent or guardian acting for you', name: 'Sarah Barnes' },
  action: 'Looked at your record',
  purpose: 'At your request',
  outcome: 'allowed',
  parts: ['Immunisations'],
};
const named: AccessLogEntry = { ...gp, id: 'e6', who: { ...gp.who, name: 'Dr Asha Patel' } };

/** Named states of `<idcr-access-log>`: one fixture feeds the browser tests, axe runs and screenshots. */
export const accessLogFixtures = {
  populated: { page: { entries: [gp, emergency, refused, you, proxy], total: 5 } satisfies AccessLogPage },
  morePages: { page: { entries: [gp, emergency], total: 7, nextCursor: 'eyJ2IjoxfQ' } satisfies AccessLogPage },
  namedProfessional: { page: { entries: [named], total: 1 } satisfies AccessLogPage },
  empty: { page: { entries: [], total: 0 } satisfies AccessLogPage },
  loading: { status: 'loading' as const },
  error: { status: 'error' as const, errorMessage: 'The service did not answer. Please try again in a few minutes.' },
};
