import { describe, expect, it } from 'vitest';
import { createConsentModel, exampleIsa } from '@openidcr/governance';
import { consentForChoice, preferencesView, receiptFor, receiptReference } from './preferences.js';

const model = createConsentModel(exampleIsa.consentModel);
const person = { nhsNumber: '9434765919', name: 'Ann Lee' };
const choice = (decision: 'opt-out' | 'opt-in', at: string, organisation?: string) =>
  consentForChoice({ id: `c-${at}`, personId: 'p1', person, change: { decision, ...(organisation ? { organisation } : {}) }, madeBy: { kind: 'self', ...person }, receipt: 'ABCD-2345', now: new Date(at) });

describe('preferencesView [REQ-CIT-002]', () => {
  it('reads the person\'s standing as the policy point does: the latest whole-record choice wins', () => {
    const at = new Date('2026-06-01T12:00:00Z');
    const view = (consents: ReturnType<typeof choice>[]) => preferencesView({ personId: 'p1', nhsNumber: person.nhsNumber, consents, isa: exampleIsa, consentModel: model, now: at });
    expect(view([]).sharing).toBe('shared');
    expect(view([choice('opt-out', '2026-05-01T00:00:00Z')]).sharing).toBe('not-shared');
    expect(view([choice('opt-out', '2026-05-01T00:00:00Z'), choice('opt-in', '2026-05-02T00:00:00Z')]).sharing).toBe('shared');
    // A choice dated after "now" is not yet in effect.
    expect(view([choice('opt-out', '2026-07-01T00:00:00Z')]).sharing).toBe('shared');
    const perOrg = view([choice('opt-out', '2026-05-01T00:00:00Z', 'X9M')]);
    expect(perOrg).toMatchObject({ sharing: 'shared', objectsTo: [{ ods: 'X9M' }] });
    expect(perOrg.history[0]).toMatchObject({ decision: 'opt-out', organisation: { ods: 'X9M' }, recordedBy: 'You', reference: 'ABCD-2345' });
  });
});

describe('receipts', () => {
  it('are readable over the phone: 8 characters without 0, O, 1 or I', () => {
    const reference = receiptReference(new Uint8Array([0, 8, 14, 23, 24, 31, 255, 128]));
    expect(reference).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(receiptFor(choice('opt-out', '2026-05-01T00:00:00Z', 'X9M'), { decision: 'opt-out', organisation: 'X9M' }, exampleIsa, person.nhsNumber).effect).toContain('Northshire Mental Health NHS Trust will not share');
  });
});
