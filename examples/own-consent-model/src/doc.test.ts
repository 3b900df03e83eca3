import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The guide's code is this example's code: every TypeScript block in docs/extending/consent-model.md is marked
// `<!-- snippet: path#region -->` (exactly that region of the file) or `<!-- snippet: path -->` (lines found verbatim
// in the file), and every region of the example's source is shown in the guide. Change one, and this fails.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const guidePath = join(root, 'docs/extending/consent-model.md');
const guide = readFileSync(guidePath, 'utf8');
const exampleSrc = fileURLToPath(new URL('./', import.meta.url));

interface Snippet {
  line: number;
  path: string | undefined;
  region: string | undefined;
  lang: string;
  code: string;
}

/** Fenced code blocks of the guide, each with the snippet marker on the line before it (if any). */
function snippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${guidePath}:${i + 1}: code block never closed`);
    const marker = /^<!-- snippet: ([^#\s]+)(?:#([\w-]+))? -->$/.exec(lines[i - 1] ?? '');
    found.push({ line: i + 1, path: marker?.[1], region: marker?.[2], lang: open[1]!, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

/** The lines between `// #region name` and `// #endregion name`, without their common indentation. */
function region(text: string, name: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === `// #endregion ${name}`);
  if (start < 0 || end < 0) return undefined;
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return body.map((l) => l.slice(indent)).join('\n');
}

const regionsOf = (text: string) => [...text.matchAll(/^\s*\/\/ #region ([\w-]+)$/gm)].map((m) => m[1]!);
const all = snippets(guide);

describe('docs/extending/consent-model.md shows the real code', () => {
  it('marks every TypeScript block with the file it comes from', () => {
    const unmarked = all.filter((s) => s.lang === 'ts' && !s.path).map((s) => `line ${s.line}`);
    expect(unmarked).toEqual([]);
    expect(all.filter((s) => s.path).length).toBeGreaterThanOrEqual(6);
  });

  for (const snippet of all.filter((s) => s.path)) {
    it(`line ${snippet.line}: ${snippet.path}${snippet.region ? `#${snippet.region}` : ''}`, () => {
      const source = readFileSync(join(root, snippet.path!), 'utf8');
      if (snippet.region) {
        const expected = region(source, snippet.region);
        expect(expected, `${snippet.path} has no region "${snippet.region}"`).toBeDefined();
        expect(snippet.code).toBe(expected);
      } else {
        expect(source.includes(snippet.code), `the block at line ${snippet.line} is not found verbatim in ${snippet.path}`).toBe(true);
      }
    });
  }

  it('shows every region of the example\'s source', () => {
    const shown = new Set(all.filter((s) => s.region).map((s) => `${s.path}#${s.region}`));
    const missing: string[] = [];
    for (const file of readdirSync(exampleSrc).filter((f) => f.endsWith('.ts'))) {
      const path = relative(root, join(exampleSrc, file));
      for (const name of regionsOf(readFileSync(join(exampleSrc, file), 'utf8'))) if (!shown.has(`${path}#${name}`)) missing.push(`${path}#${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('a changed line in the source is caught', () => {
    const model = all.find((s) => s.region === 'model')!;
    const source = readFileSync(join(root, model.path!), 'utf8').replace("kind: 'social-care-opt-in'", "kind: 'renamed'");
    expect(region(source, 'model')).not.toBe(model.code);
  });
});
