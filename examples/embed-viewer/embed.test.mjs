/* global document, Node -- shownText runs in the page */
// The example as a person would use it: `serve.mjs` runs, Chromium opens index.html, the record renders from the plain
// FHIR server with names resolved, and axe finds no WCAG 2.x A/AA violation. Then `serve-idcr.mjs`: another system's
// page on another origin signs in to OpenIDCR and reads its FHIR API (CORS); from an origin not allowed, it cannot.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const servers = [];
let browser;
let url;

/** Runs one of the example's scripts on free ports; resolves with its output once it prints `ready`'s match. */
function serve(script, env, ready) {
  const server = spawn(process.execPath, [script], { cwd: here, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(server);
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      if (ready.test(out)) resolve(out);
    });
    server.stderr.on('data', (chunk) => (out += chunk));
    server.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}

beforeAll(async () => {
  url = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(await serve('serve.mjs', { PORT: '0' }, /Open http:\/\/127\.0\.0\.1:\d+\//))[1];
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
});
afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.kill();
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

/** A full-page screenshot in test-results/. */
async function screenshot(page, name) {
  mkdirSync(`${here}test-results`, { recursive: true });
  await page.screenshot({ path: `${here}test-results/${name}`, fullPage: true });
}

/** axe-core's WCAG 2.x A and AA violations on the page, one line each. */
async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await globalThis.axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
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
    await screenshot(page, 'embed-viewer.png');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('examples/embed-viewer from another origin, reading OpenIDCR in Chromium [#18]', () => {
  /** The person the page shows: synthetic person 31, with allergies and current medication (serve-idcr.mjs). */
  const person = generatePatient(31, { seed: 42 }, generateLocality({ seed: 42 }));
  const allergies = person.resources.filter((r) => r.resourceType === 'AllergyIntolerance').map((r) => r.code.text);
  const medications = person.resources.filter((r) => r.resourceType === 'MedicationStatement' && r.status === 'active').map((r) => r.medicationCodeableConcept.text);
  let idcr;
  let allowed;
  let notAllowed;

  beforeAll(async () => {
    const out = await serve('serve-idcr.mjs', { PORT: '0', IDCR_PORT: '0' }, /Open http:\/\/localhost:\d+\//);
    idcr = /OpenIDCR at (http:\/\/127\.0\.0\.1:\d+)\/fhir/.exec(out)[1];
    allowed = /Open (http:\/\/localhost:\d+\/)/.exec(out)[1];
    notAllowed = /Not allowed: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)[1];
    expect(out).toContain(`NHS number ${person.nhsNumber}`);
  });

  it('puts OpenIDCR and the page on different origins', () => {
    expect(new URL(idcr).origin).not.toBe(new URL(allowed).origin);
    expect(new URL(notAllowed).origin).not.toBe(new URL(allowed).origin);
    expect(new URL(notAllowed).origin).not.toBe(new URL(idcr).origin);
  });

  it('from the allowed origin: signs in by a cross-origin POST to /dev/token and renders the record from OpenIDCR\'s /fhir, allergies and medication included', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const failed = [];
    const apiAnswers = [];
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));
    page.on('pageerror', (error) => failed.push(error.message));
    page.on('response', (response) => {
      if (response.url().startsWith(`${idcr}/`))
        apiAnswers.push(`${response.request().method()} ${response.status()} ${new URL(response.url()).pathname} allowed:${response.headers()['access-control-allow-origin']}`);
    });
    await page.goto(allowed);
    await page.getByText('Signed in to the shared care record').waitFor({ timeout: 30_000 });
    const family = person.patient.name[0].family.toUpperCase();
    await page.getByText(new RegExp(`^${family}, `)).first().waitFor({ timeout: 30_000 });
    // The summary: allergies and current medication, each item by name, read across origins from OpenIDCR.
    for (const name of [...allergies, ...medications]) await page.getByText(name).first().waitFor({ timeout: 30_000 });
    const text = await shownText(page);
    expect(text).toContain('Known allergies');
    expect(text).toContain(person.nhsNumber.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3'));
    expect(await page.locator('idcr-record').getAttribute('status')).toBe('ready');
    // Sources named from OpenIDCR's reference data, never a raw reference or source URN.
    await page.getByText('The Health Centre').first().waitFor({ timeout: 30_000 });
    expect(await shownText(page)).not.toMatch(/urn:ods:|Organization\/|Practitioner\//);
    expect(failed).toEqual([]);
    // Every answer the page read came from OpenIDCR's origin and named the page's origin as allowed: the token, the
    // patient search, the record (the preflights before them are the browser's own, not shown to the page).
    const origin = new URL(allowed).origin;
    expect(apiAnswers).toEqual(expect.arrayContaining([`POST 200 /dev/token allowed:${origin}`, `GET 200 /fhir/Patient allowed:${origin}`]));
    expect(apiAnswers.some((a) => a.startsWith('GET 200 /fhir/Patient/') && a.endsWith(`/$everything allowed:${origin}`))).toBe(true);
    expect(apiAnswers.filter((a) => !a.endsWith(`allowed:${origin}`))).toEqual([]);
    await screenshot(page, 'embed-viewer-other-origin.png');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('from an origin the locality does not allow: the browser blocks the API, no patient data reaches the page, and the viewer says the record could not be loaded', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(notAllowed);
    await page.locator('idcr-record[status="error"]').waitFor({ timeout: 30_000 });
    const text = await shownText(page);
    expect(text).toContain('Could not sign in to the shared care record');
    expect(text).toContain('The record could not be loaded');
    expect(text).toContain('The record service could not be reached.');
    expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    expect(text).not.toContain(person.patient.name[0].family.toUpperCase());
    for (const name of [...allergies, ...medications]) expect(text).not.toContain(name);
    // It was the browser's CORS check that kept the answers from the page, not a server that was down.
    expect(consoleErrors.some((e) => /blocked by CORS policy/.test(e) && e.includes(`'${new URL(notAllowed).origin}'`))).toBe(true);
    await screenshot(page, 'embed-viewer-origin-not-allowed.png');
    await page.close();
  });
});
