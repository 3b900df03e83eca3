import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs test helper without types
import { privatePostgresUnavailable, startPrivatePostgres } from '../../test/private-postgres.mjs';
import { isStoreError } from '../errors.js';
import { migrate } from '../schema/migrate.js';
import { batch, observation } from '../store.fixtures.js';
import { createRecordStore, openDb, openStore, type RecordStore } from '../store.js';
import type { Db } from './db.js';

interface PrivatePostgres {
  url: string;
  port: number;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

const why = privatePostgresUnavailable() as string | undefined;
const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

/**
 * PostgreSQL restarted under a running store, on a throwaway cluster of this file's own (never the shared server):
 * reads in flight are retried and answer, a write in flight fails with a clear error saying nothing was stored, the
 * process does not crash, and the same store works again once PostgreSQL is back, without being reopened.
 */
describe.skipIf(why !== undefined)(`PostgreSQL restarted under a running store [REQ-ARC-004]${why ? ` (skipped: ${why})` : ''}`, () => {
  let cluster: PrivatePostgres;
  let db: Db;
  let store: RecordStore;
  let held: (() => void) | undefined;
  let reachedCommit: (() => void) | undefined;

  beforeAll(async () => {
    cluster = (await startPrivatePostgres()) as PrivatePostgres;
    db = await openDb(cluster.url, { schema: 'restart' });
    // A hook that can hold one batch open just before COMMIT, to cut the connection under it.
    store = createRecordStore(db, await migrate(db), {
      beforeCommit: async () => {
        if (!reachedCommit) return;
        reachedCommit();
        await new Promise<void>((resolve) => (held = resolve));
      },
    });
    await store.applyBatch(batch('LAB', [{ patientKey: 'p1', resource: observation('obs-1', '2026-01-01') }]));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    cluster?.destroy();
  });

  it('retries a read that was running when PostgreSQL shut down, and answers once it is back', async () => {
    // A statement that is running on the server at the moment of the shutdown.
    const reading = db.query<{ n: number }>('SELECT pg_sleep(1.5), count(*)::int AS n FROM resources');
    await new Promise((resolve) => setTimeout(resolve, 300));
    cluster.stop('fast');
    setTimeout(() => cluster.start(), 400);
    const { rows } = await reading;
    expect(rows[0]!.n).toBe(1);
    expect((await store.read('Observation', 'obs-1'))?.resource.id).toBe('obs-1');
  });

  it('fails a write cut before COMMIT with "nothing was stored", does not crash, and takes the resend once PostgreSQL is back', async () => {
    const message = batch('LAB', [{ patientKey: 'p2', resource: observation('obs-2', '2026-01-02') }], { controlId: 'CUT-1' });
    const atCommit = new Promise<void>((resolve) => (reachedCommit = resolve));
    const writing = caught(store.applyBatch(message));
    await atCommit;
    reachedCommit = undefined;
    // The checked-out connection dies under the open transaction (pg emits 'error' on that client: it must be heard).
    cluster.stop('fast');
    // The client learns of the lost connection from its socket before the transaction tries to COMMIT.
    await new Promise((resolve) => setTimeout(resolve, 200));
    held?.();
    const error = await writing;
    expect(isStoreError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'unavailable', field: 'database' });
    expect((error as Error).message).toMatch(new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${cluster.port} was lost before COMMIT .*nothing of the transaction was stored`));
    cluster.start();
    // Same store object, no reopen: the resend is applied (not a duplicate), so the cut write left nothing behind.
    expect(await store.applyBatch(message)).toMatchObject({ status: 'applied', resourcesWritten: 1 });
    expect(await store.applyBatch(message)).toMatchObject({ status: 'duplicate' });
  });

  it('says clearly that PostgreSQL is unreachable when it stays down, then recovers without a reopen', async () => {
    cluster.stop('immediate');
    try {
      const started = Date.now();
      const error = await caught(store.read('Observation', 'obs-1'));
      expect(isStoreError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'unavailable', field: 'database' });
      expect((error as Error).message).toMatch(new RegExp(`^database: PostgreSQL at 127\\.0\\.0\\.1:${cluster.port} is unreachable \\(.*ECONNREFUSED.*\\); tried 6 times over \\d+ ms`));
      // Bounded: six tries with backoff from 100 ms to 1 s, not a hang.
      expect(Date.now() - started).toBeLessThan(20_000);
      const write = await caught(store.applyBatch(batch('LAB', [{ patientKey: 'p3', resource: observation('obs-3', '2026-01-03') }])));
      expect(write).toMatchObject({ code: 'unavailable' });
    } finally {
      cluster.start();
    }
    expect((await store.read('Observation', 'obs-2'))?.resource.id).toBe('obs-2');
    expect((await store.listResources({ patientKey: 'p2' })).items).toHaveLength(1);
  });

  it('opens a new store while PostgreSQL is still starting (migrations wait and retry)', async () => {
    cluster.stop('fast');
    setTimeout(() => cluster.start(), 300);
    const again = await openStore(cluster.url, { schema: 'restart' });
    try {
      expect(again.migration.applied).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
