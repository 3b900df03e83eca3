import { pino } from 'pino';
import { openStore, type RecordStore } from '@openidcr/store';
import { pooledRecord } from '../fhir/record.fixtures.js';
import { defineLocality, type LocalityInput } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { createIdcr, type Idcr, type IdcrOptions } from '../server/create-idcr.js';

/** A whole assembled server (`createIdcr`) over the fixture record, listening on a free port of 127.0.0.1. */
export interface RunningFixtureIdcr {
  idcr: Idcr;
  url: string;
  port: number;
  store: RecordStore;
  /** A development-issuer token for a Northshire demo user (`dr-gp`, `dr-hosp`, `citizen-1`, ...). */
  token(userId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts `createIdcr` for the Northshire fixture locality with `overrides`, on an in-memory store holding the fixture
 * record (Smith with three Patient resources, `pat-smith-gp` the GP's, and Jones). `wrapStore` can put a faulty store in
 * front of it. `close` closes the store too.
 */
export async function startFixtureIdcr(overrides: Partial<LocalityInput> = {}, options: Omit<IdcrOptions, 'store'> & { wrapStore?: (store: RecordStore) => RecordStore } = {}): Promise<RunningFixtureIdcr> {
  const store = await openStore('pglite:memory');
  const record = pooledRecord();
  await store.bulkLoad(record.resources);
  for (const relationship of record.relationships) await store.putRelationship(relationship);
  const { wrapStore, ...idcrOptions } = options;
  const idcr = await createIdcr(defineLocality(northshire({ ports: { http: 0, host: '127.0.0.1' }, ...overrides })), { logger: pino({ level: 'silent' }), ...idcrOptions, store: wrapStore ? wrapStore(store) : store });
  const { http } = await idcr.listen();
  const url = `http://127.0.0.1:${http.port}`;
  return {
    idcr,
    url,
    port: http.port,
    store,
    async token(userId) {
      const token = await idcr.devIssuer?.issue(userId);
      if (!token) throw new Error(`no demo user ${userId}`);
      return token;
    },
    close: () => idcr.close(),
  };
}
