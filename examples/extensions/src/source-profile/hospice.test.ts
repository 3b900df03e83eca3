import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ingestor, ShippedProfiles } from '@openidcr/integration';
import { NHS_NUMBER_SYSTEM, localIdentifierSystem, parseResource, type ResourceLike } from '@openidcr/model';
import { openStoreOnPglite, type RecordStore } from '@openidcr/store';
import { dayMonthYear, hospiceChannel, hospiceProfile } from './hospice.js';

const message = readFileSync(new URL('./fixtures/hospice-adt-a01.hl7', import.meta.url), 'utf8');

describe('a hospice source profile, ingested through the real Ingestor into PGlite', () => {
  // One PGlite (PostgreSQL in WebAssembly, in memory) for the file; each test gets its own schema in it.
  let pg: PGlite;
  let store: RecordStore;
  let ingestor: Ingestor;
  let n = 0;
  beforeAll(async () => {
    pg = await PGlite.create();
  });
  afterAll(async () => {
    await pg.close();
  });
  beforeEach(async () => {
    store = await openStoreOnPglite(pg, { schema: `hospice_${++n}` });
    ingestor = new Ingestor({ sink: store, lookup: store, channels: { [hospiceChannel.name]: hospiceChannel } });
  });
  afterEach(async () => {
    await pg.exec(`DROP SCHEMA hospice_${n} CASCADE`);
  });

  it('reads the hospice message into valid FHIR R4: the person, the admission, the diagnosis and the ReSPECT alert', async () => {
    const [result] = await ingestor.ingest(message, 'northshire-hospice');
    expect(result).toMatchObject({ outcome: 'accepted', ackCode: 'CA', problems: [] });
    const record = await store.everything(result!.personId!);
    for (const resource of record) expect(parseResource(resource), `${resource.resourceType}/${resource.id}`).toMatchObject({ ok: true });
    expect(record.map((r) => r.resourceType).sort()).toEqual(['Condition', 'Encounter', 'Flag', 'Patient', 'Provenance']);

    const patient = record.find((r) => r.resourceType === 'Patient') as ResourceLike & { identifier: Array<{ system: string; value: string }>; gender: string };
    expect(patient.identifier).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ system: NHS_NUMBER_SYSTEM, value: '9990000042' }),
        expect.objectContaining({ system: localIdentifierSystem('X9H-HOSPNO'), value: 'H004211' }),
      ]),
    );
    expect(patient.gender).toBe('female');

    const flag = record.find((r) => r.resourceType === 'Flag');
    expect(flag).toMatchObject({
      status: 'active',
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '450476008', display: 'Not for attempted cardiopulmonary resuscitation' }],
        text: 'ReSPECT: Not for attempted cardiopulmonary resuscitation. Preferred place of care: Home. Discussed with the person',
      },
      subject: { reference: `Patient/${result!.personId}` },
      period: { start: '2026-03-14' },
      author: { display: 'Dr Chidi Okafor' },
      meta: { source: 'urn:ods:X9H' },
    });
    // The store files the flag under the alerts heading, dated from the form.
    const alerts = await store.listResources({ patientKey: result!.personId!, headings: ['alerts'] });
    expect(alerts.items.map((item) => item.resource.id)).toEqual([flag!.id]);
    expect(await store.findPersonByNhsNumber('999 000 0042')).toMatchObject({ personId: result!.personId });
  });

  it('without the profile the NHS number is not recognised: the generic profile files it as a local number', async () => {
    const [result] = await ingestor.ingest(message, { name: 'generic', profile: ShippedProfiles.generic });
    expect(result!.outcome).toBe('accepted');
    expect(await store.findPersonByNhsNumber('9990000042')).toBeUndefined();
    expect((await store.everything(result!.personId!)).some((r) => r.resourceType === 'Flag')).toBe(false); // ZRS ignored
  });

  it('a ReSPECT date in another format is an error naming ZRS.3, dead-lettered, nothing stored', async () => {
    const [result] = await ingestor.ingest(message.replace('|14/03/2026|', '|2026-03-14|'), 'northshire-hospice');
    expect(result).toMatchObject({ outcome: 'error', ackCode: 'CE' });
    expect(result!.ack).toContain('ZRS.3: expected the date completed as DD/MM/YYYY, found \\"2026-03-14\\"'.replaceAll('\\"', '"'));
    expect((await store.listDeadLetters({})).items).toHaveLength(1);
    expect(await store.findPersonByNhsNumber('9990000042')).toBeUndefined();
  });

  it('only takes messages from the hospice application on this channel', async () => {
    const [result] = await ingestor.ingest(message.replace('HOSPICECARE', 'OTHERAPP'), 'northshire-hospice');
    expect(result!.outcome).toBe('rejected');
  });

  it('a reviewed form replaces the alert rather than adding a second one', async () => {
    await ingestor.ingest(message, 'northshire-hospice');
    const reviewed = message
      .replace('HSP0004211', 'HSP0004377')
      .replace('450476008^Not for attempted cardiopulmonary resuscitation', '450475007^For attempted cardiopulmonary resuscitation')
      .replace('14/03/2026', '20/11/2026');
    const [result] = await ingestor.ingest(reviewed, 'northshire-hospice');
    const flags = (await store.everything(result!.personId!)).filter((r) => r.resourceType === 'Flag');
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ period: { start: '2026-11-20' }, code: { coding: [{ code: '450475007' }] } });
  });
});

describe('the hospice date format', () => {
  it('reads real days only', () => {
    expect(dayMonthYear('14/03/2026')).toBe('2026-03-14');
    expect(dayMonthYear('29/02/2028')).toBe('2028-02-29');
    expect(dayMonthYear('29/02/2026')).toBeUndefined();
    expect(dayMonthYear('3/14/2026')).toBeUndefined();
    expect(dayMonthYear('2026-03-14')).toBeUndefined();
  });

  it('the profile is checked like any other', () => {
    expect(hospiceProfile).toMatchObject({ odsCode: 'X9H', identifiers: { localAuthority: 'X9H-HOSPNO', nhsNumberInPid2: true } });
  });
});
