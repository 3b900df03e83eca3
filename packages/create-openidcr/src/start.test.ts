import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffold } from './project/write.js';

// The monorepo's node_modules links @openidcr/* to the packages built here, so no network is needed.
const monorepoModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));
let cwd: string;
let project: string;
const running: ChildProcess[] = [];

/** The environment `npm start` gets: the embedded store from the config, any free port, nothing from the caller's DATABASE_URL. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return { ...rest, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', npm_config_update_notifier: 'false', ...extra };
}

/** Runs an npm script in the project, in its own process group so it can be stopped with everything it started. */
function npm(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn('npm', args, { cwd: project, env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close': npm and everything it started (tsx, node) have let go of the output, so the whole group has ended.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function stop(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null && child.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'create-openidcr-start-'));
  const done = await scaffold(
    {
      name: 'Calder Valley',
      directory: 'calder',
      organisations: [
        { ods: 'B87001', name: 'Calder Medical Practice', kind: 'gp-practice', stage: 'live' },
        { ods: 'RWY', name: 'Calderdale and Huddersfield NHS Foundation Trust', kind: 'acute-trust' },
        { ods: 'X9L', name: 'Calderdale Council Adult Social Care', kind: 'local-authority' },
      ],
      consentModel: 'implied-opt-out',
      topology: 'pooled',
      storage: 'pglite',
      auth: { mode: 'dev' },
      packages: ['requirements'],
      mllpPort: 0,
    },
    { cwd },
  );
  project = done.directory;
  await symlink(monorepoModules, join(project, 'node_modules'), 'dir');
});

afterAll(async () => {
  for (const child of running) stop(child);
  await rm(cwd, { recursive: true, force: true });
});

describe('a scaffolded project', () => {
  it('starts with npm start on the embedded store and answers /healthz, /fhir/metadata and a signed-in search through the policy point', async () => {
    const start = npm(['start']);
    const url = await waitFor(
      'the record to be ready',
      () => /"url":"(http:\/\/127\.0\.0\.1:\d+)".*shared care record ready/.exec(start.output())?.[1],
      90_000,
      start.output,
    );
    try {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const metadata = await fetch(`${url}/fhir/metadata`);
      expect(metadata.status).toBe(200);
      const capability = (await metadata.json()) as { resourceType: string; fhirVersion: string };
      expect(capability.resourceType).toBe('CapabilityStatement');
      expect(capability.fhirVersion).toBe('4.0.1');
      expect(start.output()).toContain('"locality":"Calder Valley","topology":"pooled","storage":"pglite:./data/idcr"');

      // A demo GP signs in and searches; with nothing yet in the record the answer is an empty searchset.
      const tokenResponse = await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'gp-b87001' }) });
      expect(tokenResponse.status).toBe(200);
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const unsigned = await fetch(`${url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018`);
      expect(unsigned.status).toBe(401);
      const search = await fetch(`${url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await search.json()) as { resourceType: string; type?: string; total?: number };
      expect({ status: search.status, resourceType: body.resourceType }).toEqual({ status: 200, resourceType: 'Bundle' });
      expect(body.type).toBe('searchset');
    } finally {
      stop(start.child);
    }
    await start.exited;
    // SIGTERM closes the record gracefully (HTTP drained, MLLP closed, store closed) rather than killing it mid-write.
    expect(start.output()).toContain('"signal":"SIGTERM","msg":"shutting down"');
    expect(start.output()).toContain('OpenIDCR stopped');
    // The embedded store lives in the project, as the README says.
    expect(existsSync(join(project, 'data', 'idcr'))).toBe(true);
  }, 150_000);

  it('npm run isa checks isa.json and writes ISA.md again', async () => {
    const isa = npm(['run', 'isa']);
    expect(await isa.exited).toBe(0);
    expect(isa.output()).toMatch(/ISA\.md written: 0 errors, \d+ warnings\./);
    const md = await readFile(join(project, 'ISA.md'), 'utf8');
    expect(md).toMatch(/^# Calder Valley Care Record: Information Sharing Agreement for Direct Care\n\n> \*\*Draft for discussion: not in force\.\*\*\n\n### What the ISA check found\n/);
    expect(md).toContain('| Warning | `parties` | no party is active, so nothing is shared |');
  }, 60_000);

  it('npm run conformance reports what the configuration meets against the requirements catalogue', async () => {
    const conformance = npm(['run', 'conformance']);
    expect(await conformance.exited, conformance.output()).toBe(0);
    expect(conformance.output()).toMatch(/# Conformance of Calder Valley\n\n\d+ met, \d+ turned off by this configuration, 0 gaps\./);
    expect(conformance.output()).toContain('**REQ-GOV-007** (must) Practice activation — the locality does not use practice activation');
  }, 60_000);

  it('type-checks: idcr.config.ts against the locality schema\'s types, the scripts against the packages\' (npm run typecheck)', async () => {
    const typecheck = npm(['run', 'typecheck']);
    expect(await typecheck.exited, typecheck.output()).toBe(0);
  }, 60_000);

  it('[REQ-ARC-005] refuses to start when idcr.config.ts is edited wrongly, naming the field', async () => {
    const file = join(project, 'idcr.config.ts');
    const config = await readFile(file, 'utf8');
    await writeFile(file, config.replace("ods: 'RWY'", "ods: 'R-WY'").replace("stage: 'live'", "stage: 'someday'"));
    try {
      const start = npm(['start']);
      expect(await start.exited).toBe(1);
      expect(start.output()).toContain('organisations[1].ods: ODS code: 3 to 6 upper-case letters and digits');
      expect(start.output()).toContain('organisations[0].stage:');
      expect(start.output()).not.toContain('shared care record ready');
    } finally {
      await writeFile(file, config);
    }
  }, 60_000);
});
