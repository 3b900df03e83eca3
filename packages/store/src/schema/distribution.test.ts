import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/db.js';
import { openDb } from '../store.js';
import { migrate } from './migrate.js';

/**
 * Distributing the store by patient (Citus-style, `patient_key` as the distribution column) needs every table of a
 * person's record to carry the key in its primary key, so each person's rows live together and unique constraints
 * hold per shard. The other tables stay on the coordinator, each for a stated reason. A new table must be put in one
 * list or the other: this test names it until it is.
 */
const BY_PATIENT = ['break_glass_grants', 'consents', 'legitimate_relationships', 'patient_identifiers', 'patient_search', 'privacy_alerts', 'resource_history', 'resources'];
const ON_COORDINATOR: Record<string, string> = {
  audit_log: 'one hash chain in one order across all people (a reference table would break the chain\'s single writer)',
  message_log: 'keyed by the sending system\'s message, deduplicated before the person is known',
  dead_letters: 'messages that never reached a person',
  persons: 'the master patient index: matching looks across everyone',
  person_identifiers: 'the master patient index: identifier lookups across everyone',
  person_links: 'the master patient index: candidate links join two people',
  merges: 'the master patient index: a merge joins two people',
  reference_resources: 'organisations, practitioners, locations: shared reference data (a Citus reference table)',
  reference_resource_history: 'history of the shared reference data',
  schema_migrations: 'the schema version',
};

let db: Db;
beforeAll(async () => {
  db = await openDb('pglite:memory');
  await migrate(db);
});
afterAll(async () => db?.close());

describe('the schema can be distributed by patient [REQ-ARC-007]', () => {
  it('every table of a person\'s record has patient_key first in its primary key; every other table says why it is not', async () => {
    const { rows } = await db.query<{ name: string; pk: string[] | null }>(
      `SELECT c.relname AS name,
              (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey, a.attnum))
                 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()`,
    );
    const tables = new Map(rows.map((r) => [r.name, r.pk ?? []]));
    const unclassified = [...tables.keys()].filter((name) => !BY_PATIENT.includes(name) && !(name in ON_COORDINATOR));
    expect(unclassified, 'new tables: add each to BY_PATIENT (patient_key first in the primary key) or ON_COORDINATOR (with the reason)').toEqual([]);
    for (const name of BY_PATIENT) {
      expect(tables.has(name), `${name} exists`).toBe(true);
      expect(tables.get(name)![0], `${name}: primary key (${tables.get(name)!.join(', ')}) starts with patient_key`).toBe('patient_key');
    }
    for (const name of Object.keys(ON_COORDINATOR)) expect(tables.has(name), `${name} exists (remove it from ON_COORDINATOR if it was dropped)`).toBe(true);
  });
});
