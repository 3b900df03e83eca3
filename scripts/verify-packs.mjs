#!/usr/bin/env node
// Packs every publishable package, then for each one installs its tarball (with the tarballs of the OpenIDCR
// packages it depends on, as the registry would provide them) into an empty folder, imports it with Node and
// type-checks an import with TypeScript. Proves each package works on its own from what `npm publish` would ship.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'openidcr-packs-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);
const byName = new Map(packages.map((p) => [p.manifest.name, p]));

const tarballOf = new Map();
const packProblems = new Map();
for (const { dir, manifest } of packages) {
  const out = run('npm', ['pack', '--json', '--pack-destination', tarballs], dir);
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  const missing = ['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts'].filter((f) => !info.files.some((x) => x.path === f));
  tarballOf.set(manifest.name, join(tarballs, info.filename));
  const tests = info.files.filter((x) => /\.test\.(js|d\.ts)$/.test(x.path));
  if (missing.length) packProblems.set(manifest.name, `tarball lacks ${missing.join(', ')} (did you build?)`);
  else if (tests.length) packProblems.set(manifest.name, `tarball ships test files: ${tests.map((x) => x.path).join(', ')}`);
}

function internalClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const deps = { ...byName.get(name).manifest.dependencies, ...byName.get(name).manifest.peerDependencies };
  for (const dep of Object.keys(deps ?? {})) if (byName.has(dep)) internalClosure(dep, seen);
  return seen;
}

const results = [];
let failed = false;
for (const { manifest } of packages) {
  const name = manifest.name;
  const dir = mkdtempSync(join(work, 'consumer-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  try {
    if (packProblems.has(name)) throw new Error(packProblems.get(name));
    const needed = [...internalClosure(name)].map((n) => tarballOf.get(n));
    run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', ...needed], dir);
    const exported = run('node', ['--input-type=module', '-e', `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length);`], dir).trim();
    if (Number(exported) < 1) throw new Error('imports but exports nothing');
    writeFileSync(join(dir, 'check.ts'), `import * as pkg from ${JSON.stringify(name)};\nexport const keys: string[] = Object.keys(pkg);\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['check.ts'] }),
    );
    run('node', [tsc, '-p', 'tsconfig.json'], dir);
    results.push({ package: name, tarball: tarballOf.get(name).split('/').pop(), exports: Number(exported), types: 'ok', result: 'ok' });
  } catch (error) {
    failed = true;
    const detail = String(error.stdout || '') + String(error.stderr || '') || error.message;
    results.push({ package: name, tarball: tarballOf.get(name).split('/').pop(), exports: '-', types: '-', result: `FAILED: ${detail.trim().split('\n').slice(0, 6).join(' | ')}` });
  }
}
console.table(results);
// A Vitest-shaped report, so the requirements matrix counts this check as the proof of REQ-ARC-006.
mkdirSync(join(root, 'test-results'), { recursive: true });
writeFileSync(
  join(root, 'test-results', 'verify-packs.json'),
  JSON.stringify({
    testResults: [
      {
        name: join(root, 'scripts', 'verify-packs.mjs'),
        assertionResults: results.map((r) => ({
          ancestorTitles: ['verify:packs [REQ-ARC-006]'],
          title: `${r.package} installs, imports and type-checks alone from its tarball`,
          fullName: `verify:packs [REQ-ARC-006] ${r.package} installs, imports and type-checks alone from its tarball`,
          status: r.result === 'ok' ? 'passed' : 'failed',
        })),
      },
    ],
  }),
);
rmSync(work, { recursive: true, force: true });
if (failed) {
  console.error('verify:packs: some packages do not install and import on their own from their tarballs');
  process.exit(1);
}
console.log(`verify:packs: ${results.length} packages install, import and type-check from their tarballs`);
