import type { BatchResource, ResourceLike } from '@openidcr/model';
import type { Queryable } from '../db/db.js';
import { indexColumnsOf, patientIdentifiersOf, patientSearchRowsOf } from './extract.js';

/** What writing a set of resources did. */
export interface WriteOutcome {
  written: number;
  skippedAsStale: number;
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
const RECORD = `resource_type text, id text, version integer, heading text, source_org text, security_labels text[],
  effective_date timestamptz, last_updated timestamptz, source_time timestamptz, body jsonb`;

/** The statements for patient-scoped resources (keyed by patient) and for reference data (Organization, ...). */
const PATIENT_SQL = {
  existing: `SELECT patient_key, resource_type, id, version, source_time FROM resources
    WHERE (resource_type, id) IN (SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text)) FOR UPDATE`,
  history: `INSERT INTO resource_history (patient_key, ${COLUMNS})
    SELECT patient_key, ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(patient_key text, ${RECORD})`,
  current: `INSERT INTO resources (patient_key, ${COLUMNS})
    SELECT patient_key, ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(patient_key text, ${RECORD})
    ON CONFLICT (patient_key, resource_type, id) DO UPDATE SET
      version = excluded.version, heading = excluded.heading, source_org = excluded.source_org,
      security_labels = excluded.security_labels, effective_date = excluded.effective_date,
      last_updated = excluded.last_updated, source_time = excluded.source_time, body = excluded.body`,
} as const;

const REFERENCE_SQL = {
  existing: `SELECT NULL::text AS patient_key, resource_type, id, version, source_time FROM reference_resources
    WHERE (resource_type, id) IN (SELECT t, i FROM jsonb_to_recordset($1::jsonb) AS k(t text, i text)) FOR UPDATE`,
  history: `INSERT INTO reference_resource_history (${COLUMNS})
    SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD})`,
  current: `INSERT INTO reference_resources (${COLUMNS})
    SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD})
    ON CONFLICT (resource_type, id) DO UPDATE SET
      version = excluded.version, heading = excluded.heading, source_org = excluded.source_org,
      security_labels = excluded.security_labels, effective_date = excluded.effective_date,
      last_updated = excluded.last_updated, source_time = excluded.source_time, body = excluded.body`,
} as const;

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
  for (const [group, sql] of [[patientItems, PATIENT_SQL], [referenceItems, REFERENCE_SQL]] as const) {
    if (group.length === 0) continue;
    const state = await loadExisting(tx, sql.existing, group);
    const history: Row[] = [];
    const current = new Map<string, Row>();
    const moves: Array<{ from: string; to: string; resourceType: string; id: string }> = [];
    for (const item of group) {
      const { resource } = item;
      const key = keyOf(resource.resourceType, resource.id);
      const previous = state.get(key);
      const incomingTime = timeOf(item.sourceTime);
      if (previous?.sourceTime !== undefined && incomingTime !== undefined && incomingTime < previous.sourceTime) {
        skippedAsStale++;
        continue;
      }
      const version = (previous?.version ?? 0) + 1;
      const body: ResourceLike = { ...resource, meta: { ...resource.meta, versionId: String(version), lastUpdated: now } };
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
        source_time: incomingTime === undefined ? null : new Date(incomingTime).toISOString(),
        body,
      };
      if (item.patientKey !== undefined) row.patient_key = item.patientKey;
      if (previous?.patientKey !== undefined && item.patientKey !== undefined && previous.patientKey !== item.patientKey) {
        moves.push({ from: previous.patientKey, to: item.patientKey, resourceType: resource.resourceType, id: resource.id });
      }
      history.push(row);
      current.set(key, row);
      state.set(key, { patientKey: item.patientKey, version, sourceTime: incomingTime });
      written++;
    }
    for (const move of moves) {
      await tx.query(MOVE_CURRENT, [move.from, move.resourceType, move.id]);
      await tx.query(MOVE_HISTORY, [move.from, move.resourceType, move.id, move.to]);
      if (move.resourceType === 'Patient') {
        for (const sqlText of DELETE_PATIENT_INDEX) await tx.query(sqlText, [JSON.stringify([{ k: move.from, i: move.id }])]);
      }
    }
    if (history.length === 0) continue;
    await tx.query(sql.history, [JSON.stringify(history)]);
    await tx.query(sql.current, [JSON.stringify([...current.values()])]);
    if (sql === PATIENT_SQL) await writePatientIndex(tx, [...current.values()]);
  }
  return { written, skippedAsStale };
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
