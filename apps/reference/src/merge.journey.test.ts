import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { call, demoCitizen, sendUnmatchedAdmission, tokenFor, type DemoUser } from './merge.fixtures.js';

const SEED = 11;
const shots = resolve(import.meta.dirname, '../test-results/screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function axe(page: Page, label: string) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const r = await (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; help: string; nodes: unknown[] }> }> } }).axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
  });
  expect(result, `axe violations on ${label}`).toEqual([]);
}

describe('merge journey in Chromium [REQ-INT-006]', { timeout: 300_000 }, () => {
  let app: ReferenceApp;
  let browser: Browser;
  let users: DemoUser[];
  let person: ReturnType<typeof demoCitizen>;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-merge-journey-')),
      settings: { seed: SEED, patients: 4, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    person = demoCitizen(app, users, SEED, 0);
    await sendUnmatchedAdmission(app, person, 'JRN0001');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signedIn(path: string, user: DemoUser): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${app.url}${path}`);
    await page.click(`button[data-user="${user.id}"]`);
    return page;
  }

  async function gpRecord(): Promise<Page> {
    const page = await signedIn('/', person.gp);
    await page.fill('#nhs', person.nhsNumber);
    await page.click('button[type=submit]');
    await page.waitForSelector(`idcr-record >> text=${person.family.toUpperCase()}`, { timeout: 60_000 });
    await page.waitForSelector('idcr-record >> text=Allergies', { timeout: 30_000 });
    return page;
  }

  async function adminIdentityTab(): Promise<Page> {
    const page = await signedIn('/admin', users.find((u) => u.role === 'administrator')!);
    await page.click('nav.tabs button[data-tab=mpi]');
    await page.waitForSelector('text=Identity review queue', { timeout: 30_000 });
    return page;
  }

  it('an admin accepts a match after seeing what will happen; the GP then sees one person with both sources, and unmerge makes two again', async () => {
    const gpToken = await tokenFor(app, person.gp.id);
    const search = await call(app, gpToken, `/fhir/Patient?identifier=${encodeURIComponent(`https://fhir.nhs.uk/Id/nhs-number|${person.nhsNumber}`)}`);
    const gpPatient = (search.body.entry as Array<{ resource: { resourceType: string; id: string } }>).find((e) => e.resource.resourceType === 'Patient')!.resource.id;
    const everything = async () => JSON.stringify((await call(app, gpToken, `/fhir/Patient/${gpPatient}/$everything`)).body);
    // The hospital's allergy is not part of the GP's view while the two records are apart.
    expect(await everything()).not.toContain('JRN0001');

    const admin = await adminIdentityTab();
    await admin.click('button[data-decide=linked]');
    await admin.waitForSelector('text=What will happen', { timeout: 30_000 });
    await admin.click('text=Confirm: merge into one person');
    await admin.waitForSelector('text=the reason is kept in the audit', { timeout: 10_000 });
    await admin.fill('textarea[name=reason]', 'Same surname and date of birth; identity confirmed with the patient on the ward');
    await admin.screenshot({ path: join(shots, 'merge-1-preview.png'), fullPage: true });
    await axe(admin, 'merge preview');
    await admin.click('text=Confirm: merge into one person');
    await admin.waitForSelector('text=Merged: clinicians now see one person.', { timeout: 30_000 });
    await admin.close();

    const gp = await gpRecord();
    await gp.waitForSelector('idcr-record >> text=Amoxicillin', { timeout: 30_000 });
    expect(await everything()).toContain('JRN0001');
    await gp.screenshot({ path: join(shots, 'merge-2-gp-one-person.png'), fullPage: true });
    await axe(gp, 'merged record');
    await gp.close();

    const again = await adminIdentityTab();
    await again.waitForSelector('button[data-unmerge]', { timeout: 30_000 });
    await again.click('button[data-unmerge]');
    await again.fill('textarea[name=reason]', 'The patient was never admitted to this hospital');
    await axe(again, 'unmerge');
    await again.click('text=Confirm: unmerge');
    await again.waitForSelector('text=Unmerged: they are two people again.', { timeout: 30_000 });
    await again.screenshot({ path: join(shots, 'merge-3-unmerged.png'), fullPage: true });
    // The data-quality scorecards of the same sources, read by the same administrator.
    await again.click('nav.tabs button[data-tab=data-quality]');
    await again.waitForSelector('text=Data quality by source', { timeout: 30_000 });
    await again.waitForSelector('[data-gate]', { timeout: 30_000 });
    await again.screenshot({ path: join(shots, 'data-quality-scorecards.png'), fullPage: true });
    await axe(again, 'data quality');
    await again.close();
    expect(await everything()).not.toContain('JRN0001');
  });
});
