import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { vitestReport } from './trace/matrix.test.js';

const cli = resolve(import.meta.dirname, '../dist/cli.js');
const run = (args: string[], cwd: string) => spawnSync('node', [cli, ...args], { cwd, encoding: 'utf8' });

describe('openidcr-requirements CLI [REQ-REQ-006, REQ-REQ-007]', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(cli)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: resolve(import.meta.dirname, '..') });
    dir = mkdtempSync(join(tmpdir(), 'req-cli-'));
    writeFileSync(join(dir, 'results.json'), JSON.stringify(vitestReport(dir)));
    writeFileSync(join(dir, 'locality.json'), JSON.stringify({ name: 'Example', organisations: [{ ods: 'B86001' }], isa: { consentModel: { kind: 'explicit-share' }, fairProcessing: { url: 'https://x' }, optOut: { contact: 'x' } } }));
    const locality = JSON.parse(readFileSync(join(dir, 'locality.json'), 'utf8'));
    const consentCapture = { shareIn: true, shareOut: true, itemShareOut: true, objection: true, consentToView: true, fhirConsent: true };
    writeFileSync(join(dir, 'running.json'), JSON.stringify({ ...locality, provides: { consentCapture } }));
    writeFileSync(join(dir, 'bad-extension.json'), JSON.stringify({ add: [{ id: 'nope' }] }));
  });

  it('trace exits non-zero when a Must requirement has no passing test, and writes the three formats', () => {
    const result = run(['trace', '--results', 'results.json', '--out', 'matrix'], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('Must requirements without a passing test:');
    for (const f of ['matrix.md', 'matrix.html', 'matrix.json']) expect(existsSync(join(dir, 'matrix', f))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'matrix', 'matrix.json'), 'utf8'));
    expect(json.requirements.find((r: { id: string }) => r.id === 'REQ-GOV-004').status).toBe('passed');
  });

  it('trace --report-only exits 0 and --json prints the matrix with a requirements array', () => {
    const result = run(['trace', '--results', 'results.json', '--json', '--report-only'], dir);
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Array.isArray(json.requirements)).toBe(true);
    expect(json.requirements.length).toBeGreaterThanOrEqual(60);
  });

  it('conformance reports met, off and gaps for a locality configuration', () => {
    // Explicit share-in / share-out with nothing that can record the consents is a Must gap (exit 1) ...
    const result = run(['conformance', '--config', 'locality.json', '--json'], dir);
    const report = JSON.parse(result.stdout);
    expect(report.rows.find((r: { id: string }) => r.id === 'REQ-GOV-006').status).toBe('gap');
    expect(report.rows.find((r: { id: string }) => r.id === 'REQ-GOV-005').status).toBe('off');
    expect(report.totals.mustGaps).toEqual(['REQ-GOV-006']);
    expect(result.status).toBe(1);
    // ... and met once the configuration says what the running app provides (as GET /app/admin/conformance does).
    const withCapture = run(['conformance', '--config', 'running.json', '--json'], dir);
    expect(JSON.parse(withCapture.stdout).rows.find((r: { id: string }) => r.id === 'REQ-GOV-006').status).toBe('met');
    expect(withCapture.status).toBe(0);
  });

  it('names what is wrong with bad input and exits 2', () => {
    const missing = run(['trace', '--results', 'nope.json'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('openidcr-requirements: nope.json: no such file or folder');
    const bad = run(['list', '--extension', 'bad-extension.json'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('extension.add[0].id: expected an id such as REQ-GOV-007');
  });
});
