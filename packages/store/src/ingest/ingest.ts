import { createHash, randomUUID } from 'node:crypto';
import type { ApplyResult, BatchResource, DeadLetter, DeadLetterInput, IngestBatch, MessageLogEntry, MessageOutcome } from '@openidcr/model';
import type { Db, Queryable } from '../db/db.js';
import { prepared } from '../db/db.js';
import { StoreError } from '../errors.js';
import { putRelationships } from '../governance/governance.js';
import { applyIdentityChanges } from '../identity/mpi.js';
import type { Page } from '../paging/cursor.js';
import { decodeCursor, encodeCursor, instantParam, pageSize, queryFingerprint } from '../paging/cursor.js';
import { toIso } from '../resources/read.js';
import { writeResources } from '../resources/write.js';
import { parseBatch, parseDeadLetter } from './batch-schema.js';

/**
 * A hook the crash-safety test uses to stop a batch (or a group of batches committed together) after every row is
 * written but before COMMIT. Not part of the public API.
 */
export interface ApplyHooks {
  beforeCommit?: ((tx: Queryable) => Promise<void>) | undefined;
}

/**
 * Applies an ingest batch atomically, in a transaction of its own: the message log row, identity changes, then
 * resources (new versions, with history), all in one transaction. A batch whose (sender, control id, content hash) is
 * already logged changes nothing and returns the stored ACK and outcome. Concurrent duplicates wait on the log row's
 * unique key, so exactly one applies. Transient conflicts with concurrent transactions are run again.
 * `createBatchApplier` commits batches that arrive together in one transaction, and falls back to this.
 */
export async function applyBatch(db: Db, input: IngestBatch, hooks: ApplyHooks = {}): Promise<ApplyResult> {
  return applyAlone(db, parseBatch(input), hooks);
}

async function applyAlone(db: Db, batch: IngestBatch, hooks: ApplyHooks): Promise<ApplyResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [result] = await db.transaction((tx) => applyTogether(tx, [batch], new Date().toISOString(), hooks));
      return result!;
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

/** How many batches, and how much raw message text, one group transaction takes at most. */
export interface GroupCommitOptions {
  /** Default 200. 1 turns grouping off: every batch has a transaction of its own. */
  maxBatches?: number | undefined;
  /** Default 8 M characters of raw message text (one batch longer than that still goes, alone). */
  maxRawLength?: number | undefined;
}

interface Pending {
  batch: IngestBatch;
  resolve: (result: ApplyResult) => void;
  reject: (error: unknown) => void;
}

/**
 * `applyBatch` with group commit. A batch that arrives while no transaction of this applier is running is applied at
 * once; batches that arrive while one runs wait for it and are then applied together, in the order they arrived, in
 * one transaction with set-based statements (one log insert, one resource write, ...). Each promise still resolves
 * only after the transaction holding its batch committed, with that batch's own result, exactly as applying the
 * batches one after the other would give. If the group transaction fails for any reason, its batches are applied
 * again one by one (`applyBatch`), so one bad batch fails alone.
 *
 * Not grouped with others: a batch that merges or unmerges people (it moves rows the other batches may write, and
 * an unmerge moves back exactly what the merge moved), and a batch that puts a resource under another patient key
 * than an earlier batch of the group (the move must see the earlier version stored); each starts a new group.
 */
export function createBatchApplier(db: Db, hooks: ApplyHooks = {}, options: GroupCommitOptions = {}): (input: IngestBatch) => Promise<ApplyResult> {
  const maxBatches = Math.max(1, options.maxBatches ?? 200);
  const maxRawLength = Math.max(1, options.maxRawLength ?? 8 * 1024 * 1024);
  const queue: Pending[] = [];
  let running = false;

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) await applyGroup(db, takeGroup(queue, maxBatches, maxRawLength), hooks);
    } finally {
      running = false;
    }
  };

  return (input) => {
    let batch: IngestBatch;
    try {
      batch = parseBatch(input);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ApplyResult>((resolve, reject) => {
      queue.push({ batch, resolve, reject });
      if (!running) void drain();
    });
  };
}

const movesPeople = (batch: IngestBatch): boolean => batch.identity.some((change) => change.kind === 'merge' || change.kind === 'unmerge');

