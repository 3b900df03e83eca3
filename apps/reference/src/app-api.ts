import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { authenticate, userOf, verifyStoreAudit, type AuthenticatedUser, type Locality, type TokenVerifier, type UnitCosts } from '@openidcr/architecture';
import { refuseNulInJson } from '@openidcr/architecture';
import { checkIsa, renderIsa } from '@openidcr/governance';
import { MllpClient } from '@openidcr/integration';
import type { Db, RecordStore } from '@openidcr/store';
import type { Logger } from 'pino';
import { problem } from './http-problem.js';

/** What a record view achieved, as the clinician says it ("this helped"). */
export const FEEDBACK_OUTCOMES = ['saved-phone-call', 'avoided-admission', 'avoided-home-visit', 'found-medication-or-allergy'] as const;
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];


const FeedbackSchema = z.strictObject({
  patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, { error: 'expected a FHIR patient id' }),
  outcomes: z.array(z.enum(FEEDBACK_OUTCOMES)).min(1, { error: 'choose at least one outcome' }).max(FEEDBACK_OUTCOMES.length),
  comment: z.string().max(500).optional(),
});

export interface AppApiDeps {
  locality: Locality;
  store: RecordStore;
  db: Db;
  verifier: TokenVerifier;
  logger: Logger;
  /** From the locality config (`benefits.unitCosts`). */
  unitCosts: UnitCosts;
  /** MLLP port of each channel id, for replaying dead letters through the real ingestion path. */
  channelPorts: ReadonlyMap<string, number>;
  clock?: () => Date;
}

