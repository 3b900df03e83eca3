import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  createConsentModel,
  DEFAULT_ROLES,
  hashAuditEvent,
  IsaSchema,
  toFhirAuditEvent,
  type ChainedAuditEvent,
  type ConsentModel,
  type RoleDefinition,
} from '@openidcr/governance';
import {
  CodeSystems,
  headingOf,
  isSensitivityLabel,
  isValidNhsNumber,
  normaliseNhsNumber,
  nhsNumberProblem,
  type Bundle,
  type HeadingId,
  type ResourceLike,
} from '@openidcr/model';
import type { CitizenDeps, CitizenPrincipal } from './deps.js';
import { CitizenProblem, badRequest } from './problem.js';
import { citizenAuditEvent, type CitizenAction, type CitizenActor, type ProxyActor } from './audit.js';
import type { CitizenPerson } from '../records/records.js';
import { assessProxy, DEFAULT_PROXY_RULES, PROXY_KIND_TEXT, PROXY_REFUSAL_TEXT, ProxyRulesSchema, type ProxyAction, type ProxyGrant, type ProxyRules } from '../proxy/proxy.js';
import { decodeAccessLogCursor, encodeAccessLogCursor, readAccessLog, toAccessLogEntry, type AccessLogDisclosure } from '../access-log/access-log.js';
import { consentForChoice, PreferenceChangeSchema, preferencesView, receiptFor, receiptReference, SHARING_DECISIONS, type ChoiceMadeBy, type PreferenceChange } from '../preferences/preferences.js';
import { noticeFromIsa, renderNoticeHtml, renderNoticeMarkdown } from '../notice/notice.js';
import { toRecordHeadings, type MyRecordSummary } from '../record/summary.js';
import { exportBundle, exportHtml } from '../export/export.js';
import {
  WhatMattersChangeSchema,
  whatMattersFromObservation,
  whatMattersObservation,
  whatMattersProvenance,
  isWhatMatters,
  type WhatMattersAuthor,
  type WhatMattersView,
} from '../what-matters/what-matters.js';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * `verify` hook of the JSON body parser: a NUL character (raw, or a `\u0000` escape not itself escaped) makes the body
 * unacceptable (400), since the record store cannot hold one. A scan of the raw text: no recursion, so deep nesting still
 * reaches the schema, which names the field.
 */
function refuseNul(_req: unknown, _res: unknown, body: Buffer): void {
  if (body.includes(0) || /(?:^|[^\\])(?:\\\\)*\\u0000/.test(body.toString('utf8')))
    throw Object.assign(new SyntaxError('a string contains a NUL character'), { status: 400, type: 'entity.parse.failed' });
}

/** The routes under `/citizen/me`: each names its audit action and the proxy permission it needs. */
const ME_ROUTES = {
  'GET /record': { action: 'read-record', proxy: 'record' },
  'GET /access-log': { action: 'read-access-log', proxy: 'access-log' },
  'GET /preferences': { action: 'read-preferences', proxy: 'preferences' },
  'PUT /preferences': { action: 'change-preferences', proxy: 'preferences' },
  'GET /export': { action: 'export', proxy: 'export' },
  'GET /what-matters': { action: 'read-what-matters', proxy: 'what-matters' },
  'PUT /what-matters': { action: 'change-what-matters', proxy: 'what-matters' },
} as const satisfies Record<string, { action: CitizenAction; proxy: ProxyAction }>;
type MeRouteKey = keyof typeof ME_ROUTES;

/** Every route the router serves, for documentation and for the test that proves none skips the policy point. */
export const CITIZEN_ROUTES: ReadonlyArray<{ method: string; path: string; audience: 'citizen' | 'staff' | 'public' }> = [
  ...Object.keys(ME_ROUTES).map((key) => {
    const [method, path] = key.split(' ') as [string, string];
    return { method, path: `/citizen/me${path}`, audience: 'citizen' as const };
  }),
  { method: 'POST', path: '/citizen/contact-centre/opt-out', audience: 'staff' },
  { method: 'GET', path: '/citizen/notice', audience: 'public' },
];

