import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditForPatient, consentFromFhir, verifyStore, InMemoryAuditStore, type ChainedAuditEvent } from '@openidcr/governance';
import { parseResource, type Bundle, type OperationOutcome } from '@openidcr/model';
import { CITIZEN_ROUTES } from './citizen-router.js';
import { CONTACT_CENTRE, GP_USER, HOSPITAL_USER, citizen, startHarness, type Harness } from '../test-support/router.fixtures.js';
import type { AccessLogPage } from '../access-log/entry.js';
import type { ConsentReceipt, PreferencesView } from '../preferences/preferences.js';
import type { MyRecordSummary } from '../record/summary.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function outcome(response: globalThis.Response): Promise<OperationOutcome> {
  expect(response.headers.get('content-type')).toContain('application/fhir+json');
  const body = (await response.json()) as OperationOutcome;
  expect(body.resourceType).toBe('OperationOutcome');
  return body;
}

const eventsOf = (personId: string) => auditForPatient(h.audit, personId);

describe('the policy point every /citizen/me route passes [REQ-CIT-004, REQ-GOV-014]', () => {
  const citizenRoutes = CITIZEN_ROUTES.filter((r) => r.audience === 'citizen');

  it('lists every route, and refuses each one without credentials (401, nothing audited, nothing disclosed)', async () => {
    expect(citizenRoutes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /citizen/me/record',
      'GET /citizen/me/access-log',
      'GET /citizen/me/preferences',
      'PUT /citizen/me/preferences',
      'GET /citizen/me/export',
      'GET /citizen/me/what-matters',
      'PUT /citizen/me/what-matters',
    ]);
    for (const route of [...citizenRoutes, { method: 'POST', path: '/citizen/contact-centre/opt-out' }]) {
      const response = await fetch(h.url + route.path, { method: route.method, headers: { 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = await outcome(response);
      expect(body.issue[0]?.code).toBe('login');
    }
    expect(await h.audit.read()).toHaveLength(0);
  });

  it('refuses staff on every /citizen/me route (403): staff use the contact-centre route', async () => {
    for (const route of citizenRoutes) {
      const response = await fetch(h.url + route.path, { method: route.method, headers: { 'x-test-principal': JSON.stringify(CONTACT_CENTRE), 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
    }
  });

  it('answers an unknown path 404 and a wrong method 405, as OperationOutcomes', async () => {
    const me = h.as(citizen(h.adult));
    expect((await me.get('/citizen/me/nothing-here')).status).toBe(404);
    expect((await me.post('/citizen/me/record', {})).status).toBe(405);
  });

  it('audits a request whose reply cannot be produced, and sends nothing unaudited when the audit fails', async () => {
    const failing = new InMemoryAuditStore();
    failing.append = async () => {
      throw new Error('disk full');
    };
    const broken = await startHarness({ audit: failing });
    try {
      const response = await broken.as(citizen(broken.adult)).get('/citizen/me/record');
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain(broken.adult.name.split(' ')[0]);
    } finally {
      await broken.close();
    }
  });
});

describe('a citizen only ever reaches their own data [REQ-CIT-004]', () => {
  it('GET /citizen/me/record returns the caller\'s own record, and audits it on their record only', async () => {
    const response = await h.as(citizen(h.adult)).get('/citizen/me/record');
    expect(response.status).toBe(200);
    const summary = (await response.json()) as MyRecordSummary;
    expect(summary.person.nhsNumber).toBe(h.adult.nhsNumber);
    expect(summary.headings.map((x) => x.id)).toContain('medications');
    const own = await h.records.recordOf(h.adult.personId);
    const ids = new Set(own.map((r) => r.id));
    for (const heading of summary.headings) for (const item of heading.items) expect(ids.has(item.id)).toBe(true);
    expect(await eventsOf(h.adult.personId)).toHaveLength(1);
    expect(await eventsOf(h.other.personId)).toHaveLength(0);
  });

  it('rejects any parameter naming a person (query or body), naming the field, and discloses nothing', async () => {
    const me = h.as(citizen(h.adult));
    const probes: Array<[string, string]> = [
      [`/citizen/me/record?patient=${h.other.personId}`, 'patient'],
      [`/citizen/me/record?nhsNumber=${h.other.nhsNumber}`, 'nhsNumber'],
      [`/citizen/me/access-log?personId=${h.other.personId}`, 'personId'],
      [`/citizen/me/preferences?patient=${h.other.personId}`, 'patient'],
      [`/citizen/me/export?subject=Patient/${h.other.personId}`, 'subject'],
      [`/citizen/me/what-matters?nhsNumber=${h.other.nhsNumber}`, 'nhsNumber'],
      [`/citizen/me/record?format=fhir&_id=${h.other.personId}`, '_id'],
    ];
    for (const [path, field] of probes) {
      const response = await me.get(path);
      expect(response.status, path).toBe(400);
      const body = await outcome(response);
      expect(body.issue[0]?.expression).toEqual([field]);
      expect(body.issue[0]?.diagnostics).toContain(field);
    }
    for (const [path, body] of [
      ['/citizen/me/preferences', { decision: 'opt-out', personId: h.other.personId }],
      ['/citizen/me/preferences', { decision: 'opt-out', nhsNumber: h.other.nhsNumber }],
      ['/citizen/me/what-matters', { statements: ['x'], expectedVersion: 0, patient: h.other.personId }],
    ] as const) {
      const response = await me.put(path, body);
      expect(response.status).toBe(400);
      expect((await outcome(response)).issue[0]?.expression?.[0]).toMatch(/personId|nhsNumber|patient/);
    }
    expect(await h.records.consentsOf(h.other.personId)).toHaveLength(0);
    expect(await h.records.consentsOf(h.adult.personId)).toHaveLength(0);
    expect(await eventsOf(h.other.personId)).toHaveLength(0);
  });

  it('has no route with a person id in the path', async () => {
    const me = h.as(citizen(h.adult));
    for (const path of [
      `/citizen/me/record/${h.other.personId}`,
      `/citizen/me/record/Patient/${h.other.personId}`,
      `/citizen/${h.other.nhsNumber}/record`,
      `/citizen/${h.other.personId}/access-log`,
      `/citizen/me/../${h.other.personId}/record`,
      `/citizen/me/access-log/${h.other.personId}`,
    ]) {
      const response = await me.get(path);
      expect(response.status, path).toBe(404);
    }
    expect(await eventsOf(h.other.personId)).toHaveLength(0);
  });

  it('refuses a cursor from another person\'s access log, and a forged one', async () => {
    for (let i = 0; i < 3; i++) await h.clinicianViews(h.other.personId);
    const theirs = (await (await h.as(citizen(h.other)).get('/citizen/me/access-log?limit=1')).json()) as AccessLogPage;
    expect(theirs.nextCursor).toBeDefined();
    const mine = await h.as(citizen(h.adult)).get(`/citizen/me/access-log?cursor=${theirs.nextCursor}`);
    expect(mine.status).toBe(400);
    expect((await outcome(mine)).issue[0]?.expression).toEqual(['cursor']);
    const forged = Buffer.from(JSON.stringify({ v: 1, p: '0123456789abcdef', b: 99, t: 5 })).toString('base64url');
    expect((await h.as(citizen(h.adult)).get(`/citizen/me/access-log?cursor=${forged}`)).status).toBe(400);
    expect((await h.as(citizen(h.adult)).get('/citizen/me/access-log?cursor=%00%01')).status).toBe(400);
  });

  it('refuses a proxy claim without a recorded authority, in the same words whether or not the person exists', async () => {
    const stranger = { nhsNumber: h.adult.nhsNumber, name: h.adult.name };
    const existing = await h.as(citizen(stranger, h.other.nhsNumber)).get('/citizen/me/record');
    const missingNhs = '9434765919';
    const missing = await h.as(citizen(stranger, missingNhs)).get('/citizen/me/record');
    expect(existing.status).toBe(403);
    expect(missing.status).toBe(403);
    expect((await outcome(existing)).issue[0]?.diagnostics).toBe((await outcome(missing)).issue[0]?.diagnostics);
    // The person named sees the attempt in their own access log, with who tried.
    const log = (await (await h.as(citizen(h.other)).get('/citizen/me/access-log')).json()) as AccessLogPage;
    expect(log.entries[0]).toMatchObject({
      outcome: 'refused',
      action: 'Tried to act for you without authority',
      who: { kind: 'proxy', name: h.adult.name, role: 'Someone asking to act for you, with no recorded authority' },
    });
  });

  it('checks the actingFor claim: a malformed NHS number is a 400 naming actingFor', async () => {
    const response = await h.as(citizen(h.adult, '12345')).get('/citizen/me/record');
    expect(response.status).toBe(400);
    expect((await outcome(response)).issue[0]?.expression).toEqual(['actingFor']);
  });

  it('treats an unknown caller as having no record (404), not as anyone else', async () => {
    const response = await h.as({ kind: 'citizen', nhsNumber: '9434765919', name: 'Nobody Known' }).get('/citizen/me/record');
    expect(response.status).toBe(404);
  });

  it('rejects credentials whose NHS number is not valid (401)', async () => {
    const response = await h.as({ kind: 'citizen', nhsNumber: '1234567890', name: 'Bad Token' }).get('/citizen/me/record');
    expect(response.status).toBe(401);
  });

  it('exports only the caller\'s own data', async () => {
    await h.clinicianViews(h.other.personId);
    await h.as(citizen(h.other)).put('/citizen/me/preferences', { decision: 'opt-out' });
    const bundle = (await (await h.as(citizen(h.adult)).get('/citizen/me/export')).json()) as Bundle;
    const text = JSON.stringify(bundle);
    expect(text).not.toContain(h.other.personId);
    expect(text).not.toContain(h.other.nhsNumber);
    expect(text).toContain(h.adult.nhsNumber);
  });
});

describe('sharing preferences [REQ-CIT-002]', () => {
  it('an opt-out made through the API is stored as FHIR Consent, receipted, audited, and changes the next clinician decision', async () => {
    const before = await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER });
    expect(before.effect).toBe('permit');
    const me = h.as(citizen(h.adult));
    const initial = (await (await me.get('/citizen/me/preferences')).json()) as PreferencesView;
    expect(initial.sharing).toBe('shared');
    expect(initial.consentModel.kind).toBe('implied-opt-out');

    const response = await me.put('/citizen/me/preferences', { decision: 'opt-out' });
    expect(response.status).toBe(201);
    const receipt = (await response.json()) as ConsentReceipt;
    expect(receipt.reference).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(receipt.effect).toContain('will not be shared');

    const consents = await h.records.consentsOf(h.adult.personId);
    expect(consents).toHaveLength(1);
    expect(parseResource(consents[0]).ok).toBe(true);
    const read = consentFromFhir(consents[0]);
    expect(read.ok && read.consent).toMatchObject({ personId: h.adult.personId, action: 'share', decision: 'deny', status: 'active' });

    const after = await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER });
    expect(after.effect).toBe('deny');
    expect(after.reasons.map((r) => r.code)).toContain('objection');
    expect(after.breakGlassAvailable).toBe(true);

    const view = (await (await me.get('/citizen/me/preferences')).json()) as PreferencesView;
    expect(view.sharing).toBe('not-shared');
    expect(view.history[0]).toMatchObject({ reference: receipt.reference, decision: 'opt-out', recordedBy: 'You' });

    const back = await me.put('/citizen/me/preferences', { decision: 'opt-in' });
    expect(back.status).toBe(201);
    expect((await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER })).effect).toBe('permit');

    const changes = (await eventsOf(h.adult.personId)).filter((e) => e.reasons.includes('citizen-action:change-preferences'));
    expect(changes).toHaveLength(2);
    expect(changes[0]?.reasons).toContain(`receipt:${receipt.reference}`);
  });

  it('an objection to one organisation stops only that organisation\'s data at the next decision', async () => {
    const me = h.as(citizen(h.adult));
    expect((await me.put('/citizen/me/preferences', { decision: 'opt-out', organisation: 'X9M' })).status).toBe(201);
    const decision = await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER });
    expect(decision.effect).toBe('permit');
    expect(decision.sources.find((s) => s.ods === 'X9M')).toMatchObject({ effect: 'deny', reasons: [{ code: 'source-objection' }] });
    expect(decision.sources.find((s) => s.ods === 'Y90001')?.effect).toBe('permit');
    const view = (await (await me.get('/citizen/me/preferences')).json()) as PreferencesView;
    expect(view.sharing).toBe('shared');
    expect(view.objectsTo).toEqual([{ ods: 'X9M', name: 'Northshire Mental Health NHS Trust' }]);
  });

  it('rejects bad choices with a 400 naming the field', async () => {
    const me = h.as(citizen(h.adult));
    const cases: Array<[unknown, string]> = [
      [{}, 'decision'],
      [{ decision: 'maybe' }, 'decision'],
      [{ decision: 'opt-out', organisation: 'lower' }, 'organisation'],
      [{ decision: 'opt-out', organisation: 'ZZZ999' }, 'organisation'],
    ];
    for (const [body, field] of cases) {
      const response = await me.put('/citizen/me/preferences', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await outcome(response)).issue[0]?.expression).toEqual([field]);
    }
    const badJson = await me.put('/citizen/me/preferences', '{"decision":');
    expect(badJson.status).toBe(400);
    expect(await h.records.consentsOf(h.adult.personId)).toHaveLength(0);
    // Refused writes are audited too, as refusals.
    const refused = (await eventsOf(h.adult.personId)).filter((e) => e.outcome === 'deny');
    expect(refused.length).toBe(4);
  });
});

