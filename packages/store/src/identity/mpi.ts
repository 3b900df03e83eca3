import type { IdentityChange, LocalIdentifier, PersonDemographics, PersonRecord } from '@openidcr/model';
import { NHS_NUMBER_SYSTEM, normaliseNhsNumber } from '@openidcr/model';
import type { Queryable } from '../db/db.js';
import { prepared } from '../db/db.js';
import { StoreError } from '../errors.js';
import type { Page } from '../paging/cursor.js';
import { decodeCursor, encodeCursor, pageSize, queryFingerprint } from '../paging/cursor.js';
import { normaliseName, normalisePostcode } from '../resources/extract.js';
import { toIso } from '../resources/read.js';

/** The assigning authority under which a person's NHS number is kept in `person_identifiers`. */
export const NHS_NUMBER_AUTHORITY = NHS_NUMBER_SYSTEM;

interface PersonRow {
  person_id: string;
  nhs_number: string | null;
  family: string | null;
  given: string | null;
  birth_date: string | null;
  gender: PersonDemographics['gender'] | null;
  postcode: string | null;
  status: PersonRecord['status'];
  merged_into: string | null;
  local_ids: LocalIdentifier[];
}

const PERSON_SELECT = `SELECT p.person_id, p.nhs_number, p.family, p.given, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
    p.gender, p.postcode, p.status, p.merged_into,
    coalesce((SELECT jsonb_agg(jsonb_build_object('assigningAuthority', i.assigning_authority, 'value', i.value)
                ORDER BY i.assigning_authority, i.value)
              FROM person_identifiers i WHERE i.person_id = p.person_id AND i.assigning_authority <> '${NHS_NUMBER_AUTHORITY}'),
             '[]'::jsonb) AS local_ids
  FROM persons p`;

function toPerson(row: PersonRow): PersonRecord {
  const demographics: PersonDemographics = {};
  if (row.family !== null) demographics.family = row.family;
  if (row.given !== null) demographics.given = row.given;
  if (row.birth_date !== null) demographics.birthDate = row.birth_date;
  if (row.gender !== null) demographics.gender = row.gender;
  if (row.postcode !== null) demographics.postcode = row.postcode;
  const person: PersonRecord = { personId: row.person_id, demographics, localIds: row.local_ids, status: row.status };
  if (row.nhs_number !== null) person.nhsNumber = row.nhs_number;
  if (row.merged_into !== null) person.mergedInto = row.merged_into;
  return person;
}

export async function getPerson(db: Queryable, personId: string): Promise<PersonRecord | undefined> {
  const { rows } = await db.query<PersonRow>(`${PERSON_SELECT} WHERE p.person_id = $1`, [personId]);
  return rows[0] ? toPerson(rows[0]) : undefined;
}

async function personByIdentifier(db: Queryable, authority: string, value: string): Promise<PersonRecord | undefined> {
  const { rows } = await db.query<PersonRow>(
    `${PERSON_SELECT} WHERE p.person_id = (SELECT person_id FROM person_identifiers WHERE assigning_authority = $1 AND value = $2)`,
    [authority, value],
  );
  return rows[0] ? toPerson(rows[0]) : undefined;
}

export function findPersonByNhsNumber(db: Queryable, nhsNumber: string): Promise<PersonRecord | undefined> {
  return personByIdentifier(db, NHS_NUMBER_AUTHORITY, normaliseNhsNumber(nhsNumber));
}

export function findPersonByLocalIdentifier(db: Queryable, identifier: LocalIdentifier): Promise<PersonRecord | undefined> {
  return personByIdentifier(db, identifier.assigningAuthority, identifier.value);
}

