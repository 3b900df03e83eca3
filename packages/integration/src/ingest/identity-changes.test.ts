import type { IdentityLookup, IngestBatch, Sink } from '@openidcr/model';
import { openStore, type RecordStore } from '@openidcr/store';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../test-support/harness.js';
import { Ingestor } from './ingestor.js';
import { MemoryStore } from './memory.js';

const PG = process.env.OPENIDCR_TEST_PG_URL;
const schema = `it_identity_changes_${process.pid}`;

const stores: Array<[name: string, open: () => Promise<Sink & IdentityLookup & { close?: () => Promise<void> }>]> = [
  ['in memory', async () => new MemoryStore()],
  ['PGlite', () => openStore('pglite:memory')],
  ...(PG ? [['PostgreSQL', () => openStore(`${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`)] as [string, () => Promise<RecordStore>]] : []),
];

afterAll(async () => {
  if (!PG) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

// The A01 and the A08 describe the same person (NHS number and PAS number); the A08 moves her from LS6 1AA to LS2 7AA.
const admission = fixture('adt-a01.hl7');
const sameAgain = admission.replace('|PAS000101|', '|PAS000199|'); // the same facts under a new control id
const moved = fixture('adt-a08.hl7');

describe.each(stores)('identity changes only when the person changed, %s [REQ-INT-006]', (_name, open) => {
  it('a second identical ADT writes no identity change and reads the person once; a changed address is written', async () => {
    const store = await open();
    try {
      const batches: IngestBatch[] = [];
      const reads: string[] = [];
      const sink: Sink = { applyBatch: (b) => (batches.push(b), store.applyBatch(b)), recordDeadLetter: (l) => store.recordDeadLetter(l) };
      const lookup: IdentityLookup = {
        getPerson: (id) => (reads.push('person'), store.getPerson(id)),
        findPersonByNhsNumber: (n) => (reads.push('nhs'), store.findPersonByNhsNumber(n)),
        findPersonByLocalIdentifier: (l) => (reads.push('local'), store.findPersonByLocalIdentifier(l)),
        findCandidates: (d, limit) => (reads.push('candidates'), store.findCandidates(d, limit)),
      };
      const ingestor = new Ingestor({ sink, lookup });

      const [first] = await ingestor.ingest(admission);
      expect(first).toMatchObject({ outcome: 'accepted' });
      expect(batches[0]!.identity.map((c) => c.kind)).toEqual(['upsert-person', 'add-local-identifier']);

      reads.length = 0;
      const [second] = await ingestor.ingest(sameAgain);
      expect(second).toMatchObject({ outcome: 'accepted', personId: first!.personId });
      expect(batches[1]!.identity).toEqual([]);
      expect(reads).toEqual(['nhs']);

      const [third] = await ingestor.ingest(moved);
      expect(third).toMatchObject({ outcome: 'accepted', personId: first!.personId });
      expect(batches[2]!.identity).toEqual([
        { kind: 'upsert-person', person: expect.objectContaining({ personId: first!.personId, nhsNumber: '9990000018', demographics: expect.objectContaining({ postcode: 'LS2 7AA' }) }) },
      ]);
      expect((await store.getPerson(first!.personId!))?.demographics).toMatchObject({ family: 'JONES', given: 'Sarah', birthDate: '1960-03-12', gender: 'female', postcode: 'LS2 7AA' });
    } finally {
      await store.close?.();
    }
  });
});