describe('the access log [REQ-CIT-003]', () => {
  it('shows exactly the accesses the audit holds, newest first, paged, with organisation and role but no names by default', async () => {
    await h.clinicianViews(h.adult.personId, { user: GP_USER });
    await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER });
    await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER, breakGlass: true });
    await h.as(citizen(h.adult)).get('/citizen/me/record');
    await h.clinicianViews(h.other.personId);
    for (let i = 0; i < 4; i++) await h.clinicianViews(h.adult.personId, { user: GP_USER });

    const held = await eventsOf(h.adult.personId);
    const me = h.as(citizen(h.adult));
    const seen: AccessLogPage['entries'] = [];
    let cursor: string | undefined;
    let total: number | undefined;
    do {
      const page = (await (await me.get(`/citizen/me/access-log?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json()) as AccessLogPage;
      total ??= page.total;
      expect(page.total).toBe(total);
      seen.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    expect(total).toBe(held.length);
    expect(seen).toHaveLength(held.length);
    expect(seen.map((e) => e.id)).toEqual([...held].reverse().map((e) => e.id));
    const whens = seen.map((e) => Date.parse(e.when));
    expect([...whens].sort((a, b) => b - a)).toEqual(whens);

    const breakGlass = seen.filter((e) => e.breakGlass);
    expect(breakGlass).toHaveLength(1);
    expect(breakGlass[0]).toMatchObject({ purpose: 'Emergency access to your record', who: { organisation: { name: 'Northshire Hospitals NHS Foundation Trust' }, role: 'Hospital clinician' } });
    expect(breakGlass[0]?.breakGlass?.reason).toContain('Emergency care');
    const gp = seen.find((e) => e.who.role === 'GP');
    expect(gp).toMatchObject({ who: { kind: 'professional', organisation: { ods: 'Y90001', name: 'Riverside Surgery' } }, purpose: 'Your care', outcome: 'allowed' });
    expect(gp?.parts).toContain('Medications');
    expect(JSON.stringify(seen)).not.toContain(GP_USER.name);
    expect(seen.find((e) => e.who.kind === 'you')?.action).toBe('Looked at your record');
    // The log's own readings are audited, after the listing they belong to.
    expect((await eventsOf(h.adult.personId)).length).toBeGreaterThan(held.length);
    expect((await verifyStore(h.audit)).ok).toBe(true);
  });

  it('names professionals where the locality says people are told names', async () => {
    const named = await startHarness({ accessLog: { nameProfessionals: true } });
    try {
      await named.clinicianViews(named.adult.personId, { user: GP_USER });
      const page = (await (await named.as(citizen(named.adult)).get('/citizen/me/access-log')).json()) as AccessLogPage;
      expect(page.entries[0]?.who.name).toBe(GP_USER.name);
    } finally {
      await named.close();
    }
  });

  it('shows a refused access as refused, with nothing seen', async () => {
    await h.as(citizen(h.adult)).put('/citizen/me/preferences', { decision: 'opt-out' });
    await h.clinicianViews(h.adult.personId, { user: HOSPITAL_USER });
    const page = (await (await h.as(citizen(h.adult)).get('/citizen/me/access-log')).json()) as AccessLogPage;
    expect(page.entries[0]).toMatchObject({ outcome: 'refused', parts: [], action: 'Asked to look at your record and was refused' });
  });

  it('rejects a bad limit naming it', async () => {
    for (const limit of ['0', '201', 'ten', '-1']) {
      const response = await h.as(citizen(h.adult)).get(`/citizen/me/access-log?limit=${limit}`);
      expect(response.status).toBe(400);
      expect((await outcome(response)).issue[0]?.expression).toEqual(['limit']);
    }
  });
});

describe('every request is audited [REQ-GOV-014, REQ-GOV-015]', () => {
  it('appends one event per /citizen/me request, on the record it was about, and the chain verifies', async () => {
    const me = h.as(citizen(h.adult));
    const paths = ['/citizen/me/record', '/citizen/me/access-log', '/citizen/me/preferences', '/citizen/me/export', '/citizen/me/export?format=html', '/citizen/me/what-matters'];
    for (const path of paths) expect((await me.get(path)).status, path).toBe(200);
    await me.put('/citizen/me/what-matters', { statements: ['Walking my dog every day'], expectedVersion: 0 });
    const events: ChainedAuditEvent[] = await eventsOf(h.adult.personId);
    expect(events).toHaveLength(paths.length + 1);
    expect(events.every((e) => e.user.id === `nhs:${h.adult.nhsNumber}` && e.purposeOfUse === 'PATRQT')).toBe(true);
    expect((await verifyStore(h.audit)).ok).toBe(true);
  });
});