/** Blocking query for matching: people (not merged away) with the same birth date, family name or postcode. */
export async function findCandidates(db: Queryable, demographics: PersonDemographics, limit: number): Promise<PersonRecord[]> {
  const size = pageSize(limit, 20, 1000);
  const family = demographics.family ? normaliseName(demographics.family) : null;
  const postcode = demographics.postcode ? normalisePostcode(demographics.postcode) : null;
  const birthDate = demographics.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(demographics.birthDate) ? demographics.birthDate : null;
  if (family === null && postcode === null && birthDate === null) return [];
  // The first `size` people of each block in person order come straight from an index; the best `size` of their
  // union (same birth date and family name first) are the same people the whole blocks would give.
  const { rows } = await db.query<PersonRow>(
    `WITH hits AS (
       (SELECT person_id, 0 AS rank FROM persons WHERE merged_into IS NULL AND birth_date = $1::date AND family_norm = $2::text ORDER BY person_id LIMIT $4)
       UNION ALL (SELECT person_id, 1 FROM persons WHERE merged_into IS NULL AND birth_date = $1::date ORDER BY person_id LIMIT $4)
       UNION ALL (SELECT person_id, 1 FROM persons WHERE merged_into IS NULL AND family_norm = $2::text ORDER BY person_id LIMIT $4)
       UNION ALL (SELECT person_id, 1 FROM persons WHERE merged_into IS NULL AND postcode_norm = $3::text ORDER BY person_id LIMIT $4)
     ), best AS (
       SELECT person_id, min(rank) AS rank FROM hits GROUP BY person_id ORDER BY min(rank), person_id LIMIT $4
     )
     ${PERSON_SELECT} JOIN best b ON b.person_id = p.person_id ORDER BY b.rank, p.person_id`,
    [birthDate, family, postcode, size],
  );
  return rows.map(toPerson);
}

// One round trip: the insert's own row, or (when the identifier was already held) the holder as of this statement.
const CLAIM = prepared(`WITH claimed AS (
    INSERT INTO person_identifiers (assigning_authority, value, person_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING person_id
  )
  SELECT person_id FROM claimed UNION ALL SELECT person_id FROM person_identifiers WHERE assigning_authority = $1 AND value = $2`);

async function claimIdentifier(tx: Queryable, authority: string, value: string, personId: string, field: string, known?: IdentityState): Promise<void> {
  const key = identifierKey(authority, value);
  if (known?.owners.get(key) === personId) return; // already theirs: nothing to write
  // One round trip: the insert's own row, or (when the identifier was already held) the holder as of this statement.
  const { rows } = await tx.query<{ person_id: string }>(CLAIM, [authority, value, personId]);
  let owner = rows[0]?.person_id;
  // A holder that committed while the insert waited is not in that statement's snapshot: read it again.
  if (owner === undefined) {
    const again = await tx.query<{ person_id: string }>('SELECT person_id FROM person_identifiers WHERE assigning_authority = $1 AND value = $2', [authority, value]);
    owner = again.rows[0]?.person_id;
  }
  if (owner !== personId) {
    throw new StoreError('identifier-conflict', `${field}: ${authority} ${value} already belongs to person ${owner ?? '?'}`, field);
  }
  known?.owners.set(key, personId);
}

const UPSERT_PERSON = prepared(`INSERT INTO persons (person_id, nhs_number, family, given, birth_date, gender, postcode, family_norm, postcode_norm,
    status, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11, $11)
  ON CONFLICT (person_id) DO UPDATE SET nhs_number = excluded.nhs_number, family = excluded.family, given = excluded.given,
    birth_date = excluded.birth_date, gender = excluded.gender, postcode = excluded.postcode,
    family_norm = excluded.family_norm, postcode_norm = excluded.postcode_norm, status = excluded.status,
    updated_at = excluded.updated_at`);

/** A person row as an upsert writes it: what decides whether an upsert changes anything. */
interface PersonState {
  nhs_number: string | null;
  family: string | null;
  given: string | null;
  birth_date: string | null;
  gender: string | null;
  postcode: string | null;
  family_norm: string | null;
  postcode_norm: string | null;
  status: string;
}

const PERSON_STATE_FIELDS = ['nhs_number', 'family', 'given', 'birth_date', 'gender', 'postcode', 'family_norm', 'postcode_norm', 'status'] as const;

/**
 * What a run of identity changes will read, loaded (and the people locked, as an upsert locks them) in one statement
 * before the first change, and kept current as the changes apply: an upsert that would write what is already stored,
 * and a claim of an identifier the person already holds, are skipped. A merge or an unmerge moves people and
 * identifiers about, so after one the state is dropped and every later change reads for itself.
 */
export interface IdentityState {
  /** Person id → stored row, or null when there is no such person. Absent: not loaded. */
  persons: Map<string, PersonState | null>;
  /** `authority␟value` → the person holding it, or null when nobody does. Absent: not loaded. */
  owners: Map<string, string | null>;
}

