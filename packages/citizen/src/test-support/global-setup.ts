import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM } from './chromium.js';

const PACKAGE = resolve(import.meta.dirname, '..', '..');

function newest(dir: string, filter: (file: string) => boolean): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, filter));
    else if (filter(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * The browser tests load the components from `dist` as a consumer would. When `dist` is missing or older than the
 * sources (a fresh clone, or an edit since the last build), build this package first, once, before any test file.
 */
function buildIfStale(): void {
  const source = newest(join(PACKAGE, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.fixtures.ts'));
  let built = 0;
  try {
    built = newest(join(PACKAGE, 'dist'), (f) => f.endsWith('.js'));
  } catch {
    built = 0;
  }
  if (built >= source) return;
  execFileSync(process.execPath, [join(PACKAGE, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(PACKAGE, 'tsconfig.build.json')], { stdio: 'inherit' });
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
