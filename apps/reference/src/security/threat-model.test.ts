// The threat model names, for each threat, the test that proves its mitigation. This keeps it honest: every name it
// cites must be the title of a test in the file it cites, so renaming or deleting an attack test breaks the build
// until the threat model says what proves that threat now.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../../..');
const model = readFileSync(join(root, 'docs/security/threat-model.md'), 'utf8');

/** The short names the threat model uses for its test files. */
const FILES: Record<string, string> = {
  attacks: 'apps/reference/src/security/attacks.test.ts',
  injection: 'apps/reference/src/security/injection.test.ts',
  'rate-limit': 'packages/architecture/src/http/rate-limit.test.ts',
  auth: 'packages/architecture/src/auth/auth.test.ts',
  'citizen-router': 'packages/citizen/src/router/citizen-router.test.ts',
  'repo-hygiene': 'apps/reference/src/repo-hygiene.test.ts',
};

/** Test titles in a file, with `\'` unescaped. */
function titlesOf(file: string): Set<string> {
  const text = readFileSync(join(root, file), 'utf8');
  const titles = new Set<string>();
  for (const match of text.matchAll(/\bit\(\s*'((?:[^'\\]|\\.)*)'/g)) titles.add(match[1]!.replace(/\\'/g, "'"));
  for (const match of text.matchAll(/\bit\(\s*"((?:[^"\\]|\\.)*)"/g)) titles.add(match[1]!.replace(/\\"/g, '"'));
  return titles;
}

/** Every `short::test name` and `` `path`::test name `` the threat model cites. */
function citations(): Array<{ file: string; title: string }> {
  const found: Array<{ file: string; title: string }> = [];
  for (const cell of model.split('\n').filter((l) => l.startsWith('|')).flatMap((l) => l.split('|'))) {
    for (const part of cell.split(/;\s+(?=`|[a-z-]+::)/)) {
      const match = /^\s*(?:`([^`]+)`|([a-z-]+))::(.+?)\s*$/.exec(part);
      if (!match) continue;
      const file = match[1] ?? FILES[match[2]!];
      found.push({ file: file ?? `unknown short name ${match[2]}`, title: match[3]! });
    }
  }
  return found;
}

describe('the threat model (docs/security/threat-model.md)', () => {
  it('cites, for every threat it lists, a test that exists under that name', () => {
    const cited = citations();
    expect(cited.length).toBeGreaterThan(60);
    const missing = cited.filter(({ file, title }) => !existsSync(join(root, file)) || !titlesOf(file).has(title)).map(({ file, title }) => `${file}::${title}`);
    expect(missing).toEqual([]);
  });

  it('cites every attack test, so none exists without a threat it answers', () => {
    const cited = new Set(citations().filter((c) => c.file === FILES.attacks).map((c) => c.title));
    const uncited = [...titlesOf(FILES.attacks!)].filter((title) => !cited.has(title));
    expect(uncited).toEqual([]);
  });

  it('has assets, actors, trust boundaries with a diagram, a STRIDE table per boundary and residual risks', () => {
    for (const heading of ['## Assets', '## Actors', '## Trust boundaries', '## STRIDE per boundary', '## Residual risks']) expect(model).toContain(heading);
    expect(model).toContain('```mermaid');
    for (const boundary of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7']) expect(model, boundary).toMatch(new RegExp(`### ${boundary} `));
  });
});
