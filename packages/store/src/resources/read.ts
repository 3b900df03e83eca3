import type { HeadingId, ResourceLike } from '@openidcr/model';
import { isHeadingId, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, normaliseNhsNumber, localIdentifierSystem } from '@openidcr/model';
import type { LocalIdentifier } from '@openidcr/model';
import type { Queryable } from '../db/db.js';
import { prepared } from '../db/db.js';
import { StoreError } from '../errors.js';
import type { Page } from '../paging/cursor.js';
import { decodeCursor, encodeCursor, pageSize, queryFingerprint } from '../paging/cursor.js';
import { fhirDateToInstant, normaliseName, normalisePostcode } from './extract.js';

/** A resource as stored: the body (with `meta.versionId` and `meta.lastUpdated` set) and its index columns. */
export interface StoredResource<R extends ResourceLike = ResourceLike> {
  /** The patient key (person id) the resource belongs to; undefined for reference data (Organization, ...). */
  patientKey: string | undefined;
  resourceType: string;
  id: string;
  version: number;
  heading: HeadingId | undefined;
  sourceOrg: string | undefined;
  securityLabels: string[];
  effectiveDate: string | undefined;
  lastUpdated: string;
  sourceTime: string | undefined;
  resource: R;
}

interface ResourceRow {
  patient_key: string | null;
  resource_type: string;
  id: string;
  version: number;
  heading: string | null;
  source_org: string | null;
  security_labels: string[] | null;
  effective_date: Date | string | null;
  last_updated: Date | string;
  source_time: Date | string | null;
  body: ResourceLike;
}

/** An instant from the database as an ISO string. */
export function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

function optionalIso(value: Date | string | null): string | undefined {
  return value === null ? undefined : toIso(value);
}

export function toStoredResource(row: ResourceRow): StoredResource {
  return {
    patientKey: row.patient_key ?? undefined,
    resourceType: row.resource_type,
    id: row.id,
    version: row.version,
    heading: row.heading !== null && isHeadingId(row.heading) ? row.heading : undefined,
    sourceOrg: row.source_org ?? undefined,
    securityLabels: row.security_labels ?? [],
    effectiveDate: optionalIso(row.effective_date),
    lastUpdated: toIso(row.last_updated),
    sourceTime: optionalIso(row.source_time),
    resource: row.body,
  };
}

const COLS = 'patient_key, resource_type, id, version, heading, source_org, security_labels, effective_date, last_updated, source_time, body';
const REF_COLS = 'NULL::text AS patient_key, resource_type, id, version, heading, source_org, security_labels, effective_date, last_updated, source_time, body';

const READ = prepared(`SELECT ${COLS} FROM resources WHERE resource_type = $1 AND id = $2
  UNION ALL SELECT ${REF_COLS} FROM reference_resources WHERE resource_type = $1 AND id = $2 LIMIT 1`);
const READ_VERSION = prepared(`SELECT ${COLS} FROM resource_history WHERE resource_type = $1 AND id = $2 AND version = $3
  UNION ALL SELECT ${REF_COLS} FROM reference_resource_history WHERE resource_type = $1 AND id = $2 AND version = $3 LIMIT 1`);
const HISTORY = prepared(`SELECT * FROM (
    SELECT ${COLS} FROM resource_history WHERE resource_type = $1 AND id = $2
    UNION ALL SELECT ${REF_COLS} FROM reference_resource_history WHERE resource_type = $1 AND id = $2
  ) h ORDER BY version DESC`);

/** The current version of a resource, or undefined. */
export async function readResource(db: Queryable, resourceType: string, id: string): Promise<StoredResource | undefined> {
  const { rows } = await db.query<ResourceRow>(READ, [resourceType, id]);
  return rows[0] ? toStoredResource(rows[0]) : undefined;
}

/** One version of a resource, or undefined. */
export async function readResourceVersion(db: Queryable, resourceType: string, id: string, version: number): Promise<StoredResource | undefined> {
  if (!Number.isInteger(version) || version < 1) throw new StoreError('invalid-input', `version: must be a positive integer, got ${version}`, 'version');
  const { rows } = await db.query<ResourceRow>(READ_VERSION, [resourceType, id, version]);
  return rows[0] ? toStoredResource(rows[0]) : undefined;
}