const identifierKey = (authority: string, value: string): string => `${authority}\u001f${value}`;

// The batch's own people are held FOR SHARE while it writes: a merge (which updates their rows) waits for the
// batch to commit, or the batch waits for the merge and then sees where the person went, so rows are never written under
// a key that was merged away in between (a batch that changes no identity takes no other lock on them).
// OFFSET 0 keeps `merged_into IS NOT NULL` out of the locking sub-select: pushed into it, rows not yet merged would be
// filtered out before they are locked, and nothing would wait.
const IDENTITY_STATE = prepared(`WITH locked AS (
    SELECT person_id, nhs_number, family, given, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, gender, postcode,
      family_norm, postcode_norm, status
    FROM persons WHERE person_id = ANY($1::text[]) ORDER BY person_id FOR UPDATE
  )
  SELECT 'person' AS kind, person_id, nhs_number, family, given, birth_date, gender, postcode, family_norm, postcode_norm, status,
    NULL::text AS authority, NULL::text AS value, NULL::text AS merged_into FROM locked
  UNION ALL
  SELECT 'identifier', i.person_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, i.assigning_authority, i.value, NULL
  FROM person_identifiers i JOIN unnest($2::text[], $3::text[]) AS k(a, v) ON i.assigning_authority = k.a AND i.value = k.v
  UNION ALL
  SELECT 'survivor', person_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, merged_into
  FROM (SELECT person_id, merged_into FROM persons WHERE person_id = ANY($4::text[]) ORDER BY person_id FOR SHARE OFFSET 0) AS held
  WHERE merged_into IS NOT NULL`);

/**
 * Loads (and locks) what `changes` will read; see `IdentityState`. With `mergedAway`, also (in the same statement)
 * the survivor of each of those people who is merged away: for a caller whose changes merge nobody, so that what it
 * reads holds after them too.
 */
export async function loadIdentityState(tx: Queryable, changes: readonly IdentityChange[], mergedAway: readonly string[] = []): Promise<IdentityState & { survivors: Map<string, string> }> {
  const people = new Set<string>();
  const identifiers = new Map<string, [string, string]>();
  for (const change of changes) {
    if (change.kind === 'upsert-person') {
      people.add(change.person.personId);
      if (change.person.nhsNumber) {
        const nhs = normaliseNhsNumber(change.person.nhsNumber);
        identifiers.set(identifierKey(NHS_NUMBER_AUTHORITY, nhs), [NHS_NUMBER_AUTHORITY, nhs]);
      }
    } else if (change.kind === 'add-local-identifier') {
      const { assigningAuthority, value } = change.identifier;
      identifiers.set(identifierKey(assigningAuthority, value), [assigningAuthority, value]);
    }
  }
  const state = { persons: new Map<string, PersonState | null>(), owners: new Map<string, string | null>(), survivors: new Map<string, string>() };
  if (people.size === 0 && identifiers.size === 0 && mergedAway.length === 0) return state;
  const pairs = [...identifiers.values()];
  const { rows } = await tx.query<PersonState & { kind: 'person' | 'identifier' | 'survivor'; person_id: string; authority: string | null; value: string | null; merged_into: string | null }>(
    IDENTITY_STATE,
    [[...people], pairs.map(([authority]) => authority), pairs.map(([, value]) => value), mergedAway],
  );
  for (const person of people) state.persons.set(person, null);
  for (const key of identifiers.keys()) state.owners.set(key, null);
  for (const row of rows) {
    if (row.kind === 'identifier') state.owners.set(identifierKey(row.authority!, row.value!), row.person_id);
    else if (row.kind === 'survivor') state.survivors.set(row.person_id, row.merged_into!);
    else state.persons.set(row.person_id, Object.fromEntries(PERSON_STATE_FIELDS.map((field) => [field, row[field]])) as unknown as PersonState);
  }
  return state;
}

/**
 * Applies identity changes in order inside the caller's transaction, skipping those that would change nothing.
 * Returns the survivors of `mergedAway` as `loadIdentityState` read them (before the changes: only for changes that
 * merge nobody).
 */
