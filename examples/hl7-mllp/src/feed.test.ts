import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fhirGet, people, sendFeed, startIdcr, synthetic, withBadBirthDate, type Acknowledged, type RunningIdcr } from './feed.js';

const person = people(2)[1]!; // a GP feed that ends with a message carrying PD1 (the registered practice)
const gpId = (person.patient.generalPractitioner ?? []).map((r) => r.reference ?? '').find((r) => r.startsWith('Practitioner/'))!.slice('Practitioner/'.length);
const folder = await mkdtemp(join(tmpdir(), 'openidcr-hl7-mllp-test-'));
let running: RunningIdcr;
let acks: Acknowledged[];

beforeAll(async () => {
  running = await startIdcr(`pglite:${folder}`);
  const first = person.messages[0]!;
  acks = await sendFeed(running.mllpPorts, [...person.messages, first, withBadBirthDate(first, 'BADDOB')]);
});
afterAll(async () => {
  await running?.close();
  await rm(folder, { recursive: true, force: true });
});

describe('an HL7 v2 feed over MLLP into a running OpenIDCR [REQ-INT-001]', () => {
  it('every message of the feed is acknowledged as stored (commit accept: the messages ask for enhanced mode)', () => {
    expect(person.messages.every((m) => m.text.split('\r')[0]!.split('|')[14] === 'AL')).toBe(true);
    expect(acks.slice(0, person.messages.length).map((a) => `${a.controlId} ${a.code}`)).toEqual(person.messages.map((m) => `${m.controlId} CA`));
  });

  it('a resent message gets the stored ACK again, and is stored once', async () => {
    const resent = acks[person.messages.length]!;
    expect(resent.ack).toBe(acks[0]!.ack);
    const logged = await running.idcr.store.listMessages({ controlId: person.messages[0]!.controlId });
    expect(logged.items.map((m) => m.outcome)).toEqual(['accepted']);
  });

  it('a message with a bad field is refused with an error naming it, and kept as a dead letter', async () => {
    const bad = acks.at(-1)!;
    expect(bad.code).toBe('CE');
    expect(bad.text).toMatch(/^PID\.7: "20th March 1980" is not an HL7 date/);
    const letters = await running.idcr.store.listDeadLetters({ replayed: false });
    expect(letters.items.map((l) => l.raw)).toContainEqual(expect.stringContaining('|BADDOB|'));
  });

  it('the patient reads back through the FHIR API with the resources the feed carried', async () => {
    const search = await fhirGet(running.baseUrl, gpId, `/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${person.nhsNumber}`);
    expect(search.status).toBe(200);
    type Entry = { resource: { resourceType: string; id: string; birthDate?: string; meta?: { source?: string } }; search?: { mode?: string } };
    const patient = (search.body.entry as Entry[]).find((e) => e.resource.resourceType === 'Patient')!.resource;
    expect(patient.birthDate).toBe(person.patient.birthDate);
    const everything = await fhirGet(running.baseUrl, gpId, `/fhir/Patient/${patient.id}/$everything`);
    expect(everything.status).toBe(200);
    const found = (everything.body.entry as Entry[]).filter((e) => e.search?.mode === 'match').map((e) => e.resource);
    // What the GP system's feed held (problems, prescriptions, allergies, vaccinations) came through, from its practice.
    const types = new Set(found.map((r) => r.resourceType));
    for (const type of ['Patient', 'Condition', 'MedicationRequest', 'Immunization']) expect(types).toContain(type);
    const expectedConditions = person.resources.filter((r) => r.resourceType === 'Condition').length;
    expect(found.filter((r) => r.resourceType === 'Condition')).toHaveLength(expectedConditions);
    const practice = synthetic.users.find((u) => u.id === gpId)!.ods;
    expect(found.every((r) => r.meta?.source === `urn:ods:${practice}`)).toBe(true);
  });

  it('the record is kept on disk in the PGlite folder', async () => {
    expect((await readdir(folder)).length).toBeGreaterThan(0);
  });
});

describe('npm start', () => {
  it('sends the feeds, prints the ACKs and the patient read back, cleans up and exits', async () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const scratch = await mkdtemp(join(tmpdir(), 'openidcr-hl7-mllp-start-')); // the child's TMPDIR, to see it clean up
    const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 240_000, env: { ...process.env, TMPDIR: scratch, IDCR_PEOPLE: '2' } });
    expect(stdout).toMatch(/^ {2}CA {2}C59041 {2}ADT\^A28 /m);
    expect(stdout).toMatch(/ACKs: 13 CA, 1 CE/); // two people's feeds (6 + 6 messages), the resend, the bad one
    expect(stdout).toMatch(/\$everything {2}HTTP 200: .*Condition/);
    expect(await readdir(scratch)).toEqual([]);
    await rm(scratch, { recursive: true, force: true });
  }, 300_000);
});