/** Creates the app's own table (feedback on record views). It carries the patient key like every patient table. */
export async function migrateAppTables(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS app_feedback (
    patient_key text NOT NULL,
    id bigserial NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    user_id text NOT NULL,
    role_id text NOT NULL,
    organisation text NOT NULL,
    outcomes text[] NOT NULL,
    comment text,
    PRIMARY KEY (patient_key, id)
  )`);
}


function zodProblem(res: Response, error: z.ZodError) {
  const first = error.issues[0]!;
  problem(res, 400, 'invalid', `${first.path.join('.') || 'body'}: ${first.message}`, first.path.join('.') || undefined);
}

const ADMIN_ROLES = new Set(['administrator', 'privacy-officer']);

function requireRole(roles: Set<string>) {
  return (_req: Request, res: Response, next: () => void) => {
    const user = userOf(res);
    if (!user || !roles.has(user.roleId)) return problem(res, 403, 'forbidden', `role: this needs one of ${[...roles].join(', ')}`);
    next();
  };
}

/** The reference app's own API: demo sign-in list, "this helped" feedback, admin and benefits. */
export function appApi(deps: AppApiDeps): Router {
  const router = express.Router();
  // Admin answers (the audit trail, users, messages) are never kept by a browser or a proxy.
  router.use('/app', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const now = deps.clock ?? (() => new Date());
  const auth = authenticate(deps.verifier);
  const orgName = new Map(deps.locality.organisations.map((o) => [o.ods, o.name]));

  router.get('/app/session/users', (_req, res) => {
    const auth = deps.locality.auth;
    if (auth.mode !== 'dev') return problem(res, 404, 'not-found', 'demo users exist only with the development issuer');
    res.json(
      auth.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.organisation, organisationName: u.organisation ? orgName.get(u.organisation) : undefined, nhsNumber: u.nhsNumber })),
    );
  });

  router.post('/app/feedback', auth, express.json({ limit: '8kb', verify: refuseNulInJson }), async (req, res, next) => {
    try {
      const user = userOf(res) as AuthenticatedUser;
      if (user.kind !== 'professional') return problem(res, 403, 'forbidden', 'feedback is given by professionals');
      const parsed = FeedbackSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      await deps.db.query(
        'INSERT INTO app_feedback (patient_key, recorded_at, user_id, role_id, organisation, outcomes, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [parsed.data.patientId, now().toISOString(), user.id, user.roleId, user.organisation?.ods ?? '', parsed.data.outcomes, parsed.data.comment ?? null],
      );
      res.status(201).json({ recorded: true });
    } catch (error) {
      next(error);
    }
  });

  const admin = express.Router();
  admin.use(auth, requireRole(ADMIN_ROLES));

  admin.get('/isa', (_req, res) => {
    const isa = deps.locality.isa;
    res.json({ id: isa.id, version: isa.version, title: isa.title, html: renderIsa(isa, 'html'), markdown: renderIsa(isa, 'markdown'), issues: checkIsa(isa, now().toISOString()) });
  });

  admin.get('/organisations', (_req, res) => {
    const parties = new Map(deps.locality.isa.parties.map((p) => [p.ods, p]));
    res.json(
      deps.locality.organisations.map((o) => ({ ...o, isaStatus: parties.get(o.ods)?.status ?? 'not a party', activation: parties.get(o.ods)?.activation })),
    );
  });

  admin.get('/users', (_req, res) => {
    const auth = deps.locality.auth;
    res.json({ mode: auth.mode, users: auth.mode === 'dev' ? auth.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.organisation, organisationName: u.organisation ? orgName.get(u.organisation) : undefined })) : [] });
  });

  admin.get('/audit', async (req, res, next) => {
    try {
      const query = z
        .strictObject({ patient: z.string().max(64).optional(), user: z.string().max(128).optional(), cursor: z.string().max(512).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
        .safeParse(req.query);
      if (!query.success) return zodProblem(res, query.error);
      const page = await deps.store.readAudit({ patientKey: query.data.patient, userId: query.data.user, cursor: query.data.cursor, limit: query.data.limit });
      res.json(page);
    } catch (error) {
      next(error);
    }
  });

  admin.get('/audit/verify', async (_req, res, next) => {
    try {
      res.json(await verifyStoreAudit(deps.store));
    } catch (error) {
      next(error);
    }
  });

  admin.get('/mpi/review', async (req, res, next) => {
    try {
      const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
      res.json(await deps.store.listReviewQueue({ limit: 50, cursor }));
    } catch (error) {
      next(error);
    }
  });

  // POST /mpi/review (accept or reject a match), the merge preview and unmerge: admin/mpi.ts.

  admin.get('/channels', async (_req, res, next) => {
    try {
      const messages = await deps.store.listMessages({ limit: 100 });
      const channels = deps.locality.channels.map((c) => ({ ...c, mllpPort: deps.channelPorts.get(c.id) }));
      res.json({ channels, recentMessages: messages.items.map(({ raw: _raw, ...rest }) => rest) });
    } catch (error) {
      next(error);
    }
  });

  admin.get('/dead-letters', async (_req, res, next) => {
    try {
      res.json(await deps.store.listDeadLetters({ limit: 100 }));
    } catch (error) {
      next(error);
    }
  });

  admin.post('/dead-letters/:id/replay', async (req, res, next) => {
    try {
      const letter = await deps.store.getDeadLetter(String(req.params.id));
      if (!letter) return problem(res, 404, 'not-found', `id: no dead letter ${req.params.id}`, 'id');
      const port = (letter.channel && deps.channelPorts.get(letter.channel)) || [...deps.channelPorts.values()][0];
      if (port === undefined) return problem(res, 409, 'conflict', 'no MLLP channel to replay through');
      const client = new MllpClient({ port, host: '127.0.0.1', ackTimeoutMs: 30_000, attempts: 1 });
      try {
        const ack = await client.send(letter.raw);
        const code = /(?:^|\r)MSA\|([A-Z]{2})\|/.exec(ack)?.[1];
        const accepted = code === 'AA' || code === 'CA';
        if (accepted) await deps.store.markDeadLetterReplayed(letter.id, now().toISOString());
        res.json({ accepted, ack: ack.replace(/\r/g, '\n') });
      } finally {
        client.close();
      }
    } catch (error) {
      next(error);
    }
  });

  admin.get('/benefits', async (_req, res, next) => {
    try {
      res.json(await benefits(deps));
    } catch (error) {
      next(error);
    }
  });

  router.use('/app/admin', admin);
  return router;
}

export interface BenefitsReport {
  views: { total: number; permitted: number; denied: number; breakGlass: number };
  byRole: Record<string, number>;
  byOrganisation: Record<string, number>;
  byDay: Array<{ day: string; views: number }>;
  feedback: Record<FeedbackOutcome, number>;
  savings: { avoidedAdmissions: number; avoidedHomeVisits: number; phoneCalls: number; total: number };
  unitCosts: UnitCosts;
}

/** Views by role, organisation and day from the audit log, feedback counts, and estimated savings. */
export async function benefits(deps: Pick<AppApiDeps, 'store' | 'db' | 'unitCosts'>): Promise<BenefitsReport> {
  const report: BenefitsReport = {
    views: { total: 0, permitted: 0, denied: 0, breakGlass: 0 },
    byRole: {},
    byOrganisation: {},
    byDay: [],
    feedback: { 'saved-phone-call': 0, 'avoided-admission': 0, 'avoided-home-visit': 0, 'found-medication-or-allergy': 0 },
    savings: { avoidedAdmissions: 0, avoidedHomeVisits: 0, phoneCalls: 0, total: 0 },
    unitCosts: deps.unitCosts,
  };
  const days = new Map<string, number>();
  let afterSeq: number | undefined;
  for (;;) {
    const page = await deps.store.readAudit({ afterSeq, limit: 5000 });
    for (const row of page.items) {
      const event = row.event as { outcome?: string; user?: { roleId?: string; organisation?: string }; breakGlass?: unknown; personId?: string };
      if (!event.user || !event.personId) continue;
      // An MPI decision (merge, unmerge) is an administrator's act, not a view of a record.
      if ((event as { reasons?: string[] }).reasons?.some((r) => r.startsWith('mpi-decision:') || r.startsWith('privacy-review:') || r.startsWith('break-glass-revoked:') || r.startsWith('proxy-recorded:') || r.startsWith('proxy-revoked:'))) continue;
      report.views.total++;
      if (event.outcome === 'permit') report.views.permitted++;
      else report.views.denied++;
      if (event.breakGlass) report.views.breakGlass++;
      const role = event.user.roleId ?? 'unknown';
      const org = event.user.organisation ?? 'unknown';
      report.byRole[role] = (report.byRole[role] ?? 0) + 1;
      report.byOrganisation[org] = (report.byOrganisation[org] ?? 0) + 1;
      const day = row.recordedAt.slice(0, 10);
      days.set(day, (days.get(day) ?? 0) + 1);
      afterSeq = row.seq;
    }
    if (page.items.length < 5000) break;
    afterSeq = page.items.at(-1)!.seq;
  }
  report.byDay = [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, views]) => ({ day, views }));
  const rows = await deps.db.query<{ outcome: FeedbackOutcome; n: string | number }>('SELECT unnest(outcomes) AS outcome, count(*) AS n FROM app_feedback GROUP BY 1');
  for (const row of rows.rows) if (row.outcome in report.feedback) report.feedback[row.outcome] = Number(row.n);
  const c = deps.unitCosts;
  report.savings.avoidedAdmissions = report.feedback['avoided-admission'] * c.avoidedAdmission;
  report.savings.avoidedHomeVisits = report.feedback['avoided-home-visit'] * c.avoidedHomeVisit;
  report.savings.phoneCalls = round2(report.feedback['saved-phone-call'] * c.phoneCallMinutes * c.staffCostPerMinute);
  report.savings.total = round2(report.savings.avoidedAdmissions + report.savings.avoidedHomeVisits + report.savings.phoneCalls);
  return report;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
