import type { IngestRelationship, ResourceLike } from '@openidcr/model';
import type { Db, Queryable } from '../db/db.js';
import { prepared } from '../db/db.js';
import { StoreError } from '../errors.js';
import type { Page } from '../paging/cursor.js';
import { decodeCursor, encodeCursor, instantParam as instant, pageSize, queryFingerprint } from '../paging/cursor.js';
import { toIso } from '../resources/read.js';

/** A person's FHIR Consent as stored. */
export interface StoredConsent {
  patientKey: string;
  id: string;
  status: string;
  consent: ResourceLike;
  updatedAt: string;
}

export interface ConsentRow {
  patient_key: string;
  id: string;
  status: string;
  body: ResourceLike;
  updated_at: Date | string;
}

export const toConsent = (row: ConsentRow): StoredConsent => ({
  patientKey: row.patient_key,
  id: row.id,
  status: row.status,
  consent: row.body,
  updatedAt: toIso(row.updated_at),
});

/** Stores (or replaces) a person's FHIR Consent, keyed by its id. */
export async function putConsent(db: Queryable, patientKey: string, consent: ResourceLike): Promise<StoredConsent> {
  if (!patientKey) throw new StoreError('invalid-input', 'patientKey: required', 'patientKey');
  if (consent.resourceType !== 'Consent') throw new StoreError('invalid-input', 'consent.resourceType: must be Consent', 'consent.resourceType');
  if (typeof consent.id !== 'string' || consent.id.length === 0) throw new StoreError('invalid-input', 'consent.id: required', 'consent.id');
  if (typeof consent.status !== 'string') throw new StoreError('invalid-input', 'consent.status: required', 'consent.status');
  const { rows } = await db.query<ConsentRow>(
    `INSERT INTO consents (patient_key, id, status, body, updated_at) VALUES ($1, $2, $3, $4::jsonb, now())
     ON CONFLICT (patient_key, id) DO UPDATE SET status = excluded.status, body = excluded.body, updated_at = excluded.updated_at
     RETURNING patient_key, id, status, body, updated_at`,
    [patientKey, consent.id, consent.status, JSON.stringify(consent)],
  );
  if (!rows[0]) throw new Error('consent upsert returned no row');
  return toConsent(rows[0]);
}

/** Every Consent of a person (following a merge to the survivor), most recently changed first. */
export async function listConsents(db: Queryable, patientKey: string): Promise<StoredConsent[]> {
  const { rows } = await db.query<ConsentRow>(
    `SELECT patient_key, id, status, body, updated_at FROM consents
     WHERE patient_key = coalesce((SELECT merged_into FROM persons WHERE person_id = $1), $1)
     ORDER BY updated_at DESC, id`,
    [patientKey],
  );
  return rows.map(toConsent);
}

/**
 * Why a user may see a person's record: a registration, a referral, a care team membership, an admission, ... The
 * ingest contract's relationship (one shape, whether it comes with a message's batch or is put on its own).
 */
export type LegitimateRelationshipInput = IngestRelationship;

/** A legitimate relationship as stored. */
export type LegitimateRelationship = LegitimateRelationshipInput;

export interface RelationshipRow {
  patient_key: string;
  id: string;
  user_id: string;
  organisation: string | null;
  kind: string;
  source: string | null;
  started_at: Date | string;
  ended_at: Date | string | null;
}

export function toRelationship(row: RelationshipRow): LegitimateRelationship {
  const relationship: LegitimateRelationship = {
    patientKey: row.patient_key,
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    startedAt: toIso(row.started_at),
  };
  if (row.organisation !== null) relationship.organisation = row.organisation;
  if (row.source !== null) relationship.source = row.source;
  if (row.ended_at !== null) relationship.endedAt = toIso(row.ended_at);
  return relationship;
}

const RELATIONSHIP_COLUMNS = 'patient_key, id, user_id, organisation, kind, source, started_at, ended_at';

/** Stores (or replaces) a legitimate relationship. */
export async function putRelationship(db: Queryable, input: LegitimateRelationshipInput): Promise<LegitimateRelationship> {
  const [stored] = await putRelationships(db, [input]);
  if (!stored) throw new Error('relationship upsert returned no row');
  return stored;
}

/**
 * Stores (or replaces) legitimate relationships in one statement, as putting them one after the other would: of two
 * with the same patient key and id, the later one is kept. Returns what is stored, one per (patient key, id).
 */
