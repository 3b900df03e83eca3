import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localIdentifierSystem } from '@openidcr/model';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { call, demoCitizen, sendUnmatchedAdmission, tokenFor, type DemoUser } from './merge.fixtures.js';

const SEED = 7;
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

describe('MPI merge and unmerge through the admin API [REQ-INT-006]', { timeout: 240_000 }, () => {
  let app: ReferenceApp;
  let users: DemoUser[];
  let person: ReturnType<typeof demoCitizen>;
  let admin: string;
  let gp: string;
  let hospital: string;
  let citizen: string;
  let survivorId: string;
  let mergedId: string;
  let hospitalPatientId: string;
  const MRN = 'MRG0001';

  const everythingText = async (token: string, patientId: string) => {
    const res = await call(app, token, `/fhir/Patient/${patientId}/$everything`);
    expect(res.status).toBe(200);
    return JSON.stringify(res.body);
  };
  const gpPatientId = async () => {
    const search = await call(app, gp, `/fhir/Patient?identifier=${encodeURIComponent(`${NHS}|${person.nhsNumber}`)}`);
    return (search.body.entry as Array<{ resource: { resourceType: string; id: string; identifier?: Array<{ system?: string }> } }>).find((e) => e.resource.resourceType === 'Patient' && e.resource.identifier?.some((i) => i.system === NHS))!.resource.id;
  };
  const accessLog = async () => (await call(app, citizen, '/citizen/me/access-log?limit=100')).body as { total: number; entries: Array<{ who: { organisation?: { ods: string } } }> };

  beforeAll(async () => {
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-merge-')),
      settings: { seed: SEED, patients: 4, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'if-empty',
    });
    await app.seeded;
    users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
    person = demoCitizen(app, users, SEED, 0);
    admin = await tokenFor(app, users.find((u) => u.role === 'administrator')!.id);
    gp = await tokenFor(app, person.gp.id);
    citizen = await tokenFor(app, person.citizen.id);
    const { acute, authority } = await sendUnmatchedAdmission(app, person, MRN);
    hospital = await tokenFor(app, users.find((u) => u.role === 'hospital-clinician' && u.organisation === acute.organisation)!.id);
    hospitalPatientId = (await app.store.findPatientsByIdentifier(localIdentifierSystem(authority), MRN))[0]!.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('queues the uncertain match; before a decision the GP sees half the person', async () => {
    const queue = await call(app, admin, '/app/admin/mpi/review');
    const survivor = (await app.store.findPersonByNhsNumber(person.nhsNumber))!;
    const link = (queue.body.items as Array<{ personId: string; candidatePersonId: string }>).find((l) => l.candidatePersonId === survivor.personId);
    expect(link).toBeDefined();
    mergedId = link!.personId;
    survivorId = survivor.personId;
    expect(await everythingText(gp, await gpPatientId())).not.toContain(MRN);
    // The hospital clinician looks at the provisional record: that view is audited under the provisional person.
    expect(await everythingText(hospital, hospitalPatientId)).toContain(MRN);
    expect((await accessLog()).entries.some((e) => e.who.organisation?.ods === app.locality.channels.find((c) => c.profile === 'acute-pas')!.organisation)).toBe(false);
  });

  it('needs a reason, and shows what a merge will do before it is done', async () => {
    const missing = await call(app, admin, '/app/admin/mpi/review', { personId: mergedId, candidatePersonId: survivorId, decision: 'linked' });
    expect(missing.status).toBe(400);
    expect(missing.body.issue[0].diagnostics).toMatch(/^reason: required/);
    const preview = await call(app, admin, `/app/admin/mpi/preview?personId=${mergedId}&candidatePersonId=${survivorId}`);
    expect(preview.status).toBe(200);
    expect(preview.body.survivor.personId).toBe(survivorId);
    expect(preview.body.merged.personId).toBe(mergedId);
    expect(preview.body.merged.resources.AllergyIntolerance).toBe(1);
    expect(preview.body.blocked).toBeUndefined();
    expect(preview.body.effect.join(' ')).toContain('join the record of');
    expect((await call(app, gp, `/app/admin/mpi/preview?personId=${mergedId}&candidatePersonId=${survivorId}`)).status).toBe(403);
  });

  it('accepting the match makes one person in every view, and is audited', async () => {
    const accepted = await call(app, admin, '/app/admin/mpi/review', { personId: mergedId, candidatePersonId: survivorId, decision: 'linked', reason: 'Same DOB and surname; ward confirmed identity with the patient' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.merged).toEqual({ survivorId, mergedId });
    expect((await call(app, admin, '/app/admin/mpi/review', { personId: mergedId, candidatePersonId: survivorId, decision: 'linked', reason: 'again, twice' })).status).toBe(409);

    // $everything from the GP's Patient: the hospital's Patient and allergy are there.
    const record = await everythingText(gp, await gpPatientId());
    expect(record).toContain(MRN);
    expect(record).toContain('Amoxicillin');
    // Search: every Patient of the person links to the others, so a client lists one person.
    const search = await call(app, gp, `/fhir/Patient?family=${encodeURIComponent(person.family)}&birthdate=${person.birthDate}`);
    const patients = (search.body.entry as Array<{ resource: { resourceType: string; id: string; link?: Array<{ other: { reference: string }; type: string }> } }>).map((e) => e.resource).filter((r) => r.resourceType === 'Patient');
    const hospitalPatient = patients.find((p) => p.id === hospitalPatientId)!;
    expect(hospitalPatient.link?.map((l) => l.type)).toContain('seealso');
    expect(hospitalPatient.link?.map((l) => l.other.reference)).toContain(`Patient/${await gpPatientId()}`);
    // The virtual ward: the hospital admission of the provisional record is now the GP's patient in hospital.
    const ward = await call(app, gp, `/fhir/Encounter?patient.general-practitioner=Organization/${person.practice}&status=in-progress`);
    expect(JSON.stringify(ward.body)).toContain(`V-${MRN}`);
    // The citizen's own log now holds the hospital clinician's view of the record that was provisional.
    const acuteOds = app.locality.channels.find((c) => c.profile === 'acute-pas')!.organisation;
    expect((await accessLog()).entries.some((e) => e.who.organisation?.ods === acuteOds)).toBe(true);
    // Listed as a merge an administrator can undo; audited with who and why; the chain holds.
    const merges = await call(app, admin, '/app/admin/mpi/merges');
    expect(merges.body.items).toContainEqual(expect.objectContaining({ survivorId, mergedId }));
    const audit = JSON.stringify((await call(app, admin, '/app/admin/audit?limit=500')).body);
    expect(audit).toContain('mpi-decision:merge');
    expect(audit).toContain('ward confirmed identity');
    expect((await call(app, admin, '/app/admin/audit/verify')).body.ok).toBe(true);
  });

  it('unmerge needs a reason and restores both people exactly', async () => {
    const before = await app.store.getPerson(mergedId);
    expect(before?.mergedInto).toBe(survivorId);
    const missing = await call(app, admin, '/app/admin/mpi/unmerge', { survivorId, mergedId });
    expect(missing.status).toBe(400);
    expect(missing.body.issue[0].diagnostics).toMatch(/^reason: required/);
    const unknown = await call(app, admin, '/app/admin/mpi/unmerge', { survivorId, mergedId: 'nobody', reason: 'wrong person merged' });
    expect(unknown.status).toBe(404);
    const undone = await call(app, admin, '/app/admin/mpi/unmerge', { survivorId, mergedId, reason: 'Patient says they were never admitted there' });
    expect(undone.status).toBe(200);
    const restored = (await app.store.getPerson(mergedId))!;
    expect(restored.mergedInto).toBeUndefined();
    expect(restored.localIds.map((l) => l.value)).toContain(MRN);
    expect(await everythingText(gp, await gpPatientId())).not.toContain(MRN);
    expect(await everythingText(hospital, hospitalPatientId)).toContain('Amoxicillin');
    const acuteOds = app.locality.channels.find((c) => c.profile === 'acute-pas')!.organisation;
    expect((await accessLog()).entries.some((e) => e.who.organisation?.ods === acuteOds)).toBe(false);
    expect((await call(app, admin, '/app/admin/mpi/merges')).body.items).not.toContainEqual(expect.objectContaining({ survivorId, mergedId }));
    const audit = JSON.stringify((await call(app, admin, '/app/admin/audit?limit=500')).body);
    expect(audit).toContain('mpi-decision:unmerge');
    expect(audit).toContain('never admitted there');
    expect((await call(app, admin, '/app/admin/audit/verify')).body.ok).toBe(true);
    // The decision is not undone by the queue: the match now stands rejected.
    expect((await call(app, admin, '/app/admin/mpi/review')).body.items.some((l: { personId: string }) => l.personId === mergedId)).toBe(false);
  });
});