/** What a resolved `/citizen/me` request knows: whose record, who is acting, under what authority. */
interface MeContext {
  req: Request;
  now: Date;
  requestId: string;
  subject: CitizenPerson;
  actor: Extract<CitizenActor, { kind: 'self' }> | ProxyActor;
  grant: ProxyGrant | undefined;
}

/** What a handler answers; the router audits it, then sends it. */
interface Reply {
  status?: number;
  type: 'json' | 'fhir' | 'html' | 'markdown';
  body: unknown;
  /** Headings disclosed, for the audit. */
  headings?: readonly HeadingId[];
  reasons?: readonly string[];
}

const PrincipalSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('citizen'), nhsNumber: z.string().transform(normaliseNhsNumber).refine(isValidNhsNumber), name: z.string().min(1), actingFor: z.string().optional() }),
  z.object({ kind: z.literal('staff'), userId: z.string().min(1), name: z.string().min(1), roleId: z.string().min(1), organisation: z.object({ ods: z.string().min(1), kind: z.string().min(1) }) }),
]);

const NoQuery = z.strictObject({});
const FormatQuery = (formats: readonly [string, ...string[]]) => z.strictObject({ format: z.enum(formats).optional() });
const AccessLogQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'a whole number from 1 to 200')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'a whole number from 1 to 200')
    .optional(),
  cursor: z.string().optional(),
});

const VERIFICATION_METHODS = ['security-questions', 'demographics-and-callback', 'in-person-id', 'nhs-login-verified'] as const;
/** `POST /citizen/contact-centre/opt-out` body: the caller's choice, who they are, and how the staff member checked. */
export const ContactCentreOptOutSchema = z.strictObject({
  nhsNumber: z.string().transform(normaliseNhsNumber).refine((n) => nhsNumberProblem(n) === undefined, { message: 'not a valid NHS number' }),
  decision: z.enum(SHARING_DECISIONS),
  organisation: PreferenceChangeSchema.shape.organisation,
  callerName: z.string().trim().min(1, 'say who called').max(100),
  verification: z.strictObject({
    method: z.enum(VERIFICATION_METHODS),
    note: z.string().trim().min(10, 'at least 10 characters: say what was checked').max(500, 'at most 500 characters'),
  }),
});

function parse<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(result.error, prefix);
  return result.data;
}

function sendReply(res: Response, reply: Reply, requestId: string): void {
  res.status(reply.status ?? 200).set('X-Request-Id', requestId).set('Cache-Control', 'no-store');
  if (reply.type === 'html') res.type('text/html; charset=utf-8').send(reply.body as string);
  else if (reply.type === 'markdown') res.type('text/markdown; charset=utf-8').send(reply.body as string);
  else res.type(reply.type === 'fhir' ? FHIR_JSON : 'application/json; charset=utf-8').send(JSON.stringify(reply.body));
}

