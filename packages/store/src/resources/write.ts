import { keepAbsentElements, type BatchResource, type ResourceLike } from '@openidcr/model';
import type { Queryable } from '../db/db.js';
import { prepared } from '../db/db.js';
import { indexColumnsOf, patientIdentifiersOf, patientSearchRowsOf } from './extract.js';

/** What writing a set of resources did. */
export interface WriteOutcome {
  written: number;
  skippedAsStale: number;
  /** `Type/id` of each resource skipped as stale. */
  stale: Set<string>;
  /** Positions (in the items given) of the resources skipped as stale. */
  staleItems: Set<number>;
}

interface Existing {
  patientKey: string | undefined;
  version: number;
  sourceTime: number | undefined;
}

interface Row {
  patient_key?: string;
  resource_type: string;
  id: string;
  version: number;
  heading: string | null;
  source_org: string | null;
  security_labels: string[];
  effective_date: string | null;
  last_updated: string;
  source_time: string | null;
  body: ResourceLike;
}

const COLUMNS = 'resource_type, id, version, heading, source_org, security_labels, effective_date, last_updated, source_time, body';

/** Rows per statement, so that one statement's JSON stays a few MB however large the load. */
const ROWS_PER_STATEMENT = 500;

/**
 * The rows of a statement as one JSON parameter (`Row` objects as they are): the statement text is the same for any
 * number of rows, so PostgreSQL prepares it once per connection.
 */
const rowsFrom = (keyed: boolean): string =>
  `jsonb_to_recordset($1::jsonb) AS x(${keyed ? 'patient_key text, ' : ''}resource_type text, id text, version integer, heading text,
    source_org text, security_labels text[], effective_date timestamptz, last_updated timestamptz, source_time timestamptz, body jsonb)`;

/** The tables for patient-scoped resources (keyed by patient) and for reference data (Organization, ...). */
interface Target {
  keyed: boolean;
  /** The stored version and source time of each key (locked), and the body of those whose update keeps elements. */
  existing: string;
  /** Upserts the current rows and appends the same rows to the history, in one statement. */
  upsert: string;
  history: string;
}

const UPDATE_SET = `version = excluded.version, heading = excluded.heading, source_org = excluded.source_org,
      security_labels = excluded.security_labels, effective_date = excluded.effective_date,
      last_updated = excluded.last_updated, source_time = excluded.source_time, body = excluded.body`;

const PATIENT_TARGET: Target = {
  keyed: true,
  existing: prepared(`SELECT r.patient_key, r.resource_type, r.id, r.version, r.source_time, CASE WHEN k.b THEN r.body END AS body
    FROM resources r JOIN jsonb_to_recordset($1::jsonb) AS k(t text, i text, b boolean) ON r.resource_type = k.t AND r.id = k.i
    FOR UPDATE OF r`),
  upsert: prepared(`WITH current AS (
      INSERT INTO resources (patient_key, ${COLUMNS}) SELECT patient_key, ${COLUMNS} FROM ${rowsFrom(true)}
      ON CONFLICT (patient_key, resource_type, id) DO UPDATE SET ${UPDATE_SET}
      RETURNING patient_key, ${COLUMNS}
    )
    INSERT INTO resource_history (patient_key, ${COLUMNS}) SELECT patient_key, ${COLUMNS} FROM current`),
  history: prepared(`INSERT INTO resource_history (patient_key, ${COLUMNS}) SELECT patient_key, ${COLUMNS} FROM ${rowsFrom(true)}`),
};

const REFERENCE_TARGET: Target = {
  keyed: false,
  existing: prepared(`SELECT NULL::text AS patient_key, r.resource_type, r.id, r.version, r.source_time, CASE WHEN k.b THEN r.body END AS body
    FROM reference_resources r JOIN jsonb_to_recordset($1::jsonb) AS k(t text, i text, b boolean) ON r.resource_type = k.t AND r.id = k.i
    FOR UPDATE OF r`),
  upsert: prepared(`WITH current AS (
      INSERT INTO reference_resources (${COLUMNS}) SELECT ${COLUMNS} FROM ${rowsFrom(false)}
      ON CONFLICT (resource_type, id) DO UPDATE SET ${UPDATE_SET}
      RETURNING ${COLUMNS}
    )
    INSERT INTO reference_resource_history (${COLUMNS}) SELECT ${COLUMNS} FROM current`),
  history: prepared(`INSERT INTO reference_resource_history (${COLUMNS}) SELECT ${COLUMNS} FROM ${rowsFrom(false)}`),
};

async function insertInChunks(tx: Queryable, rows: readonly Row[], statement: string): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    await tx.query(statement, [JSON.stringify(rows.slice(start, start + ROWS_PER_STATEMENT))]);
  }
}

const MOVE_CURRENT = `DELETE FROM resources WHERE patient_key = $1 AND resource_type = $2 AND id = $3`;
const MOVE_HISTORY = `WITH moved AS (
    DELETE FROM resource_history WHERE patient_key = $1 AND resource_type = $2 AND id = $3 RETURNING *
  )
  INSERT INTO resource_history (patient_key, ${COLUMNS}) SELECT $4::text, ${COLUMNS} FROM moved`;

