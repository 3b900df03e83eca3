import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM } from './chromium.js';

const PACKAGE = resolve(import.meta.dirname, '..', '..');
const STAMP = join(PACKAGE, 'dist', '.source-hash');

function sourceHash(dir: string, hash = createHash('sha256')): ReturnType<typeof createHash> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceHash(path, hash);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.fixtures.ts')) hash.update(path).update(readFileSync(path));
  }
  return hash;
}

/**
 * The browser tests load the components from `dist` as a consumer would. Unless `dist` was built by this setup from
 * exactly the current sources (a hash stamp), build it first, once, before any test file: a fresh clone, an edit since
 * the last build, or a build started elsewhere from older sources all lead to a rebuild.
 */
function buildIfStale(): void {
  const hash = sourceHash(join(PACKAGE, 'src')).digest('hex');
  let stamp = '';
  try {
    stamp = readFileSync(STAMP, 'utf8');
  } catch {
    stamp = '';
  }
  if (stamp === hash) return;
  execFileSync(process.execPath, [join(PACKAGE, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(PACKAGE, 'tsconfig.build.json')], { stdio: 'inherit' });
  writeFileSync(STAMP, hash);
}

/**
 * Before any test file: build `dist` if stale, and start one Chromium that every browser test file connects to (five
 * browsers at once would overload a small CI machine). Stopped when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildIfStale();
  const server = await chromium.launchServer(CHROMIUM);
  project.provide('chromiumEndpoint', server.wsEndpoint());
  return async () => {
    await server.close();
  };
}
