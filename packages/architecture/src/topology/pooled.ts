import type { ResourceLike } from '@openidcr/model';
import { isStoreError, type RecordStore, type StoredResource } from '@openidcr/store';
import type { LocatedResource, RecordSource, SourceResult } from './source.js';
import { SourceInputError } from './source.js';

const located = (stored: StoredResource): LocatedResource => ({
  resource: stored.resource as LocatedResource['resource'],
  patientKey: stored.patientKey,
  version: String(stored.version),
  lastUpdated: stored.lastUpdated,
});

const complete = <T>(value: T): SourceResult<T> => ({ value, unavailable: [] });

/** Store errors a caller caused (a bad cursor, a bad date) become input errors naming the API parameter. */
async function translate<T>(work: () => Promise<T>, parameters: Record<string, string>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isStoreError(error) && (error.code === 'invalid-input' || error.code === 'invalid-cursor')) {
      const field = error.field ?? '';
      const parameter = parameters[field] ?? field;
      throw new SourceInputError(parameter, error.message.replace(/^[^:]+:/, `${parameter}:`));
    }
    throw error;
  }
}

/** The pooled topology: the record as the store keeps it. */
export function pooledSource(store: RecordStore): RecordSource {
  return {
    topology: 'pooled',
    async read(type, id) {
      const stored = await store.read(type, id);
      return complete(stored ? located(stored) : undefined);
    },
    async readVersion(type, id, version) {
      if (!/^[1-9]\d{0,9}$/.test(version)) return complete(undefined);
      const stored = await store.readVersion(type, id, Number(version));
      return complete(stored ? located(stored) : undefined);
    },
    async history(type, id) {
      const versions = await store.history(type, id);
      return complete(versions.map(located).sort((a, b) => Number(b.version) - Number(a.version)));
    },
        async searchPatients(criteria) {
      if (criteria.identifier) {
        const found = await store.findPatientsByIdentifier(criteria.identifier.system, criteria.identifier.value);
        return complete({ items: found.map(located) });
      }
      const page = await translate(
        () =>
          store.searchPatients({
            family: criteria.family,
            given: criteria.given,
            birthDate: criteria.birthDate,
            postcode: criteria.postcode,
            gender: criteria.gender,
            limit: criteria.limit,
            cursor: criteria.cursor,
          }),
        { cursor: '_cursor', limit: '_count', birthDate: 'birthdate', family: 'family' },
      );
      return complete({ items: page.items.map(located), nextCursor: page.nextCursor });
    },
    async patientsOf(patientKey) {
      const page = await store.listResources({ patientKey, resourceTypes: ['Patient'], limit: 100 });
      return complete(page.items.map((item) => item.resource));
    },
    async currentAdmissions(practiceOds) {
      const rows = await store.currentAdmissions(practiceOds);
      return complete(rows.map((row) => ({ patientKey: row.patientKey, encounter: row.encounter as ResourceLike & { id: string } })));
    },
    async everything(patientKey) {
      return complete(await store.everything(patientKey));
    },
    async list(query) {
      const page = await translate(
        () =>
          store.listResources({
            patientKey: query.patientKey,
            resourceTypes: query.resourceTypes,
            from: query.from,
            to: query.to,
            sort: query.sort,
            limit: query.limit,
            cursor: query.cursor,
          }),
        { cursor: '_cursor', limit: '_count', from: 'date', to: 'date' },
      );
      return complete({ items: page.items.map(located), nextCursor: page.nextCursor });
    },
    async ready() {
      try {
        await store.readAudit({ limit: 1 });
        return true;
      } catch {
        return false;
      }
    },
  };
}
