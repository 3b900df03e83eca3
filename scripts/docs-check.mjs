#!/usr/bin/env node
// Checks the Markdown under docs/ (except the generated docs/api):
//  1. every relative link resolves to a file or folder in the repository (and an `#anchor` into a Markdown file
//     names one of its headings);
//  2. every `@openidcr/*` import in a ts/js code block names something that package really exports.
//   node scripts/docs-check.mjs            (after `npm run build`: the export check imports the built packages)
// apps/reference/src/docs.test.ts runs the same checks under `npm test`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['api', 'node_modules']);

/** Every Markdown file under docs/, as paths relative to the repository root. */
export function docFiles(root = ROOT) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) {
        if (!SKIP.has(entry)) walk(full);
      } else if (entry.endsWith('.md')) out.push(relative(root, full));
    }
  };
  walk(join(root, 'docs'));
  return out;
}

const withoutFences = (markdown) => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');

/** Drops fenced code blocks and inline code, so links shown as examples are not checked. */
function proseOf(markdown) {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub-style heading anchors of a Markdown file. */
export function anchorsOf(markdown) {
  const anchors = new Set();
  for (const line of withoutFences(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) anchors.add(m[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-'));
  }
  return anchors;
}

/** Relative links (`[text](path)`, `[text]: path`) that do not resolve. */
export function brokenLinks(files = docFiles(), root = ROOT) {
  const problems = [];
  for (const file of files) {
    const text = proseOf(readFileSync(join(root, file), 'utf8'));
    const targets = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, mailto:, ...
      const [path, anchor] = target.split('#');
      const resolved = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file);
      if (!resolved.startsWith(root)) problems.push(`${file}: ${target} points outside the repository`);
      else if (!existsSync(resolved)) problems.push(`${file}: ${target} does not exist`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase()))
        problems.push(`${file}: ${target} names no heading of ${relative(root, resolved)}`);
    }
  }
  return problems;
}

/**
 * The site's pages are listed in typedoc.json `projectDocuments`, in reading order. Every Markdown file under docs/
 * (but the docs/README.md index) must be listed exactly once, or it would be missing from the site or shown twice.
 */
export function siteCoverage(files = docFiles(), root = ROOT) {
  const patterns = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')).projectDocuments ?? [];
  const matches = (pattern, file) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '%%DIRS%%').replace(/\*/g, '[^/]*').replace(/%%DIRS%%/g, '(?:.*/)?')}$`);
    return re.test(file);
  };
  const problems = [];
  for (const file of files) {
    if (file === 'docs/README.md') continue;
    const hits = patterns.filter((p) => matches(p, file));
    if (hits.length === 0) problems.push(`${file} is not in the site: add it to projectDocuments in typedoc.json`);
    if (hits.length > 1) problems.push(`${file} is listed ${hits.length} times in typedoc.json projectDocuments (${hits.join(', ')}): the site would show it twice`);
  }
  return problems;
}

/** `import { a, b as c, type D } from '@openidcr/x'` in ts/js/mjs code blocks: [{ file, pkg, name }]. */
export function snippetImports(files = docFiles(), root = ROOT) {
  const out = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const block of text.matchAll(/^```(?:ts|typescript|js|javascript|mjs)\b[^\n]*\n([\s\S]*?)^```/gm)) {
      for (const m of block[1].matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"](@openidcr\/[^'"]+)['"]/g)) {
        for (const part of m[2].split(',')) {
          const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]?.trim();
          if (name) out.push({ file, pkg: m[3], name, typeOnly: Boolean(m[1]) || /^\s*type\s/.test(part) });
        }
      }
    }
  }
  return out;
}

/** Type names a package declares in its published .d.ts files (for `type` imports, which have no runtime value). */
function declaredTypes(pkgDir) {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.d.ts'))
        for (const m of readFileSync(full, 'utf8').matchAll(/export\s+(?:declare\s+)?(?:interface|type|class|enum|const|function)\s+([A-Za-z0-9_$]+)|export\s+(?:type\s+)?\{([^}]*)\}/g)) {
          if (m[1]) names.add(m[1]);
          else for (const p of m[2].split(',')) { const n = p.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim(); if (n) names.add(n); }
        }
    }
  };
  if (existsSync(join(pkgDir, 'dist'))) walk(join(pkgDir, 'dist'));
  return names;
}

/** Imports in snippets that the named package does not export. Resolves packages from `resolveFrom`. */
export async function missingExports(imports = snippetImports(), resolveFrom = join(ROOT, 'apps/reference/package.json')) {
  const { createRequire } = await import('node:module');
  const require = createRequire(resolveFrom);
  const problems = [];
  const modules = new Map();
  for (const { file, pkg, name, typeOnly } of imports) {
    if (!modules.has(pkg)) {
      try {
        const url = pathToFileURL(require.resolve(pkg)).href;
        const root = join(ROOT, 'packages', pkg.split('/')[1]);
        modules.set(pkg, { values: await import(url), types: declaredTypes(root) });
      } catch (error) {
        modules.set(pkg, { error: String(error?.message ?? error) });
      }
    }
    const mod = modules.get(pkg);
    if (mod.error) problems.push(`${file}: ${pkg} cannot be imported (${mod.error.split('\n')[0]})`);
    else if (!(name in mod.values) && !(typeOnly && mod.types.has(name)) && !mod.types.has(name)) problems.push(`${file}: ${pkg} has no export named ${name}`);
  }
  return problems;
}

/**
 * Code blocks marked `runnable` after their language (```ts runnable, ```js runnable) are whole programs: they are
 * run (TypeScript type-checked, strict, against the packages' types, then transpiled) in a scratch folder that resolves the workspace's packages, and must exit 0; a
 * `// prints: <text>` line in the block must appear in what it prints.
 */