/** Every version of a resource, newest first. */
export async function resourceHistory(db: Queryable, resourceType: string, id: string): Promise<StoredResource[]> {
  const { rows } = await db.query<ResourceRow>(HISTORY, [resourceType, id]);
  return rows.map(toStoredResource);
}

/** Which of a patient's resources to list. */
export interface ResourceQuery {
  patientKey: string;
  /** Only these headings. */
  headings?: readonly HeadingId[] | undefined;
  /** Only these resource types. */
  resourceTypes?: readonly string[] | undefined;
  /** Effective date on or after this FHIR date or dateTime. */
  from?: string | undefined;
  /** Effective date on or before this FHIR date or dateTime (a date includes its whole day, month or year). */
  to?: string | undefined;
  /** By effective date (resources without one come first ascending, last descending). Default `date-desc`. */
  sort?: 'date-asc' | 'date-desc' | undefined;
  /** Page size, 1 to 1000, default 100. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

const LIST_WHERE = `patient_key = $1
    AND ($2::text[] IS NULL OR heading = ANY($2::text[]))
    AND ($3::text[] IS NULL OR resource_type = ANY($3::text[]))
    AND ($4::timestamptz IS NULL OR effective_date >= $4::timestamptz)
    AND ($5::timestamptz IS NULL OR effective_date < $5::timestamptz)`;
const SORT_DATE = `coalesce(effective_date, '-infinity'::timestamptz)`;
const LIST_SQL = {
  'date-asc': `SELECT ${COLS} FROM resources WHERE ${LIST_WHERE}
    AND ($6::timestamptz IS NULL OR (${SORT_DATE}, resource_type, id) > ($6::timestamptz, $7::text, $8::text))
    ORDER BY ${SORT_DATE} ASC, resource_type ASC, id ASC LIMIT $9`,
  'date-desc': `SELECT ${COLS} FROM resources WHERE ${LIST_WHERE}
    AND ($6::timestamptz IS NULL OR (${SORT_DATE}, resource_type, id) < ($6::timestamptz, $7::text, $8::text))
    ORDER BY ${SORT_DATE} DESC, resource_type DESC, id DESC LIMIT $9`,
} as const;

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/;

/** The first instant after a FHIR date or dateTime's precision: `2020-03` → `2020-04-01T00:00:00.000Z`. */
export function endOfFhirDate(value: string): string | undefined {
  const partial = PARTIAL_DATE.exec(value);
  if (partial) {
    const [, year, month, day] = partial;
    const y = Number(year);
    const end = day !== undefined ? Date.UTC(y, Number(month) - 1, Number(day) + 1) : month !== undefined ? Date.UTC(y, Number(month), 1) : Date.UTC(y + 1, 0, 1);
    return new Date(end).toISOString();
  }
  const instant = fhirDateToInstant(value);
  return instant === undefined ? undefined : new Date(Date.parse(instant) + 1).toISOString();
}

function dateParam(value: string | undefined, field: string, end: boolean): string | null {
  if (value === undefined) return null;
  const instant = end ? endOfFhirDate(value) : fhirDateToInstant(value);
  if (instant === undefined) throw new StoreError('invalid-input', `${field}: not a FHIR date or dateTime: ${JSON.stringify(value)}`, field);
  return instant;
}

/** A patient's resources, filtered by heading, type and date range, sorted by date, one keyset page at a time. */
export async function listResources(db: Queryable, query: ResourceQuery): Promise<Page<StoredResource>> {
  if (typeof query.patientKey !== 'string' || query.patientKey.length === 0) throw new StoreError('invalid-input', 'patientKey: required', 'patientKey');
  for (const heading of query.headings ?? []) {
    if (!isHeadingId(heading)) throw new StoreError('invalid-input', `headings: unknown heading ${JSON.stringify(heading)}`, 'headings');
  }
  const sort = query.sort ?? 'date-desc';
  if (sort !== 'date-asc' && sort !== 'date-desc') throw new StoreError('invalid-input', `sort: must be date-asc or date-desc`, 'sort');
  const limit = pageSize(query.limit, 100, 1000);
  const from = dateParam(query.from, 'from', false);
  const to = dateParam(query.to, 'to', true);
  const headings = query.headings && query.headings.length > 0 ? [...query.headings] : null;
  const types = query.resourceTypes && query.resourceTypes.length > 0 ? [...query.resourceTypes] : null;
  const fingerprint = queryFingerprint('resources', [query.patientKey, headings, types, from, to, sort]);
  let after: Array<string | null> = [null, null, null];
  if (query.cursor !== undefined) {
    after = decodeCursor(query.cursor, fingerprint, 3);
    if (after.some((part) => part === null)) throw new StoreError('invalid-cursor', 'cursor: not a cursor token for this listing', 'cursor');
  }
  const { rows } = await db.query<ResourceRow>(LIST_SQL[sort], [query.patientKey, headings, types, from, to, after[0], after[1], after[2], limit + 1]);
  const items = rows.slice(0, limit).map(toStoredResource);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, [last.effectiveDate ?? '-infinity', last.resourceType, last.id]) : undefined;
  return { items, nextCursor };
}

