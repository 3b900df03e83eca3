import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentFromFhir, createLocalityPolicy, decide, exampleIsa, recordDecision, verifyChain, type AuditStore } from '@openidcr/governance';
import { completeNhsNumber, NHS_NUMBER_SYSTEM, type ResourceLike } from '@openidcr/model';
import { openStore, type RecordStore } from '@openidcr/store';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { citizenRouter } from '../router/citizen-router.js';
import type { CitizenRecordSource } from '../records/records.js';
import { auditStoreFromRecordStore, citizenRecordsFromStore, recordProxyAuthority } from './store-adapter.js';
import { HOSPITAL_USER, PRINCIPAL_HEADER, childRecord, citizen, testAuthenticate } from '../test-support/router.fixtures.js';
import type { AccessLogPage } from '../access-log/entry.js';
import type { MyRecordSummary } from '../record/summary.js';

/** Loads one person into the store the way integration does: resources and the MPI person in one batch. */
async function load(store: RecordStore, personId: string, resources: readonly ResourceLike[], birthDate?: string): Promise<string> {
  const patient = resources.find((r) => r.resourceType === 'Patient') as { identifier?: Array<{ system?: string; value?: string }>; name?: Array<{ given?: string[]; family?: string }> };
  const nhsNumber = patient.identifier!.find((i) => i.system === NHS_NUMBER_SYSTEM)!.value!;
  await store.applyBatch({
    message: { sender: 'citizen-test', controlId: personId, contentHash: personId.padEnd(64, '0').slice(0, 64), messageType: 'TEST', receivedAt: '2026-01-01T00:00:00Z', raw: personId, ack: 'AA', outcome: 'accepted', patientKey: personId },
    resources: resources.map((resource) => ({ patientKey: personId, resource: resource as ResourceLike & { id: string } })),
    identity: [{ kind: 'upsert-person', person: { personId, nhsNumber, demographics: { given: patient.name?.[0]?.given?.[0], family: patient.name?.[0]?.family, birthDate }, status: 'confirmed' } }],
  });
  return nhsNumber;
}

let store: RecordStore;
let records: CitizenRecordSource;
let audit: AuditStore;
let server: Server;
let url: string;
let tick = Date.parse('2026-06-01T09:00:00Z');
const people: Record<string, { nhsNumber: string; name: string }> = {};