export async function applyIdentityChanges(tx: Queryable, changes: readonly IdentityChange[], now: string, mergedAway: readonly string[] = []): Promise<Map<string, string>> {
  if (changes.length === 0 && mergedAway.length === 0) return new Map();
  const known = await loadIdentityState(tx, changes, mergedAway);
  for (const change of changes) await applyIdentityChange(tx, change, now, known);
  return known.survivors;
}

/** After a merge or an unmerge, people and identifiers have moved: every later change reads for itself. */
function forget(known: IdentityState | undefined): void {
  known?.persons.clear();
  known?.owners.clear();
}

/** What a merge moved, kept on the `merges` row so that an unmerge can move exactly that back. */
export interface MergeMoved {
  resources: Array<[resourceType: string, id: string]>;
  identifiers: Array<[assigningAuthority: string, value: string]>;
  consents: string[];
  relationships: string[];
  /** People previously merged into the merged person, re-pointed at the survivor. */
  repointed: string[];
}

const RESOURCE_COLUMNS = 'resource_type, id, version, heading, source_org, security_labels, effective_date, last_updated, source_time, body';

/**
 * Moves rows between patient keys as DELETE … RETURNING then INSERT, never as an UPDATE of `patient_key`, so the
 * same statements run on Citus, where the distribution column cannot be updated. `$3` optionally narrows the move
 * to a list of keys (JSON array); a conflict at the target aborts the transaction rather than losing a row.
 */
const MOVE = {
  resources: `WITH moved AS (DELETE FROM resources WHERE patient_key = $1
      AND ($3::jsonb IS NULL OR (resource_type, id) IN (SELECT x->>0, x->>1 FROM jsonb_array_elements($3::jsonb) x)) RETURNING *)
    INSERT INTO resources (patient_key, ${RESOURCE_COLUMNS}) SELECT $2::text, ${RESOURCE_COLUMNS} FROM moved RETURNING resource_type, id`,
  history: `WITH moved AS (DELETE FROM resource_history WHERE patient_key = $1
      AND ($3::jsonb IS NULL OR (resource_type, id) IN (SELECT x->>0, x->>1 FROM jsonb_array_elements($3::jsonb) x)) RETURNING *)
    INSERT INTO resource_history (patient_key, ${RESOURCE_COLUMNS}) SELECT $2::text, ${RESOURCE_COLUMNS} FROM moved`,
  patientSearch: `WITH moved AS (DELETE FROM patient_search WHERE patient_key = $1
      AND ($3::jsonb IS NULL OR patient_id IN (SELECT x->>1 FROM jsonb_array_elements($3::jsonb) x WHERE x->>0 = 'Patient')) RETURNING *)
    INSERT INTO patient_search (patient_key, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference)
    SELECT $2::text, patient_id, seq, family, given, birth_date, gender, postcode, gp_ods, gp_reference FROM moved`,
  patientIdentifiers: `WITH moved AS (DELETE FROM patient_identifiers WHERE patient_key = $1
      AND ($3::jsonb IS NULL OR patient_id IN (SELECT x->>1 FROM jsonb_array_elements($3::jsonb) x WHERE x->>0 = 'Patient')) RETURNING *)
    INSERT INTO patient_identifiers (patient_key, patient_id, system, value) SELECT $2::text, patient_id, system, value FROM moved`,
  consents: `WITH moved AS (DELETE FROM consents WHERE patient_key = $1
      AND ($3::jsonb IS NULL OR id IN (SELECT jsonb_array_elements_text($3::jsonb))) RETURNING *)
    INSERT INTO consents (patient_key, id, status, body, updated_at) SELECT $2::text, id, status, body, updated_at FROM moved RETURNING id`,
  relationships: `WITH moved AS (DELETE FROM legitimate_relationships WHERE patient_key = $1
      AND ($3::jsonb IS NULL OR id IN (SELECT jsonb_array_elements_text($3::jsonb))) RETURNING *)
    INSERT INTO legitimate_relationships (patient_key, id, user_id, organisation, kind, source, started_at, ended_at)
    SELECT $2::text, id, user_id, organisation, kind, source, started_at, ended_at FROM moved RETURNING id`,
} as const;

