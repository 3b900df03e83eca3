import { createHash, randomUUID } from 'node:crypto';
import type { ApplyResult, DeadLetter, DeadLetterInput, IngestBatch, MessageLogEntry, MessageOutcome } from '@openidcr/model';
import type { Db, Queryable } from '../db/db.js';
import { StoreError } from '../errors.js';
import { putRelationship } from '../governance/governance.js';
import { applyIdentityChange } from '../identity/mpi.js';
import type { Page } from '../paging/cursor.js';
import { decodeCursor, encodeCursor, instantParam, pageSize, queryFingerprint } from '../paging/cursor.js';
import { toIso } from '../resources/read.js';
import { writeResources } from '../resources/write.js';
import { parseBatch, parseDeadLetter } from './batch-schema.js';

/**
 * A hook the crash-safety test uses to stop a batch after every row is written but before COMMIT.
 * Not part of the public API.
 */
export interface ApplyHooks {
  beforeCommit?: ((tx: Queryable) => Promise<void>) | undefined;
}

const LOG_INSERT = `INSERT INTO message_log
    (sender, control_id, content_hash, message_type, received_at, raw, ack, outcome, patient_key, warnings)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[])
  ON CONFLICT (sender, control_id, content_hash) DO NOTHING
  RETURNING sender`;

/**
 * Applies an ingest batch atomically: the message log row, identity changes, then resources (new versions, with
 * history), all in one transaction. A batch whose (sender, control id, content hash) is already logged changes
 * nothing and returns the stored ACK and outcome. Concurrent duplicates wait on the log row's unique key, so
 * exactly one applies.
 */
export async function applyBatch(db: Db, input: IngestBatch, hooks: ApplyHooks = {}): Promise<ApplyResult> {
  const batch = parseBatch(input);
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(db, batch, hooks);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isTransientConflict(error)) throw error;
    }
  }
}

const MAX_ATTEMPTS = 4;

/**
 * Conflicts between concurrent transactions that succeed when run again: two batches creating the same new
 * resource (unique violation on its key), a deadlock, a serialization failure. The rerun sees the winner's rows.
 */
function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === '40P01' || code === '40001';
}

/**
 * The survivor of each of the batch's patient keys that is merged away. A message resolved to a person just before
 * a merge of that person committed (the merge locks the person rows; the resolution does not) would otherwise write
 * rows under a key that has been merged away, where no view looks: they go to the survivor instead.
 */
async function survivorsOf(tx: Queryable, batch: IngestBatch): Promise<Map<string, string>> {
  const keys = [...new Set([...batch.resources.map((r) => r.patientKey), ...(batch.relationships ?? []).map((r) => r.patientKey)].filter((k): k is string => !!k))];
  if (keys.length === 0) return new Map();
  const { rows } = await tx.query<{ person_id: string; merged_into: string }>('SELECT person_id, merged_into FROM persons WHERE person_id = ANY($1::text[]) AND merged_into IS NOT NULL', [keys]);
  return new Map(rows.map((row) => [row.person_id, row.merged_into]));
}

async function applyOnce(db: Db, batch: IngestBatch, hooks: ApplyHooks): Promise<ApplyResult> {
  const { message } = batch;
  const now = new Date().toISOString();
  return db.transaction(async (tx) => {
    const inserted = await tx.query(LOG_INSERT, [
      message.sender,
      message.controlId,
      message.contentHash,
      message.messageType,
      message.receivedAt,
      message.raw,
      message.ack,
      message.outcome,
      message.patientKey ?? null,
      message.warnings ?? [],
    ]);
    if (inserted.rows.length === 0) {
      const { rows } = await tx.query<{ ack: string; outcome: MessageOutcome }>(
        'SELECT ack, outcome FROM message_log WHERE sender = $1 AND control_id = $2 AND content_hash = $3',
        [message.sender, message.controlId, message.contentHash],
      );
      const stored = rows[0];
      if (!stored) throw new Error('message_log row vanished between conflict and read');
      return { status: 'duplicate', ack: stored.ack, outcome: stored.outcome };
    }
    for (const change of batch.identity) await applyIdentityChange(tx, change, now);
    const survivors = await survivorsOf(tx, batch);
    const resources = survivors.size === 0 ? batch.resources : batch.resources.map((r) => (r.patientKey && survivors.has(r.patientKey) ? { ...r, patientKey: survivors.get(r.patientKey)! } : r));
    const outcome = await writeResources(tx, resources, now);
    for (const found of batch.relationships ?? []) {
      const link = survivors.has(found.patientKey) ? { ...found, patientKey: survivors.get(found.patientKey)! } : found;
      // A relationship read from a resource that was too old to store is too old too (a late A01 after the A03).
      if (link.from && outcome.stale.has(`${link.from.resourceType}/${link.from.id}`)) continue;
      await putRelationship(tx, link);
    }
    if (hooks.beforeCommit) await hooks.beforeCommit(tx);
    return { status: 'applied', resourcesWritten: outcome.written, resourcesSkippedAsStale: outcome.skippedAsStale };
  });
}

