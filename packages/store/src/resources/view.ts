import type { ResourceLike } from '@openidcr/model';
import type { Queryable } from '../db/db.js';
import { prepared } from '../db/db.js';
import { StoreError } from '../errors.js';
import type { ConsentRow, LegitimateRelationship, RelationshipRow, StoredConsent } from '../governance/governance.js';
import { toConsent, toRelationship } from '../governance/governance.js';
import { instantParam } from '../paging/cursor.js';

/** What a view of one person's whole record needs: the record, and what the policy decides with. */
export interface RecordForView {
  /** The person (patient key) the Patient resource belongs to, after any merge. */
  patientKey: string;
  /**
   * Every current resource of the person (as `everything`), in no particular order; with `elements`, each cut down
   * to those elements.
   */
  resources: ResourceLike[];
  /**
   * The stored JSON text of each resource, index for index with `resources` (the text `resources[i]` was parsed
   * from), so a caller that sends a resource on unchanged can send this text instead of serialising it again.
   */
  json: string[];
  /** The person's Consents (as `listConsents`), most recently changed first. */
  consents: StoredConsent[];
  /** The person's legitimate relationships in force at the instant asked (as `findRelationships`), latest first. */
  relationships: LegitimateRelationship[];
}

/** What to read with `recordForView`. */
export interface RecordForViewOptions {
  /**
   * Parse only these top-level elements of each resource (and always `resourceType` and `id`) into `resources`; `json`
   * still holds each resource's whole stored text. For a caller that decides on a few elements (governance's
   * `FILTER_ELEMENTS`) and sends the kept resources' text on: PostgreSQL hands over the elements apart, so the whole
   * record is never parsed. Default: whole resources.
   */
  elements?: readonly string[] | undefined;
}

/** An element name spliced into SQL as a literal: checked against FHIR's element name shape first. */
const ELEMENT_NAME = /^[a-z][A-Za-z0-9]{0,63}$/;

// One statement, one round trip: the person is found by their Patient resource; their resources, consents and the
// relationships in force come back as rows of one result, told apart by `part`. Bodies come back as JSON text, parsed
// here: the same work the driver would do for jsonb, and the text is kept for callers that send it on unchanged.
// With `elements`, each of those elements comes back as a column of its own (`e0`, `e1`, …), NULL when absent.
function recordForViewSql(elements: readonly string[]): string {
  const extra = (part: number) => elements.map((element, i) => (part === 0 ? `, (r.body -> '${element}')::text AS e${i}` : ', NULL')).join('');
  return `WITH target AS (
    SELECT coalesce((SELECT merged_into FROM persons WHERE person_id = r.patient_key), r.patient_key) AS patient_key
    FROM resources r WHERE r.resource_type = 'Patient' AND r.id = $1 LIMIT 1
  )
  SELECT 0 AS part, t.patient_key, r.body::text AS body, r.resource_type, r.id${extra(0)} FROM target t JOIN resources r ON r.patient_key = t.patient_key
  UNION ALL
  SELECT 1, t.patient_key, to_jsonb(c)::text, NULL, NULL${extra(1)} FROM target t JOIN consents c ON c.patient_key = t.patient_key
  UNION ALL
  SELECT 2, t.patient_key, to_jsonb(l)::text, NULL, NULL${extra(2)} FROM target t JOIN legitimate_relationships l ON l.patient_key = t.patient_key
    WHERE l.started_at <= $2::timestamptz AND (l.ended_at IS NULL OR l.ended_at > $2::timestamptz)
  UNION ALL
  SELECT 3, t.patient_key, NULL, NULL, NULL${extra(3)} FROM target t`;
}

/** The statement for each list of elements asked for, prepared on PostgreSQL. */
const statements = new Map<string, { sql: string; elements: string[] }>();
function statementFor(elements: readonly string[] | undefined): { sql: string; elements: string[] } {
  const key = elements === undefined ? '' : elements.join(',');
  let statement = statements.get(key);
  if (!statement) {
    const wanted = (elements ?? []).filter((e) => e !== 'resourceType' && e !== 'id');
    const bad = wanted.find((e) => !ELEMENT_NAME.test(e));
    if (bad !== undefined) throw new StoreError('invalid-input', `elements: ${JSON.stringify(bad)} is not a FHIR element name`, 'elements');
    // A caller asks with one list or two; past 64 lists, statements are neither kept nor prepared (bounded memory here
    // and in every PostgreSQL connection).
    const sql = recordForViewSql(wanted);
    statement = { sql: statements.size < 64 ? prepared(sql) : sql, elements: wanted };
    if (statements.size < 64) statements.set(key, statement);
  }
  return statement;
}

type ViewRow = { part: number; patient_key: string; body: string | null; resource_type: string | null; id: string | null } & Record<string, string | null>;

/**
 * A person's whole record, consents and relationships in force at `at`, found by the id of one of their Patient
 * resources, in one query: what `Patient/{id}/$everything` reads before its policy decision. Undefined when no
 * Patient has this id.
 */
export async function readRecordForView(db: Queryable, patientId: string, at: string, options: RecordForViewOptions = {}): Promise<RecordForView | undefined> {
  if (typeof patientId !== 'string' || patientId.length === 0) throw new StoreError('invalid-input', 'patientId: required', 'patientId');
  const instant = instantParam(at, 'at');
  const statement = statementFor(options.elements);
  const { rows } = await db.query<ViewRow>(statement.sql, [patientId, instant]);
  const marker = rows.find((row) => row.part === 3);
  if (!marker) return undefined;
  const view: RecordForView = { patientKey: marker.patient_key, resources: [], json: [], consents: [], relationships: [] };
  const columns = statement.elements.map((element, i) => [element, `e${i}`] as const);
  for (const row of rows) {
    if (row.body === null) continue;
    if (row.part === 0) {
      if (options.elements === undefined) view.resources.push(JSON.parse(row.body) as ResourceLike);
      else {
        const resource: Record<string, unknown> = { resourceType: row.resource_type, id: row.id };
        for (const [element, column] of columns) {
          const text = row[column];
          if (text !== null && text !== undefined) resource[element] = JSON.parse(text);
        }
        view.resources.push(resource as ResourceLike);
      }
      view.json.push(row.body);
    } else if (row.part === 1) view.consents.push(toConsent(JSON.parse(row.body) as ConsentRow));
    else if (row.part === 2) view.relationships.push(toRelationship(JSON.parse(row.body) as RelationshipRow));
  }
  view.consents.sort((a, b) => (a.updatedAt === b.updatedAt ? a.id.localeCompare(b.id) : b.updatedAt.localeCompare(a.updatedAt)));
  view.relationships.sort((a, b) => (a.startedAt === b.startedAt ? a.id.localeCompare(b.id) : b.startedAt.localeCompare(a.startedAt)));
  return view;
}
