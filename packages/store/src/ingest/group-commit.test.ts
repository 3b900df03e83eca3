import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyResult, BatchResource, IdentityChange, IngestBatch, IngestRelationship } from '@openidcr/model';
import { completeNhsNumber } from '@openidcr/model';
import type { Db, Queryable } from '../db/db.js';
import { openPglite } from '../db/pglite.js';
import { openPostgres } from '../db/postgres.js';
import { postgresTestSchemas } from '../postgres-schemas.fixtures.js';
import { migrate } from '../schema/migrate.js';
import { batch, encounter, observation, organization, patient } from '../store.fixtures.js';
import type { ApplyHooks } from './ingest.js';
import { applyBatch, createBatchApplier } from './ingest.js';

const url = process.env.OPENIDCR_TEST_PG_URL;
const schemas = url ? postgresTestSchemas(url) : undefined;

/** A database of its own for each use: a fresh schema on PostgreSQL, a fresh in-memory instance of PGlite. */
type Open = () => Promise<Db>;
const engines: Array<[string, Open]> = [['PGlite', () => openPglite(undefined, 'idcr')]];
if (url) engines.push(['PostgreSQL', () => openPostgres(url, schemas!.fresh())]);

const CONNECTIONS = 20;
const PER_CONNECTION = 10;

const nhs = (n: number): string => {
  for (let stem = 600_000_000 + n * 10; ; stem++) {
    const complete = completeNhsNumber(String(stem));
    if (complete) return complete;
  }
};

const practitioner = (id: string, family: string): BatchResource['resource'] => ({ resourceType: 'Practitioner', id, name: [{ family }] });

function upsert(person: string, n: number, postcode = 'LS1 4AP'): IdentityChange {
  return {
    kind: 'upsert-person',
    person: { personId: person, nhsNumber: nhs(n), demographics: { family: `Family${n}`, given: 'Ann', birthDate: '1970-01-01', gender: 'female', postcode }, status: 'confirmed' },
  };
}

const claim = (person: string, value: string): IdentityChange => ({ kind: 'add-local-identifier', personId: person, identifier: { assigningAuthority: 'PAS', value } });

function relationship(person: string, id: string, from?: { resourceType: string; id: string }): IngestRelationship {
  return { patientKey: person, id, userId: 'dr-who', kind: 'admission', startedAt: '2026-01-01T00:00:00Z', ...(from ? { from } : {}) };
}

const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

/**
 * 200 batches from 20 connections, each connection's sent one after the other (as an MLLP sender waits for each
 * ACK), one patient per connection as a real feed keeps a patient's messages on one stream, and, between
 * connections: the same Practitioner and Organization named by many, the same record resource named by two, one
 * record resource put under another patient, a message sent twice at once and resent later, a stale version, a
 * merge, an identifier that belongs to someone else and a birth date PostgreSQL refuses.
 */