beforeAll(async () => {
  store = await openStore('pglite:memory');
  records = citizenRecordsFromStore(store);
  audit = auditStoreFromRecordStore(store, { auditPageSize: 2 });
  const patients = [...generatePatients({ seed: 5, patients: 2 }, generateLocality({ seed: 5 }))];
  for (const [index, p] of patients.entries()) {
    const nhsNumber = await load(store, `store-person-${index}`, p.resources);
    people[`p${index}`] = { nhsNumber, name: (await records.findPerson(nhsNumber))!.name };
  }
  const childNhs = completeNhsNumber('999000300')!;
  await load(store, 'store-child', childRecord('store-child', childNhs, '2021-02-03'), '2021-02-03');
  people.child = { nhsNumber: childNhs, name: 'Lily Barnes' };
  const app = express();
  app.use(citizenRouter({ authenticate: testAuthenticate, records, audit, isa: exampleIsa, clock: () => new Date((tick += 1000)) }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await store?.close();
});

const as = (principal: object) => ({
  get: (path: string) => fetch(url + path, { headers: { [PRINCIPAL_HEADER]: JSON.stringify(principal) } }),
  put: (path: string, body: unknown) => fetch(url + path, { method: 'PUT', headers: { [PRINCIPAL_HEADER]: JSON.stringify(principal), 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});

describe('the citizen API over @openidcr/store (PGlite) [REQ-CIT-002, REQ-CIT-003, REQ-CIT-006, REQ-CIT-007]', { timeout: 60_000 }, () => {
  it('reads the record, stores an opt-out the policy point reads at the next decision, and keeps a verifiable audit chain', async () => {
    const me = as(citizen(people.p0!));
    const summary = (await (await me.get('/citizen/me/record')).json()) as MyRecordSummary;
    expect(summary.person.nhsNumber).toBe(people.p0!.nhsNumber);
    expect(summary.headings.some((h) => h.items.length > 0)).toBe(true);

    expect((await me.put('/citizen/me/preferences', { decision: 'opt-out' })).status).toBe(201);
    const consents = (await store.listConsents('store-person-0')).map((c) => consentFromFhir(c.consent));
    expect(consents.every((c) => c.ok)).toBe(true);
    const policy = createLocalityPolicy({ isa: exampleIsa });
    if (!policy.ok) throw new Error('policy');
    const decision = decide({
      user: HOSPITAL_USER,
      purposeOfUse: 'TREAT',
      patient: { personId: 'store-person-0' },
      policy: policy.policy,
      consents: consents.flatMap((c) => (c.ok ? [c.consent] : [])),
      relationships: [{ id: 'r', personId: 'store-person-0', kind: 'encounter', organisation: 'X9A', start: '2026-01-01T00:00:00Z' }],
      now: new Date((tick += 1000)).toISOString(),
    });
    expect(decision.effect).toBe('deny');
    await recordDecision(audit, decision, { id: 'store-clin-1' });

    const held = await audit.read({ personId: 'store-person-0' });
    const log = (await (await me.get('/citizen/me/access-log?limit=2')).json()) as AccessLogPage;
    expect(log.total).toBe(held.length);
    expect(log.entries[0]).toMatchObject({ outcome: 'refused', who: { organisation: { ods: 'X9A' } } });
    expect(verifyChain(await audit.read())).toEqual({ ok: true, length: (await audit.read()).length });
  });

  it('versions "what matters" in the store with its Provenance, and refuses a stale write', async () => {
    const me = as(citizen(people.p1!));
    expect((await me.put('/citizen/me/what-matters', { statements: ['Gardening'], expectedVersion: 0 })).status).toBe(200);
    expect((await me.put('/citizen/me/what-matters', { statements: ['Gardening', 'My dog'], expectedVersion: 1 })).status).toBe(200);
    expect((await me.put('/citizen/me/what-matters', { statements: ['Stale'], expectedVersion: 1 })).status).toBe(409);
    const history = await records.whatMattersHistory('store-person-1');
    expect(history.map((h) => h.version)).toEqual([2, 1]);
    expect(history[0]?.provenance?.target[0]?.reference).toBe(`Observation/${history[0]?.observation.id}/_history/2`);
    // Person 0 cannot see person 1's statements.
    const mine = (await (await as(citizen(people.p0!)).get('/citizen/me/what-matters')).json()) as { statements: string[] };
    expect(mine.statements).toEqual([]);
  });

  it('honours a proxy authority recorded in the store as a RelatedPerson, and refuses anyone else', async () => {
    const parentNhs = completeNhsNumber('999000301')!;
    await recordProxyAuthority(store, {
      id: 'store-auth-1',
      kind: 'parent',
      proxyNhsNumber: parentNhs,
      proxyName: 'Sarah Barnes',
      subjectPersonId: 'store-child',
      status: 'active',
      validFrom: '2021-02-03T00:00:00Z',
      recordedBy: 'gp-1',
      evidence: 'Birth certificate seen',
    });
    const parentView = await as(citizen({ nhsNumber: parentNhs, name: 'Sarah Barnes' }, people.child!.nhsNumber)).get('/citizen/me/record');
    expect(parentView.status).toBe(200);
    const summary = (await parentView.json()) as MyRecordSummary;
    expect(summary.actingFor?.proxyName).toBe('Sarah Barnes');
    expect(JSON.stringify(summary)).not.toContain('Safeguarding');
    const stranger = await as(citizen(people.p0!, people.child!.nhsNumber)).get('/citizen/me/record');
    expect(stranger.status).toBe(403);
    // The RelatedPerson is not record content: the child's own record summary does not list it.
    const own = (await (await as(citizen(people.child!)).get('/citizen/me/record')).json()) as MyRecordSummary;
    expect(JSON.stringify(own)).not.toContain('RelatedPerson');
  });
});
