import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const url = process.env.OPENIDCR_TEST_PG_URL;
const child = fileURLToPath(new URL('../../test/crash-child.mjs', import.meta.url));
const hooks = fileURLToPath(new URL('../../test/ts-register.mjs', import.meta.url));

describe.skipIf(!url)('crash safety (PostgreSQL) [REQ-INT-002]', () => {
  const schema = `idcr_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const tag = `crash${randomUUID().slice(0, 8)}`;
  const application = `idcr-${tag}`;
  const client = new pg.Client({ connectionString: url });

  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.end();
  });

  it('leaves no part of a batch visible when the process is killed before COMMIT', async () => {
    await client.connect();
    const separator = url?.includes('?') ? '&' : '?';
    const proc = spawn(process.execPath, ['--import', hooks, child, `${url}${separator}application_name=${application}`, schema, '2000', tag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never reached COMMIT: ${stderr}`)), 90_000);
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('BEFORE_COMMIT')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    // Every row of the batch is written inside the open transaction: the child's backend holds it.
    const open = await client.query(
      'SELECT state, backend_xid IS NOT NULL AS wrote FROM pg_stat_activity WHERE application_name = $1 AND state = $2',
      [application, 'idle in transaction'],
    );
    // A transaction id is assigned only once a transaction has written: the batch's rows are in, uncommitted.
    expect(open.rows).toEqual([{ state: 'idle in transaction', wrote: true }]);

    const exited = new Promise((resolve) => proc.on('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    // The server notices the dropped connection and rolls back; wait until the backend has gone.
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [application]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const count = async (sql: string, params: unknown[]): Promise<number> => (await client.query(sql, params)).rows[0].n as number;
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".message_log WHERE sender = $1`, [`${tag}-LAB`])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".resources WHERE id LIKE $1`, [`${tag}-%`])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".resource_history WHERE id LIKE $1`, [`${tag}-%`])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".persons WHERE person_id = $1`, [`${tag}-p0`])).toBe(0);
  }, 120_000);
});
