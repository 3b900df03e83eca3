import { describe, expect, it } from 'vitest';
import { decide } from '../decision/decide.js';
import { USERS, request } from '../decision/scenarios.fixtures.js';
import { PATIENT_AUTHORED_TAG, filterRecord } from './filter.js';

const whatMatters = {
  resourceType: 'Observation',
  id: 'what-matters-1',
  meta: { tag: [PATIENT_AUTHORED_TAG, { system: 'https://openidcr.org/CodeSystem/heading', code: 'demographics' }] },
  status: 'final',
  code: { text: 'What matters to me' },
};
const unknownSource = { resourceType: 'Observation', id: 'lab-unknown', status: 'final', code: { text: 'Potassium' } };

describe('the person\'s own words [REQ-CIT-006]', () => {
  it('shows a patient-authored statement to a permitted clinician although no organisation recorded it', () => {
    const decision = decide(request(USERS.gpA));
    expect(decision.effect).toBe('permit');
    const result = filterRecord([whatMatters, unknownSource], decision);
    expect(result.kept.map((r) => r.id)).toEqual(['what-matters-1']);
    expect(result.withheld).toEqual([expect.objectContaining({ reason: 'source-unknown', count: 1 })]);
  });

  it('never shows it when the decision denies, and never for a type other than the statement\'s', () => {
    const denied = decide(request(USERS.gpB, { relationships: [] }));
    expect(denied.effect).toBe('deny');
    expect(filterRecord([whatMatters], denied).kept).toEqual([]);
    const permitted = decide(request(USERS.gpA));
    const forged = { ...whatMatters, resourceType: 'Condition', id: 'forged' };
    expect(filterRecord([forged], permitted).kept).toEqual([]);
  });
});
