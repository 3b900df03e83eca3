import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditChain, verifyStoreAudit } from '@openidcr/architecture';
import { council, peopleWithSocialCare, startLocality, synthetic, viewRecord, type RunningLocality } from './locality.js';
import { socialCareOptInConsent, socialCareOptInModel } from './social-care-opt-in.js';

// The same person in two running localities: one under implied consent (the ISA's default), one under the model.
const [person] = peopleWithSocialCare(1);
const gpId = (person!.patient.generalPractitioner ?? []).map((r) => r.reference ?? '').find((r) => r.startsWith('Practitioner/'))!.slice('Practitioner/'.length);
const gp = synthetic.users.find((u) => u.id === gpId)!;
const socialWorker = synthetic.users.find((u) => u.ods === council.ods && u.role === 'social-worker')!;
const fromCouncil = (view: Awaited<ReturnType<typeof viewRecord>>) => view.items.filter((i) => i.source === council.ods);

let implied: RunningLocality;
let ours: RunningLocality;
const ids = { implied: '', ours: '' };

beforeAll(async () => {
  implied = await startLocality({ people: [person!] });
  ours = await startLocality({ consentModel: socialCareOptInModel(), people: [person!] });
  for (const [key, locality] of [['implied', implied], ['ours', ours]] as const) {
    ids[key] = await locality.personId(person!.nhsNumber);
    await locality.joinCareTeam(ids[key], gp.ods);
    await locality.joinCareTeam(ids[key], council.ods);
  }
});
afterAll(async () => {
  await Promise.all([implied?.close(), ours?.close()]);
});

describe('a locality with its own consent model, through createIdcr and the FHIR API', () => {
  it('the person has social care records from the council in both localities', async () => {
    expect(person!.resources.some((r) => r.meta?.source?.startsWith(`urn:ods:${council.ods}:`))).toBe(true);
    expect(fromCouncil(await viewRecord(implied, ids.implied, socialWorker.id)).length).toBeGreaterThan(0);
  });

  it('a GP sees the council\'s records under implied consent, and not under the locality\'s model [REQ-GOV-017]', async () => {
    const before = await viewRecord(implied, ids.implied, gp.id);
    const after = await viewRecord(ours, ids.ours, gp.id);
    expect(before.status).toBe(200);
    expect(after.status).toBe(200);
    expect(fromCouncil(before).map((i) => i.type)).toContain('EpisodeOfCare');
    expect(fromCouncil(after)).toEqual([]);
    // Everything else is the same record: only the council's items are gone, and the notice counts them.
    expect(after.items.map((i) => `${i.type}|${i.source}`).sort()).toEqual(before.items.filter((i) => i.source !== council.ods).map((i) => `${i.type}|${i.source}`).sort());
    expect(after.withheld).toMatch(new RegExp(`${fromCouncil(before).length} the organisation that recorded it does not share it with you`));
  });

  it('social care staff see the same record under both models', async () => {
    const a = await viewRecord(implied, ids.implied, socialWorker.id);
    const b = await viewRecord(ours, ids.ours, socialWorker.id);
    expect(b.status).toBe(200);
    expect(b.items.map((i) => `${i.type}|${i.source}`).sort()).toEqual(a.items.map((i) => `${i.type}|${i.source}`).sort());
    expect(b.items.some((i) => i.source === gp.ods)).toBe(true);
  });

  it('once the council records the person\'s opt-in, the GP sees the social care records', async () => {
    await ours.idcr.store.putConsent(ids.ours, socialCareOptInConsent({ id: `opt-in-${ids.ours}`, patientId: ids.ours, councilOds: council.ods, recordedAt: '2026-06-01T09:00:00Z', recordedBy: socialWorker.name }));
    const view = await viewRecord(ours, ids.ours, gp.id);
    expect(fromCouncil(view).map((i) => i.type)).toContain('EpisodeOfCare');
    expect(view.items.length).toBe((await viewRecord(implied, ids.implied, gp.id)).items.length);
  });

  it('every view is audited under the locality\'s model, in an intact hash chain [REQ-GOV-014]', async () => {
    const events = await readAuditChain(ours.idcr.store);
    const views = events.filter((e) => e.query?.endsWith('/$everything'));
    expect(views.length).toBe(3); // this locality was read three times above: GP, social worker, GP after the opt-in
    expect(new Set(views.map((e) => e.consentModel))).toEqual(new Set(['social-care-opt-in']));
    const gpViews = views.filter((e) => e.user.id === gp.id);
    expect(gpViews[0]!.sources).not.toContain(council.ods);
    expect(gpViews[0]!.withheld).toMatchObject({ 'source-not-permitted': 1 });
    expect(gpViews.at(-1)!.sources).toContain(council.ods);
    expect(await verifyStoreAudit(ours.idcr.store)).toEqual({ ok: true, length: events.length });
    expect(new Set((await readAuditChain(implied.idcr.store)).map((e) => e.consentModel))).toEqual(new Set(['implied-opt-out']));
  });
});

describe('npm start', () => {
  it('runs the walk-through with one command and exits cleanly', async () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    // A fresh process starts PGlite (WebAssembly) for two localities: seconds on a quiet machine, over a minute on a busy CI one.
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 170_000 });
    expect(stdout).toMatch(/this locality's model \(social-care-opt-in\): HTTP 200/);
    expect(stdout).toMatch(/the organisation that recorded it does not share it with you/);
    expect(stdout).toMatch(/Every view was audited: \d+ events in the hash chain, chain intact/);
  }, 180_000);
});
