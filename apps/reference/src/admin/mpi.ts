import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { authenticate, refuseNulInJson, userOf, type AuthenticatedUser, type Locality, type TokenVerifier } from '@openidcr/architecture';
import { GENESIS_HASH, hashAuditEvent, type AuditEvent } from '@openidcr/governance';
import type { Ingestor } from '@openidcr/integration';
import type { PersonRecord } from '@openidcr/model';
import { isStoreError, type Db, type RecordStore } from '@openidcr/store';
import { problem } from '../http-problem.js';

/**
 * The MPI decisions of the admin: accept a match (merge the two people), reject it, and unmerge. A merge goes
 * through `Ingestor.merge`, the identity change of an ADT A40 (one code path); every decision is written to the
 * hash-chained audit with who, when and why.
 */
export interface MpiAdminDeps {
  locality: Locality;
  store: RecordStore;
  db: Db;
  ingestor: Ingestor;
  verifier: TokenVerifier;
  clock?: () => Date;
}

const ADMIN_ROLES = new Set(['administrator', 'privacy-officer']);
const PersonId = z.string().trim().min(1, { error: 'required' }).max(64);
const Reason = z
  .string({ error: 'required: say why (it is kept in the audit)' })
  .trim()
  .min(5, { error: 'required: say why, in a few words (it is kept in the audit)' })
  .max(500);

const DecisionSchema = z.strictObject({
  personId: PersonId,
  candidatePersonId: PersonId,
  decision: z.enum(['linked', 'rejected']),
  reason: Reason,
});
const PreviewSchema = z.strictObject({ personId: PersonId, candidatePersonId: PersonId });
const UnmergeSchema = z.strictObject({ survivorId: PersonId, mergedId: PersonId, reason: Reason });

/** One side of a proposed merge, as the reviewer is shown it. */
export interface MergeSide {
  personId: string;
  nhsNumber: string | undefined;
  status: PersonRecord['status'];
  demographics: PersonRecord['demographics'];
  localIds: PersonRecord['localIds'];
  /** Items of the record by resource type. */
  resources: Record<string, number>;
  /** Organisations (ODS) the items come from. */
  sources: string[];
  consents: number;
  relationships: number;
}

/** What accepting a match will do, before it is done. */
export interface MergePreview {
  survivor: MergeSide;
  merged: MergeSide;
  /** Plain-English account of the change. */
  effect: string[];
  /** Differences a reviewer should look at. */
  warnings: string[];
  /** Why the merge cannot be done, if it cannot. */
  blocked: string | undefined;
}


function zodProblem(res: Response, error: z.ZodError) {
  const first = error.issues[0]!;
  const path = first.path.join('.') || 'body';
  problem(res, 400, 'invalid', `${path}: ${first.message}`, path);
}

async function side(deps: MpiAdminDeps, person: PersonRecord): Promise<MergeSide> {
  const [types, sources, consents, relationships] = await Promise.all([
    deps.db.query<{ resource_type: string; n: string | number }>('SELECT resource_type, count(*) AS n FROM resources WHERE patient_key = $1 GROUP BY 1 ORDER BY 1', [person.personId]),
    deps.db.query<{ source_org: string }>('SELECT DISTINCT source_org FROM resources WHERE patient_key = $1 AND source_org IS NOT NULL ORDER BY 1', [person.personId]),
    deps.db.query<{ n: string | number }>('SELECT count(*) AS n FROM consents WHERE patient_key = $1', [person.personId]),
    deps.db.query<{ n: string | number }>('SELECT count(*) AS n FROM legitimate_relationships WHERE patient_key = $1', [person.personId]),
  ]);
  return {
    personId: person.personId,
    nhsNumber: person.nhsNumber,
    status: person.status,
    demographics: person.demographics,
    localIds: person.localIds,
    resources: Object.fromEntries(types.rows.map((r) => [r.resource_type, Number(r.n)])),
    sources: sources.rows.map((r) => r.source_org),
    consents: Number(consents.rows[0]?.n ?? 0),
    relationships: Number(relationships.rows[0]?.n ?? 0),
  };
}

const FIELD_NAMES: Record<string, string> = { family: 'family name', given: 'given name', birthDate: 'date of birth', gender: 'gender', postcode: 'postcode' };

/**
 * The survivor is the person the match was found for (the one already known), unless only the other has a verified
 * NHS number. Two different NHS numbers are two people for the NHS: that is corrected at source, never here.
 */