async function merge(tx: Queryable, survivorId: string, mergedId: string, reason: string, now: string): Promise<void> {
  if (survivorId === mergedId) throw new StoreError('invalid-input', 'identity.merge.mergedId: cannot merge a person into themselves', 'mergedId');
  const { rows: state } = await tx.query<{ person_id: string; merged_into: string | null }>(
    'SELECT person_id, merged_into FROM persons WHERE person_id = ANY($1::text[]) FOR UPDATE',
    [[survivorId, mergedId]],
  );
  const merged = state.find((row) => row.person_id === mergedId);
  const survivor = state.find((row) => row.person_id === survivorId);
  if (merged?.merged_into === survivorId) return; // already done: a repeated merge message changes nothing
  if (merged?.merged_into) {
    throw new StoreError('merge-conflict', `identity.merge.mergedId: ${mergedId} is already merged into ${merged.merged_into}`, 'mergedId');
  }
  if (survivor?.merged_into) {
    throw new StoreError('merge-conflict', `identity.merge.survivorId: ${survivorId} is itself merged into ${survivor.merged_into}`, 'survivorId');
  }
  const moved: MergeMoved = { resources: [], identifiers: [], consents: [], relationships: [], repointed: [] };
  const movedResources = await tx.query<{ resource_type: string; id: string }>(MOVE.resources, [mergedId, survivorId, null]);
  moved.resources = movedResources.rows.map((row) => [row.resource_type, row.id]);
  await tx.query(MOVE.history, [mergedId, survivorId, null]);
  await tx.query(MOVE.patientSearch, [mergedId, survivorId, null]);
  await tx.query(MOVE.patientIdentifiers, [mergedId, survivorId, null]);
  moved.consents = (await tx.query<{ id: string }>(MOVE.consents, [mergedId, survivorId, null])).rows.map((row) => row.id);
  moved.relationships = (await tx.query<{ id: string }>(MOVE.relationships, [mergedId, survivorId, null])).rows.map((row) => row.id);
  const identifiers = await tx.query<{ assigning_authority: string; value: string }>(
    'UPDATE person_identifiers SET person_id = $2 WHERE person_id = $1 RETURNING assigning_authority, value',
    [mergedId, survivorId],
  );
  moved.identifiers = identifiers.rows.map((row) => [row.assigning_authority, row.value]);
  const repointed = await tx.query<{ person_id: string }>(
    'UPDATE persons SET merged_into = $2, updated_at = $3 WHERE merged_into = $1 RETURNING person_id',
    [mergedId, survivorId, now],
  );
  moved.repointed = repointed.rows.map((row) => row.person_id);
  await tx.query('UPDATE persons SET merged_into = $2, updated_at = $3 WHERE person_id = $1', [mergedId, survivorId, now]);
  await tx.query('INSERT INTO merges (survivor_id, merged_id, merged_at, reason, moved) VALUES ($1, $2, $3, $4, $5::jsonb)', [
    survivorId,
    mergedId,
    now,
    reason,
    JSON.stringify(moved),
  ]);
}

async function unmerge(tx: Queryable, survivorId: string, mergedId: string, reason: string, now: string): Promise<void> {
  const { rows } = await tx.query<{ merged_at: Date | string; moved: MergeMoved }>(
    `SELECT merged_at, moved FROM merges WHERE survivor_id = $1 AND merged_id = $2 AND unmerged_at IS NULL
     ORDER BY merged_at DESC LIMIT 1 FOR UPDATE`,
    [survivorId, mergedId],
  );
  const record = rows[0];
  if (!record) throw new StoreError('not-found', `identity.unmerge: no merge of ${mergedId} into ${survivorId} to undo`, 'mergedId');
  const { moved } = record;
  if (moved.resources.length > 0) {
    const keys = JSON.stringify(moved.resources);
    await tx.query(MOVE.resources, [survivorId, mergedId, keys]);
    await tx.query(MOVE.history, [survivorId, mergedId, keys]);
    await tx.query(MOVE.patientSearch, [survivorId, mergedId, keys]);
    await tx.query(MOVE.patientIdentifiers, [survivorId, mergedId, keys]);
  }
  if (moved.consents.length > 0) await tx.query(MOVE.consents, [survivorId, mergedId, JSON.stringify(moved.consents)]);
  if (moved.relationships.length > 0) await tx.query(MOVE.relationships, [survivorId, mergedId, JSON.stringify(moved.relationships)]);
  for (const [authority, value] of moved.identifiers) {
    await tx.query('UPDATE person_identifiers SET person_id = $3 WHERE assigning_authority = $1 AND value = $2 AND person_id = $4', [
      authority,
      value,
      mergedId,
      survivorId,
    ]);
  }
  await tx.query('UPDATE persons SET merged_into = $2, updated_at = $3 WHERE person_id = ANY($1::text[]) AND merged_into = $4', [
    moved.repointed,
    mergedId,
    now,
    survivorId,
  ]);
  await tx.query('UPDATE persons SET merged_into = NULL, updated_at = $2 WHERE person_id = $1', [mergedId, now]);
  await tx.query(
    'UPDATE merges SET unmerged_at = $4, unmerge_reason = $5 WHERE survivor_id = $1 AND merged_id = $2 AND merged_at = $3',
    [survivorId, mergedId, record.merged_at, now, reason],
  );
}

