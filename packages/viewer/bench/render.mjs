// Render benchmark in Debian's Chromium: time from connecting an element to fully rendered, for a heavy record
// (2,000 observations, 300 medications, 200 documents), side by side with a plain HTML table of the same rows built
// with the DOM API (the floor). Also prints the bundle sizes, gzipped. Run after `npm run build`: npm run bench
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { serve } from '../scripts/serve.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function heavyRecord() {
  const subject = { reference: 'Patient/p1' };
  const resources = [
    { resourceType: 'Patient', id: 'p1', name: [{ family: 'Bench', given: ['Heavy'] }], birthDate: '1950-01-01' },
    { resourceType: 'Organization', id: 'lab', name: 'Bench Pathology' },
  ];
  const tests = ['Sodium', 'Potassium', 'Urea', 'Creatinine', 'HbA1c', 'Haemoglobin', 'White cell count', 'Platelets', 'ALT', 'CRP'];
  for (let i = 0; i < 2000; i++) {
    const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(i / tests.length) * 7 * 86400000).toISOString().slice(0, 10);
    resources.push({
      resourceType: 'Observation', id: `o${i}`, status: 'final', meta: { source: 'Organization/lab' },
      code: { coding: [{ system: 'http://loinc.org', code: `t${i % tests.length}` }], text: tests[i % tests.length] },
      subject, effectiveDateTime: `${day}T09:00:00Z`, valueQuantity: { value: 3 + ((i * 37) % 50) / 10, unit: 'mmol/L' },
      referenceRange: [{ low: { value: 3.5 }, high: { value: 7.5 } }],
    });
  }
  for (let i = 0; i < 300; i++)
    resources.push({
      resourceType: 'MedicationStatement', id: `m${i}`, status: i % 3 === 0 ? 'active' : 'completed', meta: { source: 'Organization/lab' },
      medicationCodeableConcept: { text: `Medicine ${i} 10mg tablets` }, subject, effectivePeriod: { start: '2016-01-01', ...(i % 3 === 0 ? {} : { end: '2017-01-01' }) },
      dosage: [{ text: 'One tablet daily' }],
    });
  for (let i = 0; i < 200; i++)
    resources.push({
      resourceType: 'DocumentReference', id: `d${i}`, status: 'current', type: { text: `Clinic letter ${i}` }, subject, date: '2020-01-01T10:00:00Z',
      meta: { source: 'Organization/lab' }, content: [{ attachment: { contentType: 'text/plain', data: 'SGVsbG8=' } }],
    });
  return { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) };
}

const server = await serve();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${server.url}/bench/page.html`);
await page.waitForFunction(() => customElements.get('idcr-record') !== undefined);

const cases = [
  ['idcr-results (2,000 observations; charts on demand)', 'idcr-results', 'Observation', ['test', 'value', 'range', 'date']],
  ['idcr-medications (300)', 'idcr-medications', 'MedicationStatement', ['medicine', 'dose', 'start', 'status']],
  ['idcr-documents (200)', 'idcr-documents', 'DocumentReference', ['title', 'date', 'source', 'status']],
];
const bundle = heavyRecord();
const rows = [];
for (const [label, tag, type] of cases) {
  const result = await page.evaluate(
    async ({ tag, type, bundle, runs }) => {
      const stage = document.getElementById('stage');
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const component = [];
      const floor = [];
      const resources = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === type);
      for (let run = 0; run < runs; run++) {
        stage.replaceChildren();
        await frame();
        let t0 = performance.now();
        const el = document.createElement(tag);
        el.bundle = bundle;
        el.today = '2026-11-22';
        stage.append(el);
        await el.updateComplete;
        el.getBoundingClientRect();
        component.push(performance.now() - t0);
        stage.replaceChildren();
        await frame();
        // Floor: the same rows as a plain table, built with the DOM API and laid out.
        t0 = performance.now();
        const table = document.createElement('table');
        const caption = table.createCaption();
        caption.textContent = type;
        const body = table.createTBody();
        for (const r of resources) {
          const tr = body.insertRow();
          const cells = [
            r.code?.text ?? r.medicationCodeableConcept?.text ?? r.type?.text,
            r.valueQuantity ? `${r.valueQuantity.value} ${r.valueQuantity.unit}` : (r.dosage?.[0]?.text ?? r.date),
            r.referenceRange ? `${r.referenceRange[0].low.value} to ${r.referenceRange[0].high.value}` : r.status,
            r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.date,
          ];
          for (const c of cells) tr.insertCell().textContent = c ?? '';
        }
        stage.append(table);
        table.getBoundingClientRect();
        floor.push(performance.now() - t0);
      }
      stage.replaceChildren();
      return { component: median(component), floor: median(floor), rows: resources.length };
    },
    { tag, type, bundle, runs: RUNS },
  );
  rows.push({ label, ...result });
}

const size = async (file) => {
  const bytes = await readFile(`${root}/dist/bundle/${file}`);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const full = await size('openidcr-viewer.js');
const noCharts = await size('openidcr-viewer-no-charts.js');
await browser.close();
await server.close();

const pad = (s, n) => String(s).padEnd(n);
console.log(`\nRender time, connected to rendered and laid out (median of ${RUNS} runs, Chromium ${browser.version?.() ?? ''})`);
console.log(`${pad('case', 54)}${pad('component ms', 14)}${pad('plain table ms (floor)', 24)}ratio`);
for (const r of rows) console.log(`${pad(r.label, 54)}${pad(r.component.toFixed(1), 14)}${pad(r.floor.toFixed(1), 24)}${(r.component / r.floor).toFixed(2)}x`);
console.log('\nBundle size (minified ES module)');
console.log(`${pad('bundle', 48)}${pad('raw kB', 14)}gzip kB`);
console.log(`${pad('openidcr-viewer.js (all elements, charts)', 48)}${pad((full.raw / 1024).toFixed(1), 14)}${(full.gzip / 1024).toFixed(1)}`);
console.log(`${pad('openidcr-viewer-no-charts.js (no results/charts)', 48)}${pad((noCharts.raw / 1024).toFixed(1), 14)}${(noCharts.gzip / 1024).toFixed(1)}`);
