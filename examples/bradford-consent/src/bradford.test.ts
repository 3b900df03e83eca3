import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditChain, runningConfiguration } from '@openidcr/architecture';
import { checkConformance, loadCatalogue } from '@openidcr/requirements';
import { acute, personSeenInAe, startBradford, synthetic, view, type RunningLocality } from './locality.js';

// Everything below goes through the running app's HTTP surface: sign-in tokens, the consent capture routes, $everything.
const { person, gpOds } = personSeenInAe();
const gp = synthetic.users.find((u) => u.ods === gpOds && u.role === 'gp')!;
const aeDoctor = synthetic.users.find((u) => u.ods === acute.ods && u.role === 'hospital-clinician')!;

let bradford: RunningLocality;
let patientId = '';
let personId = '';
const gpItems = async () => (await view(bradford, patientId, aeDoctor.id)).sources.get(gpOds) ?? 0;

beforeAll(async () => {
  bradford = await startBradford({ people: [person] });
  patientId = await bradford.patientId(person.nhsNumber);
  personId = await bradford.personId(person.nhsNumber);
  // The person is registered at the practice and attending A&E now: legitimate relationships for both.
  await bradford.idcr.store.putRelationship({ patientKey: personId, id: `reg-${personId}`, userId: '*', organisation: gpOds, kind: 'registration', source: 'PDS', startedAt: '2020-01-01T00:00:00Z' });
  await bradford.idcr.store.putRelationship({ patientKey: personId, id: `ae-${personId}`, userId: '*', organisation: acute.ods, kind: 'encounter', source: 'A&E attendance', startedAt: new Date(Date.now() - 3_600_000).toISOString() });
});
afterAll(async () => {
  await bradford?.close();
});