/** Removes the search and identifier rows of Patients (JSON `[{k: patient key, i: id}]`), both tables in one statement. */
const DELETE_PATIENT_INDEX = prepared(`WITH keys AS (SELECT k, i FROM jsonb_to_recordset($1::jsonb) AS x(k text, i text)),
    search AS (DELETE FROM patient_search WHERE (patient_key, patient_id) IN (SELECT k, i FROM keys))
  DELETE FROM patient_identifiers WHERE (patient_key, patient_id) IN (SELECT k, i FROM keys)`);
/** Adds search rows ($1) and identifier rows ($2) of Patients, both tables in one statement. */
const INSERT_PATIENT_INDEX = prepared(`WITH search AS (
    INSERT INTO patient_search (patient_key, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference)
    SELECT patient_key, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference
    FROM jsonb_to_recordset($1::jsonb) AS x(patient_key text, patient_id text, seq integer, family text, given text,
      birth_date date, gender text, postcode text, gp_ods text, gp_reference text)
  )
  INSERT INTO patient_identifiers (patient_key, patient_id, system, value)
  SELECT patient_key, patient_id, system, value
  FROM jsonb_to_recordset($2::jsonb) AS x(patient_key text, patient_id text, system text, value text)
  ON CONFLICT DO NOTHING`);