const EVERYTHING = prepared(`SELECT body FROM resources WHERE patient_key = $1`);
const MERGED_INTO = prepared(`SELECT merged_into FROM persons WHERE person_id = $1`);

/**
 * Every current resource of a patient, in one query (in no particular order). A merge moves every row of the merged
 * person to the survivor, so only a key with no rows can be a merged one: then the read follows `merged_into`.
 */
export async function readEverything(db: Queryable, patientKey: string, hops = 0): Promise<ResourceLike[]> {
  const { rows } = await db.query<{ body: ResourceLike }>(EVERYTHING, [patientKey]);
  if (rows.length === 0 && hops < 4) {
    const merged = await db.query<{ merged_into: string | null }>(MERGED_INTO, [patientKey]);
    const survivor = merged.rows[0]?.merged_into;
    if (survivor) return readEverything(db, survivor, hops + 1);
  }
  return rows.map((row) => row.body);
}

const BY_IDENTIFIER = `SELECT ${COLS} FROM resources r
  WHERE r.resource_type = 'Patient' AND (r.patient_key, r.id) IN
    (SELECT patient_key, patient_id FROM patient_identifiers WHERE system = $1 AND value = $2)
  ORDER BY r.patient_key, r.id`;

/** The Patient resources carrying an identifier (from every source that sent one). */
export async function findPatientsByIdentifier(db: Queryable, system: string, value: string): Promise<StoredResource[]> {
  const normalised = system === NHS_NUMBER_SYSTEM ? normaliseNhsNumber(value) : value;
  const { rows } = await db.query<ResourceRow>(BY_IDENTIFIER, [system, normalised]);
  return rows.map(toStoredResource);
}

/** The Patient resources with this NHS number. */
export function findPatientsByNhsNumber(db: Queryable, nhsNumber: string): Promise<StoredResource[]> {
  return findPatientsByIdentifier(db, NHS_NUMBER_SYSTEM, nhsNumber);
}

/** The Patient resources with this local identifier (system `localIdentifierSystem(assigningAuthority)`). */
export function findPatientsByLocalIdentifier(db: Queryable, identifier: LocalIdentifier): Promise<StoredResource[]> {
  return findPatientsByIdentifier(db, localIdentifierSystem(identifier.assigningAuthority), identifier.value);
}

