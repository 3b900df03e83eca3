// Screenshots of the demo page in Debian's Chromium (never a downloaded browser). Usage:
//   node scripts/screenshots.mjs [outDir=/tmp/openidcr-viewer-screens]
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { serve } from './serve.mjs';

const out = process.argv[2] ?? '/tmp/openidcr-viewer-screens';
await mkdir(out, { recursive: true });
const server = await serve();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const shots = [
  ['record-summary', 'only=idcr-record&fixture=summary', 1280],
  ['record-withheld', 'only=idcr-record&fixture=withheld-and-unanswered', 1280],
  ['record-results', 'only=idcr-record&fixture=results-tab', 1280],
  ['record-360px', 'only=idcr-record&fixture=summary', 360],
  ['banner', 'only=idcr-patient-banner', 1280],
  ['allergies', 'only=idcr-allergies', 1280],
  ['medications', 'only=idcr-medications&fixture=ready', 1280],
  ['results', 'only=idcr-results&fixture=ready', 1280],
  ['encounters', 'only=idcr-encounters&fixture=ready', 1280],
  ['documents', 'only=idcr-documents&fixture=ready', 1280],
  ['documents-html', 'only=idcr-documents&fixture=open-html-letter', 1280],
  ['documents-text', 'only=idcr-documents&fixture=open-text-summary', 1280],
  ['care-team', 'only=idcr-care-team&fixture=ready', 1280],
  ['virtual-ward', 'only=idcr-virtual-ward', 1280],
  ['patient-search', 'only=idcr-patient-search', 1280],
  ['break-glass', 'only=idcr-break-glass&fixture=open', 1280],
  ['sources', 'only=idcr-sources', 1280],
  ['alerts', 'only=idcr-alerts', 1280],
  ['states', 'only=idcr-problems', 1280],
];
const errors = [];
for (const [name, query, width] of shots) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  await page.goto(`${server.url}/demo/index.html?${query}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: name !== 'break-glass' });
  await page.close();
}
await browser.close();
await server.close();
if (errors.length > 0) {
  console.error(errors.join('\n'));
  process.exitCode = 1;
}
console.log(`${shots.length} screenshots in ${out}`);