export async function putRelationships(db: Queryable, inputs: readonly LegitimateRelationshipInput[]): Promise<LegitimateRelationship[]> {
  const latest = new Map<string, unknown[]>();
  for (const input of inputs) {
    for (const field of ['patientKey', 'id', 'userId', 'kind'] as const) {
      if (typeof input[field] !== 'string' || input[field].length === 0) throw new StoreError('invalid-input', `${field}: required`, field);
    }
    const key = `${input.patientKey}\u001f${input.id}`;
    // ON CONFLICT DO UPDATE may touch a row once per statement: the earlier of two is replaced here instead.
    latest.delete(key);
    latest.set(key, [
      input.patientKey,
      input.id,
      input.userId,
      input.organisation ?? null,
      input.kind,
      input.source ?? null,
      instant(input.startedAt, 'startedAt'),
      instant(input.endedAt, 'endedAt'),
    ]);
  }
  const all = [...latest.values()];
  const stored: LegitimateRelationship[] = [];
  for (let start = 0; start < all.length; start += RELATIONSHIPS_PER_STATEMENT) {
    const chunk = all.slice(start, start + RELATIONSHIPS_PER_STATEMENT);
    const { rows } = await db.query<RelationshipRow>(
      `INSERT INTO legitimate_relationships (${RELATIONSHIP_COLUMNS})
       VALUES ${chunk.map((_, row) => `(${RELATIONSHIP_CASTS.map((cast, column) => `$${row * RELATIONSHIP_CASTS.length + column + 1}::${cast}`).join(', ')})`).join(', ')}
       ON CONFLICT (patient_key, id) DO UPDATE SET user_id = excluded.user_id, organisation = excluded.organisation,
         kind = excluded.kind, source = excluded.source, started_at = excluded.started_at, ended_at = excluded.ended_at
       RETURNING ${RELATIONSHIP_COLUMNS}`,
      chunk.flat(),
    );
    stored.push(...rows.map(toRelationship));
  }
  return stored;
}

