import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';

const shots = resolve(import.meta.dirname, '../test-results/screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface DemoUser {
  id: string;
  name: string;
  role: string;
  nhsNumber?: string;
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

describe('proxy access journey in the citizen portal, in Chromium [REQ-CIT-002]', () => {
  let app: ReferenceApp;
  let browser: Browser;
  let users: DemoUser[];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-proxy-journey-')),
      settings: { seed: 5, patients: 4, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('an attorney signs in as themselves, chooses the person they act for, sees what that allows, and reads their record', async () => {
    const [proxy, subject] = users.filter((u) => u.role === 'citizen') as [DemoUser, DemoUser];
    const admin = users.find((u) => u.role === 'administrator')!;
    // Staff record the authority in admin, after checking the evidence.
    const staff = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await staff.goto(`${app.url}/admin`);
    await staff.click(`button[data-user="${admin.id}"]`);
    await staff.click('nav.tabs button[data-tab=proxy]');
    await staff.waitForSelector('#proxy-kind', { timeout: 30_000 });
    await staff.selectOption('#proxy-kind', 'lasting-power-of-attorney');
    await staff.fill('#proxy-nhs', proxy.nhsNumber!);
    await staff.fill('#proxy-name', proxy.name);
    await staff.fill('#subject-nhs', subject.nhsNumber!);
    await staff.fill('#proxy-evidence', 'Registered LPA (health and welfare) seen');
    await staff.click('text=Record authority');
    await staff.waitForSelector(`text=Recorded: ${proxy.name} may now act for`, { timeout: 30_000 });
    await staff.waitForSelector('text=In force');
    await staff.screenshot({ path: join(shots, 'proxy-admin-recorded.png'), fullPage: true });
    await axe(staff, 'admin proxy access');
    await staff.close();

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${app.url}/citizen`);
    await page.click(`button[data-user="${proxy.id}"]`);
    await page.waitForSelector('#acting-for', { timeout: 30_000 });
    await page.waitForSelector('text=You are looking at your own record.');
    const subjectName = (await page.locator('#acting-for option').nth(1).innerText()).split(' — ')[0]!;
    await page.selectOption('#acting-for', subject.nhsNumber!);
    await page.waitForSelector(`text=You are acting for ${subjectName} as their lasting power of attorney`);
    await page.waitForSelector('idcr-my-record[status=ready], idcr-my-record', { timeout: 30_000 });
    await expect.poll(async () => page.locator('idcr-my-record').evaluate((el) => (el as unknown as { status: string }).status), { timeout: 30_000 }).toBe('ready');
    await page.screenshot({ path: join(shots, 'proxy-acting-for.png'), fullPage: true });
    await axe(page, 'citizen portal acting for someone');
    await page.close();

    // The person's own access log shows the attorney.
    const person = await app.store.findPersonByNhsNumber(subject.nhsNumber!);
    const rows = (await app.store.readAudit({ patientKey: person!.personId, limit: 500 })).items.map((r) => r.event as { user?: { roleId?: string }; outcome?: string });
    expect(rows.some((e) => e.user?.roleId === 'citizen-proxy:lasting-power-of-attorney' && e.outcome === 'permit')).toBe(true);
  });
});
