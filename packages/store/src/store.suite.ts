import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeSystems, NHS_NUMBER_SYSTEM, completeNhsNumber } from '@openidcr/model';
import type { Db } from './db/db.js';
import { isStoreError } from './errors.js';
import type { RecordStore } from './store.js';
import { SCHEMA_VERSION } from './store.js';
import { batch, condition, encounter, observation, organization, patient } from './store.fixtures.js';

/** A store under test, the raw database under it, and how to throw both away. */
export interface StoreUnderTest {
  store: RecordStore;
  db: Db;
  cleanup(): Promise<void>;
}

async function expectStoreError(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isStoreError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    if (field !== undefined) expect((error as Error).message).toContain(field);
    return;
  }
  throw new Error(`expected a StoreError ${code}`);
}

/** Ids that no other test in this run (or a concurrent run on the same database) uses. */
function ids(): (name: string) => string {
  const run = randomUUID().slice(0, 8);
  return (name) => `${run}-${name}`;
}

let nhsStem = 400_000_000 + Math.floor(Math.random() * 100_000_000);
function nhsNumber(): string {
  for (;;) {
    const complete = completeNhsNumber(String(nhsStem++));
    if (complete) return complete;
  }
}

/**
 * The behaviour every engine must show. Each test uses its own ids, so the suite shares one store per engine
 * (PGlite takes seconds to start).
 */
