import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const GUIDES = ['add-a-heading.md', 'add-a-source-profile.md', 'add-a-role-view.md'];
const PAGES = ['README.md', ...GUIDES];

const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

/**
 * `<!-- snippet: path#name -->` quotes the lines between `// #region name` and `// #endregion name` of a file;
 * `<!-- snippet: path -->` quotes the whole file (HL7 segments shown one per line). The fenced block that follows
 * must be exactly that text.
 */
function expected(path: string, name: string | undefined): string {
  const text = read(path).replace(/\r\n?/g, '\n');
  if (name === undefined) return text.replace(/\n+$/, '');
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^[ \\t]*// #region ${escaped}\\n([\\s\\S]*?)^[ \\t]*// #endregion ${escaped}\\n`, 'm').exec(text);
  if (!match) throw new Error(`${path} has no region "${name}"`);
  return match[1]!.replace(/\n+$/, '');
}

function snippets(page: string): Array<{ path: string; name: string | undefined; shown: string | undefined }> {
  const text = read(`docs/extending/${page}`);
  const found = [];
  for (const m of text.matchAll(/<!-- snippet: ([^#\s]+)(?:#([\w-]+))? -->\n(```[a-z]*\n([\s\S]*?)\n```)?/g))
    found.push({ path: m[1]!, name: m[2], shown: m[4] });
  return found;
}

describe('docs/extending quote the tested code exactly', () => {
  for (const page of GUIDES)
    it(`${page} quotes at least one example file`, () => {
      expect(snippets(page).length).toBeGreaterThan(0);
    });

  for (const page of PAGES)
    for (const { path, name, shown } of snippets(page))
      it(`${page}: ${path}${name ? `#${name}` : ''}`, () => {
        expect(shown, 'a fenced code block must follow the snippet marker').toBeDefined();
        expect(shown).toBe(expected(path, name));
      });

  for (const page of PAGES)
    it(`${page}: every relative link leads to a file or folder`, () => {
      const text = read(`docs/extending/${page}`);
      const links = [...text.matchAll(/\]\((?!https?:|#)([^)#\s]+)[^)]*\)/g)].map((m) => m[1]!);
      expect(links.length).toBeGreaterThan(0);
      const broken = links.filter((link) => !existsSync(resolve(ROOT, 'docs/extending', link)));
      expect(broken).toEqual([]);
    });
});