function sendProblem(res: Response, problem: CitizenProblem, requestId: string): void {
  if (problem.status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(problem.status).set('X-Request-Id', requestId).set('Cache-Control', 'no-store').type(FHIR_JSON).send(JSON.stringify(problem.outcome));
}

/**
 * The citizen's side of the shared record as an express router, usable alone: mount it with
 * `app.use(citizenRouter(deps))`. Every `/citizen/me/*` request goes through one middleware that authenticates the
 * caller, works out whose record it is (their own, or a person they hold a recorded authority for), and appends one
 * audit event before anything is sent. Bad input gets a 400 OperationOutcome naming the field.
 */
export function citizenRouter(deps: CitizenDeps): Router {
  const isa = IsaSchema.parse(deps.isa);
  const consentModel: ConsentModel = deps.consentModel ?? createConsentModel(isa.consentModel);
  const roles: readonly RoleDefinition[] = deps.roles ?? DEFAULT_ROLES;
  const proxyRules: ProxyRules = deps.proxyRules ? ProxyRulesSchema.parse(deps.proxyRules) : DEFAULT_PROXY_RULES;
  const disclosure: AccessLogDisclosure = { nameProfessionals: deps.accessLog?.nameProfessionals ?? false };
  const pageSize = deps.accessLog?.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) throw new RangeError('accessLog.pageSize: a whole number from 1 to 200');
  const contactCentreRoles = new Set(deps.contactCentreRoles ?? ['contact-centre', 'administrator']);
  const clock = deps.clock ?? (() => new Date());
  const random = deps.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const cursorSecret = deps.cursorSecret ?? Buffer.from(random(16)).toString('hex');
  const policyRef = `${isa.id}|${isa.version}`;
  const organisationName = (ods: string) => isa.parties.find((p) => p.ods === ods)?.name;
  const notice = noticeFromIsa(isa, { consentModel, roles, ...(deps.preferencesUrl ? { preferencesUrl: deps.preferencesUrl } : {}) });
  const { records, audit } = deps;

  async function authenticate(req: Request): Promise<CitizenPrincipal> {
    const result = await deps.authenticate(req);
    if (!result.ok) throw new CitizenProblem(401, 'login', `Sign in again: ${result.message}`);
    const principal = PrincipalSchema.safeParse(result.principal);
    if (!principal.success) throw new CitizenProblem(401, 'login', 'Sign in again: the credentials do not say who you are.');
    return principal.data;
  }

  async function append(input: { requestId: string; now: Date; actor: CitizenActor; personId: string; action: CitizenAction; req: Request; outcome: 'permit' | 'deny'; headings?: readonly HeadingId[]; reasons?: readonly string[] }): Promise<ChainedAuditEvent> {
    return audit.append(
      citizenAuditEvent({
        id: input.requestId,
        now: input.now,
        actor: input.actor,
        personId: input.personId,
        action: input.action,
        query: `${input.req.method} ${input.req.baseUrl}${input.req.path}`,
        outcome: input.outcome,
        headings: input.headings ?? [],
        reasons: input.reasons ?? [],
        policy: policyRef,
        consentModel: consentModel.kind,
      }),
      hashAuditEvent,
    );
  }

  /** Whose record a `/citizen/me` request is about; a refused proxy claim is audited on the person it named. */
  async function resolve(req: Request, principal: CitizenPrincipal, route: (typeof ME_ROUTES)[MeRouteKey], now: Date, requestId: string): Promise<Omit<MeContext, 'req' | 'now' | 'requestId'>> {
    if (principal.kind !== 'citizen') throw new CitizenProblem(403, 'forbidden', 'Staff record choices for callers through the contact-centre service, not /citizen/me.');
    const actingFor = principal.actingFor === undefined ? undefined : normaliseNhsNumber(principal.actingFor);
    if (actingFor === undefined || actingFor === principal.nhsNumber) {
      const self = await records.findPerson(principal.nhsNumber);
      if (!self) throw new CitizenProblem(404, 'not-found', 'The shared record holds no information about you (no record has your NHS number).');
      return { subject: self, actor: { kind: 'self', nhsNumber: principal.nhsNumber, name: principal.name }, grant: undefined };
    }
    const problem = nhsNumberProblem(actingFor);
    if (problem) throw new CitizenProblem(400, 'value', `actingFor: ${problem}`, 'actingFor');
    const subject = await records.findPerson(actingFor);
    const authorities = subject ? await records.proxyAuthorities(principal.nhsNumber, subject.personId) : [];
    const assessment = subject ? assessProxy(authorities, subject, route.proxy, proxyRules, now) : ({ ok: false, refusal: 'no-authority' } as const);
    if (!subject || !assessment.ok) {
      if (subject) {
        const named = authorities[0];
        await append({
          requestId,
          now,
          req,
          actor: named
            ? { kind: 'proxy', nhsNumber: principal.nhsNumber, name: principal.name, proxyKind: named.kind, authorityId: named.id }
            : { kind: 'proxy', nhsNumber: principal.nhsNumber, name: principal.name, proxyKind: 'none', authorityId: 'none' },
          personId: subject.personId,
          action: 'refused-proxy',
          outcome: 'deny',
          reasons: [`proxy-refused:${assessment.ok ? 'no-authority' : assessment.refusal}`],
        });
      }
      // The same words whether or not the person exists, so a refusal reveals nothing about who is in the record.
      throw new CitizenProblem(403, 'forbidden', PROXY_REFUSAL_TEXT[assessment.ok ? 'no-authority' : assessment.refusal]);
    }
    const { authority } = assessment.grant;
    return {
      subject,
      actor: { kind: 'proxy', nhsNumber: principal.nhsNumber, name: principal.name, proxyKind: authority.kind, authorityId: authority.id },
      grant: assessment.grant,
    };
  }

  /** What the reader may see of one resource: self sees all but very restricted items; a proxy what the rules allow. */
  function readable(resource: ResourceLike, grant: ProxyGrant | undefined): 'shown' | 'withheld' | 'not-content' {
    const heading = headingOf(resource);
    if (!heading || isWhatMatters(resource)) return 'not-content';
    const security = resource.meta?.security ?? [];
    const confidentiality = security.find((c) => c.system === CodeSystems.confidentiality)?.code;
    if (confidentiality === 'V') return 'withheld';
    if (grant) {
      if (!grant.headings.has(heading)) return 'not-content';
      if (grant.rule.hideSensitive && (confidentiality === 'R' || security.some(isSensitivityLabel))) return 'withheld';
    }
    return 'shown';
  }

  async function recordFor(ctx: MeContext): Promise<{ summary: MyRecordSummary; shown: ResourceLike[] }> {
    const resources = await records.recordOf(ctx.subject.personId);
    const shown: ResourceLike[] = [];
    let withheld = 0;
    for (const resource of resources) {
      const verdict = readable(resource, ctx.grant);
      if (verdict === 'shown') shown.push(resource);
      else if (verdict === 'withheld') withheld++;
    }
    const summary: MyRecordSummary = {
      person: { name: ctx.subject.name, nhsNumber: ctx.subject.nhsNumber, ...(ctx.subject.birthDate ? { birthDate: ctx.subject.birthDate } : {}) },
      ...(ctx.actor.kind === 'proxy' ? { actingFor: { proxyName: ctx.actor.name, relationship: PROXY_KIND_TEXT[ctx.actor.proxyKind] } } : {}),
      headings: toRecordHeadings(shown, { ...(ctx.grant ? { headings: ctx.grant.headings } : {}), organisationName }),
      withheld:
        withheld > 0
          ? {
              count: withheld,
              reason: ctx.grant
                ? `${withheld} ${withheld === 1 ? 'entry is' : 'entries are'} not shown to someone acting for this person, because ${withheld === 1 ? 'it is' : 'they are'} sensitive. The person can see ${withheld === 1 ? 'it' : 'them'} themselves.`
                : `${withheld} ${withheld === 1 ? 'entry is' : 'entries are'} not shown online. Ask the organisation that recorded ${withheld === 1 ? 'it' : 'them'} if you would like to know more.`,
            }
          : undefined,
    };
    return { summary, shown };
  }

  async function whatMattersOf(personId: string): Promise<WhatMattersView & { history: WhatMattersView[] }> {
    const history = await records.whatMattersHistory(personId);
    const views = history.map((h) => ({ ...whatMattersFromObservation(h.observation), version: h.version }));
    return { ...(views[0] ?? { statements: [], version: 0 }), history: views };
  }

  const accessLogEntry = (event: ChainedAuditEvent) => toAccessLogEntry(event, { isa, roles, disclosure });

  function madeByOf(ctx: MeContext): ChoiceMadeBy {
    return ctx.actor.kind === 'self'
      ? { kind: 'self', nhsNumber: ctx.actor.nhsNumber, name: ctx.actor.name }
      : { kind: 'proxy', nhsNumber: ctx.actor.nhsNumber, name: ctx.actor.name, relationship: PROXY_KIND_TEXT[ctx.actor.proxyKind] };
  }

  async function recordChoice(personId: string, person: { nhsNumber: string; name: string }, change: PreferenceChange, madeBy: ChoiceMadeBy, now: Date) {
    if (change.organisation && !isa.parties.some((p) => p.ods === change.organisation))
      throw new CitizenProblem(400, 'value', `organisation: ${change.organisation} is not one of the organisations in the sharing agreement`, 'organisation');
    const consent = consentForChoice({ id: randomUUID(), personId, person, change, madeBy, receipt: receiptReference(random(8)), now });
    await records.saveConsent(personId, consent);
    return receiptFor(consent, change, isa, person.nhsNumber);
  }

  const handlers: Record<MeRouteKey, (ctx: MeContext) => Promise<Reply>> = {
    async 'GET /record'(ctx) {
      const { format } = parse(FormatQuery(['json', 'fhir']), ctx.req.query);
      const { summary, shown } = await recordFor(ctx);
      const headings = summary.headings.filter((h) => h.items.length > 0).map((h) => h.id);
      if (format === 'fhir') {
        const bundle = { resourceType: 'Bundle', type: 'searchset', total: shown.length, entry: shown.map((resource) => ({ resource, search: { mode: 'match' } })) } as Bundle;
        return { type: 'fhir', body: bundle, headings };
      }
      return { type: 'json', body: summary, headings };
    },
    async 'GET /access-log'(ctx) {
      const query = parse(AccessLogQuery, ctx.req.query);
      let cursor: { beforeSeq: number; total: number } | undefined;
      if (query.cursor !== undefined) {
        const decoded = decodeAccessLogCursor(query.cursor, ctx.subject.personId, cursorSecret);
        if (!decoded.ok) throw new CitizenProblem(400, 'invalid', decoded.message, 'cursor');
        cursor = decoded;
      }
      const page = await readAccessLog(audit, ctx.subject.personId, { limit: query.limit ?? pageSize, cursor }, accessLogEntry, (before, total) =>
        encodeAccessLogCursor(ctx.subject.personId, cursorSecret, before, total),
      );
      return { type: 'json', body: page };
    },
    async 'GET /preferences'(ctx) {
      parse(NoQuery, ctx.req.query);
      const consents = await records.consentsOf(ctx.subject.personId);
      return { type: 'json', body: preferencesView({ personId: ctx.subject.personId, nhsNumber: ctx.subject.nhsNumber, consents, isa, consentModel, now: ctx.now }) };
    },
    async 'PUT /preferences'(ctx) {
      parse(NoQuery, ctx.req.query);
      const change = parse(PreferenceChangeSchema, ctx.req.body ?? {});
      const receipt = await recordChoice(ctx.subject.personId, ctx.subject, change, madeByOf(ctx), ctx.now);
      return { status: 201, type: 'json', body: receipt, reasons: [`consent:${receipt.consentId}`, `receipt:${receipt.reference}`] };
    },
    async 'GET /export'(ctx) {
      const { format } = parse(FormatQuery(['fhir', 'html']), ctx.req.query);
      const allowed = (action: ProxyAction) => !ctx.grant || ctx.grant.rule.actions.includes(action);
      const { summary, shown } = await recordFor(ctx);
      const consents = allowed('preferences') ? await records.consentsOf(ctx.subject.personId) : [];
      const statements = allowed('what-matters') ? await records.whatMattersHistory(ctx.subject.personId) : [];
      const events = allowed('access-log') ? (await audit.read({ personId: ctx.subject.personId })).reverse() : [];
      const headings = summary.headings.filter((h) => h.items.length > 0).map((h) => h.id);
      if (format === 'html') {
        return {
          type: 'html',
          headings,
          body: exportHtml({
            summary,
            preferences: allowed('preferences') ? preferencesView({ personId: ctx.subject.personId, nhsNumber: ctx.subject.nhsNumber, consents, isa, consentModel, now: ctx.now }) : undefined,
            whatMatters: statements[0] ? whatMattersFromObservation(statements[0].observation) : { statements: [], version: 0 },
            accessLog: events.map(accessLogEntry),
            now: ctx.now,
          }),
        };
      }
      const auditEvents = events.map((event) => {
        const entry = accessLogEntry(event);
        // The export says no more about who looked than the access log does.
        const { seq: _seq, prevHash: _prev, hash: _hash, ...plain } = event;
        const user = entry.who.kind === 'professional' && !entry.who.name ? { ...plain.user, id: 'not-disclosed', name: entry.who.role } : plain.user;
        return toFhirAuditEvent({ ...plain, user }) as ResourceLike;
      });
      const resources: ResourceLike[] = [...shown, ...consents, ...statements.flatMap((s) => [s.observation as ResourceLike, ...(s.provenance ? [s.provenance as ResourceLike] : [])]), ...auditEvents];
      return { type: 'fhir', headings, body: exportBundle({ id: ctx.requestId, now: ctx.now, resources }) };
    },
    async 'GET /what-matters'(ctx) {
      parse(NoQuery, ctx.req.query);
      return { type: 'json', body: await whatMattersOf(ctx.subject.personId) };
    },
    async 'PUT /what-matters'(ctx) {
      parse(NoQuery, ctx.req.query);
      const change = parse(WhatMattersChangeSchema, ctx.req.body ?? {});
      const author: WhatMattersAuthor =
        ctx.actor.kind === 'self'
          ? { kind: 'self', nhsNumber: ctx.actor.nhsNumber, name: ctx.actor.name }
          : { kind: 'proxy', nhsNumber: ctx.actor.nhsNumber, name: ctx.actor.name, relationship: PROXY_KIND_TEXT[ctx.actor.proxyKind] };
      const version = change.expectedVersion + 1;
      const observation = whatMattersObservation({ personId: ctx.subject.personId, statements: change.statements, author, now: ctx.now });
      const provenance = whatMattersProvenance({ personId: ctx.subject.personId, personName: ctx.subject.name, version, author, now: ctx.now });
      const saved = await records.saveWhatMatters(ctx.subject.personId, { observation, provenance, expectedVersion: change.expectedVersion });
      if (!saved.ok) throw new CitizenProblem(409, 'conflict', 'expectedVersion: your statements were changed since you opened them; reload to see the latest version, then try again', 'expectedVersion');
      return { type: 'json', body: await whatMattersOf(ctx.subject.personId), reasons: [`what-matters-version:${saved.version}`] };
    },
  };

  const router = express.Router();
  router.use('/citizen', express.json({ limit: '32kb', type: ['application/json', 'application/fhir+json'], verify: refuseNul }));

  // The policy point of the citizen API: no /citizen/me route runs without passing here, and nothing is sent unaudited.
  router.use('/citizen/me', async (req: Request, res: Response) => {
    const requestId = randomUUID();
    const key = `${req.method} ${req.path}` as MeRouteKey;
    const route = ME_ROUTES[key];
    let resolved: MeContext | undefined;
    const now = clock();
    try {
      if (!route) {
        const known = Object.keys(ME_ROUTES).some((k) => k.endsWith(` ${req.path}`));
        throw known ? new CitizenProblem(405, 'not-supported', `${req.method} is not supported on /citizen/me${req.path}`) : new CitizenProblem(404, 'not-found', `There is no /citizen/me${req.path}`);
      }
      const principal = await authenticate(req);
      resolved = { req, now, requestId, ...(await resolve(req, principal, route, now, requestId)) };
      const reply = await handlers[key](resolved);
      await append({ requestId, now, req, actor: resolved.actor, personId: resolved.subject.personId, action: route.action, outcome: 'permit', headings: reply.headings ?? [], reasons: reply.reasons ?? [] });
      sendReply(res, reply, requestId);
    } catch (error) {
      const problem = error instanceof CitizenProblem ? error : new CitizenProblem(500, 'exception', 'Something went wrong on our side; nothing was changed. Please try again later.');
      if (!(error instanceof CitizenProblem)) console.error(`citizen ${requestId}:`, error);
      if (resolved && route) {
        try {
          await append({ requestId, now, req, actor: resolved.actor, personId: resolved.subject.personId, action: route.action, outcome: 'deny', reasons: [`problem:${problem.status}:${problem.field ?? problem.code}`] });
        } catch (auditError) {
          console.error(`citizen ${requestId}: audit failed`, auditError);
          sendProblem(res, new CitizenProblem(500, 'exception', 'Something went wrong on our side; nothing was changed. Please try again later.'), requestId);
          return;
        }
      }
      sendProblem(res, problem, requestId);
    }
  });

  router.post('/citizen/contact-centre/opt-out', async (req: Request, res: Response) => {
    const requestId = randomUUID();
    const now = clock();
    try {
      const principal = await authenticate(req);
      if (principal.kind !== 'staff' || !contactCentreRoles.has(principal.roleId))
        throw new CitizenProblem(403, 'forbidden', 'Only contact-centre staff may record a choice for a caller.');
      parse(NoQuery, req.query);
      const body = parse(ContactCentreOptOutSchema, req.body ?? {});
      const person = await records.findPerson(body.nhsNumber);
      if (!person) throw new CitizenProblem(404, 'not-found', 'nhsNumber: the shared record holds nobody with this NHS number; check it with the caller', 'nhsNumber');
      const actor: CitizenActor = { kind: 'contact-centre', userId: principal.userId, name: principal.name, roleId: principal.roleId, organisation: principal.organisation };
      const change: PreferenceChange = { decision: body.decision, ...(body.organisation ? { organisation: body.organisation } : {}) };
      const receipt = await recordChoice(person.personId, person, change, {
        kind: 'contact-centre',
        userId: principal.userId,
        name: principal.name,
        organisation: organisationName(principal.organisation.ods) ?? principal.organisation.ods,
        callerName: body.callerName,
        verification: body.verification,
      }, now);
      await append({ requestId, now, req, actor, personId: person.personId, action: 'change-preferences', outcome: 'permit', reasons: [`consent:${receipt.consentId}`, `receipt:${receipt.reference}`, `verification:${body.verification.method}`] });
      sendReply(res, { status: 201, type: 'json', body: receipt }, requestId);
    } catch (error) {
      const problem = error instanceof CitizenProblem ? error : new CitizenProblem(500, 'exception', 'Something went wrong on our side; nothing was changed.');
      if (!(error instanceof CitizenProblem)) console.error(`citizen ${requestId}:`, error);
      sendProblem(res, problem, requestId);
    }
  });

  router.get('/citizen/notice', (req: Request, res: Response) => {
    const requestId = randomUUID();
    try {
      const { format } = parse(FormatQuery(['html', 'markdown', 'json']), req.query);
      const chosen = format ?? (req.accepts(['text/html', 'text/markdown', 'application/json']) || 'text/html');
      if (chosen === 'json' || chosen === 'application/json') sendReply(res, { type: 'json', body: notice }, requestId);
      else if (chosen === 'markdown' || chosen === 'text/markdown') sendReply(res, { type: 'markdown', body: renderNoticeMarkdown(notice) }, requestId);
      else sendReply(res, { type: 'html', body: renderNoticeHtml(notice, { page: true }) }, requestId);
    } catch (error) {
      sendProblem(res, error instanceof CitizenProblem ? error : new CitizenProblem(500, 'exception', 'Something went wrong on our side.'), requestId);
    }
  });

  // Body parser failures (bad JSON, too large) as OperationOutcomes.
  router.use('/citizen', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (error as { type?: string } | null)?.type;
    if (type === 'entity.parse.failed')
      return sendProblem(res, new CitizenProblem(400, 'invalid', /NUL/.test((error as Error).message) ? '(body): a string contains a NUL character' : '(body): not valid JSON'), randomUUID());
    if (type === 'entity.too.large') return sendProblem(res, new CitizenProblem(413, 'too-long', '(body): larger than 32 kB'), randomUUID());
    next(error);
  });
  return router;
}

