import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditChain, verifyStoreAudit } from '@openidcr/architecture';
import { practice, sharedPatients, sourceRecords, startFederatedLocality, synthetic, trust, viewRecord, type FederatedLocality } from './locality.js';

const people = sharedPatients(3);
const gp = synthetic.users.find((u) => u.ods === practice.ods && u.role === 'gp')!;
const pharmacist = synthetic.users.find((u) => u.ods === practice.ods && u.role === 'pharmacist')!;
const key = (r: { type: string; id: string }) => `${r.type}/${r.id}`;
let locality: FederatedLocality;
/** NHS numbers of the records read so far, to check the audit against. */
const viewed: string[] = [];
const read = (nhsNumber: string, userId: string) => {
  viewed.push(nhsNumber);
  return viewRecord(locality, nhsNumber, userId);
};

beforeAll(async () => {
  locality = await startFederatedLocality(people);
});
afterAll(async () => {
  await locality?.close();
});

describe('a federated locality: two source FHIR servers behind the IDCR [REQ-ARC-003]', () => {
  it('$everything merges both sources\' records of the same person, joined by NHS number', async () => {
    for (const person of people) {
      const view = await read(person.nhsNumber, gp.id);
      expect(view.status).toBe(200);
      expect(view.unanswered).toEqual([]);
      // Exactly what the two sources hold about this person, each item once, from the source that holds it.
      const held = [practice.ods, trust.ods].flatMap((ods) =>
        sourceRecords(ods, [person]).filter((r) => r.resourceType === 'Patient' || JSON.stringify(r).includes('"Patient/')).map((r) => ({ key: `${r.resourceType}/${r.id}`, ods })),
      );
      expect(view.items.map(key).sort()).toEqual(held.map((h) => h.key).sort());
      for (const item of view.items) expect(item.source).toBe(held.find((h) => h.key === key(item))!.ods);
      expect(new Set(view.items.map((i) => i.source))).toEqual(new Set([practice.ods, trust.ods]));
      expect(view.items.filter((i) => i.type === 'Patient')).toHaveLength(2);
    }
  });

  it('the merged record goes through the policy point: the pharmacist\'s role view is applied to both sources [REQ-GOV-010]', async () => {
    const person = people.find((p) => p.resources.some((r) => r.resourceType === 'Immunization'))!;
    const gpView = await read(person.nhsNumber, gp.id);
    const pharmacistView = await read(person.nhsNumber, pharmacist.id);
    expect(pharmacistView.status).toBe(200);
    expect(gpView.items.some((i) => i.type === 'Immunization')).toBe(true);
    expect(pharmacistView.items.some((i) => i.type === 'Immunization')).toBe(false);
    expect(pharmacistView.items.some((i) => i.type === 'Observation' && i.source === trust.ods)).toBe(true);
    const hidden = gpView.items.length - pharmacistView.items.length;
    expect(pharmacistView.withheld).toBe(`${hidden} items were withheld by policy (${hidden} your role does not see this part of the record).`);
  });

  it('every view is audited by the IDCR, keyed by NHS number, in an intact chain [REQ-GOV-014]', async () => {
    const events = await readAuditChain(locality.idcr.store);
    expect(events.filter((e) => e.query?.endsWith('/$everything')).map((e) => e.personId).sort()).toEqual([...viewed].sort());
    expect((await verifyStoreAudit(locality.idcr.store)).ok).toBe(true);
  });

  it('with the trust\'s server stopped, the record still answers, and a warning names the source that did not', async () => {
    const person = people[0]!;
    const before = await read(person.nhsNumber, gp.id);
    await locality.sources.acute.close();
    const after = await read(person.nhsNumber, gp.id);
    expect(after.status).toBe(200);
    expect(after.items.map(key).sort()).toEqual(before.items.filter((i) => i.source === practice.ods).map(key).sort());
    expect(after.unanswered).toEqual([{ source: trust.name, diagnostics: expect.stringMatching(new RegExp(`^${trust.name} \\(${trust.ods}\\) could not be reached`)) }]);
  });
});

describe('npm start', () => {
  it('runs the walk-through with one command and exits cleanly', async () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 120_000 });
    expect(stdout).toContain(`from ${practice.name}:`);
    expect(stdout).toContain(`from ${trust.name}:`);
    expect(stdout).toMatch(new RegExp(`warning: ${trust.name} \\(${trust.ods}\\) could not be reached`));
    expect(stdout).toMatch(/Audit \(kept by the IDCR, keyed by NHS number\): \d+ events, chain intact/);
  }, 150_000);
});