function scenario(): IngestBatch[][] {
  const connections: IngestBatch[][] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    const person = `p${c}`;
    const list: IngestBatch[] = [];
    for (let k = 0; k < PER_CONNECTION; k++) {
      const identity: IdentityChange[] = [upsert(person, c, k >= 6 ? 'LS2 7UE' : 'LS1 4AP')];
      if (k === 0) identity.push(claim(person, `MRN-${c}`));
      const resources: BatchResource[] = [
        { patientKey: person, resource: patient(person, { family: `Family${c}`, postcode: k >= 6 ? 'LS2 7UE' : 'LS1 4AP', nhsNumber: nhs(c) }), sourceTime: at(k), ...(k % 2 ? { keepIfAbsent: ['generalPractitioner'] } : {}) },
        { patientKey: person, resource: observation(`obs-${c}-${k}`, at(k)), sourceTime: at(k) },
        { patientKey: person, resource: encounter(`enc-${c}`, { status: k === 9 ? 'finished' : 'in-progress' }), sourceTime: at(k) },
        { resource: organization('org-shared', 'RR8'), sourceTime: at(k) },
      ];
      const relationships: IngestRelationship[] = [relationship(person, `adm-${c}`, { resourceType: 'Encounter', id: `enc-${c}` })];
      list.push({ ...batch(`SENDER${c}`, resources, { identity, controlId: `C${c}-${k}`, raw: `MSH|${c}|${k}`, patientKey: person }), relationships });
    }
    connections.push(list);
  }
  const first = (c: number): IngestBatch => connections[c]![0]!;
  // Two batches of the same group name the same Practitioner with different content: the later is current.
  first(5).resources.push({ resource: practitioner('prac-1', 'Jones'), sourceTime: at(0) });
  first(6).resources.push({ resource: practitioner('prac-1', 'Jones-Smith'), sourceTime: at(0) });
  // The same record resource from two batches of one group, under the same patient key.
  first(7).resources.push({ patientKey: 'p7', resource: observation('obs-shared', at(0)), sourceTime: at(1) });
  first(8).resources.push({ patientKey: 'p7', resource: observation('obs-shared', at(0), { code: '2345-7' }), sourceTime: at(2) });
  // ... and under another patient key: it moves, with its history.
  first(9).resources.push({ patientKey: 'p9', resource: observation('obs-shared', at(0)), sourceTime: at(3) });
  // A message sent on two connections at once (one of them applies), and one resent later on its own connection.
  connections[12]![0] = structuredClone(first(11));
  connections[3]![4] = structuredClone(connections[3]![1]!);
  // A stale version: older than what its connection sent before, and a relationship read from it.
  const stale = connections[2]![3]!;
  stale.resources.push({ patientKey: 'p2', resource: observation('obs-2-2', at(0)), sourceTime: at(0) });
  stale.relationships!.push(relationship('p2', 'from-stale', { resourceType: 'Observation', id: 'obs-2-2' }));
  // A birth date PostgreSQL refuses: the group holding it fails, the batch alone, its group-mates commit.
  (connections[4]![2]!.identity[0] as Extract<IdentityChange, { kind: 'upsert-person' }>).person.demographics.birthDate = '1970-02-30';
  // An identifier that already belongs to p0 (its first batch, the very first, claimed it), in the middle.
  connections[10]![5]!.identity.push(claim('p10', 'MRN-0'));
  // A merge in the middle; later batches for the merged person go to the survivor.
  connections[15]![6]!.identity.push({ kind: 'merge', survivorId: 'p14', mergedId: 'p15', reason: 'duplicate registration' });
  for (const later of connections[15]!.slice(7)) later.identity = [];
  return connections;
}

type Outcome = { ok: ApplyResult } | { error: string };

const outcomeOf = (promise: Promise<ApplyResult>): Promise<Outcome> =>
  promise.then(
    (ok) => ({ ok }),
    (error: { code?: string }) => ({ error: String(error?.code) }),
  );

/** Every row the ingest writes, in a fixed order, without the columns that hold the time of writing. */
const DUMPS = [
  `SELECT sender, control_id, content_hash, message_type, raw, ack, outcome, patient_key, warnings FROM message_log ORDER BY 1, 2, 3`,
  `SELECT patient_key, resource_type, id, version, heading, source_org, security_labels, effective_date, source_time, body #- '{meta,lastUpdated}' AS body FROM resources ORDER BY 1, 2, 3`,
  `SELECT patient_key, resource_type, id, version, source_time, body #- '{meta,lastUpdated}' AS body FROM resource_history ORDER BY 1, 2, 3, 4`,
  `SELECT resource_type, id, version, source_time, body #- '{meta,lastUpdated}' AS body FROM reference_resources ORDER BY 1, 2`,
  `SELECT resource_type, id, version, source_time, body #- '{meta,lastUpdated}' AS body FROM reference_resource_history ORDER BY 1, 2, 3`,
  `SELECT * FROM patient_search ORDER BY 1, 2, 3`,
  `SELECT * FROM patient_identifiers ORDER BY 1, 2, 3, 4`,
  `SELECT person_id, nhs_number, family, given, birth_date, gender, postcode, family_norm, postcode_norm, status, merged_into FROM persons ORDER BY 1`,
  `SELECT * FROM person_identifiers ORDER BY 1, 2`,
  // What a merge moved, in a fixed order (DELETE ... RETURNING gives rows in the order they lie on disk).
  `SELECT survivor_id, merged_id, reason, (SELECT jsonb_object_agg(k, (SELECT coalesce(jsonb_agg(x ORDER BY x), '[]') FROM jsonb_array_elements(v) x))
     FROM jsonb_each(moved) AS e(k, v)) AS moved FROM merges ORDER BY 1, 2`,
  `SELECT * FROM legitimate_relationships ORDER BY 1, 2`,
];

async function dump(db: Queryable): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const sql of DUMPS) out.push((await db.query(sql)).rows);
  return out;
}

/**
 * Watches the transactions of `db`: which one held each message (read inside it, before COMMIT, by the hook) and
 * which have committed (marked when `transaction` resolved, that is after COMMIT).
 */
