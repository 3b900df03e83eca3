import type { BatchResource, PersonRecord } from '@openidcr/model';
import { normaliseNhsNumber } from '@openidcr/model';
import type { Db, Queryable } from '../db/db.js';
import { StoreError } from '../errors.js';
import { NHS_NUMBER_AUTHORITY, applyIdentityChange } from '../identity/mpi.js';
import { indexColumnsOf, normaliseName, normalisePostcode, patientIdentifiersOf, patientSearchRowsOf } from '../resources/extract.js';
import { writeResources } from '../resources/write.js';
import { checkBatchResources, personSchema } from './batch-schema.js';

/** One item of an initial load: a resource (as `bulkLoad` takes it), or a person of the master patient index. */
export type InitialLoadItem = BatchResource | { person: PersonRecord };

/** Options for `initialLoad`. */
export interface InitialLoadOptions {
  /** Items per COPY round (default 20,000): memory held at once, and how often `onProgress` is called. */
  chunkSize?: number | undefined;
  /** Called after each chunk is sent, with the totals so far. */
  onProgress?: ((progress: InitialLoadResult) => void) | undefined;
}

/** What `initialLoad` wrote. */
export interface InitialLoadResult {
  resources: number;
  persons: number;
}

/** The tables an initial load fills; their secondary indexes are dropped for the load and built again after it. */
const LOADED_TABLES = ['resources', 'resource_history', 'patient_search', 'patient_identifiers', 'persons', 'person_identifiers'];

const RESOURCE_COPY = `COPY resources (patient_key, resource_type, id, version, heading, source_org, security_labels, effective_date,
  last_updated, source_time, body) FROM STDIN`;
const SEARCH_COPY = 'COPY patient_search (patient_key, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference) FROM STDIN';
const IDENTIFIER_COPY = 'COPY patient_identifiers (patient_key, patient_id, system, value) FROM STDIN';
const PERSON_COPY = `COPY persons (person_id, nhs_number, family, given, birth_date, gender, postcode, family_norm, postcode_norm, status,
  merged_into, created_at, updated_at) FROM STDIN`;
const PERSON_IDENTIFIER_COPY = 'COPY person_identifiers (assigning_authority, value, person_id) FROM STDIN';

/** A value in PostgreSQL's COPY text format: `\N` for null, backslash, tab, newline and carriage return escaped. */
export function copyText(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;
}

/** A text[] literal: `{"a","b"}`, each element quoted with `"` and `\` escaped. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

const line = (values: ReadonlyArray<string | number | null | undefined>): string => `${values.map(copyText).join('\t')}\n`;

/** COPY rows (in the text format) of one chunk of a load, per table. */
class Chunk {
  resources: string[] = [];
  search: string[] = [];
  identifiers: string[] = [];
  persons: string[] = [];
  personIdentifiers: string[] = [];
  references: BatchResource[] = [];
}

/** Checks one chunk of items and turns it into COPY rows. */
function toChunk(items: readonly InitialLoadItem[], offset: number, now: string): Chunk {
  const chunk = new Chunk();
  const resources: BatchResource[] = [];
  items.forEach((item, i) => {
    if ('person' in item) {
      const parsed = personSchema.safeParse(item.person);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const path = ['items', String(offset + i), 'person', ...(first?.path ?? []).map(String)].join('.');
        throw new StoreError('invalid-input', `${path}: ${first?.message ?? 'invalid'}`, path);
      }
      addPerson(chunk, item.person, now);
    } else resources.push(item);
  });
  try {
    checkBatchResources(resources, 'items', offset);
  } catch {
    // Name the item by its place in the whole load (persons and resources counted together).
    items.forEach((item, i) => {
      if (!('person' in item)) checkBatchResources([item], 'items', offset + i);
    });
  }
  for (const item of resources) addResource(chunk, item, now);
  return chunk;
}

function addResource(chunk: Chunk, item: BatchResource, now: string): void {
  const { resource } = item;
  const body = { ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated: now } };
  if (item.patientKey === undefined) {
    chunk.references.push(item);
    return;
  }
  const columns = indexColumnsOf(body);
  const sourceTime = item.sourceTime === undefined ? null : new Date(item.sourceTime).toISOString();
  chunk.resources.push(
    line([
      item.patientKey,
      resource.resourceType,
      resource.id,
      1,
      columns.heading,
      columns.sourceOrg,
      arrayLiteral(columns.securityLabels),
      columns.effectiveDate,
      now,
      sourceTime,
      JSON.stringify(body),
    ]),
  );
  if (resource.resourceType !== 'Patient') return;
  for (const row of patientSearchRowsOf(body)) {
    chunk.search.push(line([item.patientKey, resource.id, row.seq, row.family, row.given, row.birthDate, row.gender, row.postcode, row.gpOds, row.gpReference]));
  }
  for (const identifier of patientIdentifiersOf(body)) chunk.identifiers.push(line([item.patientKey, resource.id, identifier.system, identifier.value]));
}

