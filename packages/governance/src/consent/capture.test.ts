import { describe, expect, it } from 'vitest';
import { decide } from '../decision/decide.js';
import { ACUTE, GP_A, NOW, PERSON, USERS, consent, policyWith, request } from '../decision/scenarios.fixtures.js';
import { consentFromFhir, type ConsentToView } from './records.js';
import { consentToViewFromFhir, consentToViewToFhir, currentConsentToView, isConsentToViewFhir, shareConsentToFhir } from './capture.js';

const explicit = policyWith((isa) => { isa.consentModel = { kind: 'explicit-share' }; });
const ctv = (extra: Partial<ConsentToView> = {}): ConsentToView => ({
  id: 'ctv-1', personId: PERSON, organisation: ACUTE, userId: USERS.ae.id, answer: 'granted', recordedAt: '2026-11-22T09:30:00Z', expiresAt: '2026-11-22T13:30:00Z', ...extra,
});
const gpSource = (d: ReturnType<typeof decide>) => d.sources.find((s) => s.ods === GP_A);

describe('consent capture [REQ-GOV-006]', () => {
  it('writes share-out / share-in as FHIR Consents that consentFromFhir reads back', () => {
    const out = shareConsentToFhir({ id: 'c1', patientId: 'p1', action: 'disclose', decision: 'permit', organisation: GP_A, dateTime: NOW });
    expect(consentFromFhir(out)).toMatchObject({ ok: true, consent: { action: 'disclose', decision: 'permit', organisation: GP_A, personId: 'p1' } });
    expect(isConsentToViewFhir(out)).toBe(false);
    const inn = shareConsentToFhir({ id: 'c2', patientId: 'p1', action: 'access', decision: 'deny', organisation: ACUTE, dateTime: NOW });
    expect(consentFromFhir(inn)).toMatchObject({ ok: true, consent: { action: 'access', decision: 'deny' } });
  });

  it('round-trips a consent-to-view answer and picks the current one per organisation', () => {
    const fhir = consentToViewToFhir(ctv(), { patientId: 'p1', userName: 'Dr Chen Li', purposeOfUse: 'TREAT' });
    expect(isConsentToViewFhir(fhir)).toBe(true);
    const read = consentToViewFromFhir(fhir, PERSON);
    expect(read).toMatchObject({ ok: true, active: true, consentToView: ctv() });
    expect(consentToViewFromFhir({ ...fhir, extension: [] }, PERSON)).toMatchObject({ ok: false, issues: [expect.stringContaining('Consent.answer')] });
    const now = Date.parse(NOW);
    expect(currentConsentToView([ctv()], PERSON, ACUTE, now)?.id).toBe('ctv-1');
    expect(currentConsentToView([ctv()], PERSON, GP_A, now)).toBeUndefined();
    expect(currentConsentToView([ctv({ expiresAt: '2026-11-22T09:59:00Z' })], PERSON, ACUTE, now)).toBeUndefined();
  });

  it('explicit model: a consent-to-view at the viewer stands in for share-in, never for share-out, and lapses', () => {
    const shareOut = consent('disclose', 'permit', { organisation: GP_A });
    expect(gpSource(decide(request(USERS.ae, { policy: explicit, consents: [shareOut] })))?.effect).toBe('deny');
    const both = decide(request(USERS.ae, { policy: explicit, consents: [shareOut], consentToView: ctv() }));
    expect(gpSource(both)?.effect).toBe('permit');
    expect(both.reasons.map((r) => r.code)).toContain('consent-to-view-granted');
    // No share-out at the GP: consent to view at A&E does not unlock it.
    expect(gpSource(decide(request(USERS.ae, { policy: explicit, consents: [], consentToView: ctv() })))?.reasons[0]?.code).toBe('share-out-missing');
    // Expired, refused, or at another organisation: no.
    expect(gpSource(decide(request(USERS.ae, { policy: explicit, consents: [shareOut], consentToView: ctv({ expiresAt: '2026-11-22T09:45:00Z' }) })))?.effect).toBe('deny');
    expect(gpSource(decide(request(USERS.ae, { policy: explicit, consents: [shareOut], consentToView: ctv({ answer: 'denied' }) })))?.effect).toBe('deny');
    expect(gpSource(decide(request(USERS.ae, { policy: explicit, consents: [shareOut], consentToView: ctv({ organisation: GP_A }) })))?.effect).toBe('deny');
    // A share-in refusal recorded after the consent to view wins.
    const refusedLater = consent('access', 'deny', { organisation: ACUTE, dateTime: '2026-11-22T09:40:00Z' });
    expect(gpSource(decide(request(USERS.ae, { policy: explicit, consents: [shareOut, refusedLater], consentToView: ctv() })))?.effect).toBe('deny');
  });
});

describe('item-level share-out [REQ-GOV-006]', () => {
  it('reads the latest active item share-out per item', async () => {
    const { itemShareOutToFhir, sharedOutItems, isItemConsentFhir } = await import('./capture.js');
    const on = itemShareOutToFhir({ id: 'i1', patientId: 'p1', organisation: GP_A, item: 'Condition/c1', shared: true, dateTime: '2026-11-22T09:00:00Z' });
    const off = itemShareOutToFhir({ id: 'i2', patientId: 'p1', organisation: GP_A, item: 'Condition/c1', shared: false, dateTime: '2026-11-22T09:10:00Z' });
    const other = itemShareOutToFhir({ id: 'i3', patientId: 'p1', organisation: GP_A, item: 'Observation/o1', shared: true, dateTime: '2026-11-22T09:00:00Z' });
    expect(isItemConsentFhir(on)).toBe(true);
    expect(isItemConsentFhir(shareConsentToFhir({ id: 'c', patientId: 'p1', action: 'disclose', decision: 'permit', organisation: GP_A, dateTime: NOW }))).toBe(false);
    expect([...sharedOutItems([on, other])].sort()).toEqual(['Condition/c1', 'Observation/o1']);
    expect([...sharedOutItems([on, off, other])]).toEqual(['Observation/o1']);
    expect([...sharedOutItems([{ ...on, status: 'inactive' }])]).toEqual([]);
  });
});
