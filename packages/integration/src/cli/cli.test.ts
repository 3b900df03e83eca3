import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../ingest/memory.js';
import { CORPUS_DIR, FIXTURES } from '../test-support/harness.js';
import { runCli, type CliIo } from './run.js';
import { progressBar } from './summary.js';

function io(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const stores: MemoryStore[] = [];
  const value: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    isTTY: tty,
    openStore: async (url) => {
      if (url !== 'pglite:memory' && url !== 'memory') throw new Error(`unexpected store ${url}`);
      const store = Object.assign(new MemoryStore(), { close: async () => undefined });
      stores.push(store);
      return store;
    },
  };
  return { value, out, err, stores };
}

describe('openidcr ingest', () => {
  it('ingests a directory and prints the JSON summary by message type', async () => {
    const t = io(true);
    const code = await runCli(['ingest', FIXTURES, '--json', '--channel', 'acute-pas'], t.value);
    expect(code).toBe(0);
    const summary = JSON.parse(t.out.join(''));
    expect(summary).toMatchObject({ accepted: 24, duplicates: 0, rejected: 0 });
    expect(summary.byType['ORU^R01']).toEqual({ accepted: 3, duplicates: 0, rejected: 0 });
    expect(t.err.join('')).toContain('[##############################] 24/24 100%');
    expect(t.stores[0]!.messages).toHaveLength(24);
  });

  it('exits non-zero and names the reason when anything is rejected', async () => {
    const t = io();
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/openidcr-cli-');
    writeFileSync(`${dir}/bad.hl7`, 'MSH|^~\\&|A|B|C|D|20260101||ACK|1|P|2.4\rMSA|AA|1\r');
    const code = await runCli(['ingest', `${dir}/bad.hl7`], t.value);
    expect(code).toBe(1);
    expect(t.out.join('')).toContain('rejected bad.hl7 ACK 1 AR: MSH.9: ACK is an acknowledgement, not a message to store');
    expect(t.err.join('')).toBe('');
  });

  it('reports usage errors with exit 2', async () => {
    const t = io();
    expect(await runCli(['ingest'], t.value)).toBe(2);
    expect(await runCli(['ingest', FIXTURES, '--channel', 'nope'], t.value)).toBe(2);
    expect(t.err.join('')).toMatch(/Unknown channel "nope"/);
  });

  it('draws a progress bar', () => {
    expect(progressBar(5, 10, 10)).toBe('[#####.....] 5/10 50%');
  });
});

const CORPUS = CORPUS_DIR ?? '';
// Deliberately broken samples of the shared corpus (see its SOURCES.md): broken MSH-2, truncated, PDF-wrapped,
// an ACK sent as a message, a BHS inside a message, a non-HL7 birth date.
const BROKEN = new Set([
  'derived__ADT_A08__1.hl7',
  'emap__ADT_A01__1.hl7',
  'hapi__ORU_R01__2.hl7',
  'hl7std__ACK__1.hl7',
  'hl7std__ORU_R01__1.hl7',
  'medplum__ACK__1.hl7',
  'mirth__ORU_R01__1.hl7',
  'pyhl7__BATCH__2.hl7',
  'vh__ORU_R01__1.hl7',
  'vh__ORU_R01__2.hl7',
]);

describe.skipIf(!CORPUS_DIR)('shared HL7 corpus (test input only, never copied) [REQ-INT-003]', () => {
  it('accepts every well-formed message, rejects every broken one with a reason, never crashes', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.hl7'));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const t = io();
      const code = await runCli(['ingest', `${CORPUS}/${file}`, '--json', '--store', 'memory'], t.value);
      const summary = JSON.parse(t.out.join(''));
      if (BROKEN.has(file)) {
        expect(code, file).toBe(1);
        expect(summary.rejected, file).toBeGreaterThan(0);
        for (const r of summary.rejections) expect(r.reason.length, file).toBeGreaterThan(10);
      } else {
        expect([code, summary.rejections], file).toEqual([0, []]);
        expect(summary.accepted, file).toBeGreaterThan(0);
      }
    }
  });
});
