import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { NHS_NUMBER_SYSTEM, isValidNhsNumber, normaliseNhsNumber, type OperationOutcomeIssue, type ResourceLike } from '@openidcr/model';
import { BREAK_GLASS_REASONS, FILTER_ELEMENTS, requestBreakGlass, sourceOrganisationOf, type BreakGlassGrant, type Decision, type LocalityPolicy, type WithheldCount } from '@openidcr/governance';
import type { RecordStore } from '@openidcr/store';
import { authenticate, userOf, type AuthenticatedUser, type TokenVerifier } from '../auth/tokens.js';
import { HttpProblem, POLICY_CODE_SYSTEM, PolicyCodes, badParameter, issue, outcome, sendFhir, sendProblem, storeUnavailable } from '../http/outcome.js';
import type { RolloutAccess } from '../locality/rollout.js';
import { httpHygiene, refuseNulInJson } from '../http/middleware.js';
import { acceptJsonOnly } from '../http/accept.js';
import { publicOrigin } from '../http/public-origin.js';
import { storeAuditSink, type AuditSink } from '../policy/audit.js';
import { PolicyPoint, inMemoryGrants, storeAlerts, storeGrants, type AlertSink, type BreakGlassGrants, type GovernanceReader, type PatientScope, type PolicyAlert, type PolicyInputs } from '../policy/pep.js';
import { pooledSource } from '../topology/pooled.js';
import { SourceInputError, type LocatedResource, type RecordSource, type UnavailableSource } from '../topology/source.js';
import { denialIssues, searchset, searchsetText, unavailableIssue, withheldIssue } from './bundle.js';
import { capabilityStatement, type RouteCapability } from './capability.js';
import {
  COMMON_SEARCH_PARAMS,
  PATIENT_INCLUDES,
  Query,
  RECORD_TYPES,
  countOf,
  dateRangeOf,
  includesOf,
  matchesToken,
  referencesAt,
  sortOf,
  tokensOf,
  type SearchParamSpec,
} from './search-params.js';

/** What `fhirRouter` needs. Give a `store` for the pooled topology, or a `source` (plus `governance` and `audit`). */
export interface FhirRouterDeps {
  /** The pooled store: record source, governance data and audit in one. */
  store?: RecordStore | undefined;
  /** Where the record is read from (default: the store). */
  source?: RecordSource | undefined;
  /** Consents and legitimate relationships (default: the store). */
  governance?: GovernanceReader | undefined;
  /** Where audit events go (default: the store's hash-chained audit table). */
  audit?: AuditSink | undefined;
  policy: LocalityPolicy;
  /** Verifies bearer tokens. */
  auth: TokenVerifier;
  logger: Logger;
  clock?: (() => Date) | undefined;
  /** Break-glass grants (default: the store's, shared by every process; in memory without a store). */
  grants?: BreakGlassGrants | undefined;
  /** Staged roll-out (see `rolloutAccess`): users outside their organisation's stage are refused every data route. */
  rollout?: ((user: AuthenticatedUser) => RolloutAccess) | undefined;
  /** Source organisations whose feed is in its data-quality trial: their items are withheld (see `PolicyPointDeps`). */
  sourcesInTrial?: (() => ReadonlySet<string>) | undefined;
  /** The privacy officers' review queue (default: the store's `privacy_alerts`). */
  alerts?: AlertSink | undefined;
  onAlert?: ((alert: PolicyAlert) => void) | undefined;
  /** The public base URL (e.g. `https://idcr.example.nhs.uk`); default: from each request. */
  publicUrl?: string | undefined;
  /** Whether CORS is configured in front of the router (the CapabilityStatement's `rest.security.cors`); default false. */
  cors?: boolean | undefined;
  /** Install helmet, gzip and request logging on the router (default true); false when the app already does. */
  hygiene?: boolean | undefined;
  software?: { name: string; version: string } | undefined;
}

/** Marks an express handler as the policy enforcement point wrapping a patient-data route. */
export const PEP_MARK = Symbol.for('openidcr.policy-enforcement-point');
/** Marks a handler that serves no patient data (capability, reference data), with the reason. */
export const NOT_PATIENT_DATA = Symbol.for('openidcr.not-patient-data');

/** One access to one person's record within a request: decided, filtered, audited once. */
interface Access {
  decision: Decision;
  scope: PatientScope;
  withheld: Map<WithheldCount['reason'], WithheldCount>;
  filter<T extends ResourceLike>(resources: readonly T[]): T[];
  withheldTotal(): number;
}

