import type { Queryable } from '../db/db.js';
import { StoreError } from '../errors.js';
import { instantParam } from '../paging/cursor.js';
import { toIso } from '../resources/read.js';

/**
 * Break-glass grants and privacy-officer alerts, kept in the database so that every API process honours a grant
 * made through any other, a revocation takes effect everywhere at once, and an alert survives a restart until a
 * privacy officer has reviewed it. Both tables carry the patient key (distributable by patient like the rest).
 */

/** A break-glass grant as stored: one user, one person, a short time; revoked early by a privacy officer. */
export interface StoredBreakGlassGrant {
  patientKey: string;
  id: string;
  userId: string;
  organisation: string;
  reasonCode: string;
  reasonText: string;
  grantedAt: string;
  expiresAt: string;
  revokedAt?: string | undefined;
  revokedBy?: string | undefined;
  revokeReason?: string | undefined;
}

export type BreakGlassGrantInput = Omit<StoredBreakGlassGrant, 'revokedAt' | 'revokedBy' | 'revokeReason'>;

interface GrantRow {
  patient_key: string;
  id: string;
  user_id: string;
  organisation: string;
  reason_code: string;
  reason_text: string;
  granted_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

const GRANT_COLUMNS = 'patient_key, id, user_id, organisation, reason_code, reason_text, granted_at, expires_at, revoked_at, revoked_by, revoke_reason';

const toGrant = (row: GrantRow): StoredBreakGlassGrant => ({
  patientKey: row.patient_key,
  id: row.id,
  userId: row.user_id,
  organisation: row.organisation,
  reasonCode: row.reason_code,
  reasonText: row.reason_text,
  grantedAt: toIso(row.granted_at),
  expiresAt: toIso(row.expires_at),
  ...(row.revoked_at ? { revokedAt: toIso(row.revoked_at) } : {}),
  ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
  ...(row.revoke_reason ? { revokeReason: row.revoke_reason } : {}),
});

const instant = (value: string, field: string): string => instantParam(required(value, field), field)!;

function required(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new StoreError('invalid-input', `${field}: required`, field);
  return value;
}

/** Stores a grant (a retry with the same id changes nothing). */
export async function putBreakGlassGrant(db: Queryable, grant: BreakGlassGrantInput): Promise<StoredBreakGlassGrant> {
  for (const field of ['patientKey', 'id', 'userId', 'organisation', 'reasonCode', 'reasonText'] as const) required(grant[field], field);
  const grantedAt = instant(grant.grantedAt, 'grantedAt');
  const expiresAt = instant(grant.expiresAt, 'expiresAt');
  if (Date.parse(expiresAt) <= Date.parse(grantedAt)) throw new StoreError('invalid-input', 'expiresAt: must be after grantedAt', 'expiresAt');
  const { rows } = await db.query<GrantRow>(
    `INSERT INTO break_glass_grants (patient_key, id, user_id, organisation, reason_code, reason_text, granted_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (patient_key, id) DO UPDATE SET id = excluded.id
     RETURNING ${GRANT_COLUMNS}`,
    [grant.patientKey, grant.id, grant.userId, grant.organisation, grant.reasonCode, grant.reasonText, grantedAt, expiresAt],
  );
  return toGrant(rows[0]!);
}

/** The grant in force for this user and person at `at` (not revoked, not expired), the latest ending first. */
export async function findBreakGlassGrant(db: Queryable, query: { userId: string; patientKey: string; at: string }): Promise<StoredBreakGlassGrant | undefined> {
  const at = instant(query.at, 'at');
  const { rows } = await db.query<GrantRow>(
    `SELECT ${GRANT_COLUMNS} FROM break_glass_grants
     WHERE patient_key = $1 AND user_id = $2 AND revoked_at IS NULL AND granted_at <= $3 AND expires_at > $3
     ORDER BY expires_at DESC, id LIMIT 1`,
    [required(query.patientKey, 'patientKey'), required(query.userId, 'userId'), at],
  );
  return rows[0] ? toGrant(rows[0]) : undefined;
}

export async function getBreakGlassGrant(db: Queryable, patientKey: string, id: string): Promise<StoredBreakGlassGrant | undefined> {
  const { rows } = await db.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM break_glass_grants WHERE patient_key = $1 AND id = $2`, [patientKey, id]);
  return rows[0] ? toGrant(rows[0]) : undefined;
}

/** Ends a grant now, for every process. Undefined when there is no such grant; a revoked grant stays as it was. */
export async function revokeBreakGlassGrant(
  db: Queryable,
  revocation: { patientKey: string; id: string; revokedBy: string; reason: string; at: string },
): Promise<StoredBreakGlassGrant | undefined> {
  const at = instant(revocation.at, 'at');
  const { rows } = await db.query<GrantRow>(
    `UPDATE break_glass_grants SET revoked_at = $3, revoked_by = $4, revoke_reason = $5
     WHERE patient_key = $1 AND id = $2 AND revoked_at IS NULL RETURNING ${GRANT_COLUMNS}`,
    [required(revocation.patientKey, 'patientKey'), required(revocation.id, 'id'), at, required(revocation.revokedBy, 'revokedBy'), required(revocation.reason, 'reason')],
  );
  return rows[0] ? toGrant(rows[0]) : getBreakGlassGrant(db, revocation.patientKey, revocation.id);
}

/** The outcome a privacy officer records for an alert. */
export const PRIVACY_REVIEW_OUTCOMES = ['appropriate', 'inappropriate'] as const;
export type PrivacyReviewOutcome = (typeof PRIVACY_REVIEW_OUTCOMES)[number];

/** A privacy-officer alert: one per break-glass grant (or per user and person for other reasons), counting accesses. */
export interface PrivacyAlert {
  patientKey: string;
  id: string;
  /** `break-glass`, `self-declared-relationship`, ... (the obligation's reason). */
  reason: string;
  text: string;
  userId: string;
  userName?: string | undefined;
  roleId?: string | undefined;
  organisation: string;
  grantId?: string | undefined;
  raisedAt: string;
  lastAccessAt: string;
  accesses: number;
  review?: { outcome: PrivacyReviewOutcome; note: string; reviewedBy: string; reviewedAt: string } | undefined;
}

export type PrivacyAlertInput = Omit<PrivacyAlert, 'lastAccessAt' | 'accesses' | 'review'>;

interface AlertRow {
  patient_key: string;
  id: string;
  reason: string;
  text: string;
  user_id: string;
  user_name: string | null;
  role_id: string | null;
  organisation: string;
  grant_id: string | null;
  raised_at: Date | string;
  last_access_at: Date | string;
  accesses: number | string;
  outcome: PrivacyReviewOutcome | null;
  note: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | string | null;
}

const ALERT_COLUMNS = 'patient_key, id, reason, text, user_id, user_name, role_id, organisation, grant_id, raised_at, last_access_at, accesses, outcome, note, reviewed_by, reviewed_at';

const toAlert = (row: AlertRow): PrivacyAlert => ({
  patientKey: row.patient_key,
  id: row.id,
  reason: row.reason,
  text: row.text,
  userId: row.user_id,
  ...(row.user_name ? { userName: row.user_name } : {}),
  ...(row.role_id ? { roleId: row.role_id } : {}),
  organisation: row.organisation,
  ...(row.grant_id ? { grantId: row.grant_id } : {}),
  raisedAt: toIso(row.raised_at),
  lastAccessAt: toIso(row.last_access_at),
  accesses: Number(row.accesses),
  ...(row.outcome && row.reviewed_by && row.reviewed_at
    ? { review: { outcome: row.outcome, note: row.note ?? '', reviewedBy: row.reviewed_by, reviewedAt: toIso(row.reviewed_at) } }
    : {}),
});

/** Raises an alert, or counts one more access on the alert with the same id (the same grant). */
export async function raisePrivacyAlert(db: Queryable, alert: PrivacyAlertInput): Promise<PrivacyAlert> {
  for (const field of ['patientKey', 'id', 'reason', 'text', 'userId', 'organisation'] as const) required(alert[field], field);
  const at = instant(alert.raisedAt, 'raisedAt');
  const { rows } = await db.query<AlertRow>(
    `INSERT INTO privacy_alerts (patient_key, id, reason, text, user_id, user_name, role_id, organisation, grant_id, raised_at, last_access_at, accesses)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1)
     ON CONFLICT (patient_key, id) DO UPDATE SET accesses = privacy_alerts.accesses + 1,
       last_access_at = greatest(privacy_alerts.last_access_at, excluded.last_access_at)
     RETURNING ${ALERT_COLUMNS}`,
    [alert.patientKey, alert.id, alert.reason, alert.text, alert.userId, alert.userName ?? null, alert.roleId ?? null, alert.organisation, alert.grantId ?? null, at],
  );
  return toAlert(rows[0]!);
}

/** Alerts, newest first: `open` (awaiting review, the default), `reviewed`, or `all`. */
export async function listPrivacyAlerts(db: Queryable, query: { status?: 'open' | 'reviewed' | 'all' | undefined; limit?: number | undefined } = {}): Promise<PrivacyAlert[]> {
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new StoreError('invalid-input', 'limit: must be an integer from 1 to 500', 'limit');
  const status = query.status ?? 'open';
  const where = status === 'open' ? 'WHERE outcome IS NULL' : status === 'reviewed' ? 'WHERE outcome IS NOT NULL' : '';
  const { rows } = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM privacy_alerts ${where} ORDER BY raised_at DESC, patient_key, id LIMIT ${limit}`);
  return rows.map(toAlert);
}