function timeOf(value: string | null | undefined | Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

const keyOf = (resourceType: string, id: string): string => `${resourceType}/${id}`;

interface Stored {
  existing: Map<string, Existing>;
  /** Stored bodies of the resources that keep elements their update does not carry. */
  bodies: Map<string, ResourceLike>;
}

/** Both targets' `existing` at once (`ref` says which table a key is looked up in), in one statement. */
const EXISTING_BOTH = prepared(`WITH k AS MATERIALIZED (SELECT * FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text, b boolean, ref boolean)),
    keyed AS (SELECT r.patient_key, r.resource_type, r.id, r.version, r.source_time, CASE WHEN k.b THEN r.body END AS body
      FROM resources r JOIN k ON r.resource_type = k.t AND r.id = k.i AND NOT k.ref FOR UPDATE OF r),
    reference AS (SELECT NULL::text AS patient_key, r.resource_type, r.id, r.version, r.source_time, CASE WHEN k.b THEN r.body END AS body
      FROM reference_resources r JOIN k ON r.resource_type = k.t AND r.id = k.i AND k.ref FOR UPDATE OF r)
  SELECT false AS ref, * FROM keyed UNION ALL SELECT true AS ref, * FROM reference`);

function keysOf(items: readonly BatchResource[], ref: boolean): Map<string, { t: string; i: string; b: boolean; ref: boolean }> {
  const keys = new Map<string, { t: string; i: string; b: boolean; ref: boolean }>();
  for (const item of items) {
    const key = keyOf(item.resource.resourceType, item.resource.id);
    const keeps = (item.keepIfAbsent?.length ?? 0) > 0 || keys.get(key)?.b === true;
    keys.set(key, { t: item.resource.resourceType, i: item.resource.id, b: keeps, ref });
  }
  return keys;
}

/**
 * What is stored of the keys of patient-scoped items and of reference items (either may be empty), locked until the
 * transaction ends, in one statement.
 */
async function loadExisting(tx: Queryable, patientItems: readonly BatchResource[], referenceItems: readonly BatchResource[]): Promise<[Stored, Stored]> {
  const stored: [Stored, Stored] = [
    { existing: new Map(), bodies: new Map() },
    { existing: new Map(), bodies: new Map() },
  ];
  if (patientItems.length === 0 && referenceItems.length === 0) return stored;
  const keys = [...keysOf(patientItems, false).values(), ...keysOf(referenceItems, true).values()];
  const sql = referenceItems.length === 0 ? PATIENT_TARGET.existing : patientItems.length === 0 ? REFERENCE_TARGET.existing : EXISTING_BOTH;
  const { rows } = await tx.query<{ ref?: boolean; patient_key: string | null; resource_type: string; id: string; version: number; source_time: Date | string | null; body: ResourceLike | null }>(
    sql,
    [JSON.stringify(keys)],
  );
  for (const row of rows) {
    const { existing, bodies } = stored[(row.ref ?? patientItems.length === 0) ? 1 : 0];
    const key = keyOf(row.resource_type, row.id);
    existing.set(key, { patientKey: row.patient_key ?? undefined, version: row.version, sourceTime: timeOf(row.source_time) });
    if (row.body !== null) bodies.set(key, row.body);
  }
  return stored;
}

/**
 * Writes resources as new versions: the current row is replaced and every version is appended to the history.
 * A resource whose stored source time is later than the incoming one is left as it is (stale). A resource that
 * arrives under another patient key than the one it is stored under is moved, with its history.
 * Runs inside the caller's transaction; rows it reads are locked (FOR UPDATE) until that transaction ends.
 */
export async function writeResources(tx: Queryable, items: readonly BatchResource[], now: string): Promise<WriteOutcome> {
  const positions = items.map((_, position) => position);
  const patientItems = positions.filter((position) => items[position]!.patientKey !== undefined);
  const referenceItems = positions.filter((position) => items[position]!.patientKey === undefined);
  let written = 0;
  let skippedAsStale = 0;
  const stale = new Set<string>();
  const staleItems = new Set<number>();
  const loaded = await loadExisting(
    tx,
    patientItems.map((position) => items[position]!),
    referenceItems.map((position) => items[position]!),
  );
  for (const [groupPositions, target, { existing: state, bodies }] of [
    [patientItems, PATIENT_TARGET, loaded[0]],
    [referenceItems, REFERENCE_TARGET, loaded[1]],
  ] as const) {
    if (groupPositions.length === 0) continue;
    const group = groupPositions.map((position) => items[position]!);
    // Earlier versions of a resource sent twice (in one batch, or by batches committed together): only the last is
    // current, every one is history.
    const superseded: Row[] = [];
    const current = new Map<string, Row>();
    const moves: Array<{ from: string; to: string; resourceType: string; id: string }> = [];
    for (const [index, item] of group.entries()) {
      const { resource } = item;
      const key = keyOf(resource.resourceType, resource.id);
      const previous = state.get(key);
      const incomingTime = timeOf(item.sourceTime);
      if (previous?.sourceTime !== undefined && incomingTime !== undefined && incomingTime < previous.sourceTime) {
        skippedAsStale++;
        stale.add(key);
        staleItems.add(groupPositions[index]!);
        continue;
      }
      const version = (previous?.version ?? 0) + 1;
      const keptTime = incomingTime ?? previous?.sourceTime;
      const content = keepAbsentElements(resource, item.keepIfAbsent, current.get(key)?.body ?? bodies.get(key));
      const body: ResourceLike = { ...content, meta: { ...resource.meta, versionId: String(version), lastUpdated: now } };
      const columns = indexColumnsOf(body);
      const row: Row = {
        resource_type: resource.resourceType,
        id: resource.id,
        version,
        heading: columns.heading ?? null,
        source_org: columns.sourceOrg ?? null,
        security_labels: columns.securityLabels,
        effective_date: columns.effectiveDate ?? null,
        last_updated: now,
        // A version without a source time keeps the last known one, so a later stale update is still caught.
        source_time: keptTime === undefined ? null : new Date(keptTime).toISOString(),
        body,
      };
      if (item.patientKey !== undefined) row.patient_key = item.patientKey;
      if (previous?.patientKey !== undefined && item.patientKey !== undefined && previous.patientKey !== item.patientKey) {
        moves.push({ from: previous.patientKey, to: item.patientKey, resourceType: resource.resourceType, id: resource.id });
      }
      const earlier = current.get(key);
      if (earlier) superseded.push(earlier);
      current.set(key, row);
      state.set(key, { patientKey: item.patientKey, version, sourceTime: keptTime });
      written++;
    }
    for (const move of moves) {
      await tx.query(MOVE_CURRENT, [move.from, move.resourceType, move.id]);
      await tx.query(MOVE_HISTORY, [move.from, move.resourceType, move.id, move.to]);
      if (move.resourceType === 'Patient') {
        await tx.query(DELETE_PATIENT_INDEX, [JSON.stringify([{ k: move.from, i: move.id }])]);
      }
    }
    if (current.size === 0) continue;
    await insertInChunks(tx, superseded, target.history);
    await insertInChunks(tx, [...current.values()], target.upsert);
    if (target.keyed) await writePatientIndex(tx, [...current.values()]);
  }
  return { written, skippedAsStale, stale, staleItems };
}

async function writePatientIndex(tx: Queryable, rows: readonly Row[]): Promise<void> {
  const patients = rows.filter((row) => row.resource_type === 'Patient' && row.patient_key !== undefined);
  if (patients.length === 0) return;
  const keys = JSON.stringify(patients.map((row) => ({ k: row.patient_key, i: row.id })));
  await tx.query(DELETE_PATIENT_INDEX, [keys]);
  const search = patients.flatMap((row) =>
    patientSearchRowsOf(row.body).map((entry) => ({
      patient_key: row.patient_key,
      patient_id: row.id,
      seq: entry.seq,
      family: entry.family ?? null,
      given: entry.given ?? null,
      birth_date: entry.birthDate ?? null,
      gender: entry.gender ?? null,
      postcode: entry.postcode ?? null,
      gp_ods: entry.gpOds ?? null,
      gp_reference: entry.gpReference ?? null,
    })),
  );
  const identifiers = patients.flatMap((row) =>
    patientIdentifiersOf(row.body).map((identifier) => ({ patient_key: row.patient_key, patient_id: row.id, ...identifier })),
  );
  if (search.length > 0 || identifiers.length > 0) await tx.query(INSERT_PATIENT_INDEX, [JSON.stringify(search), JSON.stringify(identifiers)]);
}