export function runnableSnippets(files = docFiles(), root = ROOT) {
  const out = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const block of text.matchAll(/^```(ts|typescript|js|javascript|mjs)[ \t]+runnable[^\n]*\n([\s\S]*?)^```/gm)) {
      const line = text.slice(0, block.index).split('\n').length;
      const expected = [...block[2].matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1].trim());
      out.push({ file, line, language: block[1], code: block[2], expected });
    }
  }
  return out;
}

/** Type-checks TypeScript snippets in one program (strict, NodeNext, against the packages' types): problem per snippet. */
async function typecheck(snippets, root) {
  const { mkdtempSync, writeFileSync, symlinkSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const ts = (await import('typescript')).default;
  const dir = mkdtempSync(join(tmpdir(), 'openidcr-snippet-types-'));
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const files = snippets.map((snippet, i) => {
      const file = join(dir, `snippet-${i}.mts`);
      writeFileSync(file, snippet.code);
      return file;
    });
    const program = ts.createProgram(files, {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'], strict: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: true, types: ['node'],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    return snippets.map((snippet, i) => {
      const errors = diagnostics.filter((d) => d.file?.fileName === files[i]);
      if (!errors.length) return undefined;
      const text = errors.map((d) => `line ${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      return `${snippet.file}:${snippet.line}: does not type-check: ${text.slice(0, 3).join(' | ')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one snippet (already type-checked); resolves to a problem string, or undefined when it ran as documented. */
async function run(snippet, root) {
  const { mkdtempSync, writeFileSync, symlinkSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'openidcr-snippet-'));
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    let code = snippet.code;
    if (/^(ts|typescript)$/.test(snippet.language)) {
      const ts = (await import('typescript')).default;
      code = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    }
    writeFileSync(join(dir, 'snippet.mjs'), code);
    const result = spawnSync(process.execPath, ['snippet.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const where = `${snippet.file}:${snippet.line}`;
    if (result.status !== 0) return `${where}: exited ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n').slice(0, 5).join(' | ')}`;
    const missing = snippet.expected.filter((e) => !result.stdout.replace(/\s+/g, ' ').includes(e.replace(/\s+/g, ' ')));
    if (missing.length) return `${where}: printed ${JSON.stringify(result.stdout.trim())}, not ${missing.map((m) => JSON.stringify(m)).join(', ')}`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Type-checks (TypeScript) and runs snippets: one problem string per snippet that is not as documented. */
export async function checkSnippets(snippets = runnableSnippets(), root = ROOT) {
  const typed = snippets.filter((s) => /^(ts|typescript)$/.test(s.language));
  const typeProblems = typed.length ? await typecheck(typed, root) : [];
  const problems = [];
  for (const snippet of snippets) {
    const typeProblem = typeProblems[typed.indexOf(snippet)];
    problems.push(typeProblem ?? (await run(snippet, root)));
  }
  return problems.filter(Boolean);
}

/** One snippet: resolves to its problem, or undefined. */
export async function runSnippet(snippet, root = ROOT) {
  return (await checkSnippets([snippet], root))[0];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = [...brokenLinks(), ...siteCoverage(), ...(await missingExports()), ...(await checkSnippets())];
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`docs: ${docFiles().length} files, every relative link resolves, ${snippetImports().length} @openidcr imports in snippets all exist`);
}
