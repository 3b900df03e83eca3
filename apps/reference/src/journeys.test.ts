import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { practiceOf } from './test-support.js';

const SEED = 11;
const PATIENTS = 12;
const shots = resolve(import.meta.dirname, '../test-results/screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface DemoUser {
  id: string;
  role: string;
  organisation?: string;
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

describe('main journeys in Chromium [REQ-VIEW-001, REQ-VIEW-010, REQ-GOV-013, REQ-CIT-002, REQ-CIT-003]', () => {
  let app: ReferenceApp;
  let browser: Browser;
  let users: DemoUser[];
  /** A patient and their registered practice, from the synthetic locality the app was seeded with. */
  let patient: { nhsNumber: string; family: string; given: string; birthDate: string; practice: string };
  /**
   * A patient the hospital clinician's trust has no legitimate relationship with: never admitted, seen or referred
   * there (the feeds record those as relationships), and not the one the virtual ward journey admits.
   */
  let stranger: { nhsNumber: string; family: string };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-journeys-')),
      settings: { seed: SEED, patients: PATIENTS, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    const locality = generateLocality({ seed: SEED });
    // A patient beyond the three demo citizens, on medication, registered at a practice with a GP and a pharmacist.
    for (let i = 3; i < PATIENTS; i++) {
      const record = generatePatient(i, { seed: SEED }, locality);
      const practice = practiceOf(record.patient);
      const onMedication = record.resources.some((r) => r.resourceType === 'MedicationStatement' || r.resourceType === 'MedicationRequest');
      if (practice && onMedication && users.some((u) => u.role === 'pharmacist' && u.organisation === practice)) {
        patient = { nhsNumber: record.nhsNumber, family: record.patient.name?.[0]?.family ?? '', given: record.patient.name?.[0]?.given?.[0] ?? '', birthDate: record.patient.birthDate ?? '', practice };
        break;
      }
    }
    const trust = users.find((u) => u.role === 'hospital-clinician')?.organisation;
    for (let i = 3; i < PATIENTS && trust; i++) {
      const record = generatePatient(i, { seed: SEED }, locality);
      if (record.nhsNumber === patient?.nhsNumber) continue;
      if (record.messages.some((m) => m.sender === trust || m.text.includes(`${trust}^ODS`))) continue;
      stranger = { nhsNumber: record.nhsNumber, family: record.patient.name?.[0]?.family ?? '' };
      break;
    }
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
    // bypassCSP lets the test inject axe-core; the app itself allows only its own scripts.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await page.goto(`${app.url}${path}`);
    await page.click(`button[data-user="${user.id}"]`);
    return page;
  }

  async function openRecord(page: Page, nhsNumber: string) {
    await page.fill('#nhs', nhsNumber);
    await page.click('button[type=submit]');
  }

  it('a GP finds a registered patient by NHS number and reads the record', async () => {
    expect(patient).toBeDefined();
    const gp = users.find((u) => u.role === 'gp' && u.organisation === patient.practice)!;
    const page = await signedIn('/', gp);
    await openRecord(page, patient.nhsNumber);
    await page.waitForSelector(`text=${patient.family.toUpperCase()}`, { timeout: 60_000 });
    await page.waitForSelector('text=Medications', { timeout: 30_000 });
    expect(await page.textContent('idcr-record')).toBeDefined();
    await page.screenshot({ path: join(shots, '1-gp-record.png'), fullPage: true });
    await axe(page, 'GP record');
    await page.close();
  });

  it('a hospital admission sent over MLLP puts the patient on their GP\'s virtual ward, and the GP opens the record from it', async () => {
    const { MllpClient } = await import('@openidcr/integration');
    const acute = app.locality.channels.find((c) => c.profile === 'acute-pas')!;
    const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
    const admitted = new Date(Date.now() - 2 * 86_400_000);
    const message = [
      `MSH|^~\\&|PAS|${acute.sender}|OPENIDCR|LOCALITY|${hl7Time(new Date())}||ADT^A01^ADT_A01|JOURNEY-WARD-1|P|2.4|||AL|NE`,
      `EVN|A01|${hl7Time(admitted)}`,
      `PID|1||${patient.nhsNumber}^^^NHS^NH~JW0001^^^${acute.sender}^MR||${patient.family.toUpperCase()}^${patient.given}||${patient.birthDate.replace(/-/g, '')}|U`,
      `PD1|||PRACTICE^^${patient.practice}`,
      `PV1|1|I|RESPIRATORY WARD^BED 4^^${acute.sender}||||||||||||||||V-JOURNEY-1^^^${acute.sender}^VN|||||||||||||||||||||||||${hl7Time(admitted)}`,
    ].join('\r');
    const client = new MllpClient({ port: app.mllpPorts[acute.id]!, host: '127.0.0.1', attempts: 1 });
    const ack = await client.send(message);
    client.close();
    expect(ack).toMatch(/MSA\|(AA|CA)\|JOURNEY-WARD-1/);
    // The admission is a legitimate relationship: the trust's clinicians read the record without breaking the glass.
    const clinician = users.find((u) => u.role === 'hospital-clinician' && u.organisation === acute.organisation);
    expect(clinician).toBeDefined();
    const token = ((await (await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: clinician!.id }) })).json()) as { access_token: string }).access_token;
    const search = (await (await fetch(`${app.url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${patient.nhsNumber}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { entry?: Array<{ resource?: { resourceType: string; id: string } }> };
    const id = search.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource?.id;
    expect(id).toBeDefined();
    expect((await fetch(`${app.url}/fhir/Patient/${id}/$everything`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);

    const gp = users.find((u) => u.role === 'gp' && u.organisation === patient.practice)!;
    const page = await signedIn('/', gp);
    await page.click('text=Virtual ward: our patients in hospital');
    await page.waitForSelector(`idcr-virtual-ward >> text=${patient.family.toUpperCase()}`, { timeout: 60_000 });
    await page.waitForSelector('idcr-virtual-ward >> text=/respiratory ward/i', { timeout: 10_000 });
    // The feed names the hospital by ODS code only; the locality's organisations resolve it to a name.
    const hospital = app.locality.organisations.find((o) => o.ods === acute.organisation)!.name;
    await page.waitForSelector(`idcr-virtual-ward >> text=${hospital}`, { timeout: 10_000 });
    await page.screenshot({ path: join(shots, '8-gp-virtual-ward.png'), fullPage: true });
    await axe(page, 'virtual ward');
    await page.click(`idcr-virtual-ward >> a:has-text("${patient.family.toUpperCase()}")`);
    await page.waitForSelector('idcr-record >> text=Medications', { timeout: 60_000 });
    await page.close();
  });

  it('a pharmacist sees medications and allergies but not letters or results [REQ-GOV-010]', async () => {
    const pharmacist = users.find((u) => u.role === 'pharmacist' && u.organisation === patient.practice)!;
    const page = await signedIn('/', pharmacist);
    await openRecord(page, patient.nhsNumber);
    await page.waitForSelector(`text=${patient.family.toUpperCase()}`, { timeout: 60_000 });
    // What the pharmacist's view holds is decided by the policy point: check the record the API gave the viewer.
    const token = ((await (await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: pharmacist.id }) })).json()) as { access_token: string }).access_token;
    const search = (await (await fetch(`${app.url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${patient.nhsNumber}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { entry?: Array<{ resource?: { resourceType: string; id: string } }> };
    const id = search.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource?.id;
    expect(id).toBeDefined();
    const everything = (await (await fetch(`${app.url}/fhir/Patient/${id}/$everything`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { entry?: Array<{ resource?: { resourceType: string } }> };
    const types = new Set((everything.entry ?? []).map((e) => e.resource?.resourceType));
    expect(types.has('DocumentReference')).toBe(false);
    expect(types.has('Encounter')).toBe(false);
    expect(types.has('MedicationStatement') || types.has('MedicationRequest')).toBe(true);
    await page.screenshot({ path: join(shots, '2-pharmacist-record.png'), fullPage: true });
    await page.close();
  });

  it('a social worker without a relationship is denied and told why', async () => {
    const social = users.find((u) => u.role === 'social-worker')!;
    const page = await signedIn('/', social);
    await openRecord(page, patient.nhsNumber);
    await page.waitForSelector('text=You do not have access to this record', { timeout: 60_000 });
    expect(await page.textContent('#results')).toContain('legitimate relationship');
    await page.screenshot({ path: join(shots, '3-social-worker-denied.png'), fullPage: true });
    await axe(page, 'denied');
    await page.close();
  });

  it('an A&E clinician with no relationship breaks the glass with a reason and reads the record', async () => {
    expect(stranger).toBeDefined();
    const clinician = users.find((u) => u.role === 'hospital-clinician')!;
    const page = await signedIn('/', clinician);
    await openRecord(page, stranger.nhsNumber);
    await page.click('button[data-break-glass]', { timeout: 60_000 });
    await page.click('text=Request emergency access', { timeout: 30_000 });
    await page.fill('textarea', 'Unconscious in A&E, no other source of medication history');
    await page.click('idcr-break-glass button[type=submit]');
    await page.waitForSelector(`text=${stranger.family.toUpperCase()}`, { timeout: 60_000 });
    await page.screenshot({ path: join(shots, '4-break-glass.png'), fullPage: true });
    await axe(page, 'record after break-glass');
    await page.close();
  });

  it('a citizen opts out, and the next clinician view is blocked', async () => {
    const citizen = users.find((u) => u.role === 'citizen')!;
    const page = await signedIn('/citizen', citizen);
    await page.click('nav.tabs button[data-tab=sharing]');
    await page.check('#opt-out', { timeout: 30_000 });
    await page.click('text=Save my choice');
    await page.waitForSelector('[part=receipt]', { timeout: 30_000 });
    await page.screenshot({ path: join(shots, '5-citizen-opted-out.png'), fullPage: true });
    await axe(page, 'citizen preferences');
    await page.close();

    const record = generatePatient(0, { seed: SEED }, generateLocality({ seed: SEED }));
    const practice = practiceOf(record.patient);
    const gp = users.find((u) => u.role === 'gp' && u.organisation === practice)!;
    const token = ((await (await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: gp.id }) })).json()) as { access_token: string }).access_token;
    const search = (await (await fetch(`${app.url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${citizen.nhsNumber}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      entry?: Array<{ resource?: { resourceType: string; issue?: Array<{ diagnostics?: string }> } }>;
    };
    expect(search.entry?.some((e) => e.resource?.resourceType === 'Patient')).toBe(false);
    expect(JSON.stringify(search)).toMatch(/opt|object/i);
  });

  it('the privacy officer sees the break-glass and the denial in the audit, with the chain intact [REQ-GOV-014, REQ-GOV-015]', async () => {
    const officer = users.find((u) => u.role === 'privacy-officer')!;
    const page = await signedIn('/admin', officer);
    await page.click('nav.tabs button[data-tab=audit]');
    await page.waitForSelector('text=audit events', { timeout: 30_000 });
    await page.screenshot({ path: join(shots, '6-privacy-officer-audit.png'), fullPage: true });
    await page.waitForSelector('text=BREAK-GLASS', { timeout: 30_000 });
    await page.click('text=Verify the hash chain');
    await page.waitForSelector('text=Chain intact', { timeout: 30_000 });
    await page.screenshot({ path: join(shots, '6-privacy-officer-audit.png'), fullPage: true });
    await axe(page, 'audit');
    await page.close();
  });

  it('an administrator sees a rejected feed message in dead letters and replays it', async () => {
    const { MllpClient } = await import('@openidcr/integration');
    const port = Object.values(app.mllpPorts)[0]!;
    const client = new MllpClient({ port, host: '127.0.0.1', attempts: 1 });
    const ack = await client.send('MSH|^~\\&|PAS|RVW|OPENIDCR|OPENIDCR|20260101120000||ADT^A01|BROKEN1|P|2.4\rEVN|A01|20260101120000\r');
    client.close();
    expect(ack).toMatch(/MSA\|A[ER]\|BROKEN1/);
    const admin = users.find((u) => u.role === 'administrator')!;
    const page = await signedIn('/admin', admin);
    await page.click('nav.tabs button[data-tab=integration]');
    await page.waitForSelector('text=Dead letters', { timeout: 30_000 });
    await page.screenshot({ path: join(shots, '7-admin-dead-letters.png'), fullPage: true });
    await page.waitForSelector('button[data-replay]', { timeout: 30_000 });
    await page.click('button[data-replay]');
    await page.waitForSelector('text=/Replayed and accepted|Still rejected/', { timeout: 30_000 });
    await page.screenshot({ path: join(shots, '7-admin-dead-letters.png'), fullPage: true });
    await axe(page, 'integration');
    await page.close();
  });
});
