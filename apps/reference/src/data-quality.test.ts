import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MllpClient } from '@openidcr/integration';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { syntheticLocalityInput } from './locality.js';
import { call, practiceOf, tokenFor, type DemoUser } from './merge.fixtures.js';

const SEED = 7;
const settings = { seed: SEED, patients: 6, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' };
const GATE = { minMessages: 5, nhsNumberCompleteness: 0.95, nhsNumberValidity: 1, nameAgreement: 0.95, maxRejectRate: 0.05 };

interface Scorecard {
  channel: string;
  sender: string;
  organisation: string;
  withheldFromClinicians: boolean;
  findings: string[];
  counts: { accepted: number; withoutNhsNumber: number; nameDisagrees: number };
  measures: { nhsNumberCompleteness?: number };
  gate: { state: string; summary: string; checks: Array<{ measure: string; met: boolean }> };
}

/** The app with a data-quality gate on every channel, fed the synthetic population over MLLP (faults as asked). */
async function startFed(faultRate: number): Promise<{ app: ReferenceApp; cards: Scorecard[]; gpView: (ods: string) => Promise<string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'idcr-dq-'));
  const { input } = syntheticLocalityInput(settings);
  const channels = (input as { channels: Array<Record<string, unknown>> }).channels.map((c) => ({ ...c, qualityGate: GATE }));
  writeFileSync(join(dir, 'idcr.config.json'), JSON.stringify({ ...input, channels }));
  const app = await startReferenceApp({ dir, settings, logger: pino({ level: 'silent' }), seed: 'never' });
  const bySender = new Map(app.locality.channels.map((c) => [c.sender, app.mllpPorts[c.id]!]));
  const clients = new Map<string, MllpClient>();
  const records = [...generatePatients({ seed: SEED, patients: settings.patients, faultRate }, generateLocality({ seed: SEED }))];
  try {
    for (const record of records) {
      for (const message of record.messages) {
        const port = bySender.get(message.sender)!;
        const client = clients.get(message.sender) ?? new MllpClient({ port, host: '127.0.0.1', attempts: 1 });
        clients.set(message.sender, client);
        await client.send(message.text);
      }
    }
  } finally {
    for (const client of clients.values()) client.close();
  }
  const users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
  const admin = await tokenFor(app, users.find((u) => u.role === 'administrator')!.id);
  const res = await call(app, admin, '/app/admin/data-quality');
  expect(res.status).toBe(200);
  expect((await call(app, await tokenFor(app, users.find((u) => u.role === 'gp')!.id), '/app/admin/data-quality')).status).toBe(403);
  /** What a GP of the practice (in its roll-out pilot group) sees of a registered patient: `$everything` as text. */
  const gpView = async (ods: string) => {
    const record = records.find((r) => practiceOf(r.patient) === ods)!;
    const gp = await tokenFor(app, users.find((u) => u.role === 'gp' && u.organisation === ods && u.id.endsWith('-1'))!.id);
    const patients = await app.store.findPatientsByNhsNumber(record.nhsNumber);
    const view = await call(app, gp, `/fhir/Patient/${patients[0]!.id}/$everything`);
    expect(view.status).toBe(200);
    return JSON.stringify(view.body);
  };
  return { app, cards: res.body.channels as Scorecard[], gpView };
}

describe('data-quality scorecard and gate [REQ-INT-009]', { timeout: 240_000 }, () => {
  it('a clean feed meets its gate: "passing"', async () => {
    const { app, cards, gpView } = await startFed(0);
    try {
      const gp = cards.filter((c) => c.counts.accepted >= GATE.minMessages && /^f/.test(c.channel));
      expect(gp.length).toBeGreaterThan(0);
      for (const card of gp) {
        expect(card.gate.state, card.gate.summary).toBe('passing');
        expect(card.gate.summary).toBe('passing');
        expect(card.gate.checks.every((c) => c.met)).toBe(true);
        expect(card.measures.nhsNumberCompleteness).toBe(1);
      }
      // Passing: the practice's own items are shown to its GP.
      const view = await gpView(gp[0]!.organisation);
      expect(view).toContain(`urn:ods:${gp[0]!.organisation}`);
      expect(view).not.toContain('data-quality trial');
    } finally {
      await app.close();
    }
  });

  it('a fault-injected feed (missing NHS numbers, misspelt names) is kept in trial, and the scorecard says what is wrong', async () => {
    const { app, cards, gpView } = await startFed(0.5);
    try {
      const failing = cards.filter((c) => c.gate.state === 'trial' && c.counts.withoutNhsNumber > 0);
      expect(failing.length).toBeGreaterThan(0);
      for (const card of failing) {
        expect(card.gate.summary).toMatch(/^trial: not yet passing .*NHS number completeness \d+(\.\d)?% \(needs at least 95%\)/);
        expect(card.gate.checks.find((c) => c.measure === 'nhsNumberCompleteness')?.met).toBe(false);
        expect(card.findings.join(' ')).toMatch(/messages have no NHS number/);
      }
      // In trial: the practice's items are stored but withheld from clinicians, with the reason said.
      const practice = failing.find((c) => /^f/.test(c.channel))!;
      expect(practice.withheldFromClinicians).toBe(true);
      const view = await gpView(practice.organisation);
      expect(view).toContain('data-quality trial');
      expect(view).not.toContain(`"source":"urn:ods:${practice.organisation}`);
      expect((await app.store.listMessages({ limit: 1 })).items.length).toBe(1);
      // Misspelt names are found as names that disagree with the person's other records.
      const misspelt = cards.filter((c) => c.counts.nameDisagrees > 0);
      expect(misspelt.length).toBeGreaterThan(0);
      expect(misspelt[0]!.findings.join(' ')).toMatch(/family name that differs/);
    } finally {
      await app.close();
    }
  });

  it('refuses a bad threshold at start, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-dq-bad-'));
    const { input } = syntheticLocalityInput(settings);
    const channels = (input as { channels: Array<Record<string, unknown>> }).channels.map((c, i) => (i === 0 ? { ...c, qualityGate: { nhsNumberCompleteness: 1.5 } } : c));
    writeFileSync(join(dir, 'idcr.config.json'), JSON.stringify({ ...input, channels }));
    await expect(startReferenceApp({ dir, settings, logger: pino({ level: 'silent' }), seed: 'never' })).rejects.toThrow(/channels[.[]0]?\.?qualityGate\.nhsNumberCompleteness/);
  });
});
