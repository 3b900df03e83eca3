import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { authenticate, refuseNulInJson, userOf, type AuthenticatedUser, type Locality, type TokenVerifier } from '@openidcr/architecture';
import { DEFAULT_PROXY_RULES, PROXY_ACTIONS, PROXY_KINDS, PROXY_KIND_TEXT, PROXY_REFUSAL_TEXT, assessProxy, type ProxyAuthority } from '@openidcr/citizen';
import { proxyAuthorityFromRelatedPerson, recordProxyAuthority } from '@openidcr/citizen/store-adapter';
import { NHS_NUMBER_SYSTEM, isValidNhsNumber, normaliseNhsNumber } from '@openidcr/model';
import type { Db, RecordStore } from '@openidcr/store';
import { auditAdminAct } from '../admin/break-glass.js';
import { problem } from '../http-problem.js';

/**
 * Proxy access in the reference app: a carer, parent or attorney signs in as themselves and chooses the person they
 * act for (`Idcr-Acting-For: <NHS number>` on the citizen API, which the citizen router checks against recorded,
 * in-force authorities and audits as by the proxy on behalf of the person). Staff (administrators, privacy officers)
 * record and revoke the authorities, after checking the evidence; each change is in the hash-chained audit.
 */
export const ACTING_FOR_HEADER = 'Idcr-Acting-For';

/** The NHS number a signed-in citizen asks to act for, from the request (never trusted: the router checks it). */
export function actingForOf(req: Request): string | undefined {
  const value = req.get(ACTING_FOR_HEADER);
  return value && value.trim() ? value.trim() : undefined;
}

export interface ProxyDeps {
  locality: Locality;
  store: RecordStore;
  db: Db;
  verifier: TokenVerifier;
  clock?: () => Date;
}

const STAFF_ROLES = new Set(['administrator', 'privacy-officer']);
const NhsNumber = z
  .string({ error: 'required' })
  .transform(normaliseNhsNumber)
  .refine(isValidNhsNumber, { error: 'not a valid NHS number' });
const isoDateTime = z.iso.datetime({ offset: true });
const RecordSchema = z.strictObject({
  kind: z.enum(PROXY_KINDS),
  proxyNhsNumber: NhsNumber,
  proxyName: z.string().trim().min(1, { error: 'required' }).max(200),
  subjectNhsNumber: NhsNumber,
  validFrom: isoDateTime.optional(),
  validTo: isoDateTime.optional(),
  evidence: z.string({ error: 'required: say what evidence was seen' }).trim().min(5, { error: 'required: say what evidence was seen (e.g. birth certificate, registered LPA reference)' }).max(500),
});
const RevokeSchema = z.strictObject({ subjectNhsNumber: NhsNumber, authorityId: z.string().trim().min(1, { error: 'required' }).max(128), reason: z.string().trim().min(5, { error: 'required: say why' }).max(500) });


function zodProblem(res: Response, error: z.ZodError) {
  const first = error.issues[0]!;
  const path = first.path.join('.') || 'body';
  problem(res, 400, 'invalid', `${path}: ${first.message}`, path);
}

/** Every authority recorded for this proxy (any person), read from the RelatedPerson resources that hold them. */
async function authoritiesOfProxy(db: Db, proxyNhsNumber: string): Promise<Array<{ authority: ProxyAuthority; resourceId: string }>> {
  const { rows } = await db.query<{ body: Record<string, unknown>; id: string }>(
    "SELECT id, body FROM resources WHERE resource_type = 'RelatedPerson' AND body @> $1::jsonb ORDER BY id",
    [JSON.stringify({ identifier: [{ system: NHS_NUMBER_SYSTEM, value: proxyNhsNumber }] })],
  );
  return rows.flatMap((row) => {
    const authority = proxyAuthorityFromRelatedPerson(row.body as never);
    return authority ? [{ authority, resourceId: row.id }] : [];
  });
}

