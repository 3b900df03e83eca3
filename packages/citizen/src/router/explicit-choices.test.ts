import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consentFromFhir, createLocalityPolicy, decide, exampleIsa, explicitShareModel, type ConsentRecord } from '@openidcr/governance';
import { HOSPITAL_USER, citizen, startHarness, type Harness } from '../test-support/router.fixtures.js';
import type { ConsentReceipt, PreferencesView } from '../preferences/preferences.js';

// The citizen's own share-out / share-in choices under the explicit model, through PUT /citizen/me/preferences.
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ consentModel: explicitShareModel() });
});
afterEach(async () => {
  await h.close();
});

const GP = 'Y90001';
const ACUTE = HOSPITAL_USER.organisation.ods;

describe('citizen share-out / share-in choices (explicit model) [REQ-GOV-006, REQ-CIT-002]', () => {
  it('records share-out at the practice and share-in at the hospital as FHIR Consents the policy reads, and withdraws them', async () => {
    const me = h.as(citizen(h.adult));
    const missing = await me.put('/citizen/me/preferences', { decision: 'opt-in', about: 'share-out' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('organisation');

    const out = await me.put('/citizen/me/preferences', { decision: 'opt-in', about: 'share-out', organisation: GP });
    expect(out.status).toBe(201);
    expect(((await out.json()) as ConsentReceipt).effect).toContain('may share the information it holds');
    expect((await me.put('/citizen/me/preferences', { decision: 'opt-in', about: 'share-in', organisation: ACUTE })).status).toBe(201);

    const read = async () => (await h.records.consentsOf(h.adult.personId)).flatMap((c) => { const r = consentFromFhir(c); return r.ok ? [r.consent] : []; }) as ConsentRecord[];
    expect((await read()).map((c) => [c.action, c.decision, c.organisation])).toEqual(expect.arrayContaining([['disclose', 'permit', GP], ['access', 'permit', ACUTE]]));
    const view = (await (await me.get('/citizen/me/preferences')).json()) as PreferencesView;
    expect(view.sharesOut?.map((o) => o.ods)).toEqual([GP]);
    expect(view.sharesIn?.map((o) => o.ods)).toEqual([ACUTE]);
    expect(view.history.map((x) => x.about)).toEqual(['share-in', 'share-out']);

    // The policy point's decision: the hospital sees the practice's data now.
    const isa = { ...exampleIsa, consentModel: { kind: 'explicit-share' as const } };
    const created = createLocalityPolicy({ isa, consentModel: explicitShareModel() });
    if (!created.ok) throw new Error(JSON.stringify(created.issues));
    const policy = created.policy;
    const decideNow = async () =>
      decide({ user: HOSPITAL_USER, purposeOfUse: 'TREAT', patient: { personId: h.adult.personId, registeredGpOds: GP }, policy, consents: await read(), relationships: [{ id: 'r', personId: h.adult.personId, kind: 'encounter', organisation: ACUTE, start: '2020-01-01T00:00:00Z' }], now: new Date().toISOString() });
    expect((await decideNow()).sources.find((s) => s.ods === GP)?.effect).toBe('permit');

    // Withdrawing the share-out closes it again.
    expect((await me.put('/citizen/me/preferences', { decision: 'opt-out', about: 'share-out', organisation: GP })).status).toBe(201);
    expect((await decideNow()).sources.find((s) => s.ods === GP)?.effect).toBe('deny');
  });
});
