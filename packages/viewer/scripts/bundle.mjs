// Builds the single-file bundles for a <script type="module"> tag from the compiled ES modules in dist/.
// dist/bundle/openidcr-viewer.js registers every element; dist/bundle/openidcr-viewer-no-charts.js leaves out the
// results element (and its trend charts), for size comparison.
import { build } from 'rolldown';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
await mkdir(out, { recursive: true });
const scratch = await mkdtemp(join(tmpdir(), 'openidcr-viewer-bundle-'));
const noCharts = join(scratch, 'no-charts-entry.js');
await writeFile(
  noCharts,
  ['patient-banner', 'allergies', 'medications', 'problems', 'immunisations', 'alerts', 'encounters', 'documents', 'care-team', 'sources', 'break-glass', 'virtual-ward', 'patient-search']
    .map((n) => `import ${JSON.stringify(join(root, 'dist', 'define', `idcr-${n}.js`))};`)
    .join('\n') + '\n',
);

for (const [input, file] of [
  [join(root, 'dist', 'define', 'all.js'), 'openidcr-viewer.js'],
  [noCharts, 'openidcr-viewer-no-charts.js'],
]) {
  await build({
    input,
    platform: 'browser',
    logLevel: 'warn',
    output: { file: join(out, file), format: 'esm', minify: true, sourcemap: false },
  });
}
await rm(scratch, { recursive: true, force: true });
console.log(`bundles written to ${out}`);
