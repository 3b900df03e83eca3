import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES, roleQualifies } from '@openidcr/governance';
import { syntheticLocalityInput } from './locality.js';
import { startReferenceApp, type ReferenceApp } from './app.js';

const token = async (app: ReferenceApp, userId: string) => {
  const res = await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) });
  return ((await res.json()) as { access_token: string }).access_token;
};
const get = async (app: ReferenceApp, path: string, bearer?: string) => {
  const res = await fetch(`${app.url}${path}`, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('reference app [REQ-ARC-004, REQ-REQ-008]', () => {
  let app: ReferenceApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-ref-'));
    app = await startReferenceApp({
      dir,
      settings: { seed: 7, patients: 6, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starts on the embedded store and seeds the synthetic locality through MLLP with nothing rejected', async () => {
    const summary = await app.seeded;
    expect(summary).toBeDefined();
    expect(summary!.patients).toBe(6);
    expect(summary!.rejected).toBe(0);
    expect(summary!.accepted).toBeGreaterThan(6);
    expect((await get(app, '/healthz')).status).toBe(200);
    const messages = await app.store.listMessages({ limit: 500 });
    expect(messages.items.length).toBe(summary!.accepted);
  });

  it('gives every demo professional an NHS role code that qualifies for their locality role [REQ-GOV-018]', () => {
    const { input } = syntheticLocalityInput({ seed: 7, patients: 6, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' });
    const users = (input as { auth: { users: Array<{ role: string; sdsRoleCode?: string }> } }).auth.users.filter((u) => u.role !== 'citizen');
    expect(users.length).toBeGreaterThan(20);
    for (const user of users) {
      const role = DEFAULT_ROLES.find((r) => r.id === user.role);
      expect(role, user.role).toBeDefined();
      expect(roleQualifies(role!, { sdsRoleCode: user.sdsRoleCode, activityCodes: [] }), `${user.role} with ${user.sdsRoleCode}`).toBe(true);
    }
  });

  it('lists demo users of every role for the sign-in page', async () => {
    const res = await fetch(`${app.url}/app/session/users`);
    const users = (await res.json()) as Array<{ role: string }>;
    const roles = new Set(users.map((u) => u.role));
    for (const role of ['gp', 'hospital-clinician', 'nurse', 'pharmacist', 'mental-health-clinician', 'social-worker', 'care-coordinator', 'administrator', 'privacy-officer', 'citizen'])
      expect(roles.has(role), role).toBe(true);
  });

  it('serves the clinician, citizen and admin web apps with a same-origin content security policy', async () => {
    for (const path of ['/', '/citizen', '/admin', '/clinician.js']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
  });

  it('keeps admin behind the administrator and privacy officer roles [REQ-SEC-001]', async () => {
    const users = (await (await fetch(`${app.url}/app/session/users`)).json()) as Array<{ id: string; role: string }>;
    const gp = users.find((u) => u.role === 'gp')!;
    const admin = users.find((u) => u.role === 'administrator')!;
    expect((await get(app, '/app/admin/isa')).status).toBe(401);
    expect((await get(app, '/app/admin/isa', await token(app, gp.id))).status).toBe(403);
    const isa = await get(app, '/app/admin/isa', await token(app, admin.id));
    expect(isa.status).toBe(200);
    expect(String(isa.body.html)).toContain('Information Sharing Agreement');
  });

  it('counts views and feedback into the benefits report with the default unit costs [REQ-REQ-004]', async () => {
    const users = (await (await fetch(`${app.url}/app/session/users`)).json()) as Array<{ id: string; role: string }>;
    const gp = await token(app, users.find((u) => u.role === 'gp')!.id);
    const search = await get(app, '/fhir/Patient?family=a', gp);
    expect(search.status).toBe(200);
    const bad = await fetch(`${app.url}/app/feedback`, { method: 'POST', headers: { Authorization: `Bearer ${gp}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ patientId: 'x', outcomes: ['saved-the-world'] }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('outcomes.0');
    const ok = await fetch(`${app.url}/app/feedback`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${gp}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ patientId: 'p-1', outcomes: ['avoided-admission', 'saved-phone-call'] }),
    });
    expect(ok.status).toBe(201);
    const admin = await token(app, users.find((u) => u.role === 'administrator')!.id);
    const report = (await get(app, '/app/admin/benefits', admin)).body as { feedback: Record<string, number>; savings: { total: number; avoidedAdmissions: number; phoneCalls: number } };
    expect(report.feedback['avoided-admission']).toBe(1);
    expect(report.savings.avoidedAdmissions).toBe(1436);
    expect(report.savings.phoneCalls).toBe(12);
    expect(report.savings.total).toBe(1448);
    const verify = (await get(app, '/app/admin/audit/verify', admin)).body;
    expect(verify.ok).toBe(true);
  });
});

describe('benefits unit costs from the locality config [REQ-REQ-004]', () => {
  const settings = { seed: 7, patients: 3, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' };
  const configDir = (benefits: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-ref-costs-'));
    const { input } = syntheticLocalityInput(settings);
    writeFileSync(join(dir, 'idcr.config.json'), JSON.stringify({ ...input, benefits }));
    return dir;
  };

  it('prices the feedback with the locality\'s own unit costs', async () => {
    const app = await startReferenceApp({ dir: configDir({ unitCosts: { avoidedAdmission: 2000, avoidedHomeVisit: 75, phoneCallMinutes: 15, staffCostPerMinute: 1 } }), settings, logger: pino({ level: 'silent' }), seed: 'never' });
    try {
      const users = (await (await fetch(`${app.url}/app/session/users`)).json()) as Array<{ id: string; role: string }>;
      const gp = await token(app, users.find((u) => u.role === 'gp')!.id);
      const ok = await fetch(`${app.url}/app/feedback`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${gp}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ patientId: 'p-1', outcomes: ['avoided-admission', 'avoided-home-visit', 'saved-phone-call'] }),
      });
      expect(ok.status).toBe(201);
      const admin = await token(app, users.find((u) => u.role === 'administrator')!.id);
      const report = (await get(app, '/app/admin/benefits', admin)).body as { unitCosts: Record<string, number>; savings: Record<string, number> };
      expect(report.unitCosts).toEqual({ avoidedAdmission: 2000, avoidedHomeVisit: 75, phoneCallMinutes: 15, staffCostPerMinute: 1 });
      expect(report.savings).toEqual({ avoidedAdmissions: 2000, avoidedHomeVisits: 75, phoneCalls: 15, total: 2090 });
    } finally {
      await app.close();
    }
  });

  it('refuses a bad unit cost at start, naming the field', async () => {
    await expect(startReferenceApp({ dir: configDir({ unitCosts: { avoidedAdmission: -5, perBed: 3 } }), settings, logger: pino({ level: 'silent' }), seed: 'never' })).rejects.toThrow(
      /benefits\.unitCosts\.avoidedAdmission: .*>=0[\s\S]*benefits\.unitCosts: .*perBed/,
    );
  });
});

describe('settings from the environment', () => {
  it('dates the synthetic locality today unless told otherwise, and names a bad setting', async () => {
    const { settingsFromEnv } = await import('./locality.js');
    expect(settingsFromEnv({}).syntheticDate).toBe(new Date().toISOString().slice(0, 10));
    expect(settingsFromEnv({ IDCR_SYNTHETIC_DATE: '2026-03-01' }).syntheticDate).toBe('2026-03-01');
    expect(() => settingsFromEnv({ IDCR_SYNTHETIC_DATE: '2026-02-30' })).toThrow('IDCR_SYNTHETIC_DATE: expected a date YYYY-MM-DD, found "2026-02-30"');
    expect(() => settingsFromEnv({ IDCR_PATIENTS: 'lots' })).toThrow('IDCR_PATIENTS: expected an integer from 0 to 1000000, found "lots"');
  });

  it('the demo citizens are the same people whatever the date: only their histories move', () => {
    const base = { seed: 7, patients: 3, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' };
    const citizens = (start: string | undefined) => {
      const { input } = syntheticLocalityInput({ ...base, syntheticDate: start });
      return (input as { auth: { users: Array<{ role: string; nhsNumber?: string }> } }).auth.users.filter((u) => u.role === 'citizen').map((u) => u.nhsNumber);
    };
    expect(citizens('2026-11-22')).toEqual(citizens(undefined));
    expect(citizens('2026-11-22')).toHaveLength(3);
  });
});
