import type { IngestBatch } from '@openidcr/model';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../ingest/memory.js';
import { scoreMatch, soundex } from './matching.js';
import { MasterPatientIndex, type IdentityFacts } from './mpi.js';

function setup(options = {}) {
  const store = new MemoryStore();
  let n = 0;
  const mpi = new MasterPatientIndex(store, { newPersonId: () => `p${++n}`, ...options });
  const apply = async (facts: IdentityFacts) => {
    const r = await mpi.resolve(facts);
    const batch: IngestBatch = {
      message: { sender: 's', controlId: `c${n}-${Math.random()}`, contentHash: String(Math.random()), messageType: 'ADT^A28', receivedAt: '2026-01-01T00:00:00Z', raw: '', ack: '', outcome: 'accepted' },
      resources: [],
      identity: r.changes,
    };
    await store.applyBatch(batch);
    return r;
  };
  return { store, mpi, apply };
}

const sarah = { family: 'JONES', given: 'SARAH', birthDate: '1960-03-12', gender: 'female' as const, postcode: 'LS6 1AA' };

describe('matching', () => {
  it('soundex groups names that sound alike', () => {
    expect(soundex('Smith')).toBe('S530');
    expect(soundex('Smyth')).toBe('S530');
    expect(soundex('Ashcraft')).toBe('A261');
    expect(soundex('Robert')).toBe(soundex('Rupert'));
    expect(soundex('Jones')).not.toBe(soundex('Brown'));
  });

  it('explains every field it scored', () => {
    const s = scoreMatch(sarah, { ...sarah, family: 'JONNES', postcode: 'LS6 2BB' });
    expect(s.explanation).toEqual([
      'family name JONES sounds like JONNES (J520) (+0.20)',
      'given name SARAH = SARAH (+0.15)',
      'birth date 1960-03-12 = 1960-03-12 (+0.30)',
      'sex female = female (+0.05)',
      'postcode district LS6 = LS6 (+0.10)',
      'total 0.80',
    ]);
    expect(scoreMatch(sarah, sarah).score).toBe(1);
    expect(scoreMatch(sarah, { ...sarah, birthDate: '1960-12-03' }).explanation).toContain('birth date 1960-03-12 ~ 1960-12-03 (typo or day/month swap) (+0.10)');
    expect(scoreMatch(sarah, { family: 'SMITH', birthDate: '1970-01-01' }).score).toBe(0);
  });
});