export function proxyRouter(deps: ProxyDeps): Router {
  const router = express.Router();
  const now = deps.clock ?? (() => new Date());
  const auth = authenticate(deps.verifier);

  /** The people the signed-in citizen may act for now, with what each relationship allows. */
  router.get('/app/citizen/acting-for', auth, async (_req, res, next) => {
    try {
      res.setHeader('Cache-Control', 'no-store');
      const user = userOf(res) as AuthenticatedUser;
      if (user.kind !== 'citizen' || !user.nhsNumber) return problem(res, 403, 'forbidden', 'Authorization: sign in as a member of the public to act for someone');
      const at = now();
      const people = [];
      for (const { authority } of await authoritiesOfProxy(deps.db, user.nhsNumber)) {
        const person = await deps.store.getPerson(authority.subjectPersonId);
        if (!person?.nhsNumber) continue;
        const subject = { personId: authority.subjectPersonId, birthDate: person.demographics.birthDate };
        const allowed = PROXY_ACTIONS.filter((action) => assessProxy([authority], subject, action, DEFAULT_PROXY_RULES, at).ok);
        if (allowed.length === 0) continue;
        const rule = DEFAULT_PROXY_RULES[authority.kind]!;
        people.push({
          nhsNumber: person.nhsNumber,
          name: [person.demographics.given, person.demographics.family].filter(Boolean).join(' ') || 'Not known',
          kind: authority.kind,
          relationship: PROXY_KIND_TEXT[authority.kind],
          authorityId: authority.id,
          validTo: authority.validTo,
          actions: allowed,
          headings: rule.headings,
          hideSensitive: rule.hideSensitive,
        });
      }
      res.json({ self: { nhsNumber: user.nhsNumber, name: user.name }, people });
    } catch (error) {
      next(error);
    }
  });

  const staff = express.Router();
  staff.use(auth, (_req, res, next) => {
    const user = userOf(res);
    if (!user || !STAFF_ROLES.has(user.roleId)) return problem(res, 403, 'forbidden', `role: recording proxy access needs one of ${[...STAFF_ROLES].join(', ')}`);
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  staff.post('/proxy-authorities', express.json({ limit: '8kb', verify: refuseNulInJson }), async (req, res, next) => {
    try {
      const parsed = RecordSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const body = parsed.data;
      if (body.proxyNhsNumber === body.subjectNhsNumber) return problem(res, 400, 'invalid', 'proxyNhsNumber: a person does not act for themselves', 'proxyNhsNumber');
      const subject = await deps.store.findPersonByNhsNumber(body.subjectNhsNumber);
      if (!subject) return problem(res, 404, 'not-found', 'subjectNhsNumber: the shared record holds no one with this NHS number', 'subjectNhsNumber');
      const user = userOf(res) as AuthenticatedUser;
      const at = now();
      const authority: ProxyAuthority = {
        id: randomUUID(),
        kind: body.kind,
        proxyNhsNumber: body.proxyNhsNumber,
        proxyName: body.proxyName,
        subjectPersonId: subject.mergedInto ?? subject.personId,
        status: 'active',
        validFrom: body.validFrom ?? at.toISOString(),
        ...(body.validTo ? { validTo: body.validTo } : {}),
        recordedBy: user.id,
        evidence: body.evidence,
      };
      if (authority.validTo && Date.parse(authority.validTo) <= Date.parse(authority.validFrom)) return problem(res, 400, 'invalid', 'validTo: must be after validFrom', 'validTo');
      await recordProxyAuthority(deps.store, authority);
      const auditSeq = await auditAdminAct(deps, user, at, { personId: authority.subjectPersonId, reasons: [`proxy-recorded:${authority.id}`, `proxy-kind:${authority.kind}`], query: 'POST /app/admin/proxy-authorities' });
      res.status(201).json({ authority, auditSeq });
    } catch (error) {
      next(error);
    }
  });

  /** The authorities recorded for one person (any state), for staff checking or ending them. */
  staff.get('/proxy-authorities', async (req, res, next) => {
    try {
      const query = z.strictObject({ subject: NhsNumber }).safeParse(req.query);
      if (!query.success) return zodProblem(res, query.error);
      const subject = await deps.store.findPersonByNhsNumber(query.data.subject);
      if (!subject) return problem(res, 404, 'not-found', 'subject: the shared record holds no one with this NHS number', 'subject');
      const at = now().getTime();
      const authorities = (await deps.store.everything(subject.mergedInto ?? subject.personId))
        .map((r) => proxyAuthorityFromRelatedPerson(r))
        .filter((a): a is ProxyAuthority => a !== undefined)
        .map((a) => ({ ...a, relationship: PROXY_KIND_TEXT[a.kind], inForce: a.status === 'active' && Date.parse(a.validFrom) <= at && (a.validTo === undefined || at < Date.parse(a.validTo)) }));
      res.json({ subject: { nhsNumber: query.data.subject, personId: subject.mergedInto ?? subject.personId }, authorities });
    } catch (error) {
      next(error);
    }
  });

  staff.post('/proxy-authorities/revoke', express.json({ limit: '8kb', verify: refuseNulInJson }), async (req, res, next) => {
    try {
      const parsed = RevokeSchema.safeParse(req.body);
      if (!parsed.success) return zodProblem(res, parsed.error);
      const subject = await deps.store.findPersonByNhsNumber(parsed.data.subjectNhsNumber);
      const personId = subject ? (subject.mergedInto ?? subject.personId) : undefined;
      const found = personId
        ? (await deps.store.everything(personId)).map((r) => proxyAuthorityFromRelatedPerson(r)).find((a) => a?.id === parsed.data.authorityId)
        : undefined;
      if (!found || !personId) return problem(res, 404, 'not-found', 'authorityId: no such proxy authority for this person', 'authorityId');
      if (found.status === 'revoked') return problem(res, 409, 'conflict', 'authorityId: already revoked', 'authorityId');
      const user = userOf(res) as AuthenticatedUser;
      const at = now();
      await recordProxyAuthority(deps.store, { ...found, status: 'revoked', validTo: at.toISOString() });
      const auditSeq = await auditAdminAct(deps, user, at, { personId, reasons: [`proxy-revoked:${found.id}`, `privacy-note:${parsed.data.reason}`], query: 'POST /app/admin/proxy-authorities/revoke' });
      res.json({ revoked: true, auditSeq, message: PROXY_REFUSAL_TEXT['authority-not-in-force'] });
    } catch (error) {
      next(error);
    }
  });

  router.use('/app/admin', staff);
  return router;
}