function watch(db: Db): { db: Db; hooks: ApplyHooks; committedWith(controlId: string): boolean | undefined; holder(controlId: string): number | undefined; groups: number[] } {
  let current = 0;
  const holder = new Map<string, number>();
  const committed = new Set<number>();
  const groups: number[] = [];
  const watched: Db = {
    ...db,
    query: (text, params, options) => db.query(text, params, options),
    exec: (script) => db.exec(script),
    close: () => db.close(),
    async transaction(fn, options) {
      const id = ++current;
      try {
        const result = await db.transaction(fn, options);
        committed.add(id);
        return result;
      } catch (error) {
        // Rolled back: its messages are held again by whichever transaction applies them next.
        for (const [controlId, tx] of holder) if (tx === id) holder.delete(controlId);
        throw error;
      }
    },
  };
  const hooks: ApplyHooks = {
    beforeCommit: async (tx) => {
      // One transaction at a time: the messages first seen here are the ones this transaction holds.
      const { rows } = await tx.query<{ control_id: string }>('SELECT control_id FROM message_log');
      let fresh = 0;
      for (const row of rows) {
        if (holder.has(row.control_id)) continue;
        holder.set(row.control_id, current);
        fresh++;
      }
      groups.push(fresh);
    },
  };
  return {
    db: watched,
    hooks,
    committedWith: (controlId) => {
      const tx = holder.get(controlId);
      return tx === undefined ? undefined : committed.has(tx);
    },
    holder: (controlId) => holder.get(controlId),
    groups,
  };
}

