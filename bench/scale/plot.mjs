// Latency against population as a PNG: an SVG line chart (log population axis) rendered by Debian's Chromium
// through playwright-core, with the figures as a table under it.
import { chromium } from 'playwright-core';

const SERIES = [
  { label: '$everything over HTTP, p99', colour: '#d5281b', dash: '6 4', value: (s) => s.http.p99 },
  { label: '$everything over HTTP, p50', colour: '#d5281b', dash: '', value: (s) => s.http.p50 },
  { label: 'store.everything floor, p99', colour: '#005eb8', dash: '6 4', value: (s) => s.floor.p99 },
  { label: 'store.everything floor, p50', colour: '#005eb8', dash: '', value: (s) => s.floor.p50 },
  { label: 'patient search (store), p50', colour: '#007f3b', dash: '', value: (s) => s.search.p50 },
  { label: 'MPI match by demographics, p50', colour: '#7c2855', dash: '', value: (s) => s.mpiDemographic.p50 },
];

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function chartHtml(results) {
  const sizes = results.sizes;
  const width = 900;
  const height = 480;
  const margin = { left: 70, right: 250, top: 40, bottom: 60 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = sizes.map((s) => Math.log10(s.size));
  const xMin = Math.floor(Math.min(...xs));
  const xMax = Math.max(Math.ceil(Math.max(...xs)), xMin + 1);
  const values = sizes.flatMap((s) => SERIES.map((series) => series.value(s)));
  // Log latency axis: p50 and p99 differ by an order of magnitude.
  const yMin = Math.floor(Math.log10(Math.max(0.1, Math.min(...values))));
  const yMax = Math.ceil(Math.log10(Math.max(...values)));
  const x = (size) => margin.left + ((Math.log10(size) - xMin) / (xMax - xMin)) * plotW;
  const y = (ms) => margin.top + plotH - ((Math.log10(Math.max(ms, 0.1)) - yMin) / (yMax - yMin || 1)) * plotH;
  const parts = [];
  for (let e = xMin; e <= xMax; e++) {
    parts.push(`<line x1="${x(10 ** e)}" x2="${x(10 ** e)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#d8dde0"/>`);
    parts.push(`<text x="${x(10 ** e)}" y="${margin.top + plotH + 20}" text-anchor="middle">${(10 ** e).toLocaleString('en-GB')}</text>`);
  }
  for (let e = yMin; e <= yMax; e++) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#d8dde0"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(10 ** e) + 4}" text-anchor="end">${10 ** e >= 1 ? (10 ** e).toLocaleString('en-GB') : 10 ** e} ms</text>`);
  }
  SERIES.forEach((series, i) => {
    const points = sizes.map((s) => `${x(s.size).toFixed(1)},${y(series.value(s)).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${series.colour}" stroke-width="2.5" stroke-dasharray="${series.dash}"/>`);
    for (const s of sizes) parts.push(`<circle cx="${x(s.size)}" cy="${y(series.value(s))}" r="3.5" fill="${series.colour}"/>`);
    const ly = margin.top + 10 + i * 24;
    parts.push(`<line x1="${width - margin.right + 20}" x2="${width - margin.right + 50}" y1="${ly}" y2="${ly}" stroke="${series.colour}" stroke-width="2.5" stroke-dasharray="${series.dash}"/>`);
    parts.push(`<text x="${width - margin.right + 56}" y="${ly + 4}">${escape(series.label)}</text>`);
  });
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 15}" text-anchor="middle">patients (log scale)</text>`);
  const rows = sizes.map((s) => `<tr><th scope="row">${s.size.toLocaleString('en-GB')}</th>${SERIES.map((series) => `<td>${series.value(s).toFixed(1)}</td>`).join('')}<td>${s.http.perSecond.toFixed(0)}</td><td>${s.http.load.toFixed(1)}</td></tr>`).join('');
  const m = results.machine;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Latency against population</title><style>
    body { font: 14px/1.4 Arial, sans-serif; margin: 16px; color: #212b32; width: ${width}px; }
    h1 { font-size: 18px; margin: 0 0 4px; } p { margin: 0 0 8px; color: #4c6272; }
    svg text { font: 12px Arial, sans-serif; fill: #212b32; }
    table { border-collapse: collapse; margin-top: 8px; font-size: 12px; } th, td { border: 1px solid #d8dde0; padding: 3px 6px; text-align: right; }
  </style></head><body>
  <h1>OpenIDCR: latency against population (PostgreSQL, ${results.options.connections} concurrent clients)</h1>
  <p>${m.cpus} CPUs (${escape(m.model)}), ${m.memoryGb} GB, Node ${escape(m.node)}; ${escape(results.started.slice(0, 16).replace('T', ' '))} UTC. Load average during each HTTP run in the table.</p>
  <svg width="${width}" height="${height}" role="img" aria-label="Latency in milliseconds against number of patients">
    <rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#aeb7bd"/>
    ${parts.join('\n    ')}
  </svg>
  <table><caption>Milliseconds (views per second and load average on the right)</caption>
    <tr><th scope="col">patients</th>${SERIES.map((s) => `<th scope="col">${escape(s.label)}</th>`).join('')}<th scope="col">views/s</th><th scope="col">load avg</th></tr>
    ${rows}
  </table></body></html>`;
}

export async function plot(results, file) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 940, height: 700 }, deviceScaleFactor: 1 });
    await page.setContent(chartHtml(results));
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await browser.close();
  }
}