/** The next group from the head of the queue (see `createBatchApplier` for what is not grouped). */
function takeGroup(queue: Pending[], maxBatches: number, maxRawLength: number): Pending[] {
  const first = queue.shift()!;
  const group = [first];
  if (movesPeople(first.batch)) return group;
  let raw = first.batch.message.raw.length;
  const keyOfResource = new Map<string, string | undefined>();
  const claims = (batch: IngestBatch): boolean => {
    for (const item of batch.resources) {
      const key = `${item.resource.resourceType}/${item.resource.id}`;
      if (keyOfResource.has(key) && keyOfResource.get(key) !== item.patientKey) return false;
    }
    return true;
  };
  const claim = (batch: IngestBatch): void => {
    for (const item of batch.resources) keyOfResource.set(`${item.resource.resourceType}/${item.resource.id}`, item.patientKey);
  };
  claim(first.batch);
  while (queue.length > 0 && group.length < maxBatches) {
    const next = queue[0]!.batch;
    if (movesPeople(next) || raw + next.message.raw.length > maxRawLength || !claims(next)) break;
    group.push(queue.shift()!);
    raw += next.message.raw.length;
    claim(next);
  }
  return group;
}

/** Applies a group and settles each of its promises; never throws. */
async function applyGroup(db: Db, group: readonly Pending[], hooks: ApplyHooks): Promise<void> {
  if (group.length > 1) {
    let results: ApplyResult[] | undefined;
    try {
      results = await db.transaction((tx) => applyTogether(tx, group.map((pending) => pending.batch), new Date().toISOString(), hooks));
    } catch {
      // Whatever failed (one bad batch, a conflict, the connection), each batch is tried again alone below, so the
      // others commit and the bad one reports its own error.
    }
    if (results) {
      group.forEach((pending, index) => pending.resolve(results[index]!));
      return;
    }
  }
  for (const pending of group) {
    try {
      pending.resolve(await applyAlone(db, pending.batch, hooks));
    } catch (error) {
      pending.reject(error);
    }
  }
}

/** The log rows of a group in one statement, as arrays (fixed text, so prepared once per connection). */
const LOG_INSERT = prepared(`INSERT INTO message_log
    (sender, control_id, content_hash, message_type, received_at, raw, ack, outcome, patient_key, warnings)
  SELECT s, c, h, t, r, raw, ack, o, pk, ARRAY(SELECT jsonb_array_elements_text(w))
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])
    AS x(s, c, h, t, r, raw, ack, o, pk, w)
  ON CONFLICT (sender, control_id, content_hash) DO NOTHING
  RETURNING sender, control_id, content_hash`);

const logKeyOf = (message: { sender: string; controlId: string; contentHash: string }): string =>
  `${message.sender}\u001f${message.controlId}\u001f${message.contentHash}`;

/** Inserts the log rows that are not logged yet (the messages' keys are distinct); returns the keys of those inserted. */
async function insertLog(tx: Queryable, messages: readonly MessageLogEntry[]): Promise<Set<string>> {
  const column = <T>(of: (message: MessageLogEntry) => T): T[] => messages.map(of);
  const { rows } = await tx.query<{ sender: string; control_id: string; content_hash: string }>(LOG_INSERT, [
    column((m) => m.sender),
    column((m) => m.controlId),
    column((m) => m.contentHash),
    column((m) => m.messageType),
    column((m) => m.receivedAt),
    column((m) => m.raw),
    column((m) => m.ack),
    column((m) => m.outcome),
    column((m) => m.patientKey ?? null),
    column((m) => JSON.stringify(m.warnings ?? [])),
  ]);
  return new Set(rows.map((row) => logKeyOf({ sender: row.sender, controlId: row.control_id, contentHash: row.content_hash })));
}

const STORED_ACKS = prepared(`SELECT l.sender, l.control_id, l.content_hash, l.ack, l.outcome FROM message_log l
  JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(s, c, h) ON l.sender = k.s AND l.control_id = k.c AND l.content_hash = k.h`);

/** The stored ACK and outcome of messages already logged. */
async function storedAcks(tx: Queryable, messages: readonly MessageLogEntry[]): Promise<Map<string, { ack: string; outcome: MessageOutcome }>> {
  const { rows } = await tx.query<{ sender: string; control_id: string; content_hash: string; ack: string; outcome: MessageOutcome }>(
    STORED_ACKS,
    [messages.map((m) => m.sender), messages.map((m) => m.controlId), messages.map((m) => m.contentHash)],
  );
  return new Map(rows.map((row) => [logKeyOf({ sender: row.sender, controlId: row.control_id, contentHash: row.content_hash }), { ack: row.ack, outcome: row.outcome }]));
}

/** The patient keys the batches write under. */
function patientKeysOf(batches: readonly IngestBatch[]): string[] {
  const keys = new Set<string>();
  for (const batch of batches) {
    for (const item of batch.resources) if (item.patientKey) keys.add(item.patientKey);
    for (const link of batch.relationships ?? []) if (link.patientKey) keys.add(link.patientKey);
  }
  return [...keys];
}

/**
 * The survivor of each of these patient keys that is merged away. A message resolved to a person just before a merge
 * of that person committed (the merge locks the person rows; the resolution does not) would otherwise write rows
 * under a key that has been merged away, where no view looks: they go to the survivor instead.
 */
