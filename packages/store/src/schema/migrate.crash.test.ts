import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { batch, observation } from '../store.fixtures.js';
import { openStore } from '../store.js';
import { MIGRATIONS } from './migrations.js';

const url = process.env.OPENIDCR_TEST_PG_URL;
const child = fileURLToPath(new URL('../../test/migrate-child.mjs', import.meta.url));
const hooks = fileURLToPath(new URL('../../test/ts-register.mjs', import.meta.url));
const ALL = MIGRATIONS.map((m) => m.version);

/** Starts the child on `storeUrl`, waits until a migration has run uncommitted, then kills it with SIGKILL. */
async function killMidMigration(storeUrl: string, schema: string, whileHeld?: () => Promise<void>): Promise<void> {
  const proc = spawn(process.execPath, ['--import', hooks, child, storeUrl, schema], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never reached the migration: ${stderr}`)), 90_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('MIGRATION_RAN_UNCOMMITTED')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  await whileHeld?.();
  proc.kill('SIGKILL');
  await exited;
}

describe('process killed during a migration [REQ-ARC-004]', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('PGlite on disk: the next open applies every migration cleanly and the store works', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-migrate-kill-'));
    dirs.push(dir);
    await killMidMigration(`pglite:${dir}`, 'idcr');
    const store = await openStore(`pglite:${dir}`);
    try {
      expect(store.migration).toEqual({ from: 0, to: ALL.at(-1), applied: ALL });
      expect(await store.applyBatch(batch('LAB', [{ patientKey: 'p1', resource: observation('o1', '2026-01-01') }]))).toMatchObject({ status: 'applied' });
      expect((await store.read('Observation', 'o1'))?.resource.id).toBe('o1');
    } finally {
      await store.close();
    }
  });

  describe.skipIf(!url)('PostgreSQL', () => {
    const schema = `idcr_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: url });
    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.end();
    });

    it('the advisory lock dies with the process, nothing half-made is left, and the next open migrates cleanly', { timeout: 180_000 }, async () => {
      await admin.connect();
      const lockHolders = async () =>
        (
          await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND l.objid = (hashtext($1)::bigint & 4294967295)",
            [`openidcr.store.migrate:${schema}`],
          )
        ).rows[0]!.n;
      await killMidMigration(url!, schema, async () => {
        // While the child sits inside its migration: it holds the migration lock, and its tables are not visible.
        expect(await lockHolders()).toBe(1);
        const { rows } = await admin.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'resources'", [schema]);
        expect(rows[0].n).toBe(0);
      });
      // PostgreSQL rolls the transaction back when the connection drops; the lock goes with it.
      for (let i = 0; i < 100 && (await lockHolders()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await lockHolders()).toBe(0);
      const store = await openStore(url!, { schema });
      try {
        expect(store.migration).toEqual({ from: 0, to: ALL.at(-1), applied: ALL });
        expect(await store.applyBatch(batch('LAB', [{ patientKey: 'p1', resource: observation('o1', '2026-01-01') }]))).toMatchObject({ status: 'applied' });
      } finally {
        await store.close();
      }
      const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(ALL);
    });
  });
});
