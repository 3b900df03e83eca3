#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extendCatalogue, loadCatalogue } from './catalogue/load.js';
import type { Requirement } from './catalogue/schema.js';
import { readVitestJson, type TestCase } from './trace/results.js';
import { buildMatrix } from './trace/matrix.js';
import { matrixToHtml, matrixToMarkdown } from './trace/render.js';
import { checkConformance, conformanceToMarkdown } from './conformance/conformance.js';

class CliError extends Error {}

async function readData(path: string): Promise<unknown> {
  const full = resolve(path);
  const ext = extname(full);
  if (ext === '.json') {
    try {
      return JSON.parse(readFileSync(full, 'utf8'));
    } catch (error) {
      throw new CliError(`${path}: ${(error as Error).message}`);
    }
  }
  if (ext === '.js' || ext === '.mjs') {
    const mod = (await import(pathToFileURL(full).href)) as { default?: unknown };
    return mod.default ?? mod;
  }
  throw new CliError(`${path}: expected a .json, .js or .mjs file`);
}

async function requirementsFor(extension: string | undefined): Promise<{ requirements: Requirement[]; removed: { id: string; reason: string }[] }> {
  const catalogue = loadCatalogue();
  if (!extension) return { requirements: catalogue, removed: [] };
  const result = extendCatalogue(catalogue, await readData(extension));
  if (!result.ok) throw new CliError(`${extension} is not a valid requirements extension:\n${result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  return { requirements: result.requirements, removed: result.removed };
}

/** Vitest JSON files: each path may be a file or a folder searched for *.json reports. */
function resultFiles(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (p: string) => {
    const stat = statSync(p, { throwIfNoEntry: false });
    if (!stat) throw new CliError(`${p}: no such file or folder`);
    if (stat.isFile()) files.push(p);
    else for (const entry of readdirSync(p)) if (entry.endsWith('.json') || statSync(join(p, entry)).isDirectory()) walk(join(p, entry));
  };
  paths.forEach(walk);
  return files;
}

function readTests(paths: string[]): TestCase[] {
  const tests: TestCase[] = [];
  for (const file of resultFiles(paths)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CliError(`${file}: ${(error as Error).message}`);
    }
    const result = readVitestJson(json, process.cwd());
    if (!result.ok) throw new CliError(`${file}: ${result.error}`);
    tests.push(...result.tests);
  }
  return tests;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command()
  .name('openidcr-requirements')
  .description('The OpenIDCR requirement catalogue, traced to the tests that prove it.');

program
  .command('list')
  .description('print the catalogue (with a locality extension applied)')
  .option('--extension <file>', 'a locality requirements file (.json/.js/.mjs) that adds, overrides or removes requirements')
  .option('--json', 'print JSON')
  .action(async (opts: { extension?: string; json?: boolean }) => {
    const { requirements } = await requirementsFor(opts.extension);
    if (opts.json) console.log(JSON.stringify({ requirements }, null, 2));
    else for (const r of requirements) console.log(`${r.id}  ${r.priority.padEnd(6)} ${r.category.padEnd(12)} ${r.title}`);
  });

program
  .command('trace')
  .description('build the traceability matrix from Vitest JSON results')
  .requiredOption('--results <file|dir>', 'a Vitest JSON report, or a folder of them (repeatable)', collect, [])
  .option('--extension <file>', 'a locality requirements file')
  .option('--out <dir>', 'write matrix.md, matrix.html and matrix.json to this folder')
  .option('--json', 'print the matrix as JSON (with a `requirements` array)')
  .option('--report-only', 'exit 0 even when a Must requirement has no passing test')
  .action(async (opts: { results: string[]; extension?: string; out?: string; json?: boolean; reportOnly?: boolean }) => {
    const { requirements, removed } = await requirementsFor(opts.extension);
    const matrix = buildMatrix(requirements, readTests(opts.results), { now: new Date(), removed });
    if (opts.out) {
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'matrix.md'), matrixToMarkdown(matrix));
      writeFileSync(join(opts.out, 'matrix.html'), matrixToHtml(matrix));
      writeFileSync(join(opts.out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
    }
    if (opts.json) console.log(JSON.stringify(matrix, null, 2));
    else {
      console.table(matrix.totals);
      const o = matrix.overall;
      console.log(`${o.passed}/${o.total} requirements passed, ${o.failed} failed, ${o.missing} missing tests.`);
      if (matrix.unknownIds.length) console.log(`Tests name unknown requirements: ${matrix.unknownIds.map((u) => u.id).join(', ')}`);
      if (o.mustNotPassing.length) console.log(`Must requirements without a passing test: ${o.mustNotPassing.join(', ')}`);
    }
    if (matrix.overall.mustNotPassing.length > 0 && !opts.reportOnly) process.exitCode = 1;
  });

program
  .command('conformance')
  .description("check a locality configuration against the requirements: met, turned off, gaps")
  .requiredOption('--config <file>', 'the locality configuration (.json/.js/.mjs)')
  .option('--extension <file>', 'a locality requirements file')
  .option('--results <file|dir>', 'Vitest JSON results, to show which requirements are also proved by tests', collect, [])
  .option('--json', 'print JSON')
  .action(async (opts: { config: string; extension?: string; results: string[]; json?: boolean }) => {
    const { requirements, removed } = await requirementsFor(opts.extension);
    const config = await readData(opts.config);
    const matrix = opts.results.length > 0 ? buildMatrix(requirements, readTests(opts.results), { now: new Date(), removed }) : undefined;
    const report = checkConformance(requirements, config, matrix);
    const name = (config as { name?: unknown } | null)?.name;
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else console.log(conformanceToMarkdown(report, typeof name === 'string' ? name : opts.config));
    if (report.totals.mustGaps.length > 0) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError || error instanceof InvalidArgumentError) {
    console.error(`openidcr-requirements: ${error.message}`);
    process.exit(2);
  }
  throw error;
});