export async function previewMerge(deps: MpiAdminDeps, personId: string, candidatePersonId: string): Promise<MergePreview | undefined> {
  const [person, candidate] = await Promise.all([deps.store.getPerson(personId), deps.store.getPerson(candidatePersonId)]);
  if (!person || !candidate) return undefined;
  const candidateSurvives = !(person.nhsNumber && !candidate.nhsNumber);
  const survivorPerson = candidateSurvives ? candidate : person;
  const mergedPerson = candidateSurvives ? person : candidate;
  const [survivor, merged] = await Promise.all([side(deps, survivorPerson), side(deps, mergedPerson)]);
  let blocked: string | undefined;
  if (person.personId === candidate.personId) blocked = 'These are the same person record already.';
  else if (person.mergedInto || candidate.mergedInto) blocked = `${person.mergedInto ? person.personId : candidate.personId} is already merged into ${person.mergedInto ?? candidate.mergedInto}.`;
  else if (person.nhsNumber && candidate.nhsNumber && person.nhsNumber !== candidate.nhsNumber)
    blocked = `They have different NHS numbers (${person.nhsNumber} and ${candidate.nhsNumber}): for the NHS they are two people. If one number is wrong, it is corrected at the source system, not here.`;
  const warnings: string[] = [];
  for (const [field, label] of Object.entries(FIELD_NAMES)) {
    const a = (survivorPerson.demographics as Record<string, string | undefined>)[field];
    const b = (mergedPerson.demographics as Record<string, string | undefined>)[field];
    if (a && b && a.toLowerCase().replace(/\s+/g, '') !== b.toLowerCase().replace(/\s+/g, '')) warnings.push(`The ${label} differs: ${a} and ${b}.`);
  }
  const count = (s: MergeSide) => Object.values(s.resources).reduce((sum, n) => sum + n, 0);
  const effect = [
    `${count(merged)} items of ${merged.personId} (from ${merged.sources.join(', ') || 'no source'}) join the record of ${survivor.personId} (from ${survivor.sources.join(', ') || 'no source'}).`,
    `${merged.localIds.length + (merged.nhsNumber ? 1 : 0)} identifiers, ${merged.consents} consents and ${merged.relationships} care relationships move with them.`,
    'Every clinician view, search, the virtual ward and the person\'s own access log then show one person.',
    'Unmerging later moves back exactly what moved now.',
  ];
  return { survivor, merged, effect, warnings, blocked };
}

/** Appends one MPI decision to the hash-chained audit. Not keyed to a patient: it is an administrator's act, not a view of a record. */
async function auditDecision(deps: MpiAdminDeps, user: AuthenticatedUser, at: Date, what: { action: 'merge' | 'unmerge' | 'reject'; survivorId: string; mergedId: string; reason: string; query: string }) {
  const policy = deps.locality.isa;
  const event: AuditEvent = {
    id: randomUUID(),
    recorded: at.toISOString(),
    action: 'read',
    query: what.query,
    outcome: 'permit',
    user: { id: user.id, name: user.name, roleId: user.roleId, organisation: user.organisation?.ods ?? '', organisationKind: user.organisation?.kind ?? 'unknown' },
    purposeOfUse: 'HOPERAT',
    personId: what.survivorId,
    headings: [],
    sources: [],
    reasons: [`mpi-decision:${what.action}`, `mpi-survivor:${what.survivorId}`, `mpi-merged:${what.mergedId}`, `mpi-reason:${what.reason}`],
    policy: `${policy.id}|${policy.version}`,
    consentModel: deps.locality.consentModel?.kind ?? 'isa',
    flagged: false,
  };
  await deps.store.appendAudit({ event: event as unknown as Record<string, unknown>, userId: user.id, recordedAt: event.recorded }, (link) => {
    const prevHash = link.prevHash ?? GENESIS_HASH;
    return hashAuditEvent(prevHash, { ...(link.event as unknown as AuditEvent), seq: link.seq - 1, prevHash });
  });
}

/** Sets the review-queue link between two people (either direction) to a decision. */
async function decideLinks(deps: MpiAdminDeps, a: string, b: string, decision: 'linked' | 'rejected', by: string): Promise<void> {
  await deps.db.query(
    `UPDATE person_links SET status = $3, decided_at = $4, decided_by = $5
     WHERE (person_id = $1 AND candidate_person_id = $2) OR (person_id = $2 AND candidate_person_id = $1)`,
    [a, b, decision, (deps.clock ?? (() => new Date()))().toISOString(), by],
  );
}

