import type { Bundle } from '@openidcr/model';
import { recordBundle, searchset, unansweredOutcome } from '../../fixtures/record.js';
import type { Fixture } from '../../fixtures/states.js';

export const sourcesFixtures: Fixture<{ bundle: Bundle }>[] = [
  {
    name: 'all-answered',
    description: 'Every source answered.',
    props: { bundle: recordBundle() },
    shows: ['Where this information comes from', 'Riverside Medical Practice', "St Luke's Hospital NHS Trust", 'Ridgeway City Council Adult Social Care: 1 item', 'Every source that was asked answered.'],
  },
  {
    name: 'source-did-not-answer',
    description: 'Two source systems did not answer (federated topology).',
    props: { bundle: recordBundle([unansweredOutcome('Northfield Mental Health Trust'), unansweredOutcome('Ridgeway Hospice')]) },
    shows: ['Did not answer', 'Northfield Mental Health Trust', 'Ridgeway Hospice', 'No answer within 3 seconds', 'missing from this view'],
  },
  {
    name: 'no-sources',
    description: 'Items carry no source at all.',
    props: { bundle: searchset([{ resourceType: 'Condition', id: 'c', code: { text: 'x' }, subject: { reference: 'Patient/p' } }]) },
    shows: ['No source organisation is named on any item.'],
  },
];
