// Bundles the browser apps (clinician, citizen, admin) with esbuild into dist/public, next to their HTML and CSS.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'public');
mkdirSync(out, { recursive: true });
for (const file of readdirSync(join(root, 'web'))) if (/\.(html|css|svg)$/.test(file)) cpSync(join(root, 'web', file), join(out, file));
await build({
  entryPoints: ['clinician', 'citizen', 'admin'].map((name) => join(root, 'web', `${name}.ts`)),
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'linked',
});
console.log(`web apps bundled into ${out}`);
