import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, openStore, openStoreOnPglite, createRecordStore } from './store.js';
import { migrate } from './schema/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema/migrations.js';
import { describeRecordStoreContract } from './store.suite.js';
import { batch, observation } from './store.fixtures.js';

describeRecordStoreContract('PGlite (in memory)', async () => {
  const db = await openDb('pglite:memory');
  const store = createRecordStore(db, await migrate(db));
  return { store, db, cleanup: () => store.close() };
});

describe('PGlite on disk', () => {
  it('keeps data across close and reopen, migrates only once, and refuses a newer schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-store-'));
    try {
      const first = await openStore(`pglite:${dir}`);
      expect(first.migration).toEqual({ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
      await first.applyBatch(batch('LAB', [{ patientKey: 'p1', resource: observation('disk-1', '2024-01-01') }]));
      await first.close();

      const db = await openDb(`pglite:${dir}`);
      const second = createRecordStore(db, await migrate(db));
      expect(second.migration).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect((await second.read('Observation', 'disk-1'))?.patientKey).toBe('p1');
      // As if a newer version of the package had written it: it is refused, naming both versions.
      await db.query("INSERT INTO schema_migrations (version, name) VALUES (7, 'from the future')");
      await second.close();
      await expect(openStore(`pglite:${dir}`)).rejects.toMatchObject({ code: 'schema-too-new', message: expect.stringMatching(new RegExp(`version 7.*version ${SCHEMA_VERSION}`)) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a PGlite instance of your own', () => {
  it('runs the store in the schema you choose, closing the instance with the store', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create();
    const store = await openStoreOnPglite(pg, { schema: 'locality_a' });
    await store.applyBatch(batch('LAB', [{ patientKey: 'p1', resource: observation('own-1', '2024-01-01') }]));
    const { rows } = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM locality_a.resources');
    expect(rows[0]?.n).toBe(1);
    await store.close();
    expect(pg.closed).toBe(true);
  }, 120_000);
});