/** 8 parameters a row: well under PostgreSQL's 65,535 a statement. */
const RELATIONSHIPS_PER_STATEMENT = 1000;
const RELATIONSHIP_CASTS = ['text', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz'];

/** Relationships of a user with a person (following a merge), active at `at` when given. */
export async function findRelationships(
  db: Queryable,
  query: { patientKey?: string | undefined; userId?: string | undefined; at?: string | undefined },
): Promise<LegitimateRelationship[]> {
  if (!query.patientKey && !query.userId) throw new StoreError('invalid-input', 'patientKey or userId: at least one is needed', 'patientKey');
  const { rows } = await db.query<RelationshipRow>(
    `SELECT ${RELATIONSHIP_COLUMNS} FROM legitimate_relationships
     WHERE ($1::text IS NULL OR patient_key = coalesce((SELECT merged_into FROM persons WHERE person_id = $1), $1))
       AND ($2::text IS NULL OR user_id = $2)
       AND ($3::timestamptz IS NULL OR (started_at <= $3::timestamptz AND (ended_at IS NULL OR ended_at > $3::timestamptz)))
     ORDER BY started_at DESC, patient_key, id`,
    [query.patientKey ?? null, query.userId ?? null, instant(query.at, 'at')],
  );
  return rows.map(toRelationship);
}

/** What the caller gives to append to the audit log. */
export interface AuditEntryInput {
  /** The event (e.g. a FHIR AuditEvent, or governance's own shape); stored as JSON. */
  event: Record<string, unknown>;
  patientKey?: string | undefined;
  userId?: string | undefined;
  /** When it happened (ISO instant); now when absent. */
  recordedAt?: string | undefined;
}

/** What the hash of a new audit row is computed from: its place in the chain and its content. */
export interface AuditLink {
  seq: number;
  prevHash: string | undefined;
  recordedAt: string;
  patientKey: string | undefined;
  userId: string | undefined;
  event: Record<string, unknown>;
}

/** One row of the append-only audit log. */
export interface AuditRow extends AuditLink {
  hash: string;
}

interface AuditDbRow {
  seq: string | number;
  recorded_at: Date | string;
  patient_key: string | null;
  user_id: string | null;
  prev_hash: string | null;
  hash: string;
  event: Record<string, unknown>;
}

const toAudit = (row: AuditDbRow): AuditRow => ({
  seq: Number(row.seq),
  recordedAt: toIso(row.recorded_at),
  patientKey: row.patient_key ?? undefined,
  userId: row.user_id ?? undefined,
  prevHash: row.prev_hash ?? undefined,
  hash: row.hash,
  event: row.event,
});

const AUDIT_COLUMNS = 'seq, recorded_at, patient_key, user_id, prev_hash, hash, event';

/**
 * Appends one audit row. Appends are serialised by a transaction-scoped advisory lock, so `computeHash` sees the
 * true previous row and the chain has no forks or gaps. The store does not hash: the caller (governance) does.
 */
export async function appendAudit(
  db: Db,
  entry: AuditEntryInput,
  computeHash: (link: AuditLink) => string | Promise<string>,
): Promise<AuditRow> {
  const [row] = await appendAuditBatch(db, [entry], computeHash);
  if (!row) throw new Error('audit insert returned no row');
  return row;
}

const AUDIT_LOCK = prepared('SELECT pg_advisory_xact_lock(hashtext($1))');
const AUDIT_HEAD = prepared('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
// The events go as one JSON array (their text joined), not a jsonb[]: pg would escape every quote of every event.
const AUDIT_ROWS = `ROWS FROM (unnest($1::bigint[]), unnest($2::timestamptz[]), unnest($3::text[]), unnest($4::text[]), unnest($5::text[]),
  unnest($6::text[]), jsonb_array_elements($7::jsonb))`;
const AUDIT_INSERT = prepared(`INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT * FROM ${AUDIT_ROWS} RETURNING ${AUDIT_COLUMNS}`);
// The chain's lock is taken (a materialised CTE every inserted row joins) before any row is made, and held to commit.
const AUDIT_APPEND_AT_HEAD = prepared(`WITH chain_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext($8)) AS locked)
  INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT a.* FROM chain_lock, ${AUDIT_ROWS} AS a
  RETURNING ${AUDIT_COLUMNS}`);

/** The last row of a chain: its seq and hash. */
interface ChainHead {
  seq: number;
  hash: string;
}

/** Each database's chain head as this process last wrote or read it; dropped after any failed append. */
const heads = new WeakMap<Db, ChainHead>();

/** PostgreSQL's unique_violation: here, a seq someone else appended first. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/**
 * Appends several audit rows, in the order given, in one transaction under one lock: the group commit of a busy
 * server, where every request waiting for its audit row shares one lock, one round of statements and one fsync.
 * `computeHash` is called for each row in chain order, each seeing the previous row's hash. All rows land or none.
 */
export async function appendAuditBatch(
  db: Db,
  entries: readonly AuditEntryInput[],
  computeHash: (link: AuditLink) => string | Promise<string>,
): Promise<AuditRow[]> {
  const items = entries.map((entry, i) => {
    const field = entries.length === 1 ? 'event' : `entries.${i}.event`;
    if (typeof entry.event !== 'object' || entry.event === null || Array.isArray(entry.event)) {
      throw new StoreError('invalid-input', `${field}: must be a JSON object`, field);
    }
    // A JSON round trip, so the hash is computed over exactly what is stored and read back.
    const json = JSON.stringify(entry.event);
    return {
      entry,
      json,
      event: JSON.parse(json) as Record<string, unknown>,
      recordedAt: instant(entry.recordedAt, entries.length === 1 ? 'recordedAt' : `entries.${i}.recordedAt`) ?? new Date().toISOString(),
    };
  });
  if (items.length === 0) return [];
  const lockKey = `openidcr.store.audit:${db.schema}`;
  const linkAll = async (last: ChainHead | undefined): Promise<AuditRow[]> => {
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash;
    const links: AuditRow[] = [];
    for (const item of items) {
      const link: AuditLink = { seq: ++seq, prevHash, recordedAt: item.recordedAt, patientKey: item.entry.patientKey, userId: item.entry.userId, event: item.event };
      const hash = await computeHash(link);
      if (typeof hash !== 'string' || hash.length === 0) throw new StoreError('invalid-input', 'computeHash: must return a non-empty string', 'computeHash');
      links.push({ ...link, hash });
      prevHash = hash;
    }
    return links;
  };
  // The rows go in as arrays, so the text never changes whatever the group's size and PostgreSQL prepares it once.
  const columns = (links: readonly AuditRow[]) => [
    links.map((link) => link.seq),
    links.map((link) => link.recordedAt),
    links.map((link) => link.patientKey ?? null),
    links.map((link) => link.userId ?? null),
    links.map((link) => link.prevHash ?? null),
    links.map((link) => link.hash),
    `[${items.map((item) => item.json).join(',')}]`,
  ];
  const stored = (rows: readonly AuditDbRow[], links: readonly AuditRow[]): AuditRow[] => {
    if (rows.length !== links.length) throw new Error('audit insert returned fewer rows than it was given');
    return rows.map(toAudit).sort((a, b) => a.seq - b.seq);
  };
  // Only a committed group becomes the known head: a head that was rolled back would link the next group to nothing.
  const committed = (rows: AuditRow[]): AuditRow[] => {
    const head = rows[rows.length - 1]!;
    heads.set(db, { seq: head.seq, hash: head.hash });
    return rows;
  };

  // Fast path: the chain's head is known from this process's last append, so the group is linked to it and written
  // in one statement (one round trip, one commit) that takes the chain's lock first. If anyone else appended since,
  // the first row's seq is taken and the primary key refuses the whole statement: nothing is written, and the group
  // is linked again below to the head read under the lock.
  const known = heads.get(db);
  if (known) {
    const links = await linkAll(known);
    try {
      // One statement outside a transaction: its rows come back only once it has committed.
      const { rows } = await db.query<AuditDbRow>(AUDIT_APPEND_AT_HEAD, [...columns(links), lockKey], { lane: 'serial' });
      return committed(stored(rows, links));
    } catch (error) {
      heads.delete(db);
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const rows = await db.transaction(async (tx) => {
    await tx.query(AUDIT_LOCK, [lockKey]);
    const { rows: lastRows } = await tx.query<{ seq: string | number; hash: string }>(AUDIT_HEAD);
    const last = lastRows[0];
    const links = await linkAll(last ? { seq: Number(last.seq), hash: last.hash } : undefined);
    const { rows: inserted } = await tx.query<AuditDbRow>(AUDIT_INSERT, columns(links));
    return stored(inserted, links);
  }, { lane: 'serial' });
  return committed(rows);
}

/** Filters for reading the audit log; results are in chain order (seq ascending). */
export interface AuditQuery {
  patientKey?: string | undefined;
  userId?: string | undefined;
  /** At or after (ISO instant). */
  from?: string | undefined;
  /** Before (ISO instant). */
  to?: string | undefined;
  /** Only rows after this seq: the keyset for reading the chain in pages. */
  afterSeq?: number | undefined;
  /** Page size, 1 to 5000, default 500. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * Audit rows by patient, user and time, in seq order, one keyset page at a time. A patient's rows include those
 * written under the keys of the people merged into them (the audit is append-only, so rows keep the key they were
 * written with): after a merge the person's log shows one person, and after an unmerge each their own again.
 */
export async function readAudit(db: Queryable, query: AuditQuery = {}): Promise<Page<AuditRow>> {
  const limit = pageSize(query.limit, 500, 5000);
  const filters = [query.patientKey ?? null, query.userId ?? null, instant(query.from, 'from'), instant(query.to, 'to')];
  const fingerprint = queryFingerprint('audit', filters);
  let afterSeq = query.afterSeq ?? 0;
  if (query.cursor !== undefined) {
    const [seq] = decodeCursor(query.cursor, fingerprint, 1);
    if (seq === null || seq === undefined || !/^\d+$/.test(seq)) throw new StoreError('invalid-cursor', 'cursor: not a cursor token for this listing', 'cursor');
    afterSeq = Math.max(afterSeq, Number(seq));
  }
  const { rows } = await db.query<AuditDbRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log
     WHERE ($1::text IS NULL OR patient_key = ANY(ARRAY(SELECT $1::text UNION ALL SELECT person_id FROM persons WHERE merged_into = $1::text)))
       AND ($2::text IS NULL OR user_id = $2)
       AND ($3::timestamptz IS NULL OR recorded_at >= $3::timestamptz) AND ($4::timestamptz IS NULL OR recorded_at < $4::timestamptz)
       AND seq > $5
     ORDER BY seq LIMIT $6`,
    [...filters, afterSeq, limit + 1],
  );
  const items = rows.slice(0, limit).map(toAudit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, [String(last.seq)]) : undefined;
  return { items, nextCursor };
}