/** A message log row as stored. */
export interface StoredMessage extends MessageLogEntry {
  warnings: string[];
  loggedAt: string;
}

/** Filters for the message log; every one optional. */
export interface MessageLogQuery {
  sender?: string | undefined;
  controlId?: string | undefined;
  outcome?: MessageOutcome | undefined;
  messageType?: string | undefined;
  patientKey?: string | undefined;
  /** Received at or after (ISO instant). */
  from?: string | undefined;
  /** Received before (ISO instant). */
  to?: string | undefined;
  /** Page size, 1 to 500, default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

interface MessageRow {
  sender: string;
  control_id: string;
  content_hash: string;
  message_type: string;
  received_at: Date | string;
  raw: string;
  ack: string;
  outcome: MessageOutcome;
  patient_key: string | null;
  warnings: string[];
  logged_at: Date | string;
}

/** The message log, newest first, filtered, one keyset page at a time. */
export async function listMessages(db: Queryable, query: MessageLogQuery = {}): Promise<Page<StoredMessage>> {
  const limit = pageSize(query.limit, 50, 500);
  if (query.outcome !== undefined && !['accepted', 'rejected', 'error'].includes(query.outcome)) {
    throw new StoreError('invalid-input', 'outcome: must be accepted, rejected or error', 'outcome');
  }
  const filters = [
    query.sender ?? null,
    query.controlId ?? null,
    query.outcome ?? null,
    query.messageType ?? null,
    query.patientKey ?? null,
    instantParam(query.from, 'from'),
    instantParam(query.to, 'to'),
  ];
  const fingerprint = queryFingerprint('messages', filters);
  const after = query.cursor === undefined ? [null, null, null, null] : decodeCursor(query.cursor, fingerprint, 4);
  const { rows } = await db.query<MessageRow>(
    `SELECT sender, control_id, content_hash, message_type, received_at, raw, ack, outcome, patient_key, warnings, logged_at
     FROM message_log
     WHERE ($1::text IS NULL OR sender = $1) AND ($2::text IS NULL OR control_id = $2) AND ($3::text IS NULL OR outcome = $3)
       AND ($4::text IS NULL OR message_type = $4) AND ($5::text IS NULL OR patient_key = $5)
       AND ($6::timestamptz IS NULL OR received_at >= $6::timestamptz) AND ($7::timestamptz IS NULL OR received_at < $7::timestamptz)
       AND ($8::timestamptz IS NULL OR (received_at, sender, control_id, content_hash) < ($8::timestamptz, $9::text, $10::text, $11::text))
     ORDER BY received_at DESC, sender DESC, control_id DESC, content_hash DESC
     LIMIT $12`,
    [...filters, ...after, limit + 1],
  );
  const items = rows.slice(0, limit).map(
    (row): StoredMessage => ({
      sender: row.sender,
      controlId: row.control_id,
      contentHash: row.content_hash,
      messageType: row.message_type,
      receivedAt: toIso(row.received_at),
      raw: row.raw,
      ack: row.ack,
      outcome: row.outcome,
      patientKey: row.patient_key ?? undefined,
      warnings: row.warnings,
      loggedAt: toIso(row.logged_at),
    }),
  );
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, [last.receivedAt, last.sender, last.controlId, last.contentHash]) : undefined;
  return { items, nextCursor };
}

interface DeadLetterRow {
  id: string;
  sender: string | null;
  control_id: string | null;
  channel: string | null;
  raw: string;
  error: string;
  received_at: Date | string;
  attempts: number;
  replayed_at: Date | string | null;
}