/**
 * Applies one identity change inside the caller's transaction. With `known` (see `IdentityState`), what it would
 * read is taken from there, and a change that would write what is stored is skipped.
 */
export async function applyIdentityChange(tx: Queryable, change: IdentityChange, now: string, known?: IdentityState): Promise<void> {
  switch (change.kind) {
    case 'upsert-person': {
      const { person } = change;
      const d = person.demographics;
      const nhsNumber = person.nhsNumber ? normaliseNhsNumber(person.nhsNumber) : null;
      const wanted: PersonState = {
        nhs_number: nhsNumber,
        family: d.family ?? null,
        given: d.given ?? null,
        birth_date: d.birthDate ?? null,
        gender: d.gender ?? null,
        postcode: d.postcode ?? null,
        family_norm: d.family ? normaliseName(d.family) : null,
        postcode_norm: d.postcode ? normalisePostcode(d.postcode) : null,
        status: person.status,
      };
      const stored = known?.persons.get(person.personId);
      let previousNhs: string | null;
      if (stored === undefined) {
        const before = await tx.query<{ nhs_number: string | null }>('SELECT nhs_number FROM persons WHERE person_id = $1 FOR UPDATE', [person.personId]);
        previousNhs = before.rows[0]?.nhs_number ?? null;
      } else {
        const unchanged = stored !== null && PERSON_STATE_FIELDS.every((field) => stored[field] === wanted[field]);
        if (unchanged && (nhsNumber === null || known?.owners.get(identifierKey(NHS_NUMBER_AUTHORITY, nhsNumber)) === person.personId)) return;
        previousNhs = stored?.nhs_number ?? null;
      }
      await tx.query(
        UPSERT_PERSON,
        [
          person.personId,
          wanted.nhs_number,
          wanted.family,
          wanted.given,
          wanted.birth_date,
          wanted.gender,
          wanted.postcode,
          wanted.family_norm,
          wanted.postcode_norm,
          wanted.status,
          now,
        ],
      );
      // The person's own previous NHS number is released when it changes; numbers that came to them by a merge stay.
      if (previousNhs !== null && previousNhs !== nhsNumber) {
        await tx.query('DELETE FROM person_identifiers WHERE person_id = $1 AND assigning_authority = $2 AND value = $3', [
          person.personId,
          NHS_NUMBER_AUTHORITY,
          previousNhs,
        ]);
        known?.owners.delete(identifierKey(NHS_NUMBER_AUTHORITY, previousNhs));
      }
      if (nhsNumber !== null) await claimIdentifier(tx, NHS_NUMBER_AUTHORITY, nhsNumber, person.personId, 'identity.person.nhsNumber', known);
      // What is stored now, for a later change of the same run.
      if (known) known.persons.set(person.personId, wanted);
      return;
    }
    case 'add-local-identifier':
      await claimIdentifier(tx, change.identifier.assigningAuthority, change.identifier.value, change.personId, 'identity.identifier', known);
      return;
    case 'link-candidate':
      await tx.query(
        `INSERT INTO person_links (person_id, candidate_person_id, score, status, explanation, created_at, decided_at, decided_by)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, CASE WHEN $4 = 'review' THEN NULL ELSE $6::timestamptz END,
                 CASE WHEN $4 = 'review' THEN NULL ELSE 'matcher' END)
         ON CONFLICT (person_id, candidate_person_id) DO UPDATE SET score = excluded.score, status = excluded.status,
           explanation = excluded.explanation, decided_at = excluded.decided_at, decided_by = excluded.decided_by`,
        [change.personId, change.candidatePersonId, change.score, change.status, JSON.stringify(change.explanation), now],
      );
      return;
    case 'merge':
      forget(known);
      await merge(tx, change.survivorId, change.mergedId, change.reason, now);
      return;
    case 'unmerge':
      forget(known);
      await unmerge(tx, change.survivorId, change.mergedId, change.reason, now);
      return;
  }
}