export function mpiAdminRouter(deps: MpiAdminDeps): Router {
  const now = deps.clock ?? (() => new Date());
  const admin = express.Router();
  admin.use(authenticate(deps.verifier), (_req: Request, res: Response, next: () => void) => {
    const user = userOf(res);
    if (!user || !ADMIN_ROLES.has(user.roleId)) return problem(res, 403, 'forbidden', `role: this needs one of ${[...ADMIN_ROLES].join(', ')}`);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const json = express.json({ limit: '4kb', verify: refuseNulInJson });

  admin.get('/preview', async (req, res, next) => {
    try {
      const parsed = PreviewSchema.safeParse(req.query);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const preview = await previewMerge(deps, parsed.data.personId, parsed.data.candidatePersonId);
      if (!preview) return problem(res, 404, 'not-found', 'personId: no such person in the master patient index', 'personId');
      res.json(preview);
    } catch (error) {
      next(error);
    }
  });

  admin.post('/review', json, async (req, res, next) => {
    try {
      const parsed = DecisionSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const { personId, candidatePersonId, decision, reason } = parsed.data;
      const user = userOf(res) as AuthenticatedUser;
      const queued = await deps.db.query<{ status: string }>('SELECT status FROM person_links WHERE person_id = $1 AND candidate_person_id = $2', [personId, candidatePersonId]);
      if (!queued.rows[0]) return problem(res, 404, 'not-found', `no candidate link between ${personId} and ${candidatePersonId}`);
      if (queued.rows[0].status !== 'review') return problem(res, 409, 'conflict', `decision: this match was already decided (${queued.rows[0].status})`, 'decision');
      if (decision === 'rejected') {
        const link = await deps.store.decideLink({ personId, candidatePersonId, decision, decidedBy: user.id });
        await auditDecision(deps, user, now(), { action: 'reject', survivorId: candidatePersonId, mergedId: personId, reason, query: 'POST /app/admin/mpi/review' });
        return res.json({ link });
      }
      const preview = await previewMerge(deps, personId, candidatePersonId);
      if (!preview) return problem(res, 404, 'not-found', 'personId: no such person in the master patient index', 'personId');
      if (preview.blocked) return problem(res, 409, 'conflict', `decision: cannot merge. ${preview.blocked}`, 'decision');
      const survivorId = preview.survivor.personId;
      const mergedId = preview.merged.personId;
      await deps.ingestor.merge(survivorId, mergedId, `MPI review by ${user.id}: ${reason}`);
      await decideLinks(deps, personId, candidatePersonId, 'linked', user.id);
      await auditDecision(deps, user, now(), { action: 'merge', survivorId, mergedId, reason, query: 'POST /app/admin/mpi/review' });
      res.json({ merged: { survivorId, mergedId }, survivor: await deps.store.getPerson(survivorId) });
    } catch (error) {
      if (isStoreError(error) && error.code === 'merge-conflict') return problem(res, 409, 'conflict', error.message, 'decision');
      next(error);
    }
  });

  admin.get('/merges', async (_req, res, next) => {
    try {
      const { rows } = await deps.db.query<{ survivor_id: string; merged_id: string; merged_at: Date | string; reason: string }>(
        'SELECT survivor_id, merged_id, merged_at, reason FROM merges WHERE unmerged_at IS NULL ORDER BY merged_at DESC LIMIT 200',
      );
      const people = new Map<string, PersonRecord | undefined>();
      for (const id of new Set(rows.flatMap((r) => [r.survivor_id, r.merged_id]))) people.set(id, await deps.store.getPerson(id));
      res.json({
        items: rows.map((r) => ({
          survivorId: r.survivor_id,
          mergedId: r.merged_id,
          mergedAt: new Date(r.merged_at).toISOString(),
          reason: r.reason,
          survivor: people.get(r.survivor_id),
          merged: people.get(r.merged_id),
        })),
      });
    } catch (error) {
      next(error);
    }
  });

  admin.post('/unmerge', json, async (req, res, next) => {
    try {
      const parsed = UnmergeSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const { survivorId, mergedId, reason } = parsed.data;
      const user = userOf(res) as AuthenticatedUser;
      await deps.ingestor.undoMerge(survivorId, mergedId, `unmerged by ${user.id}: ${reason}`);
      await decideLinks(deps, survivorId, mergedId, 'rejected', user.id);
      await auditDecision(deps, user, now(), { action: 'unmerge', survivorId, mergedId, reason, query: 'POST /app/admin/mpi/unmerge' });
      res.json({ unmerged: { survivorId, mergedId }, people: [await deps.store.getPerson(survivorId), await deps.store.getPerson(mergedId)] });
    } catch (error) {
      if (isStoreError(error) && error.code === 'not-found') return problem(res, 404, 'not-found', error.message.replace(/^identity\.unmerge:/, 'mergedId:'), 'mergedId');
      next(error);
    }
  });

  const router = express.Router();
  // Mounted on its own path, so its role check never stands in front of other admin routes.
  router.use('/app/admin/mpi', admin);
  return router;
}
