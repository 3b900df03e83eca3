import { pino } from 'pino';
import { openStore } from '@openidcr/store';
import { startApi, locality, type ApiHarness } from '../fhir/api.fixtures.js';
import { REFERENCE_DATA, SMITH_NHS, jonesRecord, relationshipsFor, smithRecord } from '../fhir/record.fixtures.js';
import { federatedSource } from './federated.js';
import { startFhirSource, type FhirSourceServer } from './fhir-source.fixtures.js';

/** The federated topology: one small FHIR server per source organisation, and a store for consents, relationships and audit only. */
export async function federatedApi(): Promise<ApiHarness & { servers: Record<string, FhirSourceServer> }> {
  const ids = { smith: 'pat-smith-gp', smithHospital: 'pat-smith-hosp', smithCouncil: 'pat-smith-council', jones: 'pat-jones-gp' };
  const smith = smithRecord({ gp: ids.smith, hospital: ids.smithHospital, council: ids.smithCouncil });
  const jones = jonesRecord({ gp: ids.jones });
  const reference = (ods: string) => REFERENCE_DATA.filter((r) => r.meta?.source?.endsWith(`|${ods}`));
  const servers: Record<string, FhirSourceServer> = {
    Y90001: await startFhirSource([...smith.Y90001!, ...reference('Y90001')]),
    Y90002: await startFhirSource(jones.Y90002!),
    X9A: await startFhirSource([...smith.X9A!, ...reference('X9A')]),
    X9L: await startFhirSource(smith.X9L!),
    X9C: await startFhirSource([]),
  };
  const source = federatedSource({
    sources: Object.entries(servers).map(([organisation, server]) => ({
      organisation,
      baseUrl: server.url,
      timeoutMs: organisation === 'X9C' ? 1500 : 10_000,
      concurrency: organisation === 'X9C' ? 1 : 8,
      headers: {},
    })),
    organisations: locality.organisations,
    logger: pino({ level: 'silent' }),
  });
  const store = await openStore('pglite:memory');
  for (const relationship of relationshipsFor({ smith: SMITH_NHS })) await store.putRelationship(relationship);
  const api = await startApi({
    topology: 'federated',
    store,
    source,
    ids,
    cleanup: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  });
  return { ...api, servers };
}
