import { keepAbsentElements, type BatchResource, type ResourceLike } from '@openidcr/model';
import type { Queryable } from '../db/db.js';
import { indexColumnsOf, patientIdentifiersOf, patientSearchRowsOf } from './extract.js';

/** What writing a set of resources did. */
export interface WriteOutcome {
  written: number;
  skippedAsStale: number;
  /** `Type/id` of each resource skipped as stale. */
  stale: Set<string>;
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

/** Rows per multi-row INSERT: 11 parameters a row keeps each statement well under PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 500;

const CASTS = ['text', 'text', 'integer', 'text', 'text', 'text[]', 'timestamptz', 'timestamptz', 'timestamptz', 'jsonb'];

/** `($1::text, $2::text, …), (…)` for `rows` rows: placeholders only, never values. */
function placeholders(rows: number, casts: readonly string[]): string {
  const groups: string[] = [];
  for (let row = 0; row < rows; row++) {
    groups.push(`(${casts.map((cast, column) => `$${row * casts.length + column + 1}::${cast}`).join(', ')})`);
  }
  return groups.join(', ');
}

function values(row: Row, keyed: boolean): unknown[] {
  const out: unknown[] = [
    row.resource_type,
    row.id,
    row.version,
    row.heading,
    row.source_org,
    row.security_labels,
    row.effective_date,
    row.last_updated,
    row.source_time,
    JSON.stringify(row.body),
  ];
  if (keyed) out.unshift(row.patient_key);
  return out;
}

/** The tables for patient-scoped resources (keyed by patient) and for reference data (Organization, ...). */
interface Target {
  keyed: boolean;
  existing: string;
  /** Upserts the current rows and appends the same rows to the history, in one statement. */
  upsert: (rows: number) => string;
  history: (rows: number) => string;
}

const UPDATE_SET = `version = excluded.version, heading = excluded.heading, source_org = excluded.source_org,
      security_labels = excluded.security_labels, effective_date = excluded.effective_date,
      last_updated = excluded.last_updated, source_time = excluded.source_time, body = excluded.body`;

const PATIENT_TARGET: Target = {
  keyed: true,
  existing: `SELECT patient_key, resource_type, id, version, source_time FROM resources
    WHERE (resource_type, id) IN (SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text)) FOR UPDATE`,
  upsert: (rows) => `WITH current AS (
      INSERT INTO resources (patient_key, ${COLUMNS}) VALUES ${placeholders(rows, ['text', ...CASTS])}
      ON CONFLICT (patient_key, resource_type, id) DO UPDATE SET ${UPDATE_SET}
      RETURNING patient_key, ${COLUMNS}
    )
    INSERT INTO resource_history (patient_key, ${COLUMNS}) SELECT patient_key, ${COLUMNS} FROM current`,
  history: (rows) => `INSERT INTO resource_history (patient_key, ${COLUMNS}) VALUES ${placeholders(rows, ['text', ...CASTS])}`,
};

const REFERENCE_TARGET: Target = {
  keyed: false,
  existing: `SELECT NULL::text AS patient_key, resource_type, id, version, source_time FROM reference_resources
    WHERE (resource_type, id) IN (SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text)) FOR UPDATE`,
  upsert: (rows) => `WITH current AS (
      INSERT INTO reference_resources (${COLUMNS}) VALUES ${placeholders(rows, CASTS)}
      ON CONFLICT (resource_type, id) DO UPDATE SET ${UPDATE_SET}
      RETURNING ${COLUMNS}
    )
    INSERT INTO reference_resource_history (${COLUMNS}) SELECT ${COLUMNS} FROM current`,
  history: (rows) => `INSERT INTO reference_resource_history (${COLUMNS}) VALUES ${placeholders(rows, CASTS)}`,
};

async function insertInChunks(tx: Queryable, rows: readonly Row[], keyed: boolean, statement: (rows: number) => string): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    await tx.query(statement(chunk.length), chunk.flatMap((row) => values(row, keyed)));
  }
}

const MOVE_CURRENT = `DELETE FROM resources WHERE patient_key = $1 AND resource_type = $2 AND id = $3`;
const MOVE_HISTORY = `WITH moved AS (
    DELETE FROM resource_history WHERE patient_key = $1 AND resource_type = $2 AND id = $3 RETURNING *
  )
  INSERT INTO resource_history (patient_key, ${COLUMNS}) SELECT $4::text, ${COLUMNS} FROM moved`;

const DELETE_PATIENT_INDEX = [
  `DELETE FROM patient_search WHERE (patient_key, patient_id) IN
    (SELECT k, i FROM jsonb_to_recordset($1::jsonb) AS x(k text, i text))`,
  `DELETE FROM patient_identifiers WHERE (patient_key, patient_id) IN
    (SELECT k, i FROM jsonb_to_recordset($1::jsonb) AS x(k text, i text))`,
];
const INSERT_PATIENT_SEARCH = `INSERT INTO patient_search
    (patient_key, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference)
  SELECT patient_key, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference
  FROM jsonb_to_recordset($1::jsonb) AS x(patient_key text, patient_id text, seq integer, family text, given text,
    birth_date date, gender text, postcode text, gp_ods text, gp_reference text)`;
