import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompter } from '../answers/prompts.js';
import { run } from './run.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const bin = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'create-openidcr-cli-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function cli(args: string[], options: { interactive?: boolean; prompter?: Prompter } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    interactive: options.interactive ?? false,
    prompter: options.prompter,
    now: new Date('2026-11-22T10:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('create-openidcr (no prompts)', () => {
  it('scaffolds a project from typed organisations and a CSV, with packages and consent model from flags', async () => {
    // Riverside Surgery (Y90001) and X9A are in the CSV too: the answers check names each repeat, and nothing is written.
    const repeated = await cli(['north', '--name', 'North Riding', '--org', 'Y90001:gp-practice:Riverside Surgery', '--org', 'X9A:acute-trust:Town Hospital', '--orgs-csv', join(fixtures, 'organisations.csv'), '--yes']);
    expect(repeated.code).toBe(1);
    expect(repeated.stderr).toBe('These answers cannot make a locality:\n  organisations[2].ods: Y90001 is listed twice (also organisation 1)\n  organisations[4].ods: X9A is listed twice (also organisation 2)\n');
    expect(await readdir(cwd)).toEqual([]);

    const ok = await cli(['north', '--name', 'North Riding', '--org', 'Y80001:gp-practice:Moor Surgery', '--orgs-csv', join(fixtures, 'organisations.csv'), '--consent', 'practice-activation', '--mllp-port', '0', '--packages', 'citizen,@openidcr/requirements', '--yes']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Created the North Riding shared care record in north');
    expect(ok.stdout).toContain('  cd north\n  npm install\n  npm start');
    const dir = join(cwd, 'north');
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'ISA.md', 'README.md', 'conformance.ts', 'idcr.config.ts', 'isa.json', 'isa.ts', 'package.json', 'start.ts', 'tsconfig.json']);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['@openidcr/architecture', '@openidcr/citizen', '@openidcr/governance', '@openidcr/requirements', 'tsx']);
    expect(pkg.scripts.conformance).toBe('tsx conformance.ts');
    // Loading idcr.config.ts itself needs tsx, as npm start runs it: test/start.test.ts does that.
    const isa = JSON.parse(await readFile(join(dir, 'isa.json'), 'utf8'));
    expect(isa.status).toBe('draft');
    expect(isa.consentModel).toEqual({ kind: 'practice-activation' });
    expect(await readFile(join(dir, 'ISA.md'), 'utf8')).toContain('Under practice activation, record when and by whom each organisation switched sharing on');
  });

  it('refuses a folder that has files in it, unless --force (which leaves other files alone)', async () => {
    const dir = join(cwd, 'busy');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'ours');
    const args = ['busy', '--name', 'Busy', '--org', 'Y90001:gp-practice:Riverside Surgery', '--yes'];
    const refused = await cli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/busy is not empty \(notes\.txt\)\. Choose another folder, or use --force/);
    expect(await readdir(dir)).toEqual(['notes.txt']);
    const forced = await cli([...args, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('ours');
    expect(await readdir(dir)).toContain('idcr.config.ts');
    // A folder with only a fresh `git init` in it counts as empty.
    await mkdir(join(cwd, 'fresh', '.git'), { recursive: true });
    expect((await cli(['fresh', '--name', 'Fresh', '--org', 'Y90001:gp-practice:Riverside Surgery', '--yes'])).code).toBe(0);
  });

  it('names each row and column of a bad CSV and writes nothing', async () => {
    const out = await cli(['bad', '--name', 'Bad', '--orgs-csv', join(fixtures, 'organisations-bad.csv'), '--yes']);
    expect(out.code).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/organisations-bad\.csv: Row 3, column ods: "Y9-001" is not an ODS code/);
    expect(lines[3]).toMatch(/organisations-bad\.csv: Row 6, column stage: "soon" is not a go-live stage \(pilot, staged, live\)$/);
    expect(await readdir(cwd)).not.toContain('bad');
  });

  it('says what is missing or wrong in the flags', async () => {
    const missing = await cli(['--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "--name: the locality's name is needed when nothing is asked (e.g. --name Northshire)\n--org or --orgs-csv: at least one organisation is needed when nothing is asked\n",
    );
    const wrong = await cli(['--name', 'X', '--org', 'Y90001-gp', '--packages', 'viewer,frontend', '--source', 'X9A', '--port', 'http', '--auth', 'oidc', '--oidc-issuer', 'https://login.example']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      '--org "Y90001-gp": expected ODS:kind:name, e.g. "Y90001:gp-practice:Riverside Surgery"',
      '--source "X9A": expected ODS=URL, e.g. "X9A=https://fhir.x9a.example/R4"',
      '--packages: frontend is not a package you can add (model, store, integration, viewer, citizen, requirements, synthetic)',
      '--oidc-jwks: needed for --auth oidc',
      '--oidc-audience: needed for --auth oidc',
      '--port: expected a whole number from 0 to 65535, found "http"',
    ]);
    const choice = await cli(['--consent', 'whatever']);
    expect(choice.code).toBe(1);
    expect(choice.stderr).toContain("option '--consent <model>' argument 'whatever' is invalid. Allowed choices are implied-opt-out, explicit-share, practice-activation, consent-to-view.");
  });

  it('--packages-from depends on a built clone\'s packages by file: path, and refuses a folder that is not one', async () => {
    const repo = fileURLToPath(new URL('../../../../', import.meta.url));
    const made = await cli(['from-source', '--name', 'From Source', '--org', 'Y90001:gp-practice:Riverside Surgery', '--packages', 'viewer', '--packages-from', repo, '--yes']);
    expect(made.code, made.stderr).toBe(0);
    const pkg = JSON.parse(await readFile(join(cwd, 'from-source', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@openidcr/architecture']).toBe(`file:${join(repo, 'packages', 'architecture')}`);
    expect(pkg.dependencies['@openidcr/viewer']).toBe(`file:${join(repo, 'packages', 'viewer')}`);
    for (const [name, spec] of Object.entries(pkg.dependencies)) {
      if (!spec.startsWith('file:')) continue;
      const manifest = JSON.parse(await readFile(join(spec.slice('file:'.length), 'package.json'), 'utf8')) as { name: string };
      expect(manifest.name).toBe(name);
    }
    const refused = await cli(['not-a-repo', '--name', 'Nope', '--org', 'Y90001:gp-practice:Riverside Surgery', '--packages-from', cwd, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^--packages-from: .* is not a built OpenIDCR repository \(no packages\/architecture\/dist\/index\.js; run npm ci && npm run build there\)/);
    expect(await readdir(cwd)).not.toContain('not-a-repo');
  });

  it('federated from flags: --source makes it federated, with no channels', async () => {
    const out = await cli(['fed', '--name', 'Fed', '--org', 'X9A:acute-trust:Hospital', '--org', 'Y90001:gp-practice:Surgery', '--source', 'X9A=https://fhir.x9a.example/R4', '--yes']);
    expect(out.code).toBe(0);
    const config = await readFile(join(cwd, 'fed', 'idcr.config.ts'), 'utf8');
    expect(config).toContain("kind: 'federated',");
    expect(config).toContain('channels: [],');
  });

  it('at a terminal, asks only what the flags leave out; Ctrl-C at a prompt writes nothing', async () => {
    const cancelled = Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' });
    const asked: string[] = [];
    const prompter: Prompter = {
      input: async (q) => {
        asked.push(q.message);
        throw cancelled;
      },
      select: async () => {
        throw cancelled;
      },
      checkbox: async () => {
        throw cancelled;
      },
      confirm: async () => {
        throw cancelled;
      },
    };
    const out = await cli(['asked', '--name', 'Asked', '--org', 'Y90001:gp-practice:Riverside Surgery', '--consent', 'implied-opt-out', '--topology', 'pooled', '--mllp-port', '0', '--storage', 'pglite', '--auth', 'dev', '--packages', 'none'], {
      interactive: true,
      prompter,
    });
    expect(asked).toEqual(['Information governance contact people can object to (email or phone; blank to fill in later)']);
    expect(out).toMatchObject({ code: 130, stderr: 'Cancelled: nothing was written.\n' });
    expect(await readdir(cwd)).not.toContain('asked');
  });

  it('runs as the built bin, taking no prompts when stdin is not a terminal', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'binned', '--name', 'Binned', '--org', 'Y90001:gp-practice:Riverside Surgery'], { cwd });
    expect(stdout).toContain('Created the Binned shared care record in binned');
  });
});