function addPerson(chunk: Chunk, person: PersonRecord, now: string): void {
  const d = person.demographics;
  const nhsNumber = person.nhsNumber ? normaliseNhsNumber(person.nhsNumber) : null;
  chunk.persons.push(
    line([
      person.personId,
      nhsNumber,
      d.family,
      d.given,
      d.birthDate,
      d.gender,
      d.postcode,
      d.family ? normaliseName(d.family) : null,
      d.postcode ? normalisePostcode(d.postcode) : null,
      person.status,
      person.mergedInto,
      now,
      now,
    ]),
  );
  if (nhsNumber !== null) chunk.personIdentifiers.push(line([NHS_NUMBER_AUTHORITY, nhsNumber, person.personId]));
  for (const id of person.localIds ?? []) chunk.personIdentifiers.push(line([id.assigningAuthority, id.value, person.personId]));
}

/** Turns a unique violation raised by COPY into an error naming what was loaded twice. */
function duplicateError(error: unknown): unknown {
  const pgError = error as { code?: string; detail?: string; table?: string };
  if (pgError.code !== '23505') return error;
  return new StoreError('invalid-input', `items: loaded twice (an initial load takes each resource and person once): ${pgError.table ?? ''} ${pgError.detail ?? ''}`.trim(), 'items');
}

async function assertEmpty(tx: Queryable): Promise<void> {
  const { rows } = await tx.query<{ used: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM resources) OR EXISTS (SELECT 1 FROM resource_history) OR EXISTS (SELECT 1 FROM persons)
       OR EXISTS (SELECT 1 FROM reference_resources) AS used`,
  );
  if (rows[0]?.used) throw new StoreError('invalid-input', 'store: an initial load needs an empty store (no resources and no persons); use bulkLoad to add to one', 'store');
}

/** Drops the secondary indexes (not those behind primary keys) of the loaded tables and returns their definitions. */
async function dropSecondaryIndexes(tx: Queryable, schema: string): Promise<string[]> {
  const { rows } = await tx.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
      ORDER BY t.relname, i.relname`,
    [schema, LOADED_TABLES],
  );
  for (const row of rows) await tx.query(`DROP INDEX "${row.name.replace(/"/g, '""')}"`);
  return rows.map((row) => row.definition);
}

/**
 * The first load of a locality into an empty store, for populations of millions: PostgreSQL's COPY into the
 * tables with their secondary indexes dropped, which are built once at the end; the history (version 1 of every
 * resource) is copied from the current rows inside the database. One transaction: it all lands, or nothing does.
 * Each resource and person must come once (a repeat fails the load naming it). PGlite, which has no COPY from a
 * client stream, runs the same load through the ordinary write path, also in one transaction.
 */
