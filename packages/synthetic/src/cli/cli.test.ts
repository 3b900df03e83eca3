import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResource } from '@openidcr/model';
import { runCli } from './run.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const HL7 = require('hl7-standard') as new (text: string) => { transform(): void; container: Array<{ get(f: string): unknown }>; header: unknown[]; trailer: unknown[] };
const dist = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openidcr-synthetic-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  (stderr as unknown as PassThrough).on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdout, stderr, now: () => Date.now() });
  return { code, stdout: out, stderr: err };
}

describe('openidcr-synthetic CLI', () => {
  it('writes FHIR NDJSON transaction bundles split into files, with the locality first, and a summary', async () => {
    const out = tempDir();
    const result = await inProcess(['--patients', '25', '--seed', '7', '--format', 'fhir', '--out', out, '--per-file', '10']);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['locality.json', 'patients-00001.ndjson', 'patients-00002.ndjson', 'patients-00003.ndjson']);
    const bundles = ['patients-00001.ndjson', 'patients-00002.ndjson', 'patients-00003.ndjson'].flatMap((f) =>
      readFileSync(join(out, f), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; entry: unknown[] }),
    );
    expect(bundles).toHaveLength(25);
    for (const bundle of bundles) {
      expect(bundle.type).toBe('transaction');
      expect(parseResource(bundle).ok).toBe(true);
    }
    const resources = bundles.reduce((n, b) => n + b.entry.length, 0);
    expect(result.stdout).toContain('patients: 25');
    expect(result.stdout).toContain(`resources: ${resources}`);
    expect(result.stdout).toMatch(/elapsed: \d+\.\d s/);
    expect(result.stdout).toMatch(/peak RSS: \d+(\.\d)? MB/);
    expect(result.stderr).toContain('100.0% 25/25 patients');
  });

  it('writes one HL7 v2 batch per source stream that hl7-standard reads, with BTS counting the messages', async () => {
    const out = tempDir();
    const result = await inProcess(['-n', '30', '-f', 'hl7', '-o', out, '--fault-rate', '0.1']);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['acute.hl7', 'community.hl7', 'gp.hl7', 'lims.hl7', 'mental-health.hl7', 'social-care.hl7']);
    let total = 0;
    for (const file of readdirSync(out)) {
      const text = readFileSync(join(out, file), 'utf8');
      expect(text.startsWith('FHS|^~\\&|')).toBe(true);
      const count = Number(/\rBTS\|(\d+)\r/.exec(text)?.[1]);
      const batch = new HL7(text);
      batch.transform();
      expect(batch.container).toHaveLength(count);
      total += count;
    }
    expect(result.stdout).toContain(`messages: ${total}`);
    expect(result.stdout).toMatch(/faults: [1-9]\d*/);
  });

  it('refuses bad arguments with the field named and exit code 2', async () => {
    const bad = await inProcess(['--patients', '5', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('format');
    const rate = await inProcess(['--patients', '5', '--fault-rate', '3', '--out', tempDir()]);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain('faultRate');
    const missing = await inProcess([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--patients');
  });

  it.skipIf(!existsSync(dist))('runs as the built bin (dist/cli.js) and prints the summary', async () => {
    const out = tempDir();
    const { stdout, stderr } = await run(process.execPath, [dist, '--patients', '12', '--format', 'hl7', '--out', out], { encoding: 'utf8' });
    expect(readFileSync(dist, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(stdout).toContain('patients: 12');
    expect(stdout).toMatch(/peak RSS: \d/);
    expect(stderr).toContain('12/12 patients');
    expect(readdirSync(out)).toContain('gp.hl7');
  });

  it.skipIf(!existsSync(dist))('writes the same bytes with worker threads as without', async () => {
    const one = tempDir();
    const two = tempDir();
    const args = ['--patients', '150', '--format', 'hl7', '--fault-rate', '0.05', '--seed', '3'];
    await run(process.execPath, [dist, ...args, '--out', one]);
    await run(process.execPath, [dist, ...args, '--out', two, '--workers', '2']);
    const files = readdirSync(one).sort();
    expect(readdirSync(two).sort()).toEqual(files);
    for (const file of files) expect(readFileSync(join(two, file)).equals(readFileSync(join(one, file))), file).toBe(true);
  });
});
