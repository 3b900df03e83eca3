import { randomUUID } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { authenticate, refuseNulInJson, rolloutSummary, userOf, type AuthenticatedUser, type Locality, type TokenVerifier } from '@openidcr/architecture';
import { GENESIS_HASH, hashAuditEvent, type AuditEvent } from '@openidcr/governance';
import { PRIVACY_REVIEW_OUTCOMES, type PrivacyAlert, type RecordStore } from '@openidcr/store';
import { problem } from '../http-problem.js';

/**
 * The privacy officers' review queue: every break-glass grant (and self-declared relationship) raises an alert that
 * waits here, with the reason given, the user, their organisation, the person and the time, until a privacy officer
 * records an outcome (appropriate or inappropriate, with a note). The outcome goes into the hash-chained audit; an
 * inappropriate access ends the grant at once for every API process (the grants are in the database). Also the
 * roll-out view: who is in each stage. Only administrators and privacy officers reach these routes.
 */
export interface GovernanceAdminDeps {
  locality: Locality;
  store: RecordStore;
  verifier: TokenVerifier;
  clock?: () => Date;
}

const REVIEWER_ROLES = new Set(['administrator', 'privacy-officer']);
const Key = z.string().trim().min(1, { error: 'required' }).max(128);
const Note = z
  .string({ error: 'required: say what you found (it is kept in the audit)' })
  .trim()
  .min(5, { error: 'required: say what you found, in a few words (it is kept in the audit)' })
  .max(1000);
const ReviewSchema = z.strictObject({ patientKey: Key, alertId: Key, outcome: z.enum(PRIVACY_REVIEW_OUTCOMES), note: Note });
const RevokeSchema = z.strictObject({ patientKey: Key, grantId: Key, reason: Note });
const QueueQuery = z.strictObject({ status: z.enum(['open', 'reviewed', 'all']).default('open') });


function zodProblem(res: Response, error: z.ZodError) {
  const first = error.issues[0]!;
  const path = first.path.join('.') || 'body';
  problem(res, 400, 'invalid', `${path}: ${first.message}`, path);
}

/** One alert as the queue shows it: the person's NHS number, the organisation's name, and the grant's state now. */
export interface QueueItem extends PrivacyAlert {
  organisationName: string | undefined;
  nhsNumber: string | undefined;
  patientName: string | undefined;
  grant: { state: 'in force' | 'expired' | 'revoked'; expiresAt: string; revokedAt?: string | undefined; revokedBy?: string | undefined } | undefined;
}

/** Appends a privacy officer's act (review, revocation) to the hash-chained audit; returns the row's position. */
export async function auditAdminAct(deps: Pick<GovernanceAdminDeps, 'locality' | 'store'>, user: AuthenticatedUser, at: Date, what: { personId: string; reasons: string[]; query: string }): Promise<number> {
  const isa = deps.locality.isa;
  const event: AuditEvent = {
    id: randomUUID(),
    recorded: at.toISOString(),
    action: 'read',
    query: what.query,
    outcome: 'permit',
    user: { id: user.id, name: user.name, roleId: user.roleId, organisation: user.organisation?.ods ?? '', organisationKind: user.organisation?.kind ?? 'unknown' },
    purposeOfUse: 'HOPERAT',
    personId: what.personId,
    headings: [],
    sources: [],
    reasons: what.reasons,
    policy: `${isa.id}|${isa.version}`,
    consentModel: deps.locality.consentModel?.kind ?? isa.consentModel.kind,
    flagged: false,
  };
  const row = await deps.store.appendAudit({ event: event as unknown as Record<string, unknown>, userId: user.id, recordedAt: event.recorded }, (link) => {
    const prevHash = link.prevHash ?? GENESIS_HASH;
    return hashAuditEvent(prevHash, { ...(link.event as unknown as AuditEvent), seq: link.seq - 1, prevHash });
  });
  return row.seq;
}

