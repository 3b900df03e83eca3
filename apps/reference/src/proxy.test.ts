import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';

interface DemoUser {
  id: string;
  name: string;
  role: string;
  nhsNumber?: string;
}

type Json = Record<string, unknown> & { issue?: Array<{ diagnostics?: string }> };

describe('proxy access (a carer or attorney acting for someone), through the app [REQ-CIT-002, REQ-CIT-003]', () => {
  let app: ReferenceApp;
  let users: DemoUser[];
  let proxy: DemoUser;
  let subject: DemoUser;
  let stranger: DemoUser;
  let admin: DemoUser;
  const tokens = new Map<string, string>();

  const token = async (userId: string) => {
    if (!tokens.has(userId)) {
      const res = await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) });
      tokens.set(userId, ((await res.json()) as { access_token: string }).access_token);
    }
    return tokens.get(userId)!;
  };
  const call = async (method: 'GET' | 'POST', path: string, userId: string, options: { body?: unknown; actingFor?: string } = {}) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await token(userId)}`,
        ...(options.actingFor ? { 'Idcr-Acting-For': options.actingFor } : {}),
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-proxy-')),
      settings: { seed: 5, patients: 4, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    [proxy, subject, stranger] = users.filter((u) => u.role === 'citizen') as [DemoUser, DemoUser, DemoUser];
    admin = users.find((u) => u.role === 'administrator')!;
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  it('an attorney signs in as themselves, chooses the person, reads their record; the access is audited as by the proxy and shows in the person\'s access log', async () => {
    // Nobody to act for until an authority is recorded; a claim without one is refused in plain words.
    expect((await call('GET', '/app/citizen/acting-for', proxy.id)).body).toMatchObject({ people: [] });
    const refused = await call('GET', '/citizen/me/record', proxy.id, { actingFor: subject.nhsNumber });
    expect(refused.status).toBe(403);
    expect(refused.body.issue?.[0]?.diagnostics).toBe('You have no recorded authority to act for this person.');

    // Staff record the authority (bad input names the field; only staff roles may).
    const bad = await call('POST', '/app/admin/proxy-authorities', admin.id, { body: { kind: 'friend', proxyNhsNumber: proxy.nhsNumber, proxyName: proxy.name, subjectNhsNumber: subject.nhsNumber, evidence: 'LPA registered' } });
    expect(bad.body.issue?.[0]?.diagnostics).toMatch(/^kind:/);
    const badNhs = await call('POST', '/app/admin/proxy-authorities', admin.id, { body: { kind: 'carer', proxyNhsNumber: '1234567890', proxyName: proxy.name, subjectNhsNumber: subject.nhsNumber, evidence: 'Carer assessment' } });
    expect(badNhs.body.issue?.[0]?.diagnostics).toBe('proxyNhsNumber: not a valid NHS number');
    expect((await call('POST', '/app/admin/proxy-authorities', proxy.id, { body: {} })).status).toBe(403);
    const recorded = await call('POST', '/app/admin/proxy-authorities', admin.id, {
      body: { kind: 'lasting-power-of-attorney', proxyNhsNumber: proxy.nhsNumber, proxyName: proxy.name, subjectNhsNumber: subject.nhsNumber, evidence: 'Registered LPA (health and welfare) seen, ref 7000-1234-5678' },
    });
    expect(recorded.status).toBe(201);
    const authorityId = (recorded.body.authority as { id: string }).id;

    // The proxy now sees whom they may act for, and what the relationship allows.
    const choices = await call('GET', '/app/citizen/acting-for', proxy.id);
    expect(choices.body.people).toEqual([expect.objectContaining({ nhsNumber: subject.nhsNumber, kind: 'lasting-power-of-attorney', relationship: 'lasting power of attorney (health and welfare)', actions: expect.arrayContaining(['record', 'access-log', 'preferences']) })]);
    // The person acted for has no one to act for.
    expect((await call('GET', '/app/citizen/acting-for', stranger.id)).body.people).toEqual([]);

    const record = await call('GET', '/citizen/me/record', proxy.id, { actingFor: subject.nhsNumber });
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ actingFor: { proxyName: proxy.name, relationship: 'lasting power of attorney (health and welfare)' } });
    // Someone else claiming the same person is still refused.
    expect((await call('GET', '/citizen/me/record', stranger.id, { actingFor: subject.nhsNumber })).status).toBe(403);

    // The person's own "who has looked at my record" shows the proxy, on their behalf.
    const log = await call('GET', '/citizen/me/access-log', subject.id);
    const entries = log.body.entries as Array<{ who: { kind: string; name?: string; role?: string } }>;
    expect(entries.some((e) => e.who.kind === 'proxy' && e.who.name === proxy.name)).toBe(true);
    // And the hash-chained audit has it as the proxy acting for the person.
    const person = await app.store.findPersonByNhsNumber(subject.nhsNumber!);
    const rows = (await app.store.readAudit({ patientKey: person!.personId, limit: 500 })).items.map((r) => r.event as { user?: { id?: string; roleId?: string }; reasons?: string[]; outcome?: string });
    const byProxy = rows.filter((e) => e.user?.roleId === 'citizen-proxy:lasting-power-of-attorney');
    expect(byProxy.some((e) => e.outcome === 'permit' && e.reasons?.includes(`proxy-authority:${authorityId}`))).toBe(true);
    expect(byProxy.some((e) => e.outcome === 'deny')).toBe(false);

    // Revoked, the authority no longer works, and the choice disappears.
    const revoke = await call('POST', '/app/admin/proxy-authorities/revoke', admin.id, { body: { subjectNhsNumber: subject.nhsNumber, authorityId, reason: 'LPA revoked by the Court of Protection' } });
    expect(revoke.status).toBe(200);
    expect((await call('GET', '/citizen/me/record', proxy.id, { actingFor: subject.nhsNumber })).status).toBe(403);
    expect((await call('GET', '/app/citizen/acting-for', proxy.id)).body.people).toEqual([]);
    expect((await call('POST', '/app/admin/proxy-authorities/revoke', admin.id, { body: { subjectNhsNumber: subject.nhsNumber, authorityId, reason: 'again and again' } })).status).toBe(409);
    const listed = await call('GET', `/app/admin/proxy-authorities?subject=${subject.nhsNumber}`, admin.id);
    expect(listed.body.authorities).toEqual([expect.objectContaining({ id: authorityId, status: 'revoked', inForce: false, proxyName: proxy.name })]);
    expect((await call('GET', '/app/admin/proxy-authorities?subject=123', admin.id)).body.issue?.[0]?.diagnostics).toBe('subject: not a valid NHS number');
    expect((await call('GET', `/app/admin/proxy-authorities?subject=${subject.nhsNumber}`, proxy.id)).status).toBe(403);
  });

  it('a carer sees only what a carer may: the record, not the sharing choices or a download', async () => {
    const recorded = await call('POST', '/app/admin/proxy-authorities', admin.id, {
      body: { kind: 'carer', proxyNhsNumber: stranger.nhsNumber, proxyName: stranger.name, subjectNhsNumber: subject.nhsNumber, evidence: 'Carer named in the GP record, confirmed by phone' },
    });
    expect(recorded.status).toBe(201);
    const choices = await call('GET', '/app/citizen/acting-for', stranger.id);
    expect(choices.body.people).toEqual([expect.objectContaining({ kind: 'carer', actions: ['record', 'what-matters'] })]);
    expect((await call('GET', '/citizen/me/record', stranger.id, { actingFor: subject.nhsNumber })).status).toBe(200);
    const prefs = await call('GET', '/citizen/me/preferences', stranger.id, { actingFor: subject.nhsNumber });
    expect(prefs.status).toBe(403);
    expect(prefs.body.issue?.[0]?.diagnostics).toBe('Your authority does not allow this.');
    expect((await call('GET', '/citizen/me/export', stranger.id, { actingFor: subject.nhsNumber })).status).toBe(403);
  });
});