/** A candidate link waiting for (or given) a human decision. */
export interface PersonLink {
  personId: string;
  candidatePersonId: string;
  score: number;
  status: 'review' | 'linked' | 'rejected';
  explanation: string[];
  createdAt: string;
  decidedAt: string | undefined;
  decidedBy: string | undefined;
  person: PersonRecord | undefined;
  candidate: PersonRecord | undefined;
}

interface LinkRow {
  person_id: string;
  candidate_person_id: string;
  score: number;
  status: PersonLink['status'];
  explanation: string[];
  created_at: Date | string;
  decided_at: Date | string | null;
  decided_by: string | null;
}

/** The MPI review queue: links with status `review`, oldest first. */
export async function listReviewQueue(db: Queryable, options: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<Page<PersonLink>> {
  const limit = pageSize(options.limit, 50, 500);
  const fingerprint = queryFingerprint('review-queue', []);
  const after = options.cursor === undefined ? [null, null, null] : decodeCursor(options.cursor, fingerprint, 3);
  const { rows } = await db.query<LinkRow>(
    `SELECT person_id, candidate_person_id, score, status, explanation, created_at, decided_at, decided_by FROM person_links
     WHERE status = 'review' AND ($1::timestamptz IS NULL OR (created_at, person_id, candidate_person_id) > ($1::timestamptz, $2::text, $3::text))
     ORDER BY created_at, person_id, candidate_person_id LIMIT $4`,
    [after[0], after[1], after[2], limit + 1],
  );
  const page = rows.slice(0, limit);
  const ids = [...new Set(page.flatMap((row) => [row.person_id, row.candidate_person_id]))];
  const people = new Map<string, PersonRecord>();
  if (ids.length > 0) {
    const found = await db.query<PersonRow>(`${PERSON_SELECT} WHERE p.person_id = ANY($1::text[])`, [ids]);
    for (const row of found.rows) people.set(row.person_id, toPerson(row));
  }
  const items = page.map((row) => toLink(row, people));
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, [toIso(last.created_at), last.person_id, last.candidate_person_id]) : undefined;
  return { items, nextCursor };
}

function toLink(row: LinkRow, people: Map<string, PersonRecord>): PersonLink {
  return {
    personId: row.person_id,
    candidatePersonId: row.candidate_person_id,
    score: row.score,
    status: row.status,
    explanation: row.explanation,
    createdAt: toIso(row.created_at),
    decidedAt: row.decided_at === null ? undefined : toIso(row.decided_at),
    decidedBy: row.decided_by ?? undefined,
    person: people.get(row.person_id),
    candidate: people.get(row.candidate_person_id),
  };
}

/** Records a reviewer's decision on a candidate link. Returns the updated link, or undefined when there is none. */
export async function decideLink(
  db: Queryable,
  decision: { personId: string; candidatePersonId: string; decision: 'linked' | 'rejected'; decidedBy: string },
  now: string,
): Promise<PersonLink | undefined> {
  if (decision.decision !== 'linked' && decision.decision !== 'rejected') {
    throw new StoreError('invalid-input', 'decision: must be linked or rejected', 'decision');
  }
  if (!decision.decidedBy) throw new StoreError('invalid-input', 'decidedBy: required', 'decidedBy');
  const { rows } = await db.query<LinkRow>(
    `UPDATE person_links SET status = $3, decided_at = $4, decided_by = $5 WHERE person_id = $1 AND candidate_person_id = $2
     RETURNING person_id, candidate_person_id, score, status, explanation, created_at, decided_at, decided_by`,
    [decision.personId, decision.candidatePersonId, decision.decision, now, decision.decidedBy],
  );
  const row = rows[0];
  if (!row) return undefined;
  const people = new Map<string, PersonRecord>();
  for (const id of [row.person_id, row.candidate_person_id]) {
    const person = await getPerson(db, id);
    if (person) people.set(id, person);
  }
  return toLink(row, people);
}