export async function initialLoad(db: Db, items: Iterable<InitialLoadItem> | AsyncIterable<InitialLoadItem>, options: InitialLoadOptions = {}): Promise<InitialLoadResult> {
  const chunkSize = options.chunkSize ?? 20_000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1_000_000) {
    throw new StoreError('invalid-input', 'chunkSize: must be an integer from 1 to 1000000', 'chunkSize');
  }
  const result: InitialLoadResult = { resources: 0, persons: 0 };
  const now = new Date().toISOString();
  await db.transaction(async (tx) => {
    await assertEmpty(tx);
    const copy = tx.copyFrom?.bind(tx);
    if (db.engine !== 'postgres' || !copy) {
      await loadThroughWrites(tx, items, now, chunkSize, result, options.onProgress);
      return;
    }
    await tx.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    const indexes = await dropSecondaryIndexes(tx, db.schema);
    // Resources stream into one COPY per chunk as they are made, so making the next rows overlaps the server's
    // parsing of the last ones; the few rows of the other tables follow each chunk in COPYs of their own.
    const groups = inGroups(items, 500)[Symbol.asyncIterator]();
    let offset = 0;
    let exhausted = false;
    while (!exhausted) {
      const side = new Chunk();
      let inChunk = 0;
      const resourceLines = async function* (): AsyncGenerator<string> {
        while (inChunk < chunkSize) {
          const next = await groups.next();
          if (next.done) {
            exhausted = true;
            return;
          }
          const chunk = toChunk(next.value, offset, now);
          offset += next.value.length;
          inChunk += next.value.length;
          side.search.push(...chunk.search);
          side.identifiers.push(...chunk.identifiers);
          side.persons.push(...chunk.persons);
          side.personIdentifiers.push(...chunk.personIdentifiers);
          side.references.push(...chunk.references);
          result.resources += chunk.resources.length;
          result.persons += chunk.persons.length;
          if (chunk.resources.length > 0) yield chunk.resources.join('');
        }
      };
      try {
        await copy(RESOURCE_COPY, resourceLines());
        if (side.search.length > 0) await copy(SEARCH_COPY, side.search);
        if (side.identifiers.length > 0) await copy(IDENTIFIER_COPY, side.identifiers);
        if (side.persons.length > 0) await copy(PERSON_COPY, side.persons);
        if (side.personIdentifiers.length > 0) await copy(PERSON_IDENTIFIER_COPY, side.personIdentifiers);
      } catch (error) {
        throw duplicateError(error);
      }
      if (side.references.length > 0) await writeResources(tx, side.references, now);
      result.resources += side.references.length;
      options.onProgress?.({ ...result });
    }
    await tx.query(`INSERT INTO resource_history (patient_key, resource_type, id, version, heading, source_org, security_labels,
        effective_date, last_updated, source_time, body)
      SELECT patient_key, resource_type, id, version, heading, source_org, security_labels, effective_date, last_updated, source_time, body
        FROM resources`);
    for (const definition of indexes) await tx.query(definition);
    // A resource id is unique per type across people; the primary key alone (patient, type, id) cannot see that.
    const { rows } = await tx.query<{ resource_type: string; id: string }>(
      'SELECT resource_type, id FROM resources GROUP BY resource_type, id HAVING count(*) > 1 LIMIT 1',
    );
    if (rows[0]) throw new StoreError('invalid-input', `items: ${rows[0].resource_type}/${rows[0].id} is loaded under two patient keys`, 'items');
    await tx.query('ANALYZE resources');
    await tx.query('ANALYZE resource_history');
    await tx.query('ANALYZE patient_search');
    await tx.query('ANALYZE persons');
  });
  if (db.engine === 'postgres') {
    // Outside the transaction (VACUUM cannot run in one): the visibility map of the lookup tables, so that patient
    // search and the MPI's blocking query read their indexes alone instead of visiting every row they find. The
    // big resource tables are left to autovacuum.
    await db.query('VACUUM (ANALYZE) persons, person_identifiers, patient_search, patient_identifiers');
  }
  return result;
}

async function* inGroups<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let group: T[] = [];
  for await (const item of items) {
    group.push(item);
    if (group.length >= size) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}

async function loadThroughWrites(
  tx: Queryable,
  items: Iterable<InitialLoadItem> | AsyncIterable<InitialLoadItem>,
  now: string,
  chunkSize: number,
  result: InitialLoadResult,
  onProgress: InitialLoadOptions['onProgress'],
): Promise<void> {
  let resources: BatchResource[] = [];
  let offset = 0;
  const seen = new Set<string>();
  const flush = async (): Promise<void> => {
    checkBatchResources(resources, 'items', offset - resources.length);
    for (const item of resources) {
      const key = `${item.resource.resourceType}/${item.resource.id}`;
      if (seen.has(key)) throw new StoreError('invalid-input', `items: ${key} is loaded twice (an initial load takes each resource once)`, 'items');
      seen.add(key);
    }
    await writeResources(tx, resources, now);
    result.resources += resources.length;
    resources = [];
    onProgress?.({ ...result });
  };
  for await (const item of items) {
    offset++;
    if ('person' in item) {
      const { person } = item;
      if (!personSchema.safeParse(person).success) toChunk([item], offset - 1, now); // throws, naming the field
      if (seen.has(`person:${person.personId}`)) throw new StoreError('invalid-input', `items: person ${person.personId} is loaded twice`, 'items');
      seen.add(`person:${person.personId}`);
      await applyIdentityChange(tx, { kind: 'upsert-person', person: { personId: person.personId, nhsNumber: person.nhsNumber, demographics: person.demographics ?? {}, status: person.status } }, now);
      for (const identifier of person.localIds ?? []) await applyIdentityChange(tx, { kind: 'add-local-identifier', personId: person.personId, identifier }, now);
      result.persons++;
    } else {
      resources.push(item);
      if (resources.length >= chunkSize) await flush();
    }
  }
  if (resources.length > 0) await flush();
}