// Held FOR SHARE as the identity read holds them (see IDENTITY_STATE): no merge of these people slips in before COMMIT.
const SURVIVORS = prepared(
  'SELECT person_id, merged_into FROM (SELECT person_id, merged_into FROM persons WHERE person_id = ANY($1::text[]) ORDER BY person_id FOR SHARE OFFSET 0) AS held WHERE merged_into IS NOT NULL',
);

async function survivorsOf(tx: Queryable, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const { rows } = await tx.query<{ person_id: string; merged_into: string }>(SURVIVORS, [keys]);
  return new Map(rows.map((row) => [row.person_id, row.merged_into]));
}

/**
 * Applies batches in the caller's transaction as applying them one after the other would, with set-based statements:
 * the log rows (telling the duplicates apart), then every batch's identity changes in batch order, then the
 * resources of all of them in one write (a resource named by two batches gets two versions, the later current), then
 * the relationships. The batches given never merge people, unless there is only one (see `createBatchApplier`).
 * Returns each batch's result, in order.
 */
async function applyTogether(tx: Queryable, batches: readonly IngestBatch[], now: string, hooks: ApplyHooks): Promise<ApplyResult[]> {
  const results: Array<ApplyResult | undefined> = batches.map(() => undefined);
  // A message sent twice within the group: the later copy is a duplicate of the earlier, whatever became of that.
  const firstOf = new Map<string, number>();
  const copies: Array<[copy: number, first: number]> = [];
  const distinct: number[] = [];
  for (const [index, batch] of batches.entries()) {
    const key = logKeyOf(batch.message);
    const first = firstOf.get(key);
    if (first === undefined) {
      firstOf.set(key, index);
      distinct.push(index);
    } else copies.push([index, first]);
  }
  const inserted = await insertLog(tx, distinct.map((index) => batches[index]!.message));
  const applied = distinct.filter((index) => inserted.has(logKeyOf(batches[index]!.message)));
  const logged = distinct.filter((index) => !inserted.has(logKeyOf(batches[index]!.message)));
  if (logged.length > 0) {
    const stored = await storedAcks(tx, logged.map((index) => batches[index]!.message));
    for (const index of logged) {
      const row = stored.get(logKeyOf(batches[index]!.message));
      if (!row) throw new Error('message_log row vanished between conflict and read');
      results[index] = { status: 'duplicate', ack: row.ack, outcome: row.outcome };
    }
  }
  for (const [copy, first] of copies) {
    const { message } = batches[first]!;
    results[copy] = results[first] ?? { status: 'duplicate', ack: message.ack, outcome: message.outcome };
  }
  if (applied.length > 0) {
    const batchesApplied = applied.map((index) => batches[index]!);
    const keys = patientKeysOf(batchesApplied);
    // Survivors are read after the identity changes; changes that merge nobody leave them as they were, so then
    // they are read with what the changes read, in one statement.
    const merging = batchesApplied.some(movesPeople);
    const read = await applyIdentityChanges(tx, batchesApplied.flatMap((batch) => batch.identity), now, merging ? [] : keys);
    const survivors = merging ? await survivorsOf(tx, keys) : read;
    const survivorOf = (key: string): string => survivors.get(key) ?? key;
    const items: BatchResource[] = [];
    const ownerOf: number[] = [];
    for (const [position, batch] of batchesApplied.entries()) {
      for (const item of batch.resources) {
        items.push(item.patientKey && survivors.has(item.patientKey) ? { ...item, patientKey: survivorOf(item.patientKey) } : item);
        ownerOf.push(position);
      }
    }
    const outcome = await writeResources(tx, items, now);
    const staleOf = batchesApplied.map(() => ({ count: 0, keys: new Set<string>() }));
    for (const item of outcome.staleItems) {
      const stale = staleOf[ownerOf[item]!]!;
      stale.count++;
      stale.keys.add(`${items[item]!.resource.resourceType}/${items[item]!.resource.id}`);
    }
    const links = batchesApplied.flatMap((batch, position) =>
      (batch.relationships ?? [])
        // A relationship read from a resource that was too old to store is too old too (a late A01 after the A03).
        .filter((link) => !(link.from && staleOf[position]!.keys.has(`${link.from.resourceType}/${link.from.id}`)))
        .map((link) => (survivors.has(link.patientKey) ? { ...link, patientKey: survivorOf(link.patientKey) } : link)),
    );
    await putRelationships(tx, links);
    for (const [position, index] of applied.entries()) {
      const stale = staleOf[position]!;
      results[index] = { status: 'applied', resourcesWritten: batches[index]!.resources.length - stale.count, resourcesSkippedAsStale: stale.count };
    }
  }
  if (applied.length > 0 && hooks.beforeCommit) await hooks.beforeCommit(tx);
  return results.map((result) => result!);
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