describe.each(engines)('group commit on %s [REQ-INT-002]', (_engine, open) => {
  let grouped: Db;
  let oneByOne: Db;
  beforeAll(async () => {
    grouped = await open();
    oneByOne = await open();
    await migrate(grouped);
    await migrate(oneByOne);
  }, 120_000);
  afterAll(async () => {
    await grouped?.close();
    await oneByOne?.close();
  });

  it('gives every batch of 200 from 20 connections the result and the rows that applying them one by one gives, each after its own commit', async () => {
    const connections = scenario();
    const watcher = watch(grouped);
    const apply = createBatchApplier(watcher.db, watcher.hooks);
    const reader = url && grouped.engine === 'postgres' ? new pg.Pool({ connectionString: url, max: 2 }) : undefined;
    const visibleOutside: Promise<void>[] = [];
    const sent: IngestBatch[] = [];
    const outcomes: Outcome[] = [];
    const notYetCommitted: string[] = [];
    await Promise.all(
      connections.map(async (list) => {
        for (const item of list) {
          const index = sent.push(item) - 1;
          const outcome = await outcomeOf(
            apply(item).then((result) => {
              // Settled: the transaction that held this message has committed (unless it only found it logged).
              if (watcher.committedWith(item.message.controlId) === false) notYetCommitted.push(item.message.controlId);
              if (reader && result.status === 'applied') {
                visibleOutside.push(
                  reader
                    .query(`SELECT count(*)::int AS n FROM "${grouped.schema}".message_log WHERE sender = $1 AND control_id = $2`, [item.message.sender, item.message.controlId])
                    .then(({ rows }) => expect(rows[0].n, item.message.controlId).toBe(1)),
                );
              }
              return result;
            }),
          );
          outcomes[index] = outcome;
        }
      }),
    );
    await Promise.all(visibleOutside);
    await reader?.end();

    // The same batches, in the order they were handed over, each in a transaction of its own.
    const expected: Outcome[] = [];
    for (const item of sent) expected.push(await outcomeOf(applyBatch(oneByOne, item)));

    expect(sent).toHaveLength(CONNECTIONS * PER_CONNECTION);
    expect(outcomes).toEqual(expected);
    expect(await dump(grouped)).toEqual(await dump(oneByOne));
    expect(notYetCommitted).toEqual([]);

    // What the scenario is about did happen.
    const errors = outcomes.flatMap((outcome, index) => ('error' in outcome ? [`${sent[index]!.message.controlId}: ${outcome.error}`] : []));
    expect(errors.sort()).toEqual(['C10-5: identifier-conflict', 'C4-2: 22008']);
    expect(outcomes.filter((outcome) => 'ok' in outcome && outcome.ok.status === 'duplicate')).toHaveLength(2);
    expect(outcomes.some((outcome) => 'ok' in outcome && outcome.ok.status === 'applied' && outcome.ok.resourcesSkippedAsStale === 1)).toBe(true);
    // Batches were committed together: the first alone (nothing was in flight), the 19 that queued meanwhile after it.
    expect(watcher.groups[0]).toBe(1);
    expect(Math.max(...watcher.groups)).toBeGreaterThan(1);
    expect(watcher.groups.length).toBeLessThan(sent.length);
    // The first wave after the first batch: one group up to the batch that puts obs-shared under another patient.
    const heldBy = (c: number) => watcher.holder(`C${c}-0`);
    expect([1, 2, 3, 5, 6, 7, 8].map(heldBy)).toEqual(Array(7).fill(heldBy(1)));
    expect(heldBy(9)).not.toBe(heldBy(8));
    expect(heldBy(11)).toBe(heldBy(9));
    const prac = await grouped.query<{ version: number; family: string }>(`SELECT version, body->'name'->0->>'family' AS family FROM reference_resources WHERE id = 'prac-1'`);
    expect(prac.rows).toEqual([{ version: 2, family: 'Jones-Smith' }]);
  }, 120_000);

  it('resolves no batch before the transaction holding it committed, and keeps a lone batch waiting for nobody', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const paused = new Promise<void>((resolve) => (reached = resolve));
    let calls = 0;
    const apply = createBatchApplier(grouped, {
      beforeCommit: async () => {
        calls++;
        if (calls === 1) {
          reached();
          await gate;
        }
      },
    });
    const settled: string[] = [];
    const make = (name: string) => ({ ...batch('GATE', [{ patientKey: `gate-${name}`, resource: observation(`gate-${name}`, at(0)) }], { controlId: `gate-${name}` }) });
    const lone = apply(make('lone')).then((result) => (settled.push('lone'), result));
    // The lone batch did not wait for company: its transaction is open and paused before COMMIT.
    await paused;
    const queued = ['a', 'b', 'c'].map((name) => apply(make(name)).then((result) => (settled.push(name), result)));
    expect(settled).toEqual([]);
    // PostgreSQL: another connection does not see the paused transaction's row. (PGlite runs one thing at a time.)
    if (grouped.engine === 'postgres') {
      const outside = await grouped.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_log WHERE sender = 'GATE'`);
      expect(outside.rows[0]?.n).toBe(0);
    }
    release();
    const results = await Promise.all([lone, ...queued]);
    expect(results.map((result) => result.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(settled[0]).toBe('lone');
    // The three that queued while the first ran were committed together, in one transaction.
    expect(calls).toBe(2);
  }, 60_000);

  it('applies the group-mates of a failing batch and fails only that one, one by one after the group rolled back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const paused = new Promise<void>((resolve) => (reached = resolve));
    let transactions = 0;
    let rolledBack = 0;
    const counted: Db = {
      ...grouped,
      query: (text, params, options) => grouped.query(text, params, options),
      exec: (script) => grouped.exec(script),
      close: () => grouped.close(),
      transaction: (fn, options) => {
        transactions++;
        return grouped.transaction(fn, options).catch((error: unknown) => {
          rolledBack++;
          throw error;
        });
      },
    };
    let calls = 0;
    const apply = createBatchApplier(counted, {
      beforeCommit: async () => {
        if (++calls === 1) {
          reached();
          await gate;
        }
      },
    });
    const make = (name: string, identity: IdentityChange[] = []) =>
      batch('BAD', [{ patientKey: `bad-${name}`, resource: observation(`bad-${name}`, at(0)) }], { controlId: `bad-${name}`, identity });
    const first = outcomeOf(apply(make('first')));
    await paused;
    const good1 = outcomeOf(apply(make('good1', [upsert('bad-good1', 901)])));
    const bad = outcomeOf(apply(make('bad', [{ kind: 'upsert-person', person: { personId: 'bad-bad', demographics: { birthDate: '2001-02-29' }, status: 'provisional' } }])));
    const good2 = outcomeOf(apply(make('good2')));
    release();
    expect(await Promise.all([first, good1, bad, good2])).toEqual([
      { ok: { status: 'applied', resourcesWritten: 1, resourcesSkippedAsStale: 0 } },
      { ok: { status: 'applied', resourcesWritten: 1, resourcesSkippedAsStale: 0 } },
      { error: '22008' },
      { ok: { status: 'applied', resourcesWritten: 1, resourcesSkippedAsStale: 0 } },
    ]);
    // The first alone; the three together, rolled back; then each alone, the bad one rolled back again.
    expect({ transactions, rolledBack }).toEqual({ transactions: 5, rolledBack: 2 });
    const { rows } = await grouped.query<{ control_id: string }>(`SELECT control_id FROM message_log WHERE sender = 'BAD' ORDER BY 1`);
    expect(rows.map((row) => row.control_id)).toEqual(['bad-first', 'bad-good1', 'bad-good2']);
  }, 60_000);
});
