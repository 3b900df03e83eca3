import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NHS_NUMBER_SYSTEM, completeNhsNumber } from '@openidcr/model';
import { isStoreError } from '../errors.js';
import { openStore, type RecordStore } from '../store.js';
import { observation, organization, patient } from '../store.fixtures.js';
import { postgresTestSchemas } from '../postgres-schemas.fixtures.js';
import { arrayLiteral, copyText, type InitialLoadItem } from './initial-load.js';

const url = process.env.OPENIDCR_TEST_PG_URL;

function nhsNumbers(count: number): string[] {
  const out: string[] = [];
  for (let stem = 612_000_000; out.length < count; stem++) {
    const full = completeNhsNumber(String(stem));
    if (full) out.push(full);
  }
  return out;
}

/** Three people, each with a Patient, two Observations and an MPI entry; one Organization. */
function population(): InitialLoadItem[] {
  const numbers = nhsNumbers(3);
  const items: InitialLoadItem[] = [{ resource: organization('org-load', 'B86001') }];
  numbers.forEach((nhs, i) => {
    const key = `load-p${i}`;
    items.push({ person: { personId: key, nhsNumber: nhs, demographics: { family: `Tab\tLoad${i}`, given: 'Ann', birthDate: '1960-03-12', gender: 'female', postcode: 'LS1 4AP' }, localIds: [{ assigningAuthority: 'RR8', value: `M${i}` }], status: 'confirmed' } });
    items.push({ patientKey: key, resource: patient(`load-pat${i}`, { nhsNumber: nhs, family: `Loadtest${i}` }) });
    items.push({ patientKey: key, resource: observation(`load-o${i}a`, '2024-01-01') });
    // A value with a backslash, a tab and a newline must come back exactly.
    items.push({ patientKey: key, resource: { ...observation(`load-o${i}b`, '2024-02-01'), note: [{ text: 'a\\b\tc\nd "q"' }] } });
  });
  return items;
}

async function expectInvalid(promise: Promise<unknown>, text: string | RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isStoreError(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(text);
}

function describeInitialLoad(engine: string, open: () => Promise<RecordStore>): void {
  describe(`initialLoad on ${engine}`, () => {
    it('loads resources and MPI persons into an empty store: version 1, history, search, identifiers, everything', async () => {
      const store = await open();
      try {
        const progress: number[] = [];
        const result = await store.initialLoad(population(), { chunkSize: 4, onProgress: (p) => progress.push(p.resources) });
        expect(result).toEqual({ resources: 10, persons: 3 });
        expect(progress.at(-1)).toBe(10);
        const everything = await store.everything('load-p1');
        expect(everything.map((r) => r.id).sort()).toEqual(['load-o1a', 'load-o1b', 'load-pat1']);
        const note = everything.find((r) => r.id === 'load-o1b')?.note as Array<{ text: string }>;
        expect(note[0]?.text).toBe('a\\b\tc\nd "q"');
        const stored = await store.read('Observation', 'load-o2a');
        expect(stored).toMatchObject({ patientKey: 'load-p2', version: 1, heading: 'results' });
        expect((await store.readVersion('Observation', 'load-o2a', 1))?.resource.id).toBe('load-o2a');
        expect((await store.read('Organization', 'org-load'))?.version).toBe(1);
        expect((await store.searchPatients({ family: 'loadtest1' })).items.map((i) => i.id)).toEqual(['load-pat1']);
        const person = await store.findPersonByLocalIdentifier({ assigningAuthority: 'RR8', value: 'M2' });
        expect(person).toMatchObject({ personId: 'load-p2', demographics: { family: 'Tab\tLoad2', postcode: 'LS1 4AP' }, status: 'confirmed' });
        const nhs = (person?.nhsNumber ?? '').replace(/\s/g, '');
        expect(await store.findPersonByNhsNumber(nhs)).toMatchObject({ personId: 'load-p2' });
        expect((await store.findPatientsByIdentifier(NHS_NUMBER_SYSTEM, nhs)).map((p) => p.id)).toEqual(['load-pat2']);
        expect((await store.findCandidates({ family: 'Tab\tLoad0', birthDate: '1960-03-12' }, 5)).map((p) => p.personId)).toContain('load-p0');
        // Ordinary writes carry on from version 1.
        await store.bulkLoad([{ patientKey: 'load-p0', resource: observation('load-o0a', '2024-01-05') }]);
        expect((await store.read('Observation', 'load-o0a'))?.version).toBe(2);
        // A second initial load is refused: the store is not empty.
        await expectInvalid(store.initialLoad([{ patientKey: 'x', resource: observation('load-x', '2024-01-01') }]), /empty store/);
      } finally {
        await store.close();
      }
    }, 60_000);

    it('loads nothing when an item repeats or is malformed, naming it', async () => {
      const store = await open();
      try {
        const items = population();
        await expectInvalid(store.initialLoad([...items, { patientKey: 'load-p9', resource: observation('load-o1a', '2024-03-01') }]), /Observation\/load-o1a|twice/);
        await expectInvalid(store.initialLoad([...items, { patientKey: 'load-p0', resource: { resourceType: 'Observation', id: 'bad id!' } }]), /items\.13\.resource\.id/);
        await expectInvalid(store.initialLoad([...items, { person: { personId: '', demographics: {}, localIds: [], status: 'confirmed' } }]), /items\.13\.person\.personId/);
        expect(await store.everything('load-p0')).toEqual([]);
        expect(await store.getPerson('load-p0')).toBeUndefined();
        // Still empty, so a good load now succeeds.
        expect(await store.initialLoad(items)).toEqual({ resources: 10, persons: 3 });
      } finally {
        await store.close();
      }
    }, 60_000);
  });
}

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return, and writes null as \\N', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText(null)).toBe('\\N');
    expect(copyText(7)).toBe('7');
    expect(arrayLiteral(['a', 'b"c', 'd\\e'])).toBe('{"a","b\\"c","d\\\\e"}');
  });
});

describeInitialLoad('PGlite', () => openStore('pglite:memory'));

if (url) {
  const schemas = postgresTestSchemas(url);
  describeInitialLoad('PostgreSQL', async () => openStore(url, { schema: schemas.fresh() }));

  it('builds again every index it dropped for the load', async () => {
    const schema = schemas.fresh();
    const store = await openStore(url, { schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const indexes = async () => (await client.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [schema])).rows.map((r) => r.indexdef);
      const before = await indexes();
      await store.initialLoad(population());
      expect(await indexes()).toEqual(before);
    } finally {
      await client.end();
      await store.close();
    }
  }, 60_000);
}
