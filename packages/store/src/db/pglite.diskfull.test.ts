import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreError } from '../errors.js';
import { batch } from '../store.fixtures.js';
import { openStore, type RecordStore } from '../store.js';

/** A small tmpfs of the test's own is an honest full disk; it needs root and mount (a CI container may have neither). */
function tmpfsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'tmpfs mounts are Linux only';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'idcr-tmpfs-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.status !== 0) return `mount -t tmpfs failed: ${(mounted.stderr || mounted.error?.message || '').trim()}`;
    spawnSync('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const why = tmpfsUnavailable();
const FREE_AFTER_FILLER = 6 * 1024 * 1024;

/**
 * The disk under a PGlite store fills up: the write fails with a clear error naming the data folder, nothing of it is
 * stored, what was stored stays readable, writes work again once space is freed (no reopen), and a reopen finds
 * every stored message and nothing half-written.
 */
describe.skipIf(why !== undefined)(`PGlite on a full disk [REQ-ARC-004]${why ? ` (skipped: ${why})` : ''}`, () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'idcr-diskfull-'));
  const dataDir = join(mountPoint, 'data', 'idcr');
  const filler = join(mountPoint, 'filler');
  let store: RecordStore;

  beforeAll(async () => {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
    mkdirSync(dataDir, { recursive: true });
    store = await openStore(`pglite:${dataDir}`);
  }, 180_000);
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('fails the write that does not fit with an error naming the data folder, keeps reads, and recovers when space is freed', { timeout: 180_000 }, async () => {
    // Leave a few MB: PostgreSQL needs room for WAL and new pages before a message no longer fits.
    const { bavail, bsize } = statfsSync(mountPoint);
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - FREE_AFTER_FILLER), 1));
    const message = (i: number) => batch('LAB', [], { controlId: `FULL${i}`, raw: `MSH|^~\\&|LAB|X|${randomBytes(150_000).toString('base64')}|${i}` });
    let stored = 0;
    let failure: unknown;
    let failed: ReturnType<typeof message> | undefined;
    for (let i = 0; i < 400 && failure === undefined; i++) {
      const next = message(i);
      try {
        await store.applyBatch(next);
        stored++;
      } catch (error) {
        failure = error;
        failed = next;
      }
    }
    expect(failure, 'the disk never filled').toBeDefined();
    expect(stored).toBeGreaterThan(0);
    expect(isStoreError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'unavailable', field: 'database' });
    expect((failure as Error).message).toContain(`the disk holding the PGlite data folder ${dataDir} is full`);
    expect((failure as Error).message).toMatch(/No space left on device\)?; nothing of this write was stored/);

    // Reads still work, and show exactly what was stored before.
    const logged = await store.listMessages({ sender: 'LAB', limit: 500 });
    expect(logged.items.map((m) => m.controlId).sort()).toEqual(Array.from({ length: stored }, (_, i) => `FULL${i}`).sort());

    // Space freed: the same store takes the write that failed, without a reopen.
    rmSync(filler);
    expect(await store.applyBatch(failed!)).toMatchObject({ status: 'applied' });
    await store.close();

    // Reopened: every stored message is there once, and nothing of the failed attempt is doubled.
    store = await openStore(`pglite:${dataDir}`);
    const again = await store.listMessages({ sender: 'LAB', limit: 500 });
    expect(again.items).toHaveLength(stored + 1);
    expect(new Set(again.items.map((m) => m.controlId)).size).toBe(stored + 1);
    expect(store.migration.applied).toEqual([]);
  });
});