describe('Bradford-style explicit consent, recorded through the API [REQ-GOV-006]', () => {
  it('A&E sees GP data only after share-out at the practice AND consent to view at A&E', async () => {
    expect(await gpItems()).toBe(0);
    const before = await view(bradford, patientId, aeDoctor.id);
    expect(before.withheld).toMatch(/withheld by policy/);

    // A&E asks the patient: "The patient agrees to you viewing their record now".
    const ctv = await bradford.request('POST', `/fhir/Patient/${patientId}/$consent-to-view`, aeDoctor.id, { answer: 'granted', minutes: 60 });
    expect(ctv.status).toBe(201);
    expect(ctv.body).toMatchObject({ resourceType: 'Consent', status: 'active', organization: [{ identifier: { value: acute.ods } }] });
    // The GP practice owns its data: consent at A&E alone opens nothing of it.
    expect(await gpItems()).toBe(0);

    // The practice records the patient's share-out.
    const out = await bradford.request('POST', `/fhir/Patient/${patientId}/$consent`, gp.id, { kind: 'share-out', decision: 'permit' });
    expect(out.status).toBe(201);
    expect(await gpItems()).toBeGreaterThan(0);

    // Withdrawing consent to view closes it again; the share-out alone is not enough.
    expect((await bradford.request('POST', `/fhir/Patient/${patientId}/$consent-to-view`, aeDoctor.id, { answer: 'withdrawn' })).status).toBe(200);
    expect(await gpItems()).toBe(0);

    // A share-in recorded at A&E (per organisation, lasting) opens it too; withdrawing it closes it.
    expect((await bradford.request('POST', `/fhir/Patient/${patientId}/$consent`, aeDoctor.id, { kind: 'share-in', decision: 'permit' })).status).toBe(201);
    expect(await gpItems()).toBeGreaterThan(0);
    expect((await bradford.request('POST', `/fhir/Patient/${patientId}/$consent`, aeDoctor.id, { kind: 'share-in', decision: 'deny' })).status).toBe(201);
    expect(await gpItems()).toBe(0);

    // Each recording is in the audit chain with who, what and the outcome.
    const chain = await readAuditChain(bradford.idcr.store);
    const recorded = chain.filter((e) => e.reasons.some((r) => r.startsWith('consent-recorded:')));
    expect(recorded.map((e) => e.reasons[0])).toEqual([
      'consent-recorded:consent-to-view:granted',
      'consent-recorded:share-out:permit',
      'consent-recorded:consent-to-view:withdrawn',
      'consent-recorded:share-in:permit',
      'consent-recorded:share-in:deny',
    ]);
    expect(recorded[0]).toMatchObject({ user: { id: aeDoctor.id, organisation: acute.ods }, personId, purposeOfUse: 'TREAT' });
  });

  it('takes a FHIR Consent from the GP system (system/Consent.write) and withdraws with the same id', async () => {
    const consent = (type: 'permit' | 'deny', status = 'active') => ({
      resourceType: 'Consent',
      id: 'systmone-42',
      status,
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patientId}` },
      dateTime: new Date().toISOString(),
      organization: [{ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: gpOds } }],
      provision: { type, action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'disclose' }] }] },
    });
    // Without the system scope, and for another organisation, it is refused.
    expect((await bradford.request('POST', '/fhir/Consent', gp.id, consent('permit'))).status).toBe(403);
    const forAcute = { ...consent('permit'), organization: [{ identifier: { value: acute.ods } }] };
    const refused = await bradford.request('POST', '/fhir/Consent', gp.id, forAcute, 'openid system/Consent.write');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('Consent.organization');
    // Bad input names the field.
    const bad = await bradford.request('POST', '/fhir/Consent', gp.id, { ...consent('permit'), dateTime: 'yesterday' }, 'openid system/Consent.write');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('Consent.dateTime');

    const stored = await bradford.request('POST', '/fhir/Consent', gp.id, consent('deny'), 'openid system/Consent.write');
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ id: `${gpOds}-systmone-42` });
    // The Location of what was recorded is absolute, on the server's own origin (publicUrl when set).
    expect(stored.location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/fhir/Consent/${gpOds}-systmone-42$`));
    expect((await bradford.request('POST', `/fhir/Patient/${patientId}/$consent-to-view`, aeDoctor.id, { answer: 'granted' })).status).toBe(201);
    // The practice's system said no share-out (its latest word): nothing from the GP, even with consent to view.
    expect(await gpItems()).toBe(0);
    expect((await bradford.request('POST', '/fhir/Consent', gp.id, consent('permit'), 'openid system/Consent.write')).status).toBe(201);
    expect(await gpItems()).toBeGreaterThan(0);
  });

  it('refuses bad bodies naming the field, and consent recorded by someone with no relationship', async () => {
    const bad = await bradford.request('POST', `/fhir/Patient/${patientId}/$consent-to-view`, aeDoctor.id, { answer: 'maybe' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('answer:');
    const tooLong = await bradford.request('POST', `/fhir/Patient/${patientId}/$consent-to-view`, aeDoctor.id, { answer: 'granted', minutes: 100_000 });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('minutes:');
    const stranger = synthetic.users.find((u) => u.role === 'mental-health-clinician')!;
    const noRelationship = await bradford.request('POST', `/fhir/Patient/${patientId}/$consent-to-view`, stranger.id, { answer: 'granted' });
    expect(noRelationship.status).toBe(403);
    expect(JSON.stringify(noRelationship.body)).toMatch(/legitimate relationship/);
    // An item share-out only by the organisation that recorded it.
    const acuteItem = (await bradford.idcr.store.listResources({ patientKey: personId, limit: 200 })).items.find((r) => r.sourceOrg === acute.ods && r.resourceType !== 'Patient')!;
    const notYours = await bradford.request('POST', `/fhir/Patient/${patientId}/$consent`, gp.id, { kind: 'share-out', decision: 'permit', item: `${acuteItem.resourceType}/${acuteItem.id}` });
    expect(notYours.status).toBe(403);
    expect(JSON.stringify(notYours.body)).toContain('item:');
  });
});

describe('conformance of the running Bradford-style app [REQ-REQ-007]', () => {
  it('is met with consent capture; a gap, and no capture route, without it', async () => {
    const catalogue = loadCatalogue();
    const met = checkConformance(catalogue, runningConfiguration(bradford.idcr)).rows.find((r) => r.id === 'REQ-GOV-006');
    expect(met).toMatchObject({ status: 'met', checked: true });

    const without = await startBradford({ people: [person], consentCapture: false });
    try {
      const report = checkConformance(catalogue, runningConfiguration(without.idcr));
      expect(report.rows.find((r) => r.id === 'REQ-GOV-006')).toMatchObject({ status: 'gap', because: [expect.stringContaining('cannot record share-out'), expect.stringContaining('cannot record share-in')] });
      expect(report.totals.mustGaps).toContain('REQ-GOV-006');
      const id = await without.patientId(person.nhsNumber);
      expect((await without.request('POST', `/fhir/Patient/${id}/$consent-to-view`, aeDoctor.id, { answer: 'granted' })).status).toBe(405);
    } finally {
      await without.close();
    }
  });
});
