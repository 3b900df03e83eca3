import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { MllpClient } from '@openidcr/integration';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { practiceOf } from './test-support.js';

/**
 * #17 item 3 through the running app: a hospital's DG1 diagnoses coded in ICD-10 (HIV B20, medical abortion O04) and
 * Read (A7881) reach the record over MLLP labelled, and the patient's GP does not see them, while the same hospital's
 * other diagnosis is shown. The fair processing notice names the same categories.
 */
const SEED = 11;
describe('sensitive data by terminology in the running app [#17 item 3]', () => {
  let app: ReferenceApp;
  let users: Array<{ id: string; role: string; organisation?: string }>;
  beforeAll(async () => {
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-sensitive-')),
      settings: { seed: SEED, patients: 4, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as typeof users;
  }, 600_000);
  afterAll(async () => {
    await app?.close();
  });

  const token = async (userId: string) =>
    ((await (await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) })).json()) as { access_token: string }).access_token;

  it("a hospital's ICD-10 B20 and O04 and Read A7881 diagnoses are withheld from the GP; its diabetes diagnosis is shown", async () => {
    const locality = generateLocality({ seed: SEED });
    const record = generatePatient(3, { seed: SEED }, locality);
    const practice = practiceOf(record.patient);
    expect(practice, 'a patient registered at a practice with a demo GP').toBeDefined();
    const gp = users.find((u) => u.role === 'gp' && u.organisation === practice)!;
    const acute = app.locality.channels.find((c) => c.profile === 'acute-pas')!;
    const family = record.patient.name?.[0]?.family ?? 'SMITH';
    const message = [
      `MSH|^~\\&|PAS|${acute.sender}|OPENIDCR|LOCALITY|20260110093000||ADT^A31^ADT_A05|SENSITIVE-1|P|2.4|||AL|NE`,
      'EVN|A31|20260110093000',
      `PID|1||${record.nhsNumber}^^^NHS^NH||${family.toUpperCase()}^${record.patient.name?.[0]?.given?.[0] ?? ''}||${(record.patient.birthDate ?? '').replace(/-/g, '')}|U`,
      'DG1|1||B20.1^HIV disease resulting in other bacterial infections^I10||20260110',
      'DG1|2||O04.9^Medical abortion, complete or unspecified^I10||20260110',
      'DG1|3||A7881^Asymptomatic HIV infection^READ||20260110',
      'DG1|4||E11.9^Type 2 diabetes mellitus^I10||20260110',
    ].join('\r');
    const client = new MllpClient({ port: app.mllpPorts[acute.id]!, host: '127.0.0.1', attempts: 1 });
    const ack = await client.send(message);
    client.close();
    expect(ack).toMatch(/MSA\|(AA|CA)\|SENSITIVE-1/);

    const bearer = await token(gp.id);
    const search = (await (await fetch(`${app.url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${record.nhsNumber}`, { headers: { Authorization: `Bearer ${bearer}` } })).json()) as { entry?: Array<{ resource?: { resourceType: string; id: string } }> };
    const id = search.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource?.id;
    expect(id).toBeDefined();
    const everything = await fetch(`${app.url}/fhir/Patient/${id}/$everything`, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(everything.status).toBe(200);
    const bundle = (await everything.json()) as { entry?: Array<{ resource: { resourceType: string; code?: { coding?: Array<{ code?: string }> } } }> };
    const codes = (bundle.entry ?? []).filter((e) => e.resource.resourceType === 'Condition').map((e) => e.resource.code?.coding?.[0]?.code);
    expect(codes).toContain('E11.9');
    for (const hidden of ['B20.1', 'O04.9', 'A7881']) expect(codes).not.toContain(hidden);
    // The stored items carry their labels, so any FHIR server the record is exported to sees them too.
    const stored = await app.store.listResources({ patientKey: id!, headings: ['problems'] });
    const labelled = Object.fromEntries(stored.items.map((r) => r.resource as { code?: { coding?: Array<{ code?: string }> }; meta?: { security?: Array<{ code: string }> } }).map((r) => [r.code?.coding?.[0]?.code, (r.meta?.security ?? []).map((s: { code: string }) => s.code)]));
    expect(labelled).toMatchObject({ 'B20.1': ['HIV'], 'O04.9': ['SEX'], A7881: ['HIV'], 'E11.9': [] });
  });

  it('the fair processing notice names each category from the same sets', async () => {
    const res = await fetch(`${app.url}/citizen/notice`);
    if (res.status === 404) return expect.fail('no notice route at /citizen/notice');
    const text = await res.text();
    for (const words of ['sexual health', 'HIV', 'fertility treatment', 'termination of pregnancy']) expect(text).toContain(words);
  });
});
