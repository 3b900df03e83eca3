import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalityPolicy } from '@openidcr/governance';
import { openStore, type AuditEntryInput, type RecordStore } from '@openidcr/store';
import { createDevIssuer } from '../auth/dev-issuer.js';
import { createTokenVerifier } from '../auth/tokens.js';
import { locality } from '../fhir/api.fixtures.js';
import { pooledRecord } from '../fhir/record.fixtures.js';
import { fhirRouter } from '../fhir/router.js';
import { listen } from '../http/listen.fixtures.js';
import { readAuditChain, storeAuditSink, verifyStoreAudit } from './audit.js';

/** Resolves when `condition` holds, checking on every turn of the event loop (no timing assumption). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 200_000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the store audit sink: group commit, and nothing sent before its own audit row is stored [REQ-GOV-014]', () => {
  let store: RecordStore;
  let url: string;
  let close: () => Promise<void>;
  let token: string;
  /** The size of each group the sink wrote. */
  const groups: number[] = [];
  let gate: Promise<void> | undefined;
  let failNext = false;
  let sink: ReturnType<typeof storeAuditSink>;

  beforeAll(async () => {
    store = await openStore('pglite:memory');
    const record = pooledRecord();
    await store.bulkLoad(record.resources);
    for (const relationship of record.relationships) await store.putRelationship(relationship);
    // The store as the sink sees it: each group is counted, may be held at a gate, and may fail.
    sink = storeAuditSink({
      appendAudit: (entry, hash) => store.appendAudit(entry, hash),
      async appendAuditBatch(entries: readonly AuditEntryInput[], hash) {
        groups.push(entries.length);
        await gate;
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        return store.appendAuditBatch(entries, hash);
      },
    });
    if (locality.auth.mode !== 'dev') throw new Error('dev auth expected');
    const auth = locality.auth;
    const issuer = await createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: auth.users, claims: auth.claims });
    const verifier = createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys: issuer.keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations });
    const policy = createLocalityPolicy({ isa: locality.isa, roles: locality.roles });
    if (!policy.ok) throw new Error('policy');
    const app = express();
    app.use(fhirRouter({ store, audit: sink, policy: policy.policy, auth: verifier, logger: pino({ level: 'silent' }) }));
    const server = await listen(app);
    url = server.url;
    close = server.close;
    token = (await issuer.issue('dr-gp'))!;
  }, 120_000);
  afterAll(async () => {
    await close?.();
    await store?.close();
  });

  const view = (patient: string) => {
    const state = { settled: false, response: undefined as Response | undefined };
    const done = fetch(`${url}/fhir/Patient/${patient}/$everything`, { headers: { Authorization: `Bearer ${token}` } }).then((response) => {
      state.settled = true;
      state.response = response;
      return response;
    });
    return { state, done };
  };

  it('writes the events that arrive during a write as one group, and answers each request only after its group is stored', async () => {
    const before = (await readAuditChain(store)).length;
    groups.length = 0;
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const first = view('pat-smith-gp');
    await until(() => groups.length === 1, 'the first event reaches the store');
    const others = ['pat-smith-gp', 'pat-jones-gp', 'pat-smith-gp', 'pat-jones-gp'].map(view);
    await until(() => sink.waiting === 4, 'four more events wait behind the first');
    // Every view is decided and its event made, but none is answered while its audit row is not stored.
    expect([first, ...others].map((v) => v.state.settled)).toEqual([false, false, false, false, false]);
    open();
    gate = undefined;
    const answers = await Promise.all([first, ...others].map((v) => v.done));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 403, 200, 403]);
    expect(groups).toEqual([1, 4]);
    const chain = await readAuditChain(store);
    expect(chain.length - before).toBe(5);
    expect(await verifyStoreAudit(store)).toEqual({ ok: true, length: chain.length });
  });

  it('answers 500 with no record when its group could not be stored, and the chain stays whole', async () => {
    const before = (await readAuditChain(store)).length;
    failNext = true;
    const answer = await view('pat-smith-gp').done;
    expect(answer.status).toBe(500);
    const body = await answer.text();
    expect(body).toContain('audit');
    expect(body).not.toContain('"Bundle"');
    expect((await readAuditChain(store)).length).toBe(before);
    // The next view is audited and answered as usual.
    expect((await view('pat-smith-gp').done).status).toBe(200);
    expect(await verifyStoreAudit(store)).toEqual({ ok: true, length: before + 1 });
  });
});
