import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';

const SEED = 11;
const PATIENTS = 8;
const shots = resolve(import.meta.dirname, '../test-results/screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface DemoUser {
  id: string;
  role: string;
  organisation?: string;
}

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

describe('break-glass review and roll-out journeys in Chromium [REQ-GOV-013, REQ-GOV-014]', () => {
  let app: ReferenceApp;
  let browser: Browser;
  let users: DemoUser[];
  /** A patient the hospital clinician's trust has no legitimate relationship with. */
  let stranger: { nhsNumber: string; family: string };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-break-glass-journey-')),
      settings: { seed: SEED, patients: PATIENTS, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    const locality = generateLocality({ seed: SEED });
    const trust = users.find((u) => u.role === 'hospital-clinician')!.organisation!;
    for (let i = 3; i < PATIENTS; i++) {
      const record = generatePatient(i, { seed: SEED }, locality);
      if (record.messages.some((m) => m.sender === trust || m.text.includes(`${trust}^ODS`))) continue;
      stranger = { nhsNumber: record.nhsNumber, family: record.patient.name?.[0]?.family ?? '' };
      break;
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function signedIn(path: string, user: DemoUser): Promise<Page> {
    // bypassCSP lets the test inject axe-core; the app itself allows only its own scripts.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${app.url}${path}`);
    await page.click(`button[data-user="${user.id}"]`);
    return page;
  }

  it('a clinician breaks the glass; the privacy officer sees the alert with reason, user, organisation and person, and records the review', async () => {
    expect(stranger).toBeDefined();
    const clinician = users.find((u) => u.role === 'hospital-clinician')!;
    const reason = 'Unconscious in A&E, no other source of medication history';
    const page = await signedIn('/', clinician);
    await page.fill('#nhs', stranger.nhsNumber);
    await page.click('button[type=submit]');
    await page.click('button[data-break-glass]', { timeout: 60_000 });
    await page.click('text=Request emergency access', { timeout: 30_000 });
    await page.fill('textarea', reason);
    await page.click('idcr-break-glass button[type=submit]');
    await page.waitForSelector(`text=${stranger.family.toUpperCase()}`, { timeout: 60_000 });
    await page.close();

    const officer = users.find((u) => u.role === 'privacy-officer')!;
    const admin = await signedIn('/admin', officer);
    await admin.click('nav.tabs button[data-tab=privacy]');
    await admin.waitForSelector('text=1 awaiting review', { timeout: 30_000 });
    const row = admin.locator('tr', { has: admin.locator('form[data-review]') });
    await expect.poll(async () => row.innerText()).toContain(reason);
    const text = await row.innerText();
    expect(text).toContain('BREAK-GLASS');
    expect(text).toContain(`${stranger.nhsNumber.slice(0, 3)} ${stranger.nhsNumber.slice(3, 6)} ${stranger.nhsNumber.slice(6)}`);
    expect(text).toContain(app.locality.organisations.find((o) => o.ods === clinician.organisation)!.name);
    await admin.screenshot({ path: join(shots, 'break-glass-review-queue.png'), fullPage: true });
    await axe(admin, 'break-glass review queue');

    // No outcome chosen: told so, nothing recorded.
    await row.locator('button[type=submit]').click();
    await admin.waitForSelector('text=Choose appropriate or inappropriate.');
    await row.locator('input[value=appropriate]').check();
    await row.locator('textarea').fill('Confirmed with the A&E consultant: emergency care');
    await row.locator('button[type=submit]').click();
    await admin.waitForSelector('text=0 awaiting review', { timeout: 30_000 });
    await admin.waitForSelector('text=1 reviewed');
    await admin.waitForSelector('text=Confirmed with the A&E consultant: emergency care');
    await admin.screenshot({ path: join(shots, 'break-glass-reviewed.png'), fullPage: true });
    await axe(admin, 'break-glass reviewed');

    // The review is in the hash-chained audit, and the chain holds.
    await admin.click('nav.tabs button[data-tab=audit]');
    await admin.waitForSelector('text=audit events', { timeout: 30_000 });
    await admin.click('text=Verify the hash chain');
    await admin.waitForSelector('text=Chain intact', { timeout: 30_000 });
    await admin.close();
    const audit = (await app.store.readAudit({ userId: officer.id })).items.flatMap((r) => (r.event as { reasons?: string[] }).reasons ?? []);
    expect(audit).toContain('privacy-review:appropriate');
  });

  it('a GP outside the pilot group at a practice in staged roll-out is told why the record shows nothing, not "no patient found"', async () => {
    const staged = app.locality.organisations.find((o) => o.kind === 'gp-practice' && o.stage !== 'live')!;
    const outsider = users.filter((u) => u.role === 'gp' && u.organisation === staged.ods)[1]!;
    const page = await signedIn('/', outsider);
    await page.fill('#nhs', stranger.nhsNumber);
    await page.click('button[type=submit]');
    await page.waitForSelector(`text=${staged.name} is in staged roll-out of the shared care record`, { timeout: 30_000 });
    expect(await page.locator('text=No patient found').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'rollout-not-in-stage.png'), fullPage: true });
    await axe(page, 'outside the roll-out stage');
    await page.close();
  });
});
