import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames } from '../test-support/harness.js';
import { parseUnit, type ParseOutcome } from './message.js';
import { ParsePool } from './parse-pool.js';
import { splitMessages } from './split.js';

const WORKER = new URL('../../dist/hl7/parse-worker.js', import.meta.url);
const batch = 'PID|1||orphan\r' + fixtureNames().map(fixture).join('');

function shape(outcomes: ParseOutcome[]) {
  return outcomes.map((o) => (o.ok ? { type: o.message.type, raw: o.message.raw, segments: o.message.segments.map((s) => [s.name, s.sequence, s.fields]) } : { problems: o.problems }));
}

describe('parse pool', () => {
  it('falls back to parsing in-thread when the compiled worker is absent', async () => {
    const pool = new ParsePool(new URL('file:///nonexistent/parse-worker.js'));
    expect(pool.mode).toBe('inline');
    expect(shape(await pool.parse(batch))).toEqual(shape(splitMessages(batch).messages.map(parseUnit)));
    await pool.close();
  });

  it.skipIf(!existsSync(fileURLToPath(WORKER)))('parses on a worker thread with the same result', async () => {
    const pool = new ParsePool(WORKER);
    expect(pool.mode).toBe('worker');
    const [a, b] = await Promise.all([pool.parse(batch), pool.parse(fixture('oru-r01.hl7'))]);
    expect(shape(a!)).toEqual(shape(splitMessages(batch).messages.map(parseUnit)));
    expect(a![0]!.ok).toBe(false);
    expect(a!).toHaveLength(fixtureNames().length + 1);
    expect(b![0]!.ok && b![0]!.message.segment('OBX', 1)?.get(6)).toBe('x10^9/L');
    await pool.close();
  });
});