/** Demographic search criteria; names and postcode match as case-insensitive prefixes. At least one is needed. */
export interface PatientSearch {
  family?: string | undefined;
  given?: string | undefined;
  /** YYYY-MM-DD, exact. */
  birthDate?: string | undefined;
  postcode?: string | undefined;
  gender?: string | undefined;
  /** Page size, 1 to 200, default 20. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** The smallest string greater than every string starting with `prefix` (code point order, as COLLATE "C"). */
export function prefixUpperBound(prefix: string): string {
  const points = Array.from(prefix);
  const last = points.pop();
  if (last === undefined) return '';
  return `${points.join('')}${String.fromCodePoint((last.codePointAt(0) ?? 0) + 1)}`;
}

const SEARCH = `WITH hits AS (
    SELECT DISTINCT patient_key, patient_id FROM patient_search
    WHERE ($1::text IS NULL OR (family >= $1::text AND family < $2::text))
      AND ($3::text IS NULL OR (given >= $3::text AND given < $4::text))
      AND ($5::date IS NULL OR birth_date = $5::date)
      AND ($6::text IS NULL OR (postcode >= $6::text AND postcode < $7::text))
      AND ($8::text IS NULL OR gender = $8::text)
      AND ($9::text IS NULL OR (patient_key, patient_id) > ($9::text, $10::text))
    ORDER BY patient_key, patient_id
    LIMIT $11
  )
  SELECT ${COLS.split(', ').map((column) => `r.${column}`).join(', ')} FROM hits
  JOIN resources r ON r.patient_key = hits.patient_key AND r.resource_type = 'Patient' AND r.id = hits.patient_id
  ORDER BY r.patient_key, r.id`;

function prefixParams(value: string | undefined, normalise: (raw: string) => string): [string | null, string | null] {
  if (value === undefined) return [null, null];
  const prefix = normalise(value);
  if (prefix.length === 0) return [null, null];
  return [prefix, prefixUpperBound(prefix)];
}

/** Patients matching demographics, one keyset page at a time, in patient key order. */
export async function searchPatients(db: Queryable, search: PatientSearch): Promise<Page<StoredResource>> {
  const limit = pageSize(search.limit, 20, 200);
  const [family, familyEnd] = prefixParams(search.family, normaliseName);
  const [given, givenEnd] = prefixParams(search.given, normaliseName);
  const [postcode, postcodeEnd] = prefixParams(search.postcode, normalisePostcode);
  const birthDate = search.birthDate ?? null;
  if (birthDate !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate) || Number.isNaN(Date.parse(birthDate)))) {
    throw new StoreError('invalid-input', `birthDate: must be YYYY-MM-DD, got ${JSON.stringify(birthDate)}`, 'birthDate');
  }
  const gender = search.gender ?? null;
  if (family === null && given === null && postcode === null && birthDate === null) {
    throw new StoreError('invalid-input', 'family, given, birthDate or postcode: at least one is needed', 'family');
  }
  const fingerprint = queryFingerprint('patients', [family, given, birthDate, postcode, gender]);
  const after = search.cursor === undefined ? [null, null] : decodeCursor(search.cursor, fingerprint, 2);
  const { rows } = await db.query<ResourceRow>(SEARCH, [family, familyEnd, given, givenEnd, birthDate, postcode, postcodeEnd, gender, after[0], after[1], limit + 1]);
  const items = rows.slice(0, limit).map(toStoredResource);
  const last = items[items.length - 1];
  // One hit per (patient key, Patient id): more rows than the limit means a further page exists.
  const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, [last.patientKey ?? '', last.id]) : undefined;
  return { items, nextCursor };
}

/** A patient in hospital now: the open inpatient Encounter and the Patient resource. */
export interface CurrentAdmission {
  patientKey: string;
  patient: ResourceLike | undefined;
  encounter: ResourceLike;
}

/** v3 ActCode inpatient classes: inpatient encounter, and its acute and non-acute kinds. */
const INPATIENT_CLASSES = ['IMP', 'ACUTE', 'NONAC'];

const CURRENT_ADMISSIONS = `WITH practice_patients AS (
    SELECT DISTINCT patient_key FROM patient_search
    WHERE gp_ods = $1 OR gp_reference = 'Organization/' || $1 OR gp_reference IN (
      SELECT 'Organization/' || id FROM reference_resources
      WHERE resource_type = 'Organization'
        AND body->'identifier' @> jsonb_build_array(jsonb_build_object('system', $2::text, 'value', $1::text)))
  )
  SELECT e.patient_key, e.body AS encounter, p.body AS patient
  FROM practice_patients pp
  JOIN resources e ON e.patient_key = pp.patient_key AND e.resource_type = 'Encounter'
    AND e.body->>'status' = 'in-progress' AND e.body->'class'->>'code' = ANY($3::text[])
  LEFT JOIN LATERAL (
    SELECT body FROM resources p WHERE p.patient_key = pp.patient_key AND p.resource_type = 'Patient'
    ORDER BY last_updated DESC, id LIMIT 1
  ) p ON true
  ORDER BY e.effective_date, e.patient_key, e.id`;

/** The virtual ward: patients registered with a GP practice (ODS code) who have an open inpatient encounter. */
export async function currentAdmissions(db: Queryable, practiceOdsCode: string): Promise<CurrentAdmission[]> {
  const { rows } = await db.query<{ patient_key: string; encounter: ResourceLike; patient: ResourceLike | null }>(CURRENT_ADMISSIONS, [
    practiceOdsCode,
    ODS_CODE_SYSTEM,
    INPATIENT_CLASSES,
  ]);
  return rows.map((row) => ({ patientKey: row.patient_key, patient: row.patient ?? undefined, encounter: row.encounter }));
}