const DEAD_LETTER_COLUMNS = 'id, sender, control_id, channel, raw, error, received_at, attempts, replayed_at';

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  const letter: DeadLetter = { id: row.id, raw: row.raw, error: row.error, receivedAt: toIso(row.received_at), attempts: row.attempts };
  if (row.sender !== null) letter.sender = row.sender;
  if (row.control_id !== null) letter.controlId = row.control_id;
  if (row.channel !== null) letter.channel = row.channel;
  if (row.replayed_at !== null) letter.replayedAt = toIso(row.replayed_at);
  return letter;
}

/**
 * Keeps a message that could not be taken. The same raw message arriving again while an earlier dead letter for it
 * is not yet replayed counts as another attempt on that letter (with the latest error) instead of a new row.
 */
export async function recordDeadLetter(db: Db, input: DeadLetterInput): Promise<DeadLetter> {
  const letter = parseDeadLetter(input);
  const rawHash = createHash('sha256').update(letter.raw).digest('hex');
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`openidcr.store.dead-letter:${rawHash}`]);
    const again = await tx.query<DeadLetterRow>(
      `UPDATE dead_letters SET attempts = attempts + 1, error = $2, last_attempt_at = now()
       WHERE id = (SELECT id FROM dead_letters WHERE raw_hash = $1 AND replayed_at IS NULL ORDER BY received_at DESC LIMIT 1)
       RETURNING ${DEAD_LETTER_COLUMNS}`,
      [rawHash, letter.error],
    );
    if (again.rows[0]) return toDeadLetter(again.rows[0]);
    const { rows } = await tx.query<DeadLetterRow>(
      `INSERT INTO dead_letters (id, sender, control_id, channel, raw, raw_hash, error, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${DEAD_LETTER_COLUMNS}`,
      [randomUUID(), letter.sender ?? null, letter.controlId ?? null, letter.channel ?? null, letter.raw, rawHash, letter.error, letter.receivedAt],
    );
    if (!rows[0]) throw new Error('dead letter insert returned no row');
    return toDeadLetter(rows[0]);
  });
}

/** Filters for the dead letter list. */
export interface DeadLetterQuery {
  /** true: only replayed; false: only waiting; absent: both. */
  replayed?: boolean | undefined;
  sender?: string | undefined;
  channel?: string | undefined;
  /** Page size, 1 to 500, default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Dead letters, newest first. */
export async function listDeadLetters(db: Queryable, query: DeadLetterQuery = {}): Promise<Page<DeadLetter>> {
  const limit = pageSize(query.limit, 50, 500);
  const filters = [query.replayed ?? null, query.sender ?? null, query.channel ?? null];
  const fingerprint = queryFingerprint('dead-letters', filters);
  const after = query.cursor === undefined ? [null, null] : decodeCursor(query.cursor, fingerprint, 2);
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters
     WHERE ($1::boolean IS NULL OR (replayed_at IS NOT NULL) = $1::boolean)
       AND ($2::text IS NULL OR sender = $2) AND ($3::text IS NULL OR channel = $3)
       AND ($4::timestamptz IS NULL OR (received_at, id) < ($4::timestamptz, $5::text))
     ORDER BY received_at DESC, id DESC LIMIT $6`,
    [...filters, ...after, limit + 1],
  );
  const items = rows.slice(0, limit).map(toDeadLetter);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, [last.receivedAt, last.id]) : undefined;
  return { items, nextCursor };
}

export async function getDeadLetter(db: Queryable, id: string): Promise<DeadLetter | undefined> {
  const { rows } = await db.query<DeadLetterRow>(`SELECT ${DEAD_LETTER_COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
  return rows[0] ? toDeadLetter(rows[0]) : undefined;
}

/** Marks a dead letter replayed (once: a second call keeps the first time). Undefined when there is no such letter. */
export async function markDeadLetterReplayed(db: Queryable, id: string, at: string = new Date().toISOString()): Promise<DeadLetter | undefined> {
  const { rows } = await db.query<DeadLetterRow>(
    `UPDATE dead_letters SET replayed_at = coalesce(replayed_at, $2::timestamptz) WHERE id = $1 RETURNING ${DEAD_LETTER_COLUMNS}`,
    [id, instantParam(at, 'at')],
  );
  return rows[0] ? toDeadLetter(rows[0]) : undefined;
}