export function describeRecordStoreContract(engine: string, open: () => Promise<StoreUnderTest>): void {
  describe(`RecordStore contract on ${engine} [REQ-ARC-004]`, () => {
    let sut: StoreUnderTest;
    let store: RecordStore;
    beforeAll(async () => {
      sut = await open();
      store = sut.store;
    }, 120_000);
    afterAll(async () => {
      await sut?.cleanup();
    });

    it('is migrated to the current schema version', () => {
      expect(store.migration.to).toBe(SCHEMA_VERSION);
    });

    it('applies a batch: message log, resources with versions, history and index columns', async () => {
      const id = ids();
      const key = id('person');
      const obs = observation(id('obs'), '2024-05-01T09:30:00+01:00', {
        security: [{ system: CodeSystems.confidentiality, code: 'R' }],
        source: 'https://fhir.nhs.uk/Id/ods-organization-code|RR8',
      });
      const first = await store.applyBatch(batch(id('LAB'), [{ patientKey: key, resource: obs }]));
      expect(first).toEqual({ status: 'applied', resourcesWritten: 1, resourcesSkippedAsStale: 0 });
      const stored = await store.read('Observation', obs.id);
      expect(stored).toMatchObject({
        patientKey: key,
        version: 1,
        heading: 'results',
        sourceOrg: 'RR8',
        securityLabels: [`${CodeSystems.confidentiality}|R`],
        effectiveDate: '2024-05-01T08:30:00.000Z',
      });
      expect(stored?.resource.meta?.versionId).toBe('1');
      expect(stored?.resource.meta?.lastUpdated).toBe(stored?.lastUpdated);
      expect(stored?.resource.valueQuantity).toEqual({ value: 135, unit: 'g/L' });

      const changed = { ...obs, valueQuantity: { value: 99, unit: 'g/L' } };
      await store.applyBatch(batch(id('LAB'), [{ patientKey: key, resource: changed }]));
      const current = await store.read('Observation', obs.id);
      expect(current?.version).toBe(2);
      expect(current?.resource.valueQuantity).toEqual({ value: 99, unit: 'g/L' });
      const history = await store.history('Observation', obs.id);
      expect(history.map((version) => version.version)).toEqual([2, 1]);
      expect((await store.readVersion('Observation', obs.id, 1))?.resource.valueQuantity).toEqual({ value: 135, unit: 'g/L' });
      expect(await store.readVersion('Observation', obs.id, 3)).toBeUndefined();
      const log = await store.listMessages({ sender: id('LAB') });
      expect(log.items).toHaveLength(2);
    });

    it('keeps every version when one batch carries the same resource twice', async () => {
      const id = ids();
      const key = id('person');
      const result = await store.applyBatch(batch(id('LAB'), [
        { patientKey: key, resource: condition(id('c'), '2020-01-01') },
        { patientKey: key, resource: condition(id('c'), '2021-01-01') },
      ]));
      expect(result).toMatchObject({ resourcesWritten: 2 });
      expect((await store.read('Condition', id('c')))?.resource.onsetDateTime).toBe('2021-01-01');
      expect((await store.history('Condition', id('c'))).map((version) => [version.version, version.resource.onsetDateTime])).toEqual([
        [2, '2021-01-01'],
        [1, '2020-01-01'],
      ]);
    });

    it('returns the stored outcome for a duplicate message and changes nothing [REQ-INT-004]', async () => {
      const id = ids();
      const key = id('person');
      const original = batch(id('PAS'), [{ patientKey: key, resource: condition(id('c'), '2020-01-01') }], { ack: 'MSA|AA|first' });
      expect((await store.applyBatch(original)).status).toBe('applied');
      const repeat = {
        ...original,
        message: { ...original.message, ack: 'MSA|AA|second', outcome: 'error' as const },
        resources: [{ patientKey: key, resource: condition(id('c'), '1999-01-01') }],
      };
      expect(await store.applyBatch(repeat)).toEqual({ status: 'duplicate', ack: 'MSA|AA|first', outcome: 'accepted' });
      const stored = await store.read('Condition', id('c'));
      expect(stored?.version).toBe(1);
      expect(stored?.resource.onsetDateTime).toBe('2020-01-01');
      expect((await store.listMessages({ sender: id('PAS') })).items).toHaveLength(1);
    });

    it('treats the same control id with different content as a different message [REQ-INT-004]', async () => {
      const id = ids();
      const key = id('person');
      const first = batch(id('PAS'), [{ patientKey: key, resource: condition(id('c'), '2020-01-01') }], { controlId: 'SAME' });
      const second = batch(id('PAS'), [{ patientKey: key, resource: condition(id('c'), '2021-01-01') }], { controlId: 'SAME' });
      expect((await store.applyBatch(first)).status).toBe('applied');
      expect((await store.applyBatch(second)).status).toBe('applied');
      expect((await store.read('Condition', id('c')))?.version).toBe(2);
    });

    it('applies duplicates arriving concurrently exactly once [REQ-INT-004]', async () => {
      const id = ids();
      const key = id('person');
      const message = batch(id('PAS'), [{ patientKey: key, resource: condition(id('c'), '2020-01-01') }]);
      const results = await Promise.all([store.applyBatch(message), store.applyBatch(message), store.applyBatch(message)]);
      expect(results.filter((result) => result.status === 'applied')).toHaveLength(1);
      expect(results.filter((result) => result.status === 'duplicate')).toHaveLength(2);
      expect((await store.read('Condition', id('c')))?.version).toBe(1);
    });

    it('applies concurrent messages that create the same new resource one after the other', async () => {
      const id = ids();
      const key = id('person');
      const results = await Promise.all(
        [1, 2, 3, 4].map((n) => store.applyBatch(batch(id('PAS'), [{ patientKey: key, resource: condition(id('c'), `2020-01-0${n}`) }]))),
      );
      expect(results.every((result) => result.status === 'applied')).toBe(true);
      expect((await store.read('Condition', id('c')))?.version).toBe(4);
      expect((await store.history('Condition', id('c'))).map((version) => version.version)).toEqual([4, 3, 2, 1]);
    });

    it('rolls back the whole batch when any part fails [REQ-INT-002]', async () => {
      const id = ids();
      const owner = id('owner');
      const other = id('other');
      await store.applyBatch(batch(id('PAS'), [], {
        identity: [
          { kind: 'upsert-person', person: { personId: owner, demographics: {}, status: 'confirmed' } },
          { kind: 'add-local-identifier', personId: owner, identifier: { assigningAuthority: id('RR8'), value: 'MRN1' } },
        ],
      }));
      const failing = batch(id('PAS'), [{ patientKey: other, resource: condition(id('c'), '2020-01-01') }], {
        identity: [
          { kind: 'upsert-person', person: { personId: other, demographics: {}, status: 'provisional' } },
          { kind: 'add-local-identifier', personId: other, identifier: { assigningAuthority: id('RR8'), value: 'MRN1' } },
        ],
      });
      await expectStoreError(store.applyBatch(failing), 'identifier-conflict', 'identity.identifier');
      expect(await store.read('Condition', id('c'))).toBeUndefined();
      expect(await store.getPerson(other)).toBeUndefined();
      expect((await store.listMessages({ sender: id('PAS'), controlId: failing.message.controlId })).items).toHaveLength(0);
    });

    it('rejects a malformed batch with the field named', async () => {
      const bad = batch('X', [{ patientKey: 'p', resource: { resourceType: 'Observation', id: 'has spaces' } }]);
      await expectStoreError(store.applyBatch(bad), 'invalid-input', 'batch.resources.0.resource.id');
    });

    it('leaves a newer version in place when an older update arrives (source time) [REQ-INT-004]', async () => {
      const id = ids();
      const key = id('person');
      const c = id('c');
      await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: condition(c, '2022-02-02'), sourceTime: '2024-06-01T12:00:00Z' }]));
      const stale = await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: condition(c, '2011-01-01'), sourceTime: '2024-05-01T12:00:00Z' }]));
      expect(stale).toEqual({ status: 'applied', resourcesWritten: 0, resourcesSkippedAsStale: 1 });
      const stored = await store.read('Condition', c);
      expect(stored?.resource.onsetDateTime).toBe('2022-02-02');
      expect(stored?.sourceTime).toBe('2024-06-01T12:00:00.000Z');
      const newer = await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: condition(c, '2023-03-03'), sourceTime: '2024-07-01T12:00:00Z' }]));
      expect(newer).toMatchObject({ resourcesWritten: 1 });
      expect((await store.read('Condition', c))?.version).toBe(2);
      // An update without a source time applies, and keeps the last known time for the next comparison.
      await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: condition(c, '2023-04-04') }]));
      expect((await store.read('Condition', c))?.sourceTime).toBe('2024-07-01T12:00:00.000Z');
      const older = await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: condition(c, '2010-01-01'), sourceTime: '2024-06-15T12:00:00Z' }]));
      expect(older).toMatchObject({ resourcesWritten: 0, resourcesSkippedAsStale: 1 });
    });

    it('keeps the elements an update does not carry (keepIfAbsent): a message without PD1 keeps the registered GP', async () => {
      const id = ids();
      const key = id('person');
      const p = id('p');
      await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: patient(p, { family: 'Keep', gpOds: 'Y90001', postcode: 'NT1 1AA' }), sourceTime: '2024-01-01T09:00:00Z' }]));
      const { generalPractitioner: _gp, address: _address, ...withoutGp } = patient(p, { family: 'Kept' });
      await store.applyBatch(batch(id('LAB'), [{ patientKey: key, resource: withoutGp, sourceTime: '2024-02-01T09:00:00Z', keepIfAbsent: ['generalPractitioner', 'address'] }]));
      const stored = await store.read('Patient', p);
      expect(stored?.version).toBe(2);
      expect(stored?.resource.name).toEqual(withoutGp.name);
      expect(stored?.resource.generalPractitioner).toEqual(patient(p, { gpOds: 'Y90001' }).generalPractitioner);
      expect((await store.searchPatients({ family: 'Kept', limit: 5 })).items.map((i) => i.resource.id)).toContain(p);
      // Not listed: replaced as before (the address was cleared by this one).
      await store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: withoutGp, sourceTime: '2024-03-01T09:00:00Z', keepIfAbsent: ['address'] }]));
      expect((await store.read('Patient', p))?.resource.generalPractitioner).toBeUndefined();
      await expectStoreError(store.applyBatch(batch(id('GP'), [{ patientKey: key, resource: withoutGp, keepIfAbsent: ['no such element!'] }])), 'invalid-input', 'keepIfAbsent');
    });

    it('stores a batch\'s relationships in its transaction, skipping those of a stale resource', async () => {
      const id = ids();
      const key = id('person');
      const enc = id('enc');
      const link = (endedAt?: string) => ({ patientKey: key, id: `rel-${enc}`, userId: '*', organisation: 'X9A', kind: 'encounter', source: 'ADT', startedAt: '2026-03-01T10:00:00.000Z', endedAt, from: { resourceType: 'Encounter', id: enc } });
      await store.applyBatch({ ...batch(id('PAS'), [{ patientKey: key, resource: encounter(enc), sourceTime: '2026-03-01T10:00:00Z' }]), relationships: [link()] });
      expect(await store.findRelationships({ patientKey: key, at: '2026-03-02T00:00:00Z' })).toHaveLength(1);
      await store.applyBatch({ ...batch(id('PAS'), [{ patientKey: key, resource: encounter(enc, { status: 'finished' }), sourceTime: '2026-03-05T10:00:00Z' }]), relationships: [link('2026-04-02T10:00:00.000Z')] });
      // An older message arriving late: its encounter is stale, so its (open) relationship is not stored either.
      const late = await store.applyBatch({ ...batch(id('PAS'), [{ patientKey: key, resource: encounter(enc), sourceTime: '2026-03-01T10:00:00Z' }]), relationships: [link()] });
      expect(late).toMatchObject({ resourcesSkippedAsStale: 1 });
      expect(await store.findRelationships({ patientKey: key })).toEqual([expect.objectContaining({ endedAt: '2026-04-02T10:00:00.000Z' })]);
      // A failing batch leaves no relationship behind.
      const other = id('other');
      const failing = { ...batch(id('PAS'), [{ patientKey: other, resource: encounter(id('enc2')) }], { identity: [{ kind: 'merge', survivorId: other, mergedId: other, reason: 'x' }] }), relationships: [{ ...link(), patientKey: other, id: id('rel2') }] };
      await expectStoreError(store.applyBatch(failing), 'invalid-input');
      expect(await store.findRelationships({ patientKey: other })).toEqual([]);
    });

    it('lists a patient\'s resources by heading, type and date range with keyset paging', async () => {
      const id = ids();
      const key = id('person');
      const resources = [
        ...Array.from({ length: 7 }, (_, i) => observation(id(`o${i}`), `2024-0${i + 1}-15T10:00:00Z`)),
        observation(id('undated'), undefined),
        condition(id('c1'), '2023-12-31'),
        patient(id('pat'), { family: 'Dateless' }),
      ];
      await store.applyBatch(batch(id('LAB'), resources.map((resource) => ({ patientKey: key, resource }))));

      const results = await store.listResources({ patientKey: key, headings: ['results'], sort: 'date-asc' });
      expect(results.items.map((item) => item.id)).toEqual([id('undated'), ...Array.from({ length: 7 }, (_, i) => id(`o${i}`))]);
      expect(results.nextCursor).toBeUndefined();

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listResources({ patientKey: key, sort: 'date-desc', limit: 3, cursor });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(4);
      expect(seen).toHaveLength(10);
      expect(new Set(seen).size).toBe(10);
      expect(seen[0]).toBe(id('o6'));
      expect(seen.slice(-2).sort()).toEqual([id('pat'), id('undated')].sort());

      const range = await store.listResources({ patientKey: key, from: '2024-02', to: '2024-04', sort: 'date-asc' });
      expect(range.items.map((item) => item.id)).toEqual([id('o1'), id('o2'), id('o3')]);
      const byType = await store.listResources({ patientKey: key, resourceTypes: ['Condition'] });
      expect(byType.items.map((item) => item.heading)).toEqual(['problems']);
    });

    it('rejects a cursor that was altered or belongs to other filters [REQ-SEC-002]', async () => {
      const id = ids();
      const key = id('person');
      await store.applyBatch(batch(id('LAB'), [1, 2, 3].map((n) => ({ patientKey: key, resource: observation(id(`o${n}`), `2024-01-0${n}`) }))));
      const page = await store.listResources({ patientKey: key, limit: 1 });
      expect(page.nextCursor).toBeDefined();
      await expectStoreError(store.listResources({ patientKey: key, limit: 1, cursor: `${page.nextCursor}x` }), 'invalid-cursor');
      await expectStoreError(store.listResources({ patientKey: key, headings: ['results'], limit: 1, cursor: page.nextCursor }), 'invalid-cursor');
      await expectStoreError(store.listResources({ patientKey: key, limit: 1, cursor: "'; DROP TABLE resources; --" }), 'invalid-cursor');
      await expectStoreError(store.listResources({ patientKey: key, limit: 0 }), 'invalid-input', 'limit');
      await expectStoreError(store.listResources({ patientKey: key, from: 'yesterday' }), 'invalid-input', 'from');
    });

    it('reads the whole record of a patient in one call', async () => {
      const id = ids();
      const key = id('person');
      const resources = [patient(id('pat')), observation(id('o1'), '2024-01-01'), condition(id('c1'), '2020-01-01'), encounter(id('e1'))];
      await store.applyBatch(batch(id('LAB'), resources.map((resource) => ({ patientKey: key, resource }))));
      await store.applyBatch(batch(id('LAB'), [{ patientKey: id('someone-else'), resource: observation(id('o2'), '2024-01-01') }]));
      const everything = await store.everything(key);
      expect(everything.map((resource) => `${resource.resourceType}/${resource.id}`).sort()).toEqual(
        resources.map((resource) => `${resource.resourceType}/${resource.id}`).sort(),
      );
    });

    it('finds patients by NHS number, local identifier and demographics', async () => {
      const id = ids();
      const nhs = nhsNumber();
      const family = `Zz${id('f').replace(/[^a-z]/g, '')}Ab`;
      await store.applyBatch(batch(id('PAS'), [
        { patientKey: id('p1'), resource: patient(id('pat1'), { family: `${family}ott`, given: ['Ann', 'Marie'], birthDate: '1950-01-02', postcode: 'LS1 4AP', nhsNumber: nhs, localId: { assigningAuthority: id('RR8'), value: 'M1' } }) },
        { patientKey: id('p2'), resource: patient(id('pat2'), { family: `${family}le`, given: ['Bob'], birthDate: '1951-01-02', postcode: 'LS2 9JT' }) },
        { patientKey: id('p3'), resource: patient(id('pat3'), { family: 'Other', given: ['Ann'], birthDate: '1950-01-02', postcode: 'BD1 1AA' }) },
      ]));
      const formatted = `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;
      expect((await store.findPatientsByNhsNumber(formatted)).map((found) => found.id)).toEqual([id('pat1')]);
      expect((await store.findPatientsByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'M1' })).map((found) => found.patientKey)).toEqual([id('p1')]);
      expect(await store.findPatientsByIdentifier(NHS_NUMBER_SYSTEM, '0000000000')).toEqual([]);

      const byFamily = await store.searchPatients({ family: family.toUpperCase() });
      expect(byFamily.items.map((found) => found.id).sort()).toEqual([id('pat1'), id('pat2')].sort());
      const narrowed = await store.searchPatients({ family: family.toLowerCase(), given: 'an' });
      expect(narrowed.items.map((found) => found.id)).toEqual([id('pat1')]);
      const byDob = await store.searchPatients({ family: family, birthDate: '1951-01-02' });
      expect(byDob.items.map((found) => found.id)).toEqual([id('pat2')]);
      const byPostcode = await store.searchPatients({ family, postcode: 'ls1 4' });
      expect(byPostcode.items.map((found) => found.id)).toEqual([id('pat1')]);

      const first = await store.searchPatients({ family, limit: 1 });
      expect(first.items).toHaveLength(1);
      const second = await store.searchPatients({ family, limit: 1, cursor: first.nextCursor });
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeUndefined();
      expect(second.items[0]?.id).not.toBe(first.items[0]?.id);

      await expectStoreError(store.searchPatients({}), 'invalid-input');
      await expectStoreError(store.searchPatients({ birthDate: '12/03/1960' }), 'invalid-input', 'birthDate');
      // Wildcards in input are plain characters, not patterns.
      expect((await store.searchPatients({ family: '%' })).items).toEqual([]);
    });

    it('lists the current admissions of a GP practice\'s patients (virtual ward)', async () => {
      const id = ids();
      const ods = `P${randomUUID().replace(/[^0-9]/g, '').slice(0, 5)}`;
      const orgId = id('org');
      await store.applyBatch(batch(id('PAS'), [
        { resource: organization(orgId, ods) },
        { patientKey: id('in1'), resource: patient(id('pat1'), { gpOds: ods }) },
        { patientKey: id('in1'), resource: encounter(id('e1'), { start: '2026-11-20T10:00:00Z' }) },
        { patientKey: id('in2'), resource: patient(id('pat2'), { gpReference: `Organization/${orgId}` }) },
        { patientKey: id('in2'), resource: encounter(id('e2'), { classCode: 'ACUTE', start: '2026-11-21T10:00:00Z' }) },
        { patientKey: id('home'), resource: patient(id('pat3'), { gpOds: ods }) },
        { patientKey: id('home'), resource: encounter(id('e3'), { status: 'finished' }) },
        { patientKey: id('home'), resource: encounter(id('e4'), { classCode: 'AMB' }) },
        { patientKey: id('elsewhere'), resource: patient(id('pat4'), { gpOds: `${ods}X` }) },
        { patientKey: id('elsewhere'), resource: encounter(id('e5')) },
      ]));
      const ward = await store.currentAdmissions(ods);
      expect(ward.map((admission) => [admission.patientKey, admission.encounter.id, admission.patient?.id])).toEqual([
        [id('in1'), id('e1'), id('pat1')],
        [id('in2'), id('e2'), id('pat2')],
      ]);
      const reference = await store.read('Organization', orgId);
      expect(reference?.patientKey).toBeUndefined();
    });

    it('moves a resource that arrives under another patient key, with its history', async () => {
      const id = ids();
      const o = id('o');
      await store.applyBatch(batch(id('LAB'), [{ patientKey: id('wrong'), resource: observation(o, '2024-01-01') }]));
      await store.applyBatch(batch(id('LAB'), [{ patientKey: id('right'), resource: observation(o, '2024-01-02') }]));
      expect(await store.everything(id('wrong'))).toEqual([]);
      expect((await store.everything(id('right'))).map((resource) => resource.id)).toEqual([o]);
      expect((await store.history('Observation', o)).map((version) => [version.version, version.patientKey])).toEqual([
        [2, id('right')],
        [1, id('right')],
      ]);
    });

    it('keeps the master patient index: persons, identifiers, candidates, review queue [REQ-INT-006]', async () => {
      const id = ids();
      const nhs = nhsNumber();
      const a = id('a');
      const b = id('b');
      await store.applyBatch(batch(id('PAS'), [], {
        identity: [
          { kind: 'upsert-person', person: { personId: a, nhsNumber: nhs, demographics: { family: 'Ó Brien', given: 'Siobhan', birthDate: '1970-07-07', gender: 'female', postcode: 'LS1 4AP' }, status: 'confirmed' } },
          { kind: 'add-local-identifier', personId: a, identifier: { assigningAuthority: id('RR8'), value: 'MRN-A' } },
          { kind: 'upsert-person', person: { personId: b, demographics: { family: 'O Brien', birthDate: '1970-07-07' }, status: 'provisional' } },
          { kind: 'link-candidate', personId: b, candidatePersonId: a, score: 0.87, status: 'review', explanation: ['birthDate: equal', 'family: similar'] },
        ],
      }));
      const person = await store.findPersonByNhsNumber(nhs);
      expect(person).toEqual({
        personId: a,
        nhsNumber: nhs,
        demographics: { family: 'Ó Brien', given: 'Siobhan', birthDate: '1970-07-07', gender: 'female', postcode: 'LS1 4AP' },
        localIds: [{ assigningAuthority: id('RR8'), value: 'MRN-A' }],
        status: 'confirmed',
      });
      expect((await store.findPersonByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'MRN-A' }))?.personId).toBe(a);
      expect(await store.findPersonByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'nope' })).toBeUndefined();
      const candidates = await store.findCandidates({ family: 'o brien', birthDate: '1970-07-07' }, 50);
      expect(candidates.map((candidate) => candidate.personId)).toEqual(expect.arrayContaining([a, b]));

      let queue = await store.listReviewQueue({ limit: 500 });
      let mine = queue.items.find((link) => link.personId === b);
      expect(mine).toMatchObject({ candidatePersonId: a, score: 0.87, status: 'review', explanation: ['birthDate: equal', 'family: similar'] });
      expect(mine?.candidate?.personId).toBe(a);
      const decided = await store.decideLink({ personId: b, candidatePersonId: a, decision: 'rejected', decidedBy: 'user-1' });
      expect(decided).toMatchObject({ status: 'rejected', decidedBy: 'user-1' });
      queue = await store.listReviewQueue({ limit: 500 });
      mine = queue.items.find((link) => link.personId === b);
      expect(mine).toBeUndefined();
      expect(await store.decideLink({ personId: b, candidatePersonId: id('nobody'), decision: 'linked', decidedBy: 'user-1' })).toBeUndefined();

      // A changed NHS number releases the old one.
      const corrected = nhsNumber();
      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'upsert-person', person: { personId: a, nhsNumber: corrected, demographics: {}, status: 'confirmed' } }] }));
      expect((await store.findPersonByNhsNumber(corrected))?.personId).toBe(a);
      expect(await store.findPersonByNhsNumber(nhs)).toBeUndefined();
      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'upsert-person', person: { personId: a, nhsNumber: nhs, demographics: {}, status: 'confirmed' } }] }));

      // A second person cannot take the same NHS number.
      await expectStoreError(
        store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'upsert-person', person: { personId: id('c'), nhsNumber: nhs, demographics: {}, status: 'confirmed' } }] })),
        'identifier-conflict',
        'nhsNumber',
      );
    });

    it('merges a person into a survivor and unmerges exactly what moved [REQ-INT-006]', async () => {
      const id = ids();
      const survivor = id('survivor');
      const merged = id('merged');
      const person = (personId: string) => ({ kind: 'upsert-person' as const, person: { personId, demographics: {}, status: 'confirmed' as const } });
      await store.applyBatch(batch(id('PAS'), [
        { patientKey: survivor, resource: patient(id('pat-s'), { family: `${id('x').replace(/[^a-z]/g, '')}surv` }) },
        { patientKey: survivor, resource: observation(id('o-s'), '2024-01-01') },
        { patientKey: merged, resource: patient(id('pat-m'), { localId: { assigningAuthority: id('RR8'), value: 'MRN-M' } }) },
        { patientKey: merged, resource: observation(id('o-m'), '2024-02-01') },
      ], {
        identity: [
          person(survivor),
          person(merged),
          { kind: 'add-local-identifier', personId: merged, identifier: { assigningAuthority: id('RR8'), value: 'MRN-M' } },
        ],
      }));
      await store.putConsent(merged, { resourceType: 'Consent', id: id('consent'), status: 'active' });
      await store.putRelationship({ patientKey: merged, id: id('rel'), userId: id('user'), kind: 'registered-gp', startedAt: '2024-01-01T00:00:00Z' });

      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'merge', survivorId: survivor, mergedId: merged, reason: 'A40' }] }));
      expect(await store.everything(merged)).toHaveLength(4); // follows the merge to the survivor
      const survivorRecord = (await store.everything(survivor)).map((resource) => resource.id).sort();
      expect(survivorRecord).toEqual([id('o-m'), id('o-s'), id('pat-m'), id('pat-s')].sort());
      expect((await store.history('Observation', id('o-m')))[0]?.patientKey).toBe(survivor);
      expect((await store.getPerson(merged))?.mergedInto).toBe(survivor);
      expect((await store.findPersonByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'MRN-M' }))?.personId).toBe(survivor);
      expect((await store.findPatientsByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'MRN-M' }))[0]?.patientKey).toBe(survivor);
      expect((await store.listConsents(survivor)).map((consent) => consent.id)).toEqual([id('consent')]);
      expect((await store.findRelationships({ userId: id('user') }))[0]?.patientKey).toBe(survivor);

      // A repeated merge message changes nothing.
      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'merge', survivorId: survivor, mergedId: merged, reason: 'A40 again' }] }));
      // New data for the survivor after the merge stays with the survivor on unmerge.
      await store.applyBatch(batch(id('LAB'), [{ patientKey: survivor, resource: observation(id('o-new'), '2024-03-01') }]));

      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'unmerge', survivorId: survivor, mergedId: merged, reason: 'wrong merge' }] }));
      expect((await store.everything(merged)).map((resource) => resource.id).sort()).toEqual([id('o-m'), id('pat-m')].sort());
      expect((await store.everything(survivor)).map((resource) => resource.id).sort()).toEqual([id('o-new'), id('o-s'), id('pat-s')].sort());
      expect((await store.getPerson(merged))?.mergedInto).toBeUndefined();
      expect((await store.findPersonByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'MRN-M' }))?.personId).toBe(merged);
      expect((await store.findPatientsByLocalIdentifier({ assigningAuthority: id('RR8'), value: 'MRN-M' }))[0]?.patientKey).toBe(merged);
      expect((await store.listConsents(merged)).map((consent) => consent.id)).toEqual([id('consent')]);
      expect((await store.findRelationships({ patientKey: merged })).map((relationship) => relationship.id)).toEqual([id('rel')]);

      await expectStoreError(
        store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'unmerge', survivorId: survivor, mergedId: merged, reason: 'again' }] })),
        'not-found',
      );
      await expectStoreError(
        store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'merge', survivorId: survivor, mergedId: survivor, reason: 'self' }] })),
        'invalid-input',
      );
    });

    it('writes a batch for a person merged away to the survivor, and reads the audit of people merged in [REQ-INT-006]', async () => {
      const id = ids();
      const survivor = id('survivor');
      const merged = id('merged');
      const person = (personId: string) => ({ kind: 'upsert-person' as const, person: { personId, demographics: {}, status: 'confirmed' as const } });
      await store.applyBatch(batch(id('PAS'), [], { identity: [person(survivor), person(merged)] }));
      const hash = (link: { seq: number }) => `h${link.seq}`.padEnd(64, '0');
      await store.appendAudit({ event: { before: 'merge' }, patientKey: merged, userId: id('u') }, hash);
      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'merge', survivorId: survivor, mergedId: merged, reason: 'A40' }] }));
      // A message resolved to the merged person before the merge committed: its rows land with the survivor.
      await store.applyBatch({
        ...batch(id('LAB'), [{ patientKey: merged, resource: observation(id('o-late'), '2024-04-01') }]),
        relationships: [{ patientKey: merged, id: id('rel-late'), userId: '*', organisation: 'X9A', kind: 'encounter', source: 'ADT', startedAt: '2024-04-01T00:00:00.000Z' }],
      });
      expect((await store.read('Observation', id('o-late')))?.patientKey).toBe(survivor);
      expect((await store.findRelationships({ patientKey: survivor })).map((r) => r.id)).toContain(id('rel-late'));
      expect((await store.readAudit({ patientKey: survivor })).items.map((row) => row.event)).toContainEqual({ before: 'merge' });
      await store.applyBatch(batch(id('PAS'), [], { identity: [{ kind: 'unmerge', survivorId: survivor, mergedId: merged, reason: 'wrong' }] }));
      expect((await store.readAudit({ patientKey: survivor })).items).toHaveLength(0);
      expect((await store.readAudit({ patientKey: merged })).items.map((row) => row.event)).toEqual([{ before: 'merge' }]);
    });

    it('keeps dead letters, counting repeated attempts, and marks them replayed [REQ-INT-003]', async () => {
      const id = ids();
      const sender = id('LAB');
      const first = await store.recordDeadLetter({ sender, controlId: '1', raw: `${id('raw')}-1`, error: 'PID.3: no identifier', receivedAt: '2026-11-22T10:00:00Z' });
      expect(first).toMatchObject({ sender, controlId: '1', attempts: 1, error: 'PID.3: no identifier' });
      expect(first.replayedAt).toBeUndefined();
      const again = await store.recordDeadLetter({ sender, controlId: '1', raw: `${id('raw')}-1`, error: 'PID.3: still no identifier', receivedAt: '2026-11-22T10:05:00Z' });
      expect(again).toMatchObject({ id: first.id, attempts: 2, error: 'PID.3: still no identifier' });
      const second = await store.recordDeadLetter({ sender, channel: 'mllp', raw: `${id('raw')}-2`, error: 'bad', receivedAt: '2026-11-22T11:00:00Z' });
      expect((await store.listDeadLetters({ sender })).items.map((letter) => letter.id)).toEqual([second.id, first.id]);
      const replayed = await store.markDeadLetterReplayed(first.id, '2026-11-22T12:00:00Z');
      expect(replayed?.replayedAt).toBe('2026-11-22T12:00:00.000Z');
      expect((await store.listDeadLetters({ sender, replayed: false })).items.map((letter) => letter.id)).toEqual([second.id]);
      expect((await store.listDeadLetters({ sender, replayed: true })).items.map((letter) => letter.id)).toEqual([first.id]);
      expect((await store.getDeadLetter(second.id))?.channel).toBe('mllp');
      expect(await store.getDeadLetter(randomUUID())).toBeUndefined();
      const page = await store.listDeadLetters({ sender, limit: 1 });
      const next = await store.listDeadLetters({ sender, limit: 1, cursor: page.nextCursor });
      expect([...page.items, ...next.items].map((letter) => letter.id)).toEqual([second.id, first.id]);
      // After a replay, the same raw message failing again is a new letter.
      const fresh = await store.recordDeadLetter({ sender, controlId: '1', raw: `${id('raw')}-1`, error: 'again', receivedAt: '2026-11-22T13:00:00Z' });
      expect(fresh.id).not.toBe(first.id);
    });

    it('lists the message log with filters and keyset paging', async () => {
      const id = ids();
      const sender = id('PAS');
      for (let i = 0; i < 5; i++) await store.applyBatch(batch(sender, [], { patientKey: i % 2 === 0 ? id('even') : id('odd') }));
      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listMessages({ sender, limit: 2, cursor });
        all.push(...page.items.map((message) => message.controlId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(all).toHaveLength(5);
      expect(new Set(all).size).toBe(5);
      expect((await store.listMessages({ sender, patientKey: id('even') })).items).toHaveLength(3);
      expect((await store.listMessages({ sender, outcome: 'rejected' })).items).toHaveLength(0);
      const message = (await store.listMessages({ sender, limit: 1 })).items[0];
      expect(message?.raw).toContain(sender);
      expect(message?.ack).toMatch(/^MSA\|AA\|/);
    });

    it('keeps consents and legitimate relationships', async () => {
      const id = ids();
      const key = id('person');
      await store.putConsent(key, { resourceType: 'Consent', id: id('c1'), status: 'active', scope: { text: 'opt-out' } });
      await store.putConsent(key, { resourceType: 'Consent', id: id('c1'), status: 'inactive', scope: { text: 'opt-out' } });
      const consents = await store.listConsents(key);
      expect(consents).toHaveLength(1);
      expect(consents[0]).toMatchObject({ status: 'inactive', consent: { scope: { text: 'opt-out' } } });
      await expectStoreError(store.putConsent(key, { resourceType: 'Patient', id: 'x' }), 'invalid-input', 'consent.resourceType');

      await store.putRelationship({ patientKey: key, id: id('r1'), userId: id('dr'), organisation: 'B86001', kind: 'registered-gp', startedAt: '2020-01-01T00:00:00Z' });
      await store.putRelationship({ patientKey: key, id: id('r2'), userId: id('dr'), kind: 'referral', startedAt: '2021-01-01T00:00:00Z', endedAt: '2021-06-01T00:00:00Z' });
      expect((await store.findRelationships({ patientKey: key, userId: id('dr') })).map((r) => r.id)).toEqual([id('r2'), id('r1')]);
      expect((await store.findRelationships({ userId: id('dr'), at: '2022-01-01T00:00:00Z' })).map((r) => r.id)).toEqual([id('r1')]);
      await expectStoreError(store.findRelationships({}), 'invalid-input');
    });

    it('keeps break-glass grants (in force, expired, revoked) and privacy-officer alerts with one review each', async () => {
      const id = ids();
      const key = id('person');
      const grant = { patientKey: key, id: id('g1'), userId: id('dr'), organisation: 'RR8', reasonCode: 'emergency-care', reasonText: 'Unconscious in A&E, no history available', grantedAt: '2026-01-01T10:00:00Z', expiresAt: '2026-01-01T14:00:00Z' };
      await store.putBreakGlassGrant(grant);
      expect(await store.findBreakGlassGrant({ userId: id('dr'), patientKey: key, at: '2026-01-01T11:00:00Z' })).toMatchObject({ id: id('g1'), expiresAt: '2026-01-01T14:00:00.000Z' });
      expect(await store.findBreakGlassGrant({ userId: id('dr'), patientKey: key, at: '2026-01-01T14:00:00Z' })).toBeUndefined();
      expect(await store.findBreakGlassGrant({ userId: id('other'), patientKey: key, at: '2026-01-01T11:00:00Z' })).toBeUndefined();
      await expectStoreError(store.putBreakGlassGrant({ ...grant, id: id('g2'), expiresAt: grant.grantedAt }), 'invalid-input', 'expiresAt');
      const revoked = await store.revokeBreakGlassGrant({ patientKey: key, id: id('g1'), revokedBy: id('po'), reason: 'not emergency care', at: '2026-01-01T11:30:00Z' });
      expect(revoked).toMatchObject({ revokedBy: id('po'), revokedAt: '2026-01-01T11:30:00.000Z' });
      expect(await store.findBreakGlassGrant({ userId: id('dr'), patientKey: key, at: '2026-01-01T11:31:00Z' })).toBeUndefined();
      expect(await store.revokeBreakGlassGrant({ patientKey: key, id: id('none'), revokedBy: id('po'), reason: 'x', at: '2026-01-01T11:30:00Z' })).toBeUndefined();

      const alert = { patientKey: key, id: id('g1'), reason: 'break-glass', text: 'Break-glass access', userId: id('dr'), userName: 'Dr A', roleId: 'ed-clinician', organisation: 'RR8', grantId: id('g1'), raisedAt: '2026-01-01T10:00:00Z' };
      await store.raisePrivacyAlert(alert);
      const again = await store.raisePrivacyAlert({ ...alert, raisedAt: '2026-01-01T10:05:00Z' });
      expect(again).toMatchObject({ accesses: 2, raisedAt: '2026-01-01T10:00:00.000Z', lastAccessAt: '2026-01-01T10:05:00.000Z' });
      expect((await store.listPrivacyAlerts({ status: 'open', limit: 500 })).some((a) => a.id === id('g1'))).toBe(true);
      const review = await store.reviewPrivacyAlert({ patientKey: key, id: id('g1'), outcome: 'appropriate', note: 'Seen in resus', reviewedBy: id('po'), at: '2026-01-02T09:00:00Z' });
      expect(review).toMatchObject({ reviewed: true, alert: { review: { outcome: 'appropriate', note: 'Seen in resus', reviewedBy: id('po') } } });
      const second = await store.reviewPrivacyAlert({ patientKey: key, id: id('g1'), outcome: 'inappropriate', note: 'changed my mind', reviewedBy: id('po2'), at: '2026-01-02T10:00:00Z' });
      expect(second).toMatchObject({ reviewed: false, alert: { review: { outcome: 'appropriate' } } });
      expect((await store.listPrivacyAlerts({ status: 'open', limit: 500 })).some((a) => a.id === id('g1'))).toBe(false);
      expect((await store.listPrivacyAlerts({ status: 'reviewed', limit: 500 })).some((a) => a.id === id('g1'))).toBe(true);
      await expectStoreError(store.listPrivacyAlerts({ limit: 0 }), 'invalid-input', 'limit');
    });

    it('appends audit rows in a chain, serialised, and reads them by patient, user and time', async () => {
      const id = ids();
      const hashOf = (link: { seq: number; prevHash: string | undefined; event: Record<string, unknown> }) =>
        `${link.seq}:${link.prevHash ?? '-'}:${JSON.stringify(link.event)}`.length.toString(16) + `-${link.seq}`;
      const rows = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.appendAudit({ event: { action: 'read', i }, patientKey: i % 2 === 0 ? id('p') : id('q'), userId: id('u') }, hashOf),
        ),
      );
      const bySeq = [...rows].sort((a, b) => a.seq - b.seq);
      for (let i = 1; i < bySeq.length; i++) {
        expect(bySeq[i]?.seq).toBe((bySeq[i - 1]?.seq ?? 0) + 1);
        expect(bySeq[i]?.prevHash).toBe(bySeq[i - 1]?.hash);
      }
      const forP = await store.readAudit({ patientKey: id('p') });
      expect(forP.items).toHaveLength(4);
      const forUser = await store.readAudit({ userId: id('u'), limit: 5 });
      expect(forUser.items).toHaveLength(5);
      const rest = await store.readAudit({ userId: id('u'), limit: 5, cursor: forUser.nextCursor });
      expect(rest.items).toHaveLength(3);
      expect(rest.nextCursor).toBeUndefined();
      const future = await store.readAudit({ userId: id('u'), from: '2999-01-01T00:00:00Z' });
      expect(future.items).toHaveLength(0);
    });

    it('reads a record for a view in one query: resources, consents and the relationships in force, by Patient id', async () => {
      const id = ids();
      const key = id('viewed');
      await store.bulkLoad([
        { patientKey: key, resource: patient(id('vp'), { family: 'Viewed' }) },
        { patientKey: key, resource: observation(id('vo'), '2024-01-01') },
      ]);
      await store.putConsent(key, { resourceType: 'Consent', id: id('c1'), status: 'active', provision: { type: 'deny' } });
      await store.putRelationship({ patientKey: key, id: id('r-now'), userId: id('dr'), kind: 'registered-gp', startedAt: '2020-01-01T00:00:00Z' });
      await store.putRelationship({ patientKey: key, id: id('r-old'), userId: id('dr'), kind: 'referral', startedAt: '2019-01-01T00:00:00Z', endedAt: '2019-06-01T00:00:00Z' });
      const at = '2024-06-01T00:00:00.000Z';
      const view = await store.recordForView(id('vp'), at);
      expect(view?.patientKey).toBe(key);
      expect(view?.resources.map((r) => r.id).sort()).toEqual([id('vo'), id('vp')].sort());
      // The stored text of each resource, index for index: it parses to the resource itself.
      expect(view?.json.map((text) => JSON.parse(text))).toEqual(view?.resources);
      // Only the elements asked for are parsed (always resourceType and id); the text is still whole.
      const cut = await store.recordForView(id('vp'), at, { elements: ['meta', 'code', 'extension'] });
      expect(cut?.json).toEqual(view?.json);
      cut?.resources.forEach((resource, i) => {
        const whole = JSON.parse(cut.json[i]!) as Record<string, unknown>;
        const expected = Object.fromEntries(Object.entries(whole).filter(([k]) => ['resourceType', 'id', 'meta', 'code', 'extension'].includes(k)));
        expect(resource).toEqual(expected);
      });
      expect(cut?.resources.find((r) => r.resourceType === 'Observation')).toHaveProperty('code');
      expect(cut).toMatchObject({ patientKey: key, consents: view?.consents, relationships: view?.relationships });
      await expectStoreError(store.recordForView(id('vp'), at, { elements: ["code') FROM x; --"] }), 'invalid-input', 'elements');
      expect(view?.consents).toEqual(await store.listConsents(key));
      expect(view?.relationships).toEqual(await store.findRelationships({ patientKey: key, at }));
      expect(view?.relationships.map((r) => r.id)).toEqual([id('r-now')]);
      expect(await store.recordForView(id('nobody'), at)).toBeUndefined();
      // A Patient with no consents or relationships still has a view.
      await store.bulkLoad([{ patientKey: id('bare'), resource: patient(id('bp')) }]);
      expect(await store.recordForView(id('bp'), at)).toMatchObject({ patientKey: id('bare'), consents: [], relationships: [] });
      await expectStoreError(store.recordForView(id('vp'), 'yesterday'), 'invalid-input', 'at');
    });

    it('appends a batch of audit rows in one transaction, in the order given, continuing the chain', async () => {
      const id = ids();
      const hashOf = (link: { seq: number; prevHash: string | undefined; event: Record<string, unknown> }) => `${link.prevHash ?? '-'}>${String(link.event.i)}@${link.seq}`;
      const single = store.appendAudit({ event: { action: 'read', i: 'single' }, patientKey: id('p'), userId: id('u') }, hashOf);
      const batchRows = store.appendAuditBatch(
        Array.from({ length: 5 }, (_, i) => ({ event: { action: 'read', i }, patientKey: id('p'), userId: id('u') })),
        hashOf,
      );
      const [one, many] = await Promise.all([single, batchRows]);
      expect(many.map((row) => row.event.i)).toEqual([0, 1, 2, 3, 4]);
      for (let i = 1; i < many.length; i++) {
        expect(many[i]?.seq).toBe((many[i - 1]?.seq ?? 0) + 1);
        expect(many[i]?.prevHash).toBe(many[i - 1]?.hash);
        expect(many[i]?.hash).toBe(hashOf(many[i]!));
      }
      const chain = (await store.readAudit({ userId: id('u') })).items;
      expect(chain.map((row) => row.event.i).sort()).toEqual([0, 1, 2, 3, 4, 'single'].sort());
      // The lone append and the batch are serialised by the same lock: one sits wholly before or after the other.
      expect(one.seq === (many[0]?.seq ?? 0) - 1 || one.seq === (many[4]?.seq ?? 0) + 1).toBe(true);
      expect(await store.appendAuditBatch([], hashOf)).toEqual([]);
      await expectStoreError(store.appendAuditBatch([{ event: { ok: true } }, { event: [] as unknown as Record<string, unknown> }], hashOf), 'invalid-input', 'entries.1.event');
    });

    it('refuses UPDATE, DELETE and TRUNCATE on the audit log [REQ-GOV-015]', async () => {
      const id = ids();
      const row = await store.appendAudit({ event: { action: 'read' }, patientKey: id('p') }, () => 'h');
      await expect(sut.db.query('UPDATE audit_log SET hash = $1 WHERE seq = $2', ['forged', row.seq])).rejects.toThrow(/append-only/);
      await expect(sut.db.query('DELETE FROM audit_log WHERE seq = $1', [row.seq])).rejects.toThrow(/append-only/);
      await expect(sut.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      expect((await store.readAudit({ patientKey: id('p') })).items[0]?.hash).toBe('h');
    });

    it('bulk loads resources in batches, versioned like any write', async () => {
      const id = ids();
      const items = Array.from({ length: 250 }, (_, i) => ({
        patientKey: id(`p${i % 10}`),
        resource: i % 25 === 0 ? patient(id(`pat${i}`), { family: `Bulk${id('f').replace(/[^a-z]/g, '')}` }) : observation(id(`o${i}`), '2024-01-01'),
      }));
      const result = await store.bulkLoad(items, { batchSize: 100 });
      expect(result).toEqual({ resourcesWritten: 250, resourcesSkippedAsStale: 0, batches: 3 });
      expect(await store.everything(id('p3'))).toHaveLength(25);
      expect((await store.searchPatients({ family: `Bulk${id('f').replace(/[^a-z]/g, '')}` })).items).toHaveLength(10);
      await store.bulkLoad(items.slice(0, 1));
      expect((await store.read(items[0]?.resource.resourceType ?? '', items[0]?.resource.id ?? ''))?.version).toBe(2);
      await expectStoreError(store.bulkLoad([{ patientKey: 'x', resource: { resourceType: 'Observation', id: '' } }]), 'invalid-input', 'resources.0.resource.id');
    });
  });
}