const INSERT_PATIENT_IDENTIFIERS = `INSERT INTO patient_identifiers (patient_key, patient_id, system, value)
  SELECT patient_key, patient_id, system, value
  FROM jsonb_to_recordset($1::jsonb) AS x(patient_key text, patient_id text, system text, value text)
  ON CONFLICT DO NOTHING`;

function timeOf(value: string | null | undefined | Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

const keyOf = (resourceType: string, id: string): string => `${resourceType}/${id}`;

const BODIES: Record<'keyed' | 'reference', string> = {
  keyed: `SELECT resource_type, id, body FROM resources
    WHERE (resource_type, id) IN (SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text))`,
  reference: `SELECT resource_type, id, body FROM reference_resources
    WHERE (resource_type, id) IN (SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text))`,
};

/** Stored bodies of the resources that keep elements their update does not carry (already locked by loadExisting). */
async function loadBodies(tx: Queryable, sql: string, items: readonly BatchResource[]): Promise<Map<string, ResourceLike>> {
  const wanted = items.filter((item) => item.keepIfAbsent && item.keepIfAbsent.length > 0);
  if (wanted.length === 0) return new Map();
  const keys = wanted.map((item) => ({ t: item.resource.resourceType, i: item.resource.id }));
  const { rows } = await tx.query<{ resource_type: string; id: string; body: ResourceLike }>(sql, [JSON.stringify(keys)]);
  return new Map(rows.map((row) => [keyOf(row.resource_type, row.id), row.body]));
}

async function loadExisting(tx: Queryable, sql: string, items: readonly BatchResource[]): Promise<Map<string, Existing>> {
  const keys = new Map<string, { t: string; i: string }>();
  for (const item of items) keys.set(keyOf(item.resource.resourceType, item.resource.id), { t: item.resource.resourceType, i: item.resource.id });
  const { rows } = await tx.query<{ patient_key: string | null; resource_type: string; id: string; version: number; source_time: Date | string | null }>(
    sql,
    [JSON.stringify([...keys.values()])],
  );
  const existing = new Map<string, Existing>();
  for (const row of rows) {
    existing.set(keyOf(row.resource_type, row.id), {
      patientKey: row.patient_key ?? undefined,
      version: row.version,
      sourceTime: timeOf(row.source_time),
    });
  }
  return existing;
}

/**
 * Writes resources as new versions: the current row is replaced and every version is appended to the history.
 * A resource whose stored source time is later than the incoming one is left as it is (stale). A resource that
 * arrives under another patient key than the one it is stored under is moved, with its history.
 * Runs inside the caller's transaction; rows it reads are locked (FOR UPDATE) until that transaction ends.
 */
export async function writeResources(tx: Queryable, items: readonly BatchResource[], now: string): Promise<WriteOutcome> {
  const patientItems = items.filter((item) => item.patientKey !== undefined);
  const referenceItems = items.filter((item) => item.patientKey === undefined);
  let written = 0;
  let skippedAsStale = 0;
  const stale = new Set<string>();
  for (const [group, target] of [[patientItems, PATIENT_TARGET], [referenceItems, REFERENCE_TARGET]] as const) {
    if (group.length === 0) continue;
    const state = await loadExisting(tx, target.existing, group);
    const bodies = await loadBodies(tx, target.keyed ? BODIES.keyed : BODIES.reference, group);
    // Earlier versions of a resource sent twice in one batch: only the last is current, every one is history.
    const superseded: Row[] = [];
    const current = new Map<string, Row>();
    const moves: Array<{ from: string; to: string; resourceType: string; id: string }> = [];
    for (const item of group) {
      const { resource } = item;
      const key = keyOf(resource.resourceType, resource.id);
      const previous = state.get(key);
      const incomingTime = timeOf(item.sourceTime);
      if (previous?.sourceTime !== undefined && incomingTime !== undefined && incomingTime < previous.sourceTime) {
        skippedAsStale++;
        stale.add(key);
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
        for (const sqlText of DELETE_PATIENT_INDEX) await tx.query(sqlText, [JSON.stringify([{ k: move.from, i: move.id }])]);
      }
    }
    if (current.size === 0) continue;
    await insertInChunks(tx, superseded, target.keyed, target.history);
    await insertInChunks(tx, [...current.values()], target.keyed, target.upsert);
    if (target.keyed) await writePatientIndex(tx, [...current.values()]);
  }
  return { written, skippedAsStale, stale };
}

async function writePatientIndex(tx: Queryable, rows: readonly Row[]): Promise<void> {
  const patients = rows.filter((row) => row.resource_type === 'Patient' && row.patient_key !== undefined);
  if (patients.length === 0) return;
  const keys = JSON.stringify(patients.map((row) => ({ k: row.patient_key, i: row.id })));
  for (const sqlText of DELETE_PATIENT_INDEX) await tx.query(sqlText, [keys]);
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
  if (search.length > 0) await tx.query(INSERT_PATIENT_SEARCH, [JSON.stringify(search)]);
  if (identifiers.length > 0) await tx.query(INSERT_PATIENT_IDENTIFIERS, [JSON.stringify(identifiers)]);
}
