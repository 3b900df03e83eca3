/* global document, Node -- shownText runs in the page */
// The example as a person would use it: `serve.mjs` runs, Chromium opens index.html, the record renders from the plain
// FHIR server with names resolved, and axe finds no WCAG 2.x A/AA violation.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server;
let browser;
let url;

beforeAll(async () => {
  server = spawn(process.execPath, ['serve.mjs'], { cwd: here, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const found = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (found) resolve(found[1]);
    });
    server.stderr.on('data', (chunk) => (out += chunk));
    server.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
});
afterAll(async () => {
  await browser?.close();
  server?.kill();
});

/** The text the page shows, shadow roots included (the viewer's components render into theirs). */
function shownText(page) {
  return page.evaluate(() => {
    const parts = [];
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent);
      if (node.nodeName === 'SCRIPT' || node.nodeName === 'STYLE') return;
      if (node.shadowRoot) walk(node.shadowRoot);
      for (const child of node.childNodes) walk(child);
    };
    walk(document.body);
    return parts.join(' ').replace(/\s+/g, ' ');
  });
}

describe('examples/embed-viewer in Chromium [REQ-VIEW-009]', () => {
  it('prints the address it really listens on when asked for a free port', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:(?!0\/)\d+\/$/);
  });

  it('renders the record of the page\'s NHS number from the plain FHIR server, names resolved, and passes axe [REQ-VIEW-010]', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('pageerror', (error) => failed.push(error.message));
    await page.goto(url);
    // The banner, in NHS CUI form: the name, the NHS number as 3 3 4, the registered practice.
    await page.getByText('DAVIES, Andrew (Mr)').first().waitFor({ timeout: 30_000 });
    const text = await shownText(page);
    expect(text).toContain('999 606 8307');
    expect(text).toContain('20-Mar-1980');
    // Names resolved from references: results from the trust's lab carry only `meta.source` (urn:ods:RVW:LIMS), which
    // the viewer turns into the Organization's name; nothing shows a raw reference or source URN.
    await page.getByText('Wells Hospitals NHS Foundation Trust').first().waitFor({ timeout: 30_000 });
    expect(await shownText(page)).not.toMatch(/urn:ods:|Organization\/|Practitioner\//);
    expect(failed).toEqual([]);
    mkdirSync(`${here}test-results`, { recursive: true });
    await page.screenshot({ path: `${here}test-results/embed-viewer.png`, fullPage: true });

    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const result = await globalThis.axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
    });
    expect(violations).toEqual([]);
    await page.close();
  });
});
