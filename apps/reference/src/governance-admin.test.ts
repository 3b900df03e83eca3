import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { storeGrants } from '@openidcr/architecture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';

const SEED = 11;
const PATIENTS = 8;

interface DemoUser {
  id: string;
  role: string;
  organisation?: string;
  nhsNumber?: string;
}

type Json = Record<string, unknown> & { issue?: Array<{ diagnostics?: string; expression?: string[]; details?: { coding?: Array<{ code?: string }> } }> };

describe('break-glass review queue and staged roll-out, through the app [REQ-GOV-013, REQ-GOV-014]', () => {
  let app: ReferenceApp;
  let users: DemoUser[];
  let stranger: string;
  const tokens = new Map<string, string>();

  const token = async (userId: string) => {
    if (!tokens.has(userId)) {
      const res = await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) });
      tokens.set(userId, ((await res.json()) as { access_token: string }).access_token);
    }
    return tokens.get(userId)!;
  };
  const call = async (method: 'GET' | 'POST', path: string, userId?: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { ...(userId ? { Authorization: `Bearer ${await token(userId)}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const byNhs = (nhs: string) => `/fhir/Patient?identifier=${encodeURIComponent(`https://fhir.nhs.uk/Id/nhs-number|${nhs}`)}`;

  beforeAll(async () => {
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-governance-')),
      settings: { seed: SEED, patients: PATIENTS, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    const locality = generateLocality({ seed: SEED });
    const trust = users.find((u) => u.role === 'hospital-clinician')!.organisation!;
    for (let i = 3; i < PATIENTS; i++) {
      const record = generatePatient(i, { seed: SEED }, locality);
      if (record.messages.some((m) => m.sender === trust || m.text.includes(`${trust}^ODS`))) continue;
      stranger = record.nhsNumber;
      break;
    }
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  it('a break-glass grant raises one alert in the privacy officers\' queue; the review is recorded once, audited, and an inappropriate access is ended', async () => {
    expect(stranger).toBeDefined();
    const clinician = users.find((u) => u.role === 'hospital-clinician')!;
    const officer = users.find((u) => u.role === 'privacy-officer')!;
    const gp = users.find((u) => u.role === 'gp')!;
    const search = await call('GET', byNhs(stranger), clinician.id);
    const patientId = search.body.entry
      ? ((search.body.entry as Array<{ resource?: Json }>).flatMap((e) => e.resource?.issue ?? []).flatMap((i) => i.expression ?? []).map((e) => /^Patient\/(.+)$/.exec(e)?.[1]).find(Boolean) as string)
      : undefined;
    expect(patientId, JSON.stringify(search.body)).toBeDefined();
    expect((await call('GET', `/fhir/Patient/${patientId}/$everything`, clinician.id)).status).toBe(403);

    const granted = await call('POST', `/fhir/Patient/${patientId}/$break-glass`, clinician.id, { reason: 'Collapsed in A&E, no medication history available' });
    expect(granted.status).toBe(201);
    expect((await call('GET', `/fhir/Patient/${patientId}/$everything`, clinician.id)).status).toBe(200);

    // Only administrators and privacy officers see the queue.
    expect((await call('GET', '/app/admin/break-glass')).status).toBe(401);
    expect((await call('GET', '/app/admin/break-glass', gp.id)).status).toBe(403);
    expect((await call('GET', '/app/admin/break-glass', clinician.id)).status).toBe(403);
    const queue = await call('GET', '/app/admin/break-glass', officer.id);
    expect(queue.status, JSON.stringify(queue.body)).toBe(200);
    const alerts = (queue.body.alerts as Array<Record<string, unknown>>).filter((a) => a.userId === clinician.id);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({
      reason: 'break-glass',
      organisation: clinician.organisation,
      organisationName: expect.any(String),
      nhsNumber: stranger,
      text: expect.stringContaining('Collapsed in A&E, no medication history available'),
      grant: { state: 'in force' },
    });
    expect(alert.accesses).toBeGreaterThanOrEqual(2);
    expect(Date.parse(alert.raisedAt as string)).not.toBeNaN();

    // Bad input names the field; an unknown alert is 404.
    const bad = await call('POST', '/app/admin/break-glass/review', officer.id, { patientKey: alert.patientKey, alertId: alert.id, outcome: 'fine', note: 'ok' });
    expect(bad.status).toBe(400);
    expect(bad.body.issue?.[0]?.diagnostics).toMatch(/^outcome:/);
    const noNote = await call('POST', '/app/admin/break-glass/review', officer.id, { patientKey: alert.patientKey, alertId: alert.id, outcome: 'inappropriate' });
    expect(noNote.body.issue?.[0]?.diagnostics).toMatch(/^note: required/);
    expect((await call('POST', '/app/admin/break-glass/review', officer.id, { patientKey: alert.patientKey, alertId: 'nope', outcome: 'appropriate', note: 'looked fine' })).status).toBe(404);
    expect((await call('POST', '/app/admin/break-glass/review', gp.id, { patientKey: alert.patientKey, alertId: alert.id, outcome: 'appropriate', note: 'looked fine' })).status).toBe(403);

    const review = await call('POST', '/app/admin/break-glass/review', officer.id, { patientKey: alert.patientKey, alertId: alert.id, outcome: 'inappropriate', note: 'Patient was not in A&E at that time' });
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ revoked: true, alert: { review: { outcome: 'inappropriate', note: 'Patient was not in A&E at that time', reviewedBy: officer.id }, grant: { state: 'revoked' } } });
    // The grant is ended for this process and for any other on the same database.
    expect((await call('GET', `/fhir/Patient/${patientId}/$everything`, clinician.id)).status).toBe(403);
    expect(await storeGrants(app.store).find(clinician.id, alert.patientKey as string, Date.now())).toBeUndefined();
    // The first outcome stands.
    expect((await call('POST', '/app/admin/break-glass/review', officer.id, { patientKey: alert.patientKey, alertId: alert.id, outcome: 'appropriate', note: 'second thoughts' })).status).toBe(409);
    // Reviewed, it leaves the open queue and shows with its outcome in the reviewed list.
    const open = await call('GET', '/app/admin/break-glass', officer.id);
    expect((open.body.alerts as Array<{ id: string }>).some((a) => a.id === alert.id)).toBe(false);
    const reviewed = await call('GET', '/app/admin/break-glass?status=reviewed', officer.id);
    expect((reviewed.body.alerts as Array<{ id: string; review?: { outcome: string } }>).find((a) => a.id === alert.id)?.review?.outcome).toBe('inappropriate');
    expect((await call('GET', '/app/admin/break-glass?status=maybe', officer.id)).body.issue?.[0]?.diagnostics).toMatch(/^status:/);

    // In the hash-chained audit, by the reviewer, and the chain verifies.
    const audit = await call('GET', `/app/admin/audit?user=${encodeURIComponent(officer.id)}`, officer.id);
    const reasons = (audit.body.items as Array<{ event: { reasons: string[] } }>).flatMap((row) => row.event.reasons);
    expect(reasons).toEqual(expect.arrayContaining(['privacy-review:inappropriate', `privacy-alert:${alert.id}`, `break-glass-revoked:${alert.grantId}`]));
    expect((await call('GET', '/app/admin/audit/verify', officer.id)).body).toMatchObject({ ok: true });
  });

  it('honours a grant written by another process on the same database (the grants are not in one process\'s memory)', async () => {
    const clinician = users.filter((u) => u.role === 'hospital-clinician')[1]!;
    const search = await call('GET', byNhs(stranger), clinician.id);
    const patientId = (search.body.entry as Array<{ resource?: Json }>).flatMap((e) => e.resource?.issue ?? []).flatMap((i) => i.expression ?? []).map((e) => /^Patient\/(.+)$/.exec(e)?.[1]).find(Boolean)!;
    expect((await call('GET', `/fhir/Patient/${patientId}/$everything`, clinician.id)).status).toBe(403);
    const person = await app.store.findPersonByNhsNumber(stranger);
    const now = Date.now();
    // As another API process would: a grant written straight to the shared tables.
    await storeGrants(app.store).put({ id: 'grant-from-elsewhere', userId: clinician.id, personId: person!.personId, organisation: clinician.organisation!, reasonCode: 'emergency-care', reasonText: 'Arrived by ambulance, unresponsive', grantedAt: new Date(now - 1000).toISOString(), expiresAt: new Date(now + 3_600_000).toISOString() });
    expect((await call('GET', `/fhir/Patient/${patientId}/$everything`, clinician.id)).status).toBe(200);
    const officer = users.find((u) => u.role === 'privacy-officer')!;
    const revoke = await call('POST', '/app/admin/break-glass/revoke', officer.id, { patientKey: person!.personId, grantId: 'grant-from-elsewhere', reason: 'Ended at shift handover' });
    expect(revoke.status).toBe(200);
    expect((await call('GET', `/fhir/Patient/${patientId}/$everything`, clinician.id)).status).toBe(403);
    expect((await call('POST', '/app/admin/break-glass/revoke', officer.id, { patientKey: person!.personId, grantId: 'grant-from-elsewhere', reason: 'Ended at shift handover' })).status).toBe(409);
  });

  it('staged roll-out: a GP outside the pilot group at a practice in roll-out sees nothing and is told why; the pilot GP and live practices see records', async () => {
    const locality = app.locality;
    const staged = locality.organisations.find((o) => o.kind === 'gp-practice' && o.stage !== 'live')!;
    const live = locality.organisations.find((o) => o.kind === 'gp-practice' && o.stage === 'live')!;
    const gpsAt = (ods: string) => users.filter((u) => u.role === 'gp' && u.organisation === ods);
    const [pilotGp, outsider] = gpsAt(staged.ods);
    const liveGp = gpsAt(live.ods).at(-1)!;
    const someone = generatePatient(4, { seed: SEED }, generateLocality({ seed: SEED })).nhsNumber;

    const refused = await call('GET', byNhs(someone), outsider!.id);
    expect(refused.status).toBe(403);
    expect(refused.body.issue?.[0]?.details?.coding?.[0]?.code).toBe('not-in-rollout-stage');
    expect(refused.body.issue?.[0]?.diagnostics).toContain(`${staged.name} is in staged roll-out`);
    expect(refused.body.issue?.[0]?.diagnostics).not.toMatch(/no patient found/i);
    // Every data route, not only search.
    for (const path of ['/fhir/Patient/any-id/$everything', '/fhir/Encounter?patient.general-practitioner=Organization/x&status=in-progress', '/fhir/Condition?patient=Patient/any-id'])
      expect((await call('GET', path, outsider!.id)).body.issue?.[0]?.details?.coding?.[0]?.code, path).toBe('not-in-rollout-stage');
    expect((await call('POST', '/fhir/Patient/any-id/$break-glass', outsider!.id, { reason: 'Emergency, cannot ask the patient now' })).status).toBe(403);

    expect((await call('GET', byNhs(someone), pilotGp!.id)).status).toBe(200);
    expect((await call('GET', byNhs(someone), liveGp.id)).status).toBe(200);

    // The admin shows who is in each stage.
    const admin = users.find((u) => u.role === 'administrator')!;
    const rollout = await call('GET', '/app/admin/rollout', admin.id);
    expect(rollout.status).toBe(200);
    expect(rollout.body).toMatchObject({ enforced: true });
    const stages = rollout.body.stages as Record<string, Array<{ ods: string }>>;
    expect(stages.staged!.map((o) => o.ods)).toContain(staged.ods);
    expect(stages.live!.map((o) => o.ods)).toContain(live.ods);
    const rows = rollout.body.users as Array<{ id: string; allowed: boolean; group?: string }>;
    expect(rows.find((u) => u.id === pilotGp!.id)).toMatchObject({ allowed: true, group: 'pilot-clinicians' });
    expect(rows.find((u) => u.id === outsider!.id)).toMatchObject({ allowed: false });
    expect((await call('GET', '/app/admin/rollout', pilotGp!.id)).status).toBe(403);
  });
});
