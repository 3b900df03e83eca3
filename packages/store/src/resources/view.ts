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
  /** Every current resource of the person (as `everything`), in no particular order. */
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

// One statement, one round trip: the person is found by their Patient resource; their resources, consents and the
// relationships in force come back as rows of one result, told apart by `part`. Bodies come back as JSON text, parsed
// here: the same work the driver would do for jsonb, and the text is kept for callers that send it on unchanged.
const RECORD_FOR_VIEW = prepared(`WITH target AS (
    SELECT coalesce((SELECT merged_into FROM persons WHERE person_id = r.patient_key), r.patient_key) AS patient_key
    FROM resources r WHERE r.resource_type = 'Patient' AND r.id = $1 LIMIT 1
  )
  SELECT 0 AS part, t.patient_key, r.body::text AS body FROM target t JOIN resources r ON r.patient_key = t.patient_key
  UNION ALL
  SELECT 1, t.patient_key, to_jsonb(c)::text FROM target t JOIN consents c ON c.patient_key = t.patient_key
  UNION ALL
  SELECT 2, t.patient_key, to_jsonb(l)::text FROM target t JOIN legitimate_relationships l ON l.patient_key = t.patient_key
    WHERE l.started_at <= $2::timestamptz AND (l.ended_at IS NULL OR l.ended_at > $2::timestamptz)
  UNION ALL
  SELECT 3, t.patient_key, NULL FROM target t`);

/**
 * A person's whole record, consents and relationships in force at `at`, found by the id of one of their Patient
 * resources, in one query: what `Patient/{id}/$everything` reads before its policy decision. Undefined when no
 * Patient has this id.
 */
export async function readRecordForView(db: Queryable, patientId: string, at: string): Promise<RecordForView | undefined> {
  if (typeof patientId !== 'string' || patientId.length === 0) throw new StoreError('invalid-input', 'patientId: required', 'patientId');
  const instant = instantParam(at, 'at');
  const { rows } = await db.query<{ part: number; patient_key: string; body: string | null }>(RECORD_FOR_VIEW, [patientId, instant]);
  const marker = rows.find((row) => row.part === 3);
  if (!marker) return undefined;
  const view: RecordForView = { patientKey: marker.patient_key, resources: [], json: [], consents: [], relationships: [] };
  for (const row of rows) {
    if (row.body === null) continue;
    if (row.part === 0) {
      view.resources.push(JSON.parse(row.body) as ResourceLike);
      view.json.push(row.body);
    } else if (row.part === 1) view.consents.push(toConsent(JSON.parse(row.body) as ConsentRow));
    else if (row.part === 2) view.relationships.push(toRelationship(JSON.parse(row.body) as RelationshipRow));
  }
  view.consents.sort((a, b) => (a.updatedAt === b.updatedAt ? a.id.localeCompare(b.id) : b.updatedAt.localeCompare(a.updatedAt)));
  view.relationships.sort((a, b) => (a.startedAt === b.startedAt ? a.id.localeCompare(b.id) : b.startedAt.localeCompare(a.startedAt)));
  return view;
}
