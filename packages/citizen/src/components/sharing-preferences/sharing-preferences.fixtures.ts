import type { ConsentReceipt, PreferencesView } from '../../preferences/preferences.js';

const organisations = [
  { ods: 'Y90001', name: 'Riverside Surgery' },
  { ods: 'X9A', name: 'Northshire Hospitals NHS Foundation Trust' },
  { ods: 'X9M', name: 'Northshire Mental Health NHS Trust' },
  { ods: 'X9L', name: 'Northshire Council Social Care' },
];
const base: PreferencesView = {
  consentModel: {
    kind: 'implied-opt-out',
    description:
      'Implied consent with the right to object: information is shared for your direct care unless you tell us you object. If you object, professionals outside the organisation that recorded the information will not see it, except in an emergency or to keep someone safe, and every such access is checked.',
  },
  sharing: 'shared',
  objectsTo: [],
  organisations,
  howToObject: 'Tell your GP practice, or use the "Your choices" page of the Northshire Care Record portal.',
  contact: 'Northshire Care Record Information Governance Team, igteam@northshire.example',
  history: [],
};
const receipt: ConsentReceipt = {
  reference: 'K7QM-3XRD',
  consentId: 'c1',
  decision: 'opt-out',
  recordedAt: '2026-06-01T10:02:00Z',
  recordedBy: 'You',
  effect: 'From now on, your record will not be shared with professionals outside the organisation that recorded it, except in an emergency or to keep someone safe. Every such access is checked.',
};

/** Named states of `<idcr-sharing-preferences>`. */
export const sharingPreferencesFixtures = {
  shared: { preferences: base },
  optedOutWithReceipt: {
    preferences: { ...base, sharing: 'not-shared', history: [{ reference: 'K7QM-3XRD', decision: 'opt-out', recordedAt: '2026-06-01T10:02:00Z', recordedBy: 'You' }] } satisfies PreferencesView,
    receipt,
  },
  oneOrganisation: {
    preferences: {
      ...base,
      objectsTo: [organisations[2]!],
      history: [{ reference: 'P2WA-9KLT', decision: 'opt-out', organisation: organisations[2], recordedAt: '2026-05-01T08:00:00Z', recordedBy: 'Contact centre: Alex Clerk (Northshire Council Social Care)' }],
    } satisfies PreferencesView,
  },
  saving: { preferences: base, status: 'saving' as const },
  saveFailed: { preferences: base, status: 'error' as const, errorMessage: 'The service did not answer. Please try again.' },
  loading: { status: 'loading' as const },
  error: { status: 'error' as const, errorMessage: 'The service did not answer.' },
};
