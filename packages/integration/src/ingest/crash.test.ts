import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { completeNhsNumber } from '@openidcr/model';
import { afterAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../mllp/client.js';
import { fixture } from '../test-support/harness.js';

const PG = process.env.OPENIDCR_TEST_PG_URL;
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
// 10,000 messages as the issue asks with OPENIDCR_SLOW_TESTS=1; 600 otherwise, to fit the suite's time budget.
const MESSAGES = process.env.OPENIDCR_SLOW_TESTS === '1' ? 10_000 : 600;
const STREAMS = 4;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Distinct, valid messages: one A04 per patient with its own NHS number and control id. */
function feed(count: number): { controlId: string; text: string }[] {
  const template = fixture('adt-a04.hl7');
  return Array.from({ length: count }, (_, i) => {
    const nhs = completeNhsNumber(String(900_000_000 + i * 11).slice(0, 9)) ?? completeNhsNumber(String(900_000_001 + i * 11).slice(0, 9))!;
    const controlId = `KILL${String(i).padStart(6, '0')}`;
    const text = template
      .replace('PAS000104', controlId)
      .replace('H100002^^^RAE^MR', `${nhs}^^^NHS^NH~K${i}^^^RAE^MR`)
      .replace('A000104^^^RAE^VN', `KV${i}^^^RAE^VN`);
    return { controlId, text };
  });
}

function startListener(port: number, store: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'listen', '--port', String(port), '--store', store, '--channel', 'acute-pas'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('listening on')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`listener exited (${code}): ${err}`)));
  });
}

describe.skipIf(!PG || !existsSync(CLI))('kill -9 during an MLLP feed (PostgreSQL) [REQ-INT-002]', () => {
  const schema = `integration_kill_${process.pid}_${Date.now() % 100000}`;
  const storeUrl = `${PG}${PG?.includes('?') ? '&' : '?'}schema=${schema}`;
  let child: ChildProcess | undefined;

  afterAll(async () => {
    child?.kill('SIGKILL');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it(`every ACKed message of ${MESSAGES} is stored exactly once after a crash and a resend`, { timeout: MESSAGES > 1000 ? 2_400_000 : 600_000 }, async () => {
    const port = await freePort();
    const messages = feed(MESSAGES);
    const acked = new Set<string>();
    child = await startListener(port, storeUrl);

    // Several streams send at once; the process is killed once a third of the feed is acknowledged.
    const killAt = Math.floor(MESSAGES / 3);
    let killed = false;
    const send = async (stream: number, list: typeof messages, attempts: number) => {
      const client = new MllpClient({ port, attempts, backoffMs: 50, ackTimeoutMs: 30_000 });
      const failed: typeof messages = [];
      for (let i = stream; i < list.length; i += STREAMS) {
        const m = list[i]!;
        try {
          const ack = await client.send(m.text);
          if (/\rMSA\|AA\|/.test(ack)) acked.add(m.controlId);
          else failed.push(m);
          if (!killed && acked.size >= killAt) {
            killed = true;
            child!.kill('SIGKILL');
          }
        } catch {
          failed.push(m);
        }
      }
      client.close();
      return failed;
    };
    const firstPass = (await Promise.all(Array.from({ length: STREAMS }, (_, s) => send(s, messages, 1)))).flat();
    expect(killed).toBe(true);
    expect(firstPass.length).toBeGreaterThan(0);

    // Restart and resend what was not acknowledged (some of it was committed before the kill: dedup absorbs it).
    child = await startListener(port, storeUrl);
    const secondPass = (await Promise.all(Array.from({ length: STREAMS }, (_, s) => send(s, firstPass, 5)))).flat();
    expect(secondPass).toEqual([]);
    expect(acked.size).toBe(MESSAGES);

    const { openStore } = await import('@openidcr/store');
    const store = await openStore(storeUrl);
    try {
      const counts = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await store.listMessages({ limit: 500, ...(cursor ? { cursor } : {}) });
        for (const m of page.items) counts.set(m.controlId, (counts.get(m.controlId) ?? 0) + 1);
        cursor = page.nextCursor;
      } while (cursor);
      expect(counts.size).toBe(MESSAGES);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      for (const id of acked) expect(counts.get(id)).toBe(1);
    } finally {
      await store.close();
    }
  });
});
