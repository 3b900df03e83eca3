// The documentation in docs/ is checked like code: the generated configuration reference must match the schema,
// every relative link must resolve, and every @openidcr import shown in a snippet must exist.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

interface ConfigReference {
  OUTPUT: string;
  REGENERATE: string;
  renderConfigReference(): string;
  fieldRows(schema: unknown): { key: string }[];
  localityJsonSchema(): unknown;
  undescribedFields(rows: { key: string }[]): string[];
}
interface DocsCheck {
  docFiles(): string[];
  brokenLinks(files?: string[], root?: string): string[];
  siteCoverage(files?: string[]): string[];
  snippetImports(files?: string[]): { file: string; pkg: string; name: string }[];
  missingExports(imports?: { file: string; pkg: string; name: string }[]): Promise<string[]>;
  runnableSnippets(): Snippet[];
  runSnippet(snippet: Snippet): Promise<string | undefined>;
  checkSnippets(snippets?: Snippet[]): Promise<string[]>;
}
interface Snippet {
  file: string;
  line: number;
  language: string;
  code: string;
  expected: string[];
}

// The scripts live at the repository root (outside this package's rootDir), so they are loaded by URL.
const load = async <T>(path: string) => (await import(pathToFileURL(join(root, path)).href)) as T;

describe('docs/', () => {
  it('docs/reference/configuration.md matches the LocalitySchema it is generated from [REQ-ARC-005]', async () => {
    const ref = await load<ConfigReference>('scripts/config-reference.mjs');
    const committed = readFileSync(ref.OUTPUT, 'utf8');
    const generated = ref.renderConfigReference();
    expect(committed === generated, `docs/reference/configuration.md is stale: run \`${ref.REGENERATE}\` and commit it`).toBe(true);
    expect(ref.undescribedFields(ref.fieldRows(ref.localityJsonSchema())), 'locality fields without a description: add .describe() to the field in LocalitySchema, or an entry to DESCRIPTIONS in scripts/config-reference.mjs').toEqual([]);
  });

  it('the configuration reference lists every top-level locality field', async () => {
    const ref = await load<ConfigReference>('scripts/config-reference.mjs');
    const { LocalitySchema } = await import('@openidcr/architecture');
    const keys = ref.fieldRows(ref.localityJsonSchema()).map((r) => r.key);
    for (const field of Object.keys(LocalitySchema.shape)) expect(keys, field).toContain(field);
  });

  it('every relative link in docs/ resolves', async () => {
    const check = await load<DocsCheck>('scripts/docs-check.mjs');
    expect(check.docFiles().length).toBeGreaterThan(10);
    expect(check.brokenLinks()).toEqual([]);
  });

  it('every page under docs/ is in the site exactly once (typedoc.json projectDocuments)', async () => {
    const check = await load<DocsCheck>('scripts/docs-check.mjs');
    expect(check.siteCoverage()).toEqual([]);
    expect(check.siteCoverage(['docs/guides/not-listed.md'])).toEqual(['docs/guides/not-listed.md is not in the site: add it to projectDocuments in typedoc.json']);
  });

  it('the link check finds a broken link and a missing anchor', async () => {
    const check = await load<DocsCheck>('scripts/docs-check.mjs');
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'openidcr-link-check-'));
    try {
      mkdirSync(join(dir, 'docs/sub'), { recursive: true });
      writeFileSync(join(dir, 'docs/a.md'), '# Title\n\n[ok](sub/b.md) [bad](missing.md) [anchor](sub/b.md#nowhere) [good anchor](sub/b.md#a-heading) `[code](nope.md)`\n');
      writeFileSync(join(dir, 'docs/sub/b.md'), '## A heading\n');
      const problems = check.brokenLinks(['docs/a.md', 'docs/sub/b.md'], dir);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain('missing.md does not exist');
      expect(problems[1]).toContain('names no heading');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every @openidcr import named in a docs snippet is a real export', async () => {
    const check = await load<DocsCheck>('scripts/docs-check.mjs');
    const imports = check.snippetImports();
    expect(imports.length).toBeGreaterThan(10);
    expect(await check.missingExports(imports)).toEqual([]);
    const fake = await check.missingExports([{ file: 'x.md', pkg: '@openidcr/governance', name: 'decideEverything' }]);
    expect(fake).toEqual(['x.md: @openidcr/governance has no export named decideEverything']);
  });

  // One type-check program and one run each for the docs' own snippets and three that must be reported.
  it('every runnable snippet in docs/ type-checks, runs and prints what the docs say; wrong ones are reported with their place', async () => {
    const check = await load<DocsCheck>('scripts/docs-check.mjs');
    const snippets = check.runnableSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(3);
    const wrong: Snippet[] = [
      {
        file: 'x.md', line: 3, language: 'ts',
        code: "import { isValidNhsNumber } from '@openidcr/model';\nconst n: string = '9434765918';\nconsole.log(isValidNhsNumber(n));\n// prints: true\n",
        expected: ['true'],
      },
      { file: 'y.md', line: 9, language: 'js', code: "throw new Error('boom');\n", expected: [] },
      {
        file: 'z.md', line: 2, language: 'ts',
        code: "import { isValidNhsNumber } from '@openidcr/model';\nconst valid: number = isValidNhsNumber('9434765919');\nconsole.log(valid);\n",
        expected: [],
      },
    ];
    const problems = await check.checkSnippets([...snippets, ...wrong]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('x.md:3: printed "false", not "true"');
    expect(problems[1]).toMatch(/^y\.md:9: exited 1: .*boom/);
    expect(problems[2]).toBe("z.md:2: does not type-check: line 2: Type 'boolean' is not assignable to type 'number'.");
  });
});
