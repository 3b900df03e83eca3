import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, openStore, createRecordStore } from './store.js';
import { migrate } from './schema/migrate.js';
import { describeRecordStoreContract } from './store.suite.js';
import { batch, observation } from './store.fixtures.js';

describeRecordStoreContract('PGlite (in memory)', async () => {
  const db = await openDb('pglite:memory');
  const store = createRecordStore(db, await migrate(db));
  return { store, db, cleanup: () => store.close() };
});

describe('PGlite on disk', () => {
  it('keeps data across close and reopen, and migrates only once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-store-'));
    try {
      const first = await openStore(`pglite:${dir}`);
      expect(first.migration).toEqual({ from: 0, to: 1, applied: [1] });
      await first.applyBatch(batch('LAB', [{ patientKey: 'p1', resource: observation('disk-1', '2024-01-01') }]));
      await first.close();

      const second = await openStore(`pglite:${dir}`);
      expect(second.migration).toEqual({ from: 1, to: 1, applied: [] });
      expect((await second.read('Observation', 'disk-1'))?.patientKey).toBe('p1');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
