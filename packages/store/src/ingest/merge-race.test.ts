import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeNhsNumber, type IdentityChange } from '@openidcr/model';
import type { Db } from '../db/db.js';
import { openPostgres } from '../db/postgres.js';
import { postgresTestSchemas } from '../postgres-schemas.fixtures.js';
import { migrate } from '../schema/migrate.js';
import { batch, observation } from '../store.fixtures.js';
import { createBatchApplier } from './ingest.js';

const url = process.env.OPENIDCR_TEST_PG_URL;

const nhs = (n: number): string => {
  for (let stem = 700_000_000 + n * 10; ; stem++) {
    const complete = completeNhsNumber(String(stem));
    if (complete) return complete;
  }
};

const person = (id: string, n: number): IdentityChange => ({
  kind: 'upsert-person',
  person: { personId: id, nhsNumber: nhs(n), demographics: { family: `Family${n}`, given: 'Ann', birthDate: '1970-01-01', gender: 'female', postcode: 'LS1 4AP' }, status: 'confirmed' },
});

/** Waits for a condition (polled), never for a fixed time. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

describe.skipIf(!url)('a merge racing a batch on PostgreSQL [REQ-INT-002]', () => {
  let db: Db;
  let schema: string;
  let merger: pg.Client;
  let watcher: pg.Client;
  beforeAll(async () => {
    schema = postgresTestSchemas(url!).fresh();
    db = await openPostgres(url!, schema);
    await migrate(db);
    merger = new pg.Client({ connectionString: url });
    watcher = new pg.Client({ connectionString: url });
    await merger.connect();
    await watcher.connect();
    await merger.query(`SET search_path TO "${schema}"`);
  }, 120_000);
  afterAll(async () => {
    await merger?.end();
    await watcher?.end();
    await db?.close();
  });

  it('a batch that changes no identity waits for a merge of its person in flight, then writes under the survivor', async () => {
    const apply = createBatchApplier(db, {});
    await apply(batch('PAS', [], { identity: [person('survivor', 1)] }));
    await apply(batch('PAS', [], { identity: [person('merged', 2)] }));
    // A merge in flight on another connection, as the MPI does one: the people locked FOR UPDATE, then moved.
    await merger.query('BEGIN');
    await merger.query("SELECT person_id FROM persons WHERE person_id = ANY(ARRAY['survivor', 'merged']) FOR UPDATE");
    const moved = await merger.query("UPDATE persons SET merged_into = 'survivor' WHERE person_id = 'merged'");
    expect(moved.rowCount, 'the merge moves the person').toBe(1);
    // A message for the merged person that changes nothing of who they are (no identity change, no person lock of its own).
    const pending = apply(batch('PAS', [{ patientKey: 'merged', resource: observation('obs-race', '2026-01-01T10:00:00Z'), sourceTime: '2026-01-01T10:00:00Z' }]));
    // The batch must wait on the merge's lock (seen in pg_locks, not guessed by time) ...
    const settled = pending.then(() => 'settled');
    await until(async () => (await Promise.race([settled, Promise.resolve('open')])) === 'settled' || (await watcher.query<{ waiting: number }>("SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted AND locktype IN ('tuple', 'transactionid')")).rows[0]!.waiting > 0);
    expect(await Promise.race([settled, Promise.resolve('open')]), 'the batch waits for the merge').toBe('open');
    await merger.query('COMMIT');
    // ... and then see where the person went.
    await expect(pending).resolves.toMatchObject({ status: 'applied' });
    const { rows } = await db.query<{ patient_key: string }>("SELECT patient_key FROM resources WHERE resource_type = 'Observation' AND id = 'obs-race'");
    expect(rows.map((r) => r.patient_key)).toEqual(['survivor']);
  });
});