export function governanceAdminRouter(deps: GovernanceAdminDeps): Router {
  const router = express.Router();
  const now = deps.clock ?? (() => new Date());
  const orgName = new Map(deps.locality.organisations.map((o) => [o.ods, o.name]));
  const admin = express.Router();
  admin.use(authenticate(deps.verifier), (_req, res, next) => {
    const user = userOf(res);
    if (!user || !REVIEWER_ROLES.has(user.roleId)) return problem(res, 403, 'forbidden', `role: the privacy review queue needs one of ${[...REVIEWER_ROLES].join(', ')}`);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  async function item(alert: PrivacyAlert, at: number): Promise<QueueItem> {
    const [person, grant] = await Promise.all([deps.store.getPerson(alert.patientKey), alert.grantId ? deps.store.getBreakGlassGrant(alert.patientKey, alert.grantId) : undefined]);
    const name = person?.demographics;
    return {
      ...alert,
      organisationName: orgName.get(alert.organisation),
      nhsNumber: person?.nhsNumber,
      patientName: name ? [name.family?.toUpperCase(), name.given].filter(Boolean).join(', ') || undefined : undefined,
      grant: grant
        ? { state: grant.revokedAt ? 'revoked' : Date.parse(grant.expiresAt) <= at ? 'expired' : 'in force', expiresAt: grant.expiresAt, revokedAt: grant.revokedAt, revokedBy: grant.revokedBy }
        : undefined,
    };
  }

  admin.get('/break-glass', async (req, res, next) => {
    try {
      const query = QueueQuery.safeParse(req.query);
      if (!query.success) return zodProblem(res, query.error);
      const alerts = await deps.store.listPrivacyAlerts({ status: query.data.status, limit: 200 });
      const at = now().getTime();
      res.json({ status: query.data.status, alerts: await Promise.all(alerts.map((a) => item(a, at))) });
    } catch (error) {
      next(error);
    }
  });

  admin.post('/break-glass/review', express.json({ limit: '8kb', verify: refuseNulInJson }), async (req, res, next) => {
    try {
      const parsed = ReviewSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const { patientKey, alertId, outcome, note } = parsed.data;
      const user = userOf(res) as AuthenticatedUser;
      const at = now();
      const result = await deps.store.reviewPrivacyAlert({ patientKey, id: alertId, outcome, note, reviewedBy: user.id, at: at.toISOString() });
      if (!result) return problem(res, 404, 'not-found', `alertId: no alert ${alertId} for this person`, 'alertId');
      if (!result.reviewed) return problem(res, 409, 'conflict', `alertId: already reviewed (${result.alert.review?.outcome}) by ${result.alert.review?.reviewedBy}; the first outcome stands`, 'alertId');
      const reasons = [`privacy-review:${outcome}`, `privacy-alert:${alertId}`, `privacy-note:${note}`];
      // An inappropriate access is stopped at once, for every process: the grant is revoked in the database.
      let revoked = false;
      if (outcome === 'inappropriate' && result.alert.grantId) {
        const grant = await deps.store.revokeBreakGlassGrant({ patientKey, id: result.alert.grantId, revokedBy: user.id, reason: `review: ${note}`, at: at.toISOString() });
        revoked = Boolean(grant && grant.revokedBy === user.id && grant.revokedAt === at.toISOString());
        if (revoked) reasons.push(`break-glass-revoked:${result.alert.grantId}`);
      }
      const auditSeq = await auditAdminAct(deps, user, at, { personId: patientKey, reasons, query: 'POST /app/admin/break-glass/review' });
      res.json({ alert: await item(result.alert, at.getTime()), revoked, auditSeq });
    } catch (error) {
      next(error);
    }
  });

  admin.post('/break-glass/revoke', express.json({ limit: '8kb', verify: refuseNulInJson }), async (req, res, next) => {
    try {
      const parsed = RevokeSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const { patientKey, grantId, reason } = parsed.data;
      const user = userOf(res) as AuthenticatedUser;
      const at = now();
      const grant = await deps.store.revokeBreakGlassGrant({ patientKey, id: grantId, revokedBy: user.id, reason, at: at.toISOString() });
      if (!grant) return problem(res, 404, 'not-found', `grantId: no break-glass grant ${grantId} for this person`, 'grantId');
      if (grant.revokedBy !== user.id || grant.revokedAt !== at.toISOString()) return problem(res, 409, 'conflict', `grantId: already revoked by ${grant.revokedBy} at ${grant.revokedAt}`, 'grantId');
      const auditSeq = await auditAdminAct(deps, user, at, { personId: patientKey, reasons: [`break-glass-revoked:${grantId}`, `privacy-note:${reason}`], query: 'POST /app/admin/break-glass/revoke' });
      res.json({ grant, auditSeq });
    } catch (error) {
      next(error);
    }
  });

  admin.get('/rollout', (_req, res) => {
    const auth = deps.locality.auth;
    res.json(rolloutSummary(deps.locality, auth.mode === 'dev' ? auth.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.organisation })) : []));
  });

  router.use('/app/admin', admin);
  return router;
}
