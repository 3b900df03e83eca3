import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { completeNhsNumber } from '@openidcr/model';
import { MllpClient } from '@openidcr/integration';
import { defineLocality, type LocalityInput } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { readAuditChain, verifyStoreAudit } from '../policy/audit.js';
import { createIdcr, type Idcr } from './create-idcr.js';

const PG = process.env.OPENIDCR_TEST_PG_URL;
const PATIENTS = 8;
const WORKERS = 16;
const ROUNDS = 10;

interface Person {
  id: string;
  patientKey: string;
  nhs: string;
}

/** What one response says was disclosed or refused about one person: the audit event it must have left. */
type Expected = { user: string; person: string; outcome: 'permit' | 'deny'; flagged: boolean };

const key = (e: Expected) => `${e.user}|${e.person}|${e.outcome}|${e.flagged ? 'flagged' : '-'}`;
const tally = (list: readonly string[]) => list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

/**
 * The audit completeness invariant under load, on PostgreSQL: many concurrent clients — permitted views and searches,
 * denied views and searches, break-glass and the views after it — and afterwards the audit log holds exactly one
 * event for each person each patient-data response decided about (same user, person, outcome and break-glass flag,
 * counted from the responses on the client side), and the hash chain verifies.
 */
describe.skipIf(!PG)('audit completeness under concurrent load (PostgreSQL) [REQ-GOV-014, REQ-GOV-015]', () => {
  const schema = `audit_load_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let idcr: Idcr;
  let base: string;
  const people: Person[] = [];

  beforeAll(async () => {
    const input = northshire();
    const users = [
      ...(input.auth as { users: unknown[] }).users,
      { id: 'dr-other', name: 'Dr Olu Adeyemi', role: 'gp', organisation: 'Y90002', sdsRoleCode: 'S8000:G8000:R8000' },
      { id: 'dr-third', name: 'Dr Tess Marsh', role: 'gp', organisation: 'Y90003', sdsRoleCode: 'S8000:G8000:R8000' },
    ];
    const locality = defineLocality(
      northshire({
        auth: { ...(input.auth as object), users } as LocalityInput['auth'],
        channels: [{ id: 'pas', sender: 'RAE', organisation: 'X9A', profile: 'acute-pas', mllpPort: 0 }],
        storage: { url: PG!, schema },
        ports: { http: 0, host: '127.0.0.1' },
      }),
    );
    idcr = await createIdcr(locality, { logger: pino({ level: 'silent' }) });
    const addresses = await idcr.listen();
    base = `http://127.0.0.1:${addresses.http.port}`;
    // Patients registered with Riverside Surgery (Y90001) and admitted to the hospital (X9A): their GP dr-gp and the
    // hospital's dr-hosp may see them; the GPs of two other practices (dr-other, dr-third) may not, but may break the
    // glass; the privacy officer may not, and may not break the glass.
    const client = new MllpClient({ port: addresses.mllp.pas!.port });
    for (let i = 0; i < PATIENTS; i++) {
      const nhs = completeNhsNumber(String(944_100_000 + i * 13).slice(0, 9)) ?? completeNhsNumber(String(944_100_001 + i * 13).slice(0, 9))!;
      const ack = await client.send(
        [
          `MSH|^~\\&|PAS|RAE|OPENIDCR|LOCALITY|20260110093000||ADT^A01^ADT_A01|AUD${i}|P|2.4`,
          'EVN|A01|20260110092500',
          `PID|1||${nhs}^^^NHS^NH~A${i}^^^RAE^MR||AUDIT^Person${i}||19700101|M`,
          'PD1|||RIVERSIDE SURGERY^^Y90001',
          `PV1|1|I|WARD 3^BED ${i}^^RAE01||||C3456789^Darwin^Samuel^^^Dr^^^GMC||||||19||||||AV${i}^^^RAE^VN`,
          `DG1|1||E11.9^Type 2 diabetes mellitus^I10|||A`,
        ].join('\r'),
      );
      expect(ack).toMatch(/MSA\|AA\|/);
      const [patient] = await idcr.store.findPatientsByNhsNumber(nhs);
      people.push({ id: patient!.id, patientKey: patient!.patientKey!, nhs });
    }
    client.close();
  }, 180_000);

  afterAll(async () => {
    await idcr?.close();
    if (!PG) return;
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('one audit event per person per patient-data response, with the outcome and flag the response showed; the chain verifies', { timeout: 180_000 }, async () => {
    const before = (await readAuditChain(idcr.store)).length;
    const tokens = Object.fromEntries(await Promise.all(['dr-gp', 'dr-hosp', 'dr-other', 'dr-third', 'privacy'].map(async (u) => [u, await idcr.devIssuer!.issue(u)] as const)));
    const expected: Expected[] = [];
    const statuses = new Map<string, number>();
    const call = async (user: string, method: 'GET' | 'POST', path: string) => {
      const response = await fetch(`${base}/fhir${path}`, {
        method,
        headers: { Authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ reason: 'Unconscious in the emergency department; allergies and medicines needed now' }) } : {}),
      });
      const body = (await response.json()) as {
        resourceType: string;
        entry?: Array<{ search?: { mode?: string }; resource: { resourceType: string; id?: string; issue?: Array<{ expression?: string[]; code?: string }> } }>;
      };
      const label = `${user} ${method} ${path.replace(/[0-9a-f-]{36}/g, '{id}').replace(/\|\d+/, '|{nhs}')} ${response.status}`;
      statuses.set(label, (statuses.get(label) ?? 0) + 1);
      return { status: response.status, body };
    };

    // The client's own count, from each response: 200/201 with data = permit; 403 = deny; a Patient search names the
    // people it left out in its outcome entry (suppressed, expression Patient/{id}: deny) and lists the ones it shows.
    const view = async (user: string, person: Person, flagged: boolean) => {
      const { status } = await call(user, 'GET', `/Patient/${person.id}/$everything`);
      expect([200, 403]).toContain(status);
      expected.push({ user, person: person.patientKey, outcome: status === 200 ? 'permit' : 'deny', flagged: status === 200 && flagged });
    };
    const searchConditions = async (user: string, person: Person, flagged: boolean) => {
      const { status } = await call(user, 'GET', `/Condition?patient=${person.id}`);
      expect([200, 403]).toContain(status);
      expected.push({ user, person: person.patientKey, outcome: status === 200 ? 'permit' : 'deny', flagged: status === 200 && flagged });
    };
    const searchByNhs = async (user: string, person: Person) => {
      const { status, body } = await call(user, 'GET', `/Patient?identifier=${encodeURIComponent(`https://fhir.nhs.uk/Id/nhs-number|${person.nhs}`)}`);
      expect(status).toBe(200);
      const shown = (body.entry ?? []).filter((e) => e.search?.mode === 'match' && e.resource.resourceType === 'Patient').length;
      const named = (body.entry ?? []).filter((e) => e.search?.mode === 'outcome').flatMap((e) => e.resource.issue ?? []).filter((i) => i.code === 'suppressed' && i.expression?.[0] === `Patient/${person.id}`).length;
      expect(shown + named).toBe(1);
      expected.push({ user, person: person.patientKey, outcome: shown === 1 ? 'permit' : 'deny', flagged: false });
    };
    const breakGlass = async (user: string, person: Person) => {
      const { status } = await call(user, 'POST', `/Patient/${person.id}/$break-glass`);
      // 201: granted (an event, permit, flagged). 409: already in force (no decision recorded, nothing disclosed).
      expect([201, 409]).toContain(status);
      if (status === 201) expected.push({ user, person: person.patientKey, outcome: 'permit', flagged: true });
    };

    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      for (let round = 0; round < ROUNDS; round++) {
        const person = people[(w + round) % people.length]!;
        switch (w % 8) {
          case 0:
          case 1:
            await view('dr-gp', person, false);
            break;
          case 2:
            await searchConditions('dr-gp', person, false);
            break;
          case 3:
            await searchByNhs(round % 2 === 0 ? 'dr-gp' : 'privacy', person);
            break;
          case 4:
            await view('privacy', person, false);
            break;
          case 5: {
            // dr-third: refused, breaks the glass for this person, then reads under it. Each such worker has a
            // person of its own (4, 5), so whether a read is under a grant does not depend on timing.
            const mine = people[4 + (w >> 3)]!;
            if (round === 0) await view('dr-third', mine, false);
            else if (round === 1) await breakGlass('dr-third', mine);
            else await view('dr-third', mine, true);
            break;
          }
          case 6: {
            // dr-other likewise (persons 1, 2); asking again at round 5 finds the grant in force: 409, nothing decided.
            const mine = people[1 + (w >> 3)]!;
            if (round === 0) await searchConditions('dr-other', mine, false);
            else if (round === 1 || round === 5) await breakGlass('dr-other', mine);
            else await searchConditions('dr-other', mine, true);
            break;
          }
          default: {
            // Not the people dr-other broke the glass for (1, 2): there, dr-other reads flagged.
            const other = people[[0, 3, 4, 5, 6, 7][(w + round) % 6]!]!;
            await view(round % 2 === 0 ? 'dr-other' : 'dr-hosp', other, false);
          }
        }
      }
    });
    await Promise.all(workers);

    const events = (await readAuditChain(idcr.store)).slice(before);
    const logged = events.map((e) => key({ user: e.user.id, person: String(e.personId), outcome: e.outcome as 'permit' | 'deny', flagged: Boolean(e.flagged) }));
    // Every request decided about one person, except dr-other's second break-glass (2 workers): 409, no decision.
    expect(expected.length, JSON.stringify([...statuses])).toBe(WORKERS * ROUNDS - 2);
    // Exactly one event per response-and-person: same count, and the same multiset of (user, person, outcome, flag).
    expect(events.length).toBe(expected.length);
    expect(tally(logged)).toEqual(tally(expected.map(key)));
    // The mix really had each kind of answer in it.
    const outcomes = tally(expected.map((e) => (e.flagged ? 'break-glass' : e.outcome)));
    expect(outcomes.get('permit')).toBeGreaterThan(20);
    expect(outcomes.get('deny')).toBeGreaterThan(10);
    expect(outcomes.get('break-glass')).toBeGreaterThan(10);
    expect(await verifyStoreAudit(idcr.store)).toEqual({ ok: true, length: before + expected.length });
  });
});