export async function getPrivacyAlert(db: Queryable, patientKey: string, id: string): Promise<PrivacyAlert | undefined> {
  const { rows } = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM privacy_alerts WHERE patient_key = $1 AND id = $2`, [patientKey, id]);
  return rows[0] ? toAlert(rows[0]) : undefined;
}

/**
 * Records a privacy officer's review of an alert, once: `reviewed` false with the alert as it stands when it was
 * already reviewed (the first outcome stands); undefined when there is no such alert.
 */
export async function reviewPrivacyAlert(
  db: Queryable,
  review: { patientKey: string; id: string; outcome: PrivacyReviewOutcome; note: string; reviewedBy: string; at: string },
): Promise<{ reviewed: boolean; alert: PrivacyAlert } | undefined> {
  if (!(PRIVACY_REVIEW_OUTCOMES as readonly string[]).includes(review.outcome))
    throw new StoreError('invalid-input', `outcome: one of ${PRIVACY_REVIEW_OUTCOMES.join(', ')}`, 'outcome');
  const at = instant(review.at, 'at');
  const { rows } = await db.query<AlertRow>(
    `UPDATE privacy_alerts SET outcome = $3, note = $4, reviewed_by = $5, reviewed_at = $6
     WHERE patient_key = $1 AND id = $2 AND outcome IS NULL RETURNING ${ALERT_COLUMNS}`,
    [required(review.patientKey, 'patientKey'), required(review.id, 'id'), review.outcome, review.note, required(review.reviewedBy, 'reviewedBy'), at],
  );
  if (rows[0]) return { reviewed: true, alert: toAlert(rows[0]) };
  const existing = await getPrivacyAlert(db, review.patientKey, review.id);
  return existing ? { reviewed: false, alert: existing } : undefined;
}
