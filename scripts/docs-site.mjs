#!/usr/bin/env node
// Builds the documentation site: guides, reference, security, clinical safety, ADRs, the requirements traceability
// matrix and the typedoc API reference of every package, as one static site in docs/api (open docs/api/index.html).
//   npm run docs          (builds the packages first, then runs this)
// Steps: check the docs (links, snippet imports, configuration reference up to date) → write the traceability matrix
// to test-results/docs/ (from the Vitest JSON reports when tests have run, else the catalogue alone, saying so) →
// typedoc with the project documents listed in typedoc.json. Exits non-zero when a check or typedoc fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, brokenLinks, missingExports, siteCoverage } from './docs-check.mjs';
import { OUTPUT as CONFIG_REFERENCE, REGENERATE, renderConfigReference } from './config-reference.mjs';

const MATRIX_DIR = join(ROOT, 'test-results/docs');
const MATRIX_FRONTMATTER = '---\ntitle: Traceability matrix\ngroup: Reference\n---\n\n';

function fail(message) {
  console.error(`docs: ${message}`);
  process.exit(1);
}

/** The Vitest JSON reports CI writes (same list as .ci/run), that exist now. */
function resultFiles() {
  const found = [];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, dir))) {
      const file = join(ROOT, dir, name, 'test-results/vitest.json');
      if (existsSync(file)) found.push(file);
    }
  }
  const packs = join(ROOT, 'test-results/verify-packs.json');
  if (existsSync(packs)) found.push(packs);
  return found;
}

/** Writes test-results/docs/traceability-matrix.md; returns how many test reports it was built from. */
export async function writeMatrix() {
  rmSync(MATRIX_DIR, { recursive: true, force: true });
  mkdirSync(MATRIX_DIR, { recursive: true });
  const results = resultFiles();
  let markdown;
  if (results.length > 0) {
    const cli = join(ROOT, 'packages/requirements/dist/cli.js');
    const args = [cli, 'trace', ...results.flatMap((f) => ['--results', f]), '--out', join(MATRIX_DIR, 'trace'), '--report-only'];
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (run.status !== 0) fail(`the requirements trace failed:\n${run.stderr || run.stdout}`);
    markdown = readFileSync(join(MATRIX_DIR, 'trace/matrix.md'), 'utf8');
    markdown = markdown.replace(
      /^# Requirements traceability matrix\n/,
      `# Requirements traceability matrix\n\nBuilt from ${results.length} test report${results.length > 1 ? 's' : ''} found in this checkout (\`packages/*/test-results/vitest.json\`, \`apps/*/test-results/vitest.json\`): run \`npm test\` first for a current matrix. CI writes the same matrix to \`test-results/requirements/\`.\n`,
    );
    rmSync(join(MATRIX_DIR, 'trace'), { recursive: true, force: true });
  } else {
    const { loadCatalogue, buildMatrix, matrixToMarkdown } = await import('@openidcr/requirements');
    markdown = matrixToMarkdown(buildMatrix(loadCatalogue(), [], { now: new Date() })).replace(
      /^# Requirements traceability matrix\n/,
      '# Requirements traceability matrix\n\n> **No test results were found** in this checkout, so every requirement below shows as *missing*. Run `npm test` (which writes `packages/*/test-results/vitest.json`), then `npm run docs` again, to see which tests prove each requirement.\n',
    );
  }
  writeFileSync(join(MATRIX_DIR, 'traceability-matrix.md'), MATRIX_FRONTMATTER + markdown);
  return results.length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = [...brokenLinks(), ...siteCoverage(), ...(await missingExports())];
  if (existsSync(CONFIG_REFERENCE) && readFileSync(CONFIG_REFERENCE, 'utf8') !== renderConfigReference())
    problems.push(`docs/reference/configuration.md is stale: run \`${REGENERATE}\``);
  if (problems.length) fail(`\n${problems.join('\n')}`);

  const reports = await writeMatrix();
  console.log(`docs: traceability matrix from ${reports} test report(s)`);

  const typedoc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc')], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(typedoc.stdout);
  process.stderr.write(typedoc.stderr);
  if (typedoc.status !== 0) fail('typedoc failed');
  // Warnings about the API (types referenced but not exported) and the packages' READMEs are the packages' business;
  // a warning located in a file under docs/ (a link typedoc could not resolve) is ours.
  // eslint-disable-next-line no-control-regex
  const plain = `${typedoc.stdout}\n${typedoc.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const documentWarnings = plain.split('\n').filter((l) => /^\.\/docs\/\S+:\d+:\d+ - \[warning\]/.test(l));
  if (documentWarnings.length) fail(`typedoc warned about the documents:\n${documentWarnings.join('\n')}`);
  console.log(`docs: site written to ${join(ROOT, 'docs/api/index.html')}`);
}