interface DataContext {
  req: Request;
  user: AuthenticatedUser;
  base: string;
  selfUrl: string;
  now: Date;
  /** Decides for the person; every access made is audited exactly once when the handler ends, even if it throws. */
  access(scope: PatientScope, options?: { breakGlass?: BreakGlassGrant; inputs?: PolicyInputs }): Promise<Access>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type DataHandler = (ctx: DataContext) => Promise<Reply>;

interface RouteDef {
  method: 'get' | 'post';
  /** Path under `/fhir`. */
  path: string;
  capability?: RouteCapability;
  handler: RequestHandler;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const VIRTUAL_WARD_INCLUDES = ['Encounter:subject', 'Encounter:location', 'Encounter:service-provider'];

function originOf(req: Request, publicUrl: string | undefined): string {
  return publicOrigin(req, publicUrl);
}

function idParam(req: Request, name = 'id'): string {
  const id = req.params[name];
  if (typeof id !== 'string' || !FHIR_ID.test(id)) throw badParameter(name, 'not a FHIR id (1 to 64 letters, digits, - and .)');
  return id;
}

/** The FHIR R4 REST API over a record source, with the policy enforcement point on every patient-data route. */
export function fhirRouter(deps: FhirRouterDeps): Router {
  const source = deps.source ?? (deps.store ? pooledSource(deps.store) : undefined);
  const governance = deps.governance ?? deps.store;
  const audit = deps.audit ?? (deps.store ? storeAuditSink(deps.store) : undefined);
  if (!source || !governance || !audit) throw new Error('fhirRouter: give a store, or a source with governance and audit');
  const clock = deps.clock ?? (() => new Date());
  // `$everything` on the pooled topology, when the policy reads its governance data from the same store, reads the
  // record, consents and relationships in one query instead of four.
  const folded = source.topology === 'pooled' && deps.store && governance === deps.store ? deps.store : undefined;
  const pep = new PolicyPoint({ policy: deps.policy, governance, audit, grants: deps.grants ?? (deps.store ? storeGrants(deps.store) : inMemoryGrants()),
    alerts: deps.alerts ?? (deps.store ? storeAlerts(deps.store) : undefined),
    rollout: deps.rollout,
    sourcesInTrial: deps.sourcesInTrial,
    clock,
    logger: deps.logger,
    onAlert: deps.onAlert,
  });
  const logger = deps.logger;

  // ---- the policy enforcement point -------------------------------------------------------------------------------

  /** Wraps a patient-data handler: authenticated professional → handler (which must decide through `access`) → audit → reply. */
  function protect(action: 'read' | 'search', handler: DataHandler): RequestHandler {
    const wrapped: RequestHandler = async (req, res, next) => {
      const user = userOf(res);
      if (!user) return sendProblem(res, new HttpProblem(401, 'login', 'Authorization: a bearer token is required'));
      if (user.kind !== 'professional')
        return sendProblem(res, new HttpProblem(403, 'forbidden', 'This API serves professionals; a citizen sees their own record through the citizen service.'));
      const outsideRollout = pep.outsideRollout(user);
      if (outsideRollout !== undefined)
        return sendProblem(
          res,
          new HttpProblem(403, 'forbidden', outsideRollout, {
            outcome: outcome({ severity: 'error', code: 'forbidden', diagnostics: outsideRollout, details: { coding: [{ system: POLICY_CODE_SYSTEM, code: PolicyCodes.notInRolloutStage, display: 'Not in the current roll-out stage' }], text: outsideRollout } }),
          }),
        );
      const accesses: Access[] = [];
      const now = clock();
      const origin = originOf(req, deps.publicUrl);
      const ctx: DataContext = {
        req,
        user,
        base: `${origin}${req.baseUrl}/fhir`,
        selfUrl: `${origin}${req.originalUrl}`,
        now,
        async access(scope, options = {}) {
          if (user.patient !== undefined && isPatientLevel(user) && !scope.patients.some((p) => p.id === user.patient))
            throw new HttpProblem(403, 'forbidden', `This token is for Patient/${user.patient} only (SMART patient launch).`);
          const decision = await pep.decide(user, scope, options);
          const withheld = new Map<WithheldCount['reason'], WithheldCount>();
          const access: Access = {
            decision,
            scope,
            withheld,
            filter(resources) {
              const result = pep.filter(resources, decision);
              for (const w of result.withheld) {
                const seen = withheld.get(w.reason);
                withheld.set(w.reason, { ...w, count: (seen?.count ?? 0) + w.count });
              }
              return result.kept;
            },
            withheldTotal: () => [...withheld.values()].reduce((sum, w) => sum + w.count, 0),
          };
          accesses.push(access);
          return access;
        },
      };
      let reply: Reply | undefined;
      let failure: unknown;
      try {
        reply = await handler(ctx);
      } catch (error) {
        failure = error;
      }
      try {
        for (const access of accesses) {
          await pep.audit(access.decision, access.scope, { action, query: `${req.method} ${req.originalUrl}`, withheld: [...access.withheld.values()] });
        }
      } catch (error) {
        logger.error({ err: error }, 'audit append failed: nothing returned');
        return sendProblem(res, storeUnavailable(error) ?? new HttpProblem(500, 'exception', 'The access could not be recorded in the audit log, so nothing is returned. Try again.'));
      }
      if (failure !== undefined) return next(failure);
      if (!reply) return next(new Error('handler returned no reply'));
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      if (reply.body === undefined) res.status(reply.status).end();
      else sendFhir(res, reply.status, reply.body);
    };
    Object.defineProperty(wrapped, PEP_MARK, { value: true });
    return wrapped;
  }

  function notPatientData(reason: string, handler: RequestHandler): RequestHandler {
    const wrapped: RequestHandler = async (req, res, next) => {
      try {
        await handler(req, res, next);
      } catch (error) {
        next(error);
      }
    };
    Object.defineProperty(wrapped, NOT_PATIENT_DATA, { value: reason });
    return wrapped;
  }

  function requirePermit(access: Access, patientReference: string): void {
    if (access.decision.effect === 'permit') return;
    throw new HttpProblem(403, 'forbidden', access.decision.reasons[0]?.text ?? 'Access denied by policy.', { outcome: outcome(...denialIssues(access.decision, patientReference)) });
  }

  async function scopeOfKey(patientKey: string): Promise<{ scope: PatientScope; unavailable: UnavailableSource[] }> {
    const patients = await source!.patientsOf(patientKey);
    return { scope: { patientKey, patients: patients.value }, unavailable: patients.unavailable };
  }

  async function scopeOfPatient(id: string, parameter: string): Promise<{ scope: PatientScope; patient: LocatedResource; unavailable: UnavailableSource[] }> {
    const found = await source!.read('Patient', id);
    const patient = found.value;
    if (!patient || patient.patientKey === undefined) {
      const why = found.unavailable.length > 0 ? ` (${found.unavailable.map((u) => u.name).join(', ')} did not answer)` : '';
      throw new HttpProblem(404, 'not-found', `${parameter}: Patient/${id} is not known${why}`, { expression: parameter });
    }
    const { scope, unavailable } = await scopeOfKey(patient.patientKey);
    return { scope, patient, unavailable: [...found.unavailable, ...unavailable] };
  }

  function issuesOf(access: Access, unavailable: readonly UnavailableSource[]): Array<OperationOutcomeIssue | undefined> {
    return [withheldIssue([...access.withheld.values()], access.withheldTotal()), ...dedupe(unavailable).map(unavailableIssue)];
  }

  async function includesFor(kept: readonly ResourceLike[], includes: ReturnType<typeof includesOf>, access: Access): Promise<{ resources: ResourceLike[]; unavailable: UnavailableSource[] }> {
    if (includes.length === 0) return { resources: [], unavailable: [] };
    const references = referencesAt(kept, includes);
    const found = await Promise.all(references.map((ref) => source!.read(ref.type, ref.id)));
    const reference = found.flatMap((f) => (f.value && f.value.patientKey === undefined ? [f.value.resource] : []));
    return { resources: access.filter(reference), unavailable: found.flatMap((f) => f.unavailable) };
  }

  // ---- handlers ---------------------------------------------------------------------------------------------------

  function readHandler(type: string, versioned: boolean): DataHandler {
    return async (ctx) => {
      new Query(ctx.req.originalUrl, []);
      const id = idParam(ctx.req);
      const vid = versioned ? ctx.req.params.vid : undefined;
      if (versioned && (typeof vid !== 'string' || !/^[1-9]\d{0,9}$/.test(vid))) throw badParameter('vid', 'a version number');
      const version = typeof vid === 'string' ? vid : undefined;
      const found = version !== undefined ? await source!.readVersion(type, id, version) : await source!.read(type, id);
      const item = found.value;
      if (!item || item.patientKey === undefined || item.resource.resourceType !== type) {
        throw new HttpProblem(404, 'not-found', `${type}/${id}${version ? `/_history/${version}` : ''} is not known`);
      }
      const { scope } = await scopeOfKey(item.patientKey);
      const access = await ctx.access(scope);
      requirePermit(access, type === 'Patient' ? `Patient/${id}` : `${type}/${id}`);
      const kept = access.filter([item.resource]);
      if (kept.length === 0) {
        const why = [...access.withheld.values()][0]?.text ?? 'Withheld by policy.';
        throw new HttpProblem(403, 'suppressed', `${type}/${id} is withheld by policy: ${why}`, { outcome: outcome(withheldIssue([...access.withheld.values()], 1)!) });
      }
      const headers: Record<string, string> = {};
      if (item.version) headers.ETag = `W/"${item.version}"`;
      if (item.lastUpdated) headers['Last-Modified'] = new Date(item.lastUpdated).toUTCString();
      const ifNoneMatch = ctx.req.get('if-none-match');
      if (ifNoneMatch && item.version && ifNoneMatch.split(',').some((tag) => tag.trim() === headers.ETag || tag.trim() === `"${item.version}"`)) return { status: 304, headers };
      return { status: 200, body: kept[0], headers };
    };
  }

  /**
   * The virtual ward, `Encounter?patient.general-practitioner=<ODS>&status=in-progress`: the open inpatient stays of
   * the people registered with the user's own practice. One policy decision and one audit event per person listed;
   * a person the policy does not show is counted, not listed. With `_include=Encounter:subject` the Patients come too,
   * and Encounter:location / Encounter:service-provider name the ward and the hospital.
   */
  const virtualWard: DataHandler = async (ctx) => {
    const query = new Query(ctx.req.originalUrl, ['patient.general-practitioner', 'status', 'class', '_include']);
    const practice = (query.one('patient.general-practitioner') ?? '').replace(/^Organization\//, '');
    if (!/^[A-Z0-9]{3,6}$/.test(practice)) throw badParameter('patient.general-practitioner', 'the practice ODS code, e.g. Organization/Y01234');
    if (query.one('status') !== 'in-progress') throw badParameter('status', 'in-progress (the virtual ward lists open admissions)');
    const inpatientClass = query.one('class');
    if (inpatientClass !== undefined && inpatientClass !== 'IMP') throw badParameter('class', 'IMP (inpatient)');
    const includes = query.all('_include');
    for (const include of includes)
      if (!VIRTUAL_WARD_INCLUDES.includes(include)) throw badParameter('_include', `supported: ${VIRTUAL_WARD_INCLUDES.join(', ')}`);
    if (ctx.user.organisation?.ods !== practice)
      throw new HttpProblem(403, 'forbidden', `patient.general-practitioner: the virtual ward lists your own practice's patients (${ctx.user.organisation?.ods ?? 'no organisation'}), not ${practice}'s`, {
        expression: 'patient.general-practitioner',
      });
    if (!source!.currentAdmissions)
      throw new HttpProblem(501, 'not-supported', `The virtual ward needs the pooled record; this ${source!.topology} locality asks its sources one person at a time`);
    const admissions = await source!.currentAdmissions(practice);
    const byPerson = new Map<string, ResourceLike[]>();
    for (const admission of admissions.value) byPerson.set(admission.patientKey, [...(byPerson.get(admission.patientKey) ?? []), admission.encounter]);
    const matches: ResourceLike[] = [];
    const included: ResourceLike[] = [];
    const issues: Array<OperationOutcomeIssue | undefined> = [];
    const unavailable = [...admissions.unavailable];
    let withheldPeople = 0;
    const wants = (name: string) => includes.includes(`Encounter:${name}`);
    for (const [patientKey, encounters] of byPerson) {
      const { scope, unavailable: missing } = await scopeOfKey(patientKey);
      unavailable.push(...missing);
      const access = await ctx.access(scope);
      if (access.decision.effect !== 'permit') {
        withheldPeople++;
        continue;
      }
      const kept = access.filter(encounters);
      if (kept.length === 0) continue;
      matches.push(...kept);
      issues.push(withheldIssue([...access.withheld.values()], access.withheldTotal()));
      const subjects = new Set(kept.map((e) => (e.subject as { reference?: string } | undefined)?.reference));
      if (wants('subject')) included.push(...access.filter(scope.patients.filter((p) => subjects.has(`Patient/${p.id}`))));
      const references = referencesAt(kept, [
        ...(wants('location') ? [{ paths: ['location.location'], target: 'Location' }] : []),
        ...(wants('service-provider') ? [{ paths: ['serviceProvider'], target: 'Organization' }] : []),
      ]).filter((ref) => !included.some((r) => r.resourceType === ref.type && r.id === ref.id));
      // HL7 v2 feeds name the hospital by ODS code only: the locality's Organization of that code (id = ODS code).
      if (wants('service-provider'))
        for (const encounter of kept) {
          const ods = (encounter.serviceProvider as { reference?: string; identifier?: { value?: string } } | undefined)?.identifier?.value;
          if (ods && !(encounter.serviceProvider as { reference?: string }).reference && FHIR_ID.test(ods) && !references.some((r) => r.type === 'Organization' && r.id === ods) && !included.some((r) => r.resourceType === 'Organization' && r.id === ods))
            references.push({ type: 'Organization', id: ods });
        }
      const found = await Promise.all(references.map((ref) => source!.read(ref.type, ref.id)));
      unavailable.push(...found.flatMap((f) => f.unavailable));
      included.push(...access.filter(found.flatMap((f) => (f.value && f.value.patientKey === undefined ? [f.value.resource] : []))));
    }
    if (withheldPeople > 0)
      issues.unshift(issue('information', 'suppressed', `${withheldPeople} of the practice's patients in hospital ${withheldPeople === 1 ? 'is' : 'are'} not shown: you do not have access to their record.`));
    return { status: 200, body: searchset({ base: ctx.base, selfUrl: ctx.selfUrl, matches, includes: included, issues: [...issues, ...dedupe(unavailable).map(unavailableIssue)], now: ctx.now }) };
  };

  function searchHandler(spec: (typeof RECORD_TYPES)[number]): DataHandler {
    const tokenNames = Object.keys(spec.tokens);
    return async (ctx) => {
      if (spec.type === 'Encounter' && new URL(ctx.req.originalUrl, 'http://localhost').searchParams.has('patient.general-practitioner')) return virtualWard(ctx);
      const query = new Query(ctx.req.originalUrl, ['patient', 'date', '_count', '_sort', '_cursor', '_include', ...tokenNames]);
      const patientParam = query.one('patient');
      if (patientParam === undefined) throw new HttpProblem(400, 'required', 'patient: required (this API searches one person\'s record at a time)', { expression: 'patient' });
      const patientId = patientParam.replace(/^Patient\//, '');
      if (!FHIR_ID.test(patientId)) throw badParameter('patient', 'Patient/<id> or <id>');
      const count = countOf(query, 50, 1000);
      const sort = sortOf(query);
      const range = dateRangeOf(query);
      const includes = includesOf(query, spec.type, spec.includes);
      const tokens = tokenNames.flatMap((name) => {
        const values = tokensOf(query, name);
        return values ? [{ paths: spec.tokens[name]!.paths, values }] : [];
      });
      const cursor = query.one('_cursor');
      const { scope, unavailable } = await scopeOfPatient(patientId, 'patient');
      const access = await ctx.access(scope);
      requirePermit(access, `Patient/${patientId}`);
      const matched: LocatedResource[] = [];
      const missing = [...unavailable];
      let next = cursor;
      // Category and code are matched here, page by page, so a page never holds more than _count matches and the
      // cursor always points just after the last row read.
      for (let round = 0; round < 20; round++) {
        const page = await source!.list({ patientKey: scope.patientKey, resourceTypes: [spec.type], from: range.from, to: range.to, sort, limit: count - matched.length, cursor: next });
        missing.push(...page.unavailable);
        matched.push(...page.value.items.filter((item) => tokens.every((token) => matchesToken(item.resource, token.paths, token.values))));
        next = page.value.nextCursor;
        if (!next || matched.length >= count) break;
      }
      const kept = access.filter(matched.map((m) => m.resource));
      const included = await includesFor(kept, includes, access);
      return {
        status: 200,
        body: searchset({
          base: ctx.base,
          selfUrl: ctx.selfUrl,
          nextUrl: next ? `${ctx.base}/${spec.type}?${query.withCursor(next)}` : undefined,
          matches: kept,
          includes: included.resources,
          issues: issuesOf(access, [...missing, ...included.unavailable]),
          now: ctx.now,
        }),
      };
    };
  }

  const patientSearch: DataHandler = async (ctx) => {
    const query = new Query(ctx.req.originalUrl, ['identifier', 'family', 'given', 'birthdate', 'address-postalcode', 'gender', '_count', '_cursor', '_include']);
    const count = countOf(query, 20, 200);
    const includes = includesOf(query, 'Patient', PATIENT_INCLUDES);
    const identifierRaw = query.one('identifier');
    const demographics = { family: query.one('family'), given: query.one('given'), birthDate: query.one('birthdate'), postcode: query.one('address-postalcode'), gender: query.one('gender') };
    let identifier: { system: string; value: string } | undefined;
    if (identifierRaw !== undefined) {
      const bar = identifierRaw.indexOf('|');
      if (bar <= 0 || bar === identifierRaw.length - 1) throw badParameter('identifier', `give system|value, e.g. ${NHS_NUMBER_SYSTEM}|9434765919`);
      identifier = { system: identifierRaw.slice(0, bar), value: identifierRaw.slice(bar + 1) };
      if (identifier.system === NHS_NUMBER_SYSTEM) {
        if (!isValidNhsNumber(identifier.value)) throw badParameter('identifier', `${JSON.stringify(identifier.value)} is not a valid NHS number (10 digits with a correct check digit)`);
        identifier.value = normaliseNhsNumber(identifier.value);
      }
      const combined = Object.entries(demographics).find(([, v]) => v !== undefined);
      if (combined) throw badParameter('identifier', 'search by identifier alone, or by demographics alone');
    } else if (demographics.family === undefined && demographics.given === undefined && demographics.birthDate === undefined && demographics.postcode === undefined) {
      throw new HttpProblem(400, 'required', 'identifier: give at least one of identifier, family, given, birthdate or address-postalcode', { expression: 'identifier' });
    }
    if (demographics.birthDate !== undefined) {
      demographics.birthDate = demographics.birthDate.replace(/^eq/, '');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(demographics.birthDate) || Number.isNaN(Date.parse(demographics.birthDate))) throw badParameter('birthdate', 'a date YYYY-MM-DD');
    }
    if (demographics.gender !== undefined && !['male', 'female', 'other', 'unknown'].includes(demographics.gender)) throw badParameter('gender', 'male, female, other or unknown');
    const found = await source!.searchPatients({ identifier, ...demographics, limit: count, cursor: query.one('_cursor') });
    const byPerson = new Map<string, LocatedResource[]>();
    for (const item of found.value.items) {
      if (item.patientKey === undefined) continue;
      byPerson.set(item.patientKey, [...(byPerson.get(item.patientKey) ?? []), item]);
    }
    const matches: ResourceLike[] = [];
    const included: ResourceLike[] = [];
    const issues: Array<OperationOutcomeIssue | undefined> = [];
    const unavailable = [...found.unavailable];
    let withheldPeople = 0;
    for (const [patientKey, items] of byPerson) {
      const { scope, unavailable: missing } = await scopeOfKey(patientKey);
      unavailable.push(...missing);
      const access = await ctx.access(scope);
      if (access.decision.effect !== 'permit') {
        withheldPeople++;
        issues.push(...denialIssues(access.decision, `Patient/${items[0]!.resource.id}`).slice(0, 1).map((i) => ({ ...i, severity: 'information' as const, code: 'suppressed' })));
        continue;
      }
      const kept = access.filter(items.map((i) => i.resource));
      matches.push(...samePersonLinks(kept, scope.patients));
      issues.push(withheldIssue([...access.withheld.values()], access.withheldTotal()));
      const extra = await includesFor(kept, includes, access);
      included.push(...extra.resources.filter((r) => !included.some((x) => x.resourceType === r.resourceType && x.id === r.id)));
      unavailable.push(...extra.unavailable);
    }
    if (withheldPeople > 0)
      issues.unshift(issue('information', 'suppressed', `${withheldPeople} matching ${withheldPeople === 1 ? 'person is' : 'people are'} not shown: you do not have access to their record.`));
    return {
      status: 200,
      body: searchset({
        base: ctx.base,
        selfUrl: ctx.selfUrl,
        nextUrl: found.value.nextCursor ? `${ctx.base}/Patient?${query.withCursor(found.value.nextCursor)}` : undefined,
        matches,
        includes: included,
        issues: [...issues, ...dedupe(unavailable).map(unavailableIssue)],
        now: ctx.now,
      }),
    };
  };

  // The organisations a record's items come from, so a viewer can name each source. Reference data changes rarely: an
  // organisation is kept a minute, so a record view costs no extra round trip for it.
  const organisations = new Map<string, { at: number; resource: ResourceLike | undefined }>();
  async function sourceOrganisations(kept: readonly ResourceLike[], access: Access, now: number): Promise<ResourceLike[]> {
    const codes = new Set<string>();
    for (const resource of kept) {
      const ods = sourceOrganisationOf(resource as Parameters<typeof sourceOrganisationOf>[0]);
      if (ods && FHIR_ID.test(ods)) codes.add(ods);
    }
    const out: ResourceLike[] = [];
    const missing: string[] = [];
    for (const code of codes) {
      const cached = organisations.get(code);
      if (cached && now - cached.at < 60_000) {
        if (cached.resource) out.push(cached.resource);
      } else missing.push(code);
    }
    const found = await Promise.all(missing.map((code) => source!.read('Organization', code)));
    if (organisations.size > 10_000) organisations.clear();
    missing.forEach((code, i) => {
      const item = found[i]!.value;
      const resource = item && item.patientKey === undefined && item.resource.resourceType === 'Organization' ? item.resource : undefined;
      organisations.set(code, { at: now, resource });
      if (resource) out.push(resource);
    });
    return access.filter(out);
  }

  const everything: DataHandler = async (ctx) => {
    new Query(ctx.req.originalUrl, []);
    const id = idParam(ctx.req);
    if (folded) {
      // Pooled, with governance in the same store: the record, consents and relationships in one query.
      // Each resource is read cut down to the elements the filter decides on (and whole as text, to send); the
      // person's Patient resources are parsed whole for the decision (their registered GP).
      const view = await folded.recordForView(id, ctx.now.toISOString(), { elements: FILTER_ELEMENTS });
      if (!view) throw new HttpProblem(404, 'not-found', `id: Patient/${id} is not known`, { expression: 'id' });
      const inputs = pep.inputsFrom(view.patientKey, view.consents, view.relationships);
      const patients = view.resources.flatMap((r, i) => (r.resourceType === 'Patient' ? [JSON.parse(view.json[i]!) as ResourceLike] : []));
      const access = await ctx.access({ patientKey: view.patientKey, patients }, { inputs });
      requirePermit(access, `Patient/${id}`);
      const kept = access.filter(view.resources);
      const includes = await sourceOrganisations(kept, access, ctx.now.getTime());
      // The kept resources are sent whole, as the text they were stored as, not serialised again. The filter keeps or
      // withholds whole items (the very objects given); anything else would send a cut-down resource, so it is refused.
      const textOf = new Map<object, string>(view.resources.map((resource, i) => [resource, view.json[i]!]));
      if (!kept.every((resource) => textOf.has(resource))) throw new Error('$everything: the policy filter returned an item it was not given');
      return { status: 200, body: searchsetText({ base: ctx.base, selfUrl: ctx.selfUrl, matches: kept, includes, issues: issuesOf(access, []), now: ctx.now, total: kept.length }, textOf) };
    }
    const found = await source!.read('Patient', id);
    const patient = found.value;
    if (!patient || patient.patientKey === undefined) throw new HttpProblem(404, 'not-found', `id: Patient/${id} is not known`, { expression: 'id' });
    // The record is read before the decision (nothing leaves before it), so its Patient resources serve the policy
    // without a second query; a deny discards it.
    const [record, inputs] = await Promise.all([source!.everything(patient.patientKey), pep.inputs(patient.patientKey)]);
    const patients = record.value.filter((r) => r.resourceType === 'Patient');
    const access = await ctx.access({ patientKey: patient.patientKey, patients: patients.length > 0 ? patients : [patient.resource] }, { inputs });
    requirePermit(access, `Patient/${id}`);
    const kept = access.filter(record.value);
    const includes = await sourceOrganisations(kept, access, ctx.now.getTime());
    return {
      status: 200,
      body: searchset({ base: ctx.base, selfUrl: ctx.selfUrl, matches: kept, includes, issues: issuesOf(access, [...found.unavailable, ...record.unavailable]), now: ctx.now, total: kept.length }),
    };
  };

  const BreakGlassBody = z.object({
    reason: z.string({ error: 'required: say why you need emergency access' }).trim().min(1, 'required: say why you need emergency access'),
    reasonCode: z.enum(Object.keys(BREAK_GLASS_REASONS) as [keyof typeof BREAK_GLASS_REASONS, ...Array<keyof typeof BREAK_GLASS_REASONS>]).default('emergency-care'),
    minutes: z.number().int().positive().optional(),
  });

  const breakGlass: DataHandler = async (ctx) => {
    new Query(ctx.req.originalUrl, []);
    const id = idParam(ctx.req);
    const body = BreakGlassBody.safeParse(ctx.req.body ?? {});
    if (!body.success) {
      const first = body.error.issues[0]!;
      throw new HttpProblem(400, first.path.length === 0 ? 'invalid' : 'required', `${first.path.join('.') || 'body'}: ${first.message}`, { expression: first.path.join('.') || 'body' });
    }
    const { scope } = await scopeOfPatient(id, 'id');
    const current = await pep.decide(ctx.user, scope);
    if (current.effect === 'permit')
      throw new HttpProblem(409, 'conflict', current.breakGlassUsed ? 'Break-glass access to this record is already in force.' : 'You already have access to this record: break-glass is not needed.');
    if (!current.breakGlassAvailable) {
      requirePermit(await ctx.access(scope), `Patient/${id}`);
    }
    const request = requestBreakGlass({
      id: randomUUID(),
      userId: ctx.user.id,
      personId: scope.patientKey,
      organisation: ctx.user.organisation!.ods,
      reasonCode: body.data.reasonCode,
      reasonText: body.data.reason,
      now: ctx.now.toISOString(),
      ...(body.data.minutes !== undefined ? { minutes: body.data.minutes } : {}),
    });
    if (!request.ok) {
      const field = request.error.field === 'reasonText' ? 'reason' : request.error.field;
      throw new HttpProblem(400, 'invalid', request.error.message.replace(/^reasonText:/, 'reason:'), { expression: field });
    }
    const access = await ctx.access(scope, { breakGlass: request.grant });
    requirePermit(access, `Patient/${id}`);
    await pep.grant(request.grant);
    return {
      status: 201,
      headers: { Location: `${ctx.base}/Patient/${id}` },
      body: outcome({
        severity: 'information',
        code: 'informational',
        details: { text: `Break-glass access granted until ${request.grant.expiresAt}` },
        diagnostics: `Break-glass access to Patient/${id} granted until ${request.grant.expiresAt}. This access is recorded and will be reviewed by the privacy officer.`,
      }),
    };
  };

  function referenceRead(type: 'Organization' | 'Practitioner'): RequestHandler {
    return notPatientData(`${type} is reference data (who recorded or provides care), not a person's record`, async (req, res) => {
      new Query(req.originalUrl, []);
      const id = idParam(req);
      const found = await source!.read(type, id);
      const item = found.value;
      if (!item || item.patientKey !== undefined || item.resource.resourceType !== type) throw new HttpProblem(404, 'not-found', `${type}/${id} is not known`);
      if (item.version) res.setHeader('ETag', `W/"${item.version}"`);
      if (item.lastUpdated) res.setHeader('Last-Modified', new Date(item.lastUpdated).toUTCString());
      sendFhir(res, 200, item.resource);
    });
  }

  // ---- the route table: it builds both the router and the CapabilityStatement ---------------------------------------

  const searchParamsOf = (spec: (typeof RECORD_TYPES)[number]): SearchParamSpec[] => [
    { name: 'patient', type: 'reference', documentation: 'Required: the person whose record is searched (Patient/<id>)' },
    { name: 'date', type: 'date', documentation: 'Clinically relevant date: ge, le or exact (YYYY, YYYY-MM, YYYY-MM-DD)' },
    ...Object.entries(spec.tokens).map(([name, token]) => ({ name, type: 'token' as const, documentation: token.documentation })),
    { name: '_sort', type: 'special', documentation: '-date (default, newest first) or date' },
    ...COMMON_SEARCH_PARAMS,
    ...(spec.type === 'Encounter'
      ? [
          { name: 'patient.general-practitioner', type: 'reference' as const, documentation: 'Instead of patient: the virtual ward, the open inpatient stays of your own practice\'s patients (with status=in-progress)' },
          { name: 'status', type: 'token' as const, documentation: 'in-progress (virtual ward only)' },
        ]
      : []),
  ];

  const routes: RouteDef[] = [
    {
      method: 'get',
      path: '/Patient',
      capability: {
        type: 'Patient',
        interaction: 'search-type',
        searchParams: [
          { name: 'identifier', type: 'token', documentation: `${NHS_NUMBER_SYSTEM}|<NHS number>, or a local identifier system|value` },
          { name: 'family', type: 'string', documentation: 'Family name, starts with, any case and accents' },
          { name: 'given', type: 'string', documentation: 'Given name, starts with' },
          { name: 'birthdate', type: 'date', documentation: 'Date of birth, exact (YYYY-MM-DD)' },
          { name: 'address-postalcode', type: 'string', documentation: 'Postcode, starts with, spaces ignored' },
          { name: 'gender', type: 'token', documentation: 'male, female, other or unknown' },
          { name: '_count', type: 'number', documentation: 'Page size, 1 to 200 (default 20)' },
          { name: '_cursor', type: 'special', documentation: 'Opaque paging token from a next link' },
          { name: '_include', type: 'special', documentation: 'Patient:general-practitioner, Patient:organization' },
        ],
        includes: Object.keys(PATIENT_INCLUDES).map((p) => `Patient:${p}`),
      },
      handler: protect('search', patientSearch),
    },
    { method: 'get', path: '/Patient/:id', capability: { type: 'Patient', interaction: 'read' }, handler: protect('read', readHandler('Patient', false)) },
    { method: 'get', path: '/Patient/:id/_history/:vid', capability: { type: 'Patient', interaction: 'vread' }, handler: protect('read', readHandler('Patient', true)) },
    {
      method: 'get',
      path: '/Patient/:id/$everything',
      capability: { type: 'Patient', operation: { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything', documentation: 'The whole record the user may see, filtered by policy, in one searchset' } },
      handler: protect('search', everything),
    },
    {
      method: 'post',
      path: '/Patient/:id/$break-glass',
      capability: {
        type: 'Patient',
        operation: { name: 'break-glass', definition: 'https://openidcr.org/OperationDefinition/Patient-break-glass', documentation: 'Emergency access with a reason (JSON {"reason": "..."}): granted for a few hours, audited and alerted' },
      },
      handler: protect('read', breakGlass),
    },
    ...RECORD_TYPES.flatMap((spec): RouteDef[] => [
      {
        method: 'get',
        path: `/${spec.type}`,
        capability: { type: spec.type, interaction: 'search-type', searchParams: searchParamsOf(spec), includes: [...Object.keys(spec.includes).map((p) => `${spec.type}:${p}`), ...(spec.type === 'Encounter' ? ['Encounter:subject', 'Encounter:location'] : [])] },
        handler: protect('search', searchHandler(spec)),
      },
      { method: 'get', path: `/${spec.type}/:id`, capability: { type: spec.type, interaction: 'read' }, handler: protect('read', readHandler(spec.type, false)) },
      { method: 'get', path: `/${spec.type}/:id/_history/:vid`, capability: { type: spec.type, interaction: 'vread' }, handler: protect('read', readHandler(spec.type, true)) },
    ]),
    { method: 'get', path: '/Organization/:id', capability: { type: 'Organization', interaction: 'read' }, handler: referenceRead('Organization') },
    { method: 'get', path: '/Practitioner/:id', capability: { type: 'Practitioner', interaction: 'read' }, handler: referenceRead('Practitioner') },
  ];

  const capabilities = routes.flatMap((r) => (r.capability ? [r.capability] : []));

  // ---- assembly ----------------------------------------------------------------------------------------------------

  const router = express.Router();
  // Every response under /fhir is written by sendFhir, which gzips for itself.
  if (deps.hygiene !== false) for (const middleware of httpHygiene(logger, { selfCompressed: () => true })) router.use('/fhir', middleware);
  router.use('/fhir', acceptJsonOnly());
  router.get(
    '/fhir/metadata',
    notPatientData('the CapabilityStatement describes the server, not a person', (req, res) => {
      new Query(req.originalUrl, []);
      const origin = originOf(req, deps.publicUrl);
      sendFhir(res, 200, capabilityStatement(capabilities, { base: `${origin}${req.baseUrl}/fhir`, now: clock(), software: deps.software, topology: source.topology, cors: deps.cors }));
    }),
  );
  router.use('/fhir', authenticate(deps.auth));
  router.use('/fhir', express.json({ limit: '16kb', type: ['application/json', 'application/fhir+json'], verify: refuseNulInJson }));
  for (const route of routes) router[route.method](`/fhir${route.path}`, route.handler);
  router.all(
    '/fhir{/*rest}',
    notPatientData('answers unsupported paths', (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET');
        return sendProblem(res, new HttpProblem(405, 'not-supported', `${req.method} ${req.path}: the shared record is read-only; records change only at their source`));
      }
      sendProblem(res, new HttpProblem(404, 'not-supported', `GET ${req.path} is not supported; see ${req.baseUrl}/fhir/metadata`));
    }),
  );
  router.use('/fhir', (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof HttpProblem) return sendProblem(res, error);
    if (error instanceof SourceInputError) return sendProblem(res, badParameter(error.parameter, error.message.replace(/^[^:]+:\s*/, '')));
    const unavailable = storeUnavailable(error);
    if (unavailable) {
      logger.warn({ err: error, path: req.path }, 'record store unavailable');
      return sendProblem(res, unavailable);
    }
    const parseFailure = (error as { type?: string }).type;
    if (parseFailure === 'entity.parse.failed') return sendProblem(res, new HttpProblem(400, 'invalid', 'body: not valid JSON', { expression: 'body' }));
    if (parseFailure === 'entity.too.large') return sendProblem(res, new HttpProblem(413, 'too-costly', 'body: too large'));
    logger.error({ err: error, path: req.path }, 'unexpected error');
    sendProblem(res, new HttpProblem(500, 'exception', `An unexpected error happened (request ${String(res.getHeader('X-Request-Id') ?? 'unknown')}).`));
  });
  return router;
}

/**
 * The master patient index knows a person by several Patient resources (one per source, and those merged in): each
 * found one carries a `seealso` link to the others (FHIR Patient.link: "another patient resource known to contain
 * data about the same person"), so a client lists one person, not one row per source. Copies; the stored
 * resources are not changed.
 */
function samePersonLinks(found: readonly ResourceLike[], patients: readonly ResourceLike[]): ResourceLike[] {
  return found.map((patient) => {
    const others = patients.filter((p) => p.id !== patient.id && typeof p.id === 'string');
    if (others.length === 0) return patient;
    const existing = Array.isArray(patient.link) ? (patient.link as Array<{ other?: { reference?: string } }>) : [];
    const known = new Set(existing.map((l) => l.other?.reference));
    const added = others.filter((p) => !known.has(`Patient/${p.id}`)).map((p) => ({ other: { reference: `Patient/${p.id}` }, type: 'seealso' }));
    return added.length === 0 ? patient : { ...patient, link: [...existing, ...added] };
  });
}

function isPatientLevel(user: AuthenticatedUser): boolean {
  return user.scopes.some((s) => s.startsWith('patient/')) && !user.scopes.some((s) => s.startsWith('user/'));
}

function dedupe(unavailable: readonly UnavailableSource[]): UnavailableSource[] {
  const seen = new Map<string, UnavailableSource>();
  for (const u of unavailable) if (!seen.has(u.organisation)) seen.set(u.organisation, u);
  return [...seen.values()];
}