describe('master patient index [REQ-INT-006]', () => {
  it('NHS number first: two sources, one person, local ids cross-referenced per authority', async () => {
    const { store, apply } = setup();
    const a = await apply({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    const b = await apply({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'B86001', value: 'E9' }], demographics: { ...sarah, family: 'SMITH' } });
    expect(a.decision).toBe('new-confirmed');
    expect(b.decision).toBe('nhs-number');
    expect(b.personId).toBe(a.personId);
    expect(store.persons.get(a.personId)?.localIds).toEqual([{ assigningAuthority: 'RAE', value: 'H1' }, { assigningAuthority: 'B86001', value: 'E9' }]);
    const c = await apply({ localIds: [{ assigningAuthority: 'B86001', value: 'E9' }], demographics: {} });
    expect(c).toMatchObject({ decision: 'local-identifier', personId: a.personId });
  });

  it('a provisional person is confirmed when a verified NHS number arrives with its local id', async () => {
    const { store, apply } = setup();
    const a = await apply({ localIds: [{ assigningAuthority: 'RX3', value: 'M1' }], demographics: sarah });
    expect(store.persons.get(a.personId)?.status).toBe('provisional');
    const b = await apply({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RX3', value: 'M1' }], demographics: sarah });
    expect(b.personId).toBe(a.personId);
    expect(store.persons.get(a.personId)).toMatchObject({ status: 'confirmed', nhsNumber: '9990000018' });
  });

  it('demographics: link at or above the link threshold, with the explanation kept', async () => {
    const { apply } = setup();
    const a = await apply({ localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    const b = await apply({ localIds: [{ assigningAuthority: 'RX3', value: 'M7' }], demographics: { ...sarah, given: 'Sarah' } });
    expect(b.decision).toBe('demographic-link');
    expect(b.personId).toBe(a.personId);
    expect(b.match?.score).toBe(1);
    expect(b.warnings[0]).toMatch(/^linked by demographics to person p1: family name JONES = JONES/);
  });

  it('demographics: review band makes a new provisional person and a review-queue entry, never a silent link', async () => {
    const { store, apply } = setup();
    const a = await apply({ localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    const b = await apply({ localIds: [{ assigningAuthority: 'RX3', value: 'M7' }], demographics: { ...sarah, postcode: 'BD1 5AB' } });
    expect(b.decision).toBe('new-provisional');
    expect(b.personId).not.toBe(a.personId);
    expect(store.persons.get(b.personId)?.status).toBe('provisional');
    expect(store.reviewQueue).toEqual([expect.objectContaining({ personId: b.personId, candidatePersonId: a.personId, status: 'review', score: 0.8 })]);
  });

  it('demographics: below the review threshold, a new person and no queue entry', async () => {
    const { store, apply } = setup();
    await apply({ localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    const b = await apply({ localIds: [{ assigningAuthority: 'RX3', value: 'M7' }], demographics: { family: 'JONES', birthDate: '1971-01-01', given: 'PAUL', gender: 'male' } });
    expect(b.decision).toBe('new-provisional');
    expect(store.reviewQueue).toHaveLength(0);
  });

  it('never links two different local ids of the same authority by demographics', async () => {
    const { apply } = setup();
    const a = await apply({ localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    const twin = await apply({ localIds: [{ assigningAuthority: 'RAE', value: 'H2' }], demographics: sarah });
    expect(twin.personId).not.toBe(a.personId);
  });

  it('a person stored exactly as the message describes them gets no identity change; a changed address does', async () => {
    const { store, apply } = setup();
    const facts = { nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah };
    const first = await apply(facts);
    const again = await apply(facts);
    expect(again).toMatchObject({ decision: 'nhs-number', personId: first.personId, changes: [] });
    // A message that carries less (a result: no address) says nothing different either: the stored postcode stays.
    const { postcode: _omitted, ...withoutAddress } = sarah;
    expect((await apply({ ...facts, demographics: withoutAddress })).changes).toEqual([]);
    const moved = await apply({ ...facts, demographics: { ...sarah, postcode: 'LS2 7AA' } });
    expect(moved.changes).toEqual([
      { kind: 'upsert-person', person: { personId: first.personId, nhsNumber: '9990000018', demographics: { ...sarah, postcode: 'LS2 7AA' }, status: 'confirmed' } },
    ]);
    expect(store.persons.get(first.personId)?.demographics.postcode).toBe('LS2 7AA');
    // A new identifier from another source is added, and the unchanged person is not rewritten for it.
    const secondSource = await apply({ ...facts, localIds: [{ assigningAuthority: 'B86001', value: 'E9' }], demographics: { ...sarah, postcode: 'LS2 7AA' } });
    expect(secondSource.changes).toEqual([{ kind: 'add-local-identifier', personId: first.personId, identifier: { assigningAuthority: 'B86001', value: 'E9' } }]);
  });

  it('a provisional person found by local id alone is left alone when nothing changed', async () => {
    const { apply } = setup();
    const facts = { localIds: [{ assigningAuthority: 'RX3', value: 'M1' }], demographics: sarah };
    const first = await apply(facts);
    expect(await apply(facts)).toMatchObject({ decision: 'local-identifier', personId: first.personId, changes: [] });
    // The verified NHS number arriving is a change: the person is confirmed.
    expect((await apply({ ...facts, nhsNumber: '9990000018' })).changes).toEqual([
      { kind: 'upsert-person', person: { personId: first.personId, nhsNumber: '9990000018', demographics: sarah, status: 'confirmed' } },
    ]);
  });

  it('one read finds a known person by NHS number when they already hold the message\'s local ids; a new id is still looked up', async () => {
    const { store, mpi, apply } = setup();
    await apply({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    const reads: string[] = [];
    const counted = new MasterPatientIndex({
      getPerson: (id) => (reads.push('person'), store.getPerson(id)),
      findPersonByNhsNumber: (n) => (reads.push('nhs'), store.findPersonByNhsNumber(n)),
      findPersonByLocalIdentifier: (l) => (reads.push(`local ${l.assigningAuthority}`), store.findPersonByLocalIdentifier(l)),
      findCandidates: (d, limit) => (reads.push('candidates'), store.findCandidates(d, limit)),
    });
    const known = await counted.resolve({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah });
    expect(reads).toEqual(['nhs']);
    expect(known).toEqual(await mpi.resolve({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RAE', value: 'H1' }], demographics: sarah }));
    reads.length = 0;
    await counted.resolve({ nhsNumber: '9990000018', localIds: [{ assigningAuthority: 'RAE', value: 'H1' }, { assigningAuthority: 'B86001', value: 'E9' }], demographics: sarah });
    expect(reads).toEqual(['nhs', 'local B86001']);
  });

  it('rejects thresholds the wrong way round', () => {
    expect(() => new MasterPatientIndex(new MemoryStore(), { linkThreshold: 0.5, reviewThreshold: 0.7 })).toThrow(RangeError);
  });
});
