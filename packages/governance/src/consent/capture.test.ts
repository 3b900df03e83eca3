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
