import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditChain } from '@openidcr/architecture';
import { startReferenceApp, type ReferenceApp } from './app.js';

const SEED = 11;
const PATIENTS = 12;
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

// The reference app on the consent-to-view model (SCR style): a hospital clinician must ask the patient and record
// the answer before the shared record opens; the answer is passed to the policy point's decision on the next views.
describe('consent to view at the point of care, in Chromium [REQ-GOV-008]', () => {
  let app: ReferenceApp;
  let browser: Browser;
  let clinician: DemoUser;
  let patient: { nhsNumber: string; family: string };

  const tokenFor = async (userId: string) =>
    ((await (await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) })).json()) as { access_token: string }).access_token;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-consent-journey-')),
      settings: { seed: SEED, patients: PATIENTS, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory', consentModel: 'consent-to-view' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    const users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    clinician = users.find((u) => u.role === 'hospital-clinician')!;
    const locality = generateLocality({ seed: SEED });
    // A patient beyond the demo citizens.
    for (let i = 3; i < PATIENTS; i++) {
      const record = generatePatient(i, { seed: SEED }, locality);
      if (record.resources.some((r) => r.resourceType === 'MedicationStatement' || r.resourceType === 'MedicationRequest')) {
        patient = { nhsNumber: record.nhsNumber, family: record.patient.name?.[0]?.family ?? '' };
        break;
      }
    }
    // They are in the trust's A&E now: the attendance is the legitimate relationship (what an ADT A04 records).
    const person = await app.store.findPersonByNhsNumber(patient.nhsNumber);
    await app.store.putRelationship({ patientKey: person!.personId, id: `ae-${person!.personId}`, userId: '*', organisation: clinician.organisation!, kind: 'encounter', source: 'A&E attendance', startedAt: new Date(Date.now() - 3_600_000).toISOString() });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('the clinician asks, records "the patient agrees to you viewing their record now", and the record opens', async () => {
    expect(patient).toBeDefined();
    const token = await tokenFor(clinician.id);
    const search = (await (await fetch(`${app.url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${patient.nhsNumber}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      entry?: Array<{ resource?: { resourceType: string; issue?: Array<{ diagnostics?: string }> } }>;
    };
    expect(JSON.stringify(search)).toMatch(/permission to view/);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${app.url}/`);
    await page.click(`button[data-user="${clinician.id}"]`);
    await page.fill('#nhs', patient.nhsNumber);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Ask the patient for permission to view', { timeout: 60_000 }).catch(async (error: unknown) => {
      await page.screenshot({ path: join(shots, 'consent-0-failed.png'), fullPage: true });
      throw error;
    });
    await page.screenshot({ path: join(shots, 'consent-1-ask.png'), fullPage: true });
    await axe(page, 'consent to view step');
    await page.click('text=The patient agrees to you viewing their record now');
    await page.waitForSelector(`idcr-record >> text=${patient.family.toUpperCase()}`, { timeout: 60_000 }).catch(async (error: unknown) => {
      await page.screenshot({ path: join(shots, 'consent-0-failed.png'), fullPage: true });
      throw error;
    });
    await page.waitForSelector('idcr-record >> text=Medications', { timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'consent-2-record.png'), fullPage: true });
    await axe(page, 'record after consent to view');
    await page.close();

    // Recorded with who, when and purpose, time-limited, audited; and the policy point now permits this organisation.
    const chain = await readAuditChain(app.store);
    const recorded = chain.find((e) => e.reasons.includes('consent-recorded:consent-to-view:granted'));
    expect(recorded).toMatchObject({ user: { id: clinician.id, organisation: clinician.organisation }, purposeOfUse: 'TREAT', outcome: 'permit' });
    const personId = recorded!.personId;
    const stored = (await app.store.listConsents(personId)).map((c) => c.consent as { provision?: { period?: { start?: string; end?: string } }; performer?: Array<{ identifier?: { value?: string } }> });
    const ctv = stored.find((c) => c.performer?.[0]?.identifier?.value === clinician.id)!;
    expect(Date.parse(ctv.provision!.period!.end!) - Date.parse(ctv.provision!.period!.start!)).toBe(240 * 60_000);
    const after = chain.filter((e) => e.personId === personId && e.user.id === clinician.id && e.query?.includes('$everything'));
    expect(after.at(-1)).toMatchObject({ outcome: 'permit', reasons: expect.arrayContaining(['consent-to-view-granted']) });
  });
});
