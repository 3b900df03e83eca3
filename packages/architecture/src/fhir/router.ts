import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { NHS_NUMBER_SYSTEM, isValidNhsNumber, normaliseNhsNumber, type OperationOutcomeIssue, type ResourceLike } from '@openidcr/model';
import { BREAK_GLASS_REASONS, FILTER_ELEMENTS, requestBreakGlass, sourceOrganisationOf, toFhirAuditEvent, type BreakGlassGrant, type Decision, type LocalityPolicy, type WithheldCount } from '@openidcr/governance';
import type { RecordStore } from '@openidcr/store';
import { authenticate, userOf, type AuthenticatedUser, type TokenVerifier } from '../auth/tokens.js';
import { HttpProblem, JsonText, POLICY_CODE_SYSTEM, PolicyCodes, badParameter, issue, outcome, sendFhir, sendProblem, storeUnavailable } from '../http/outcome.js';
import type { RolloutAccess } from '../locality/rollout.js';
import { httpHygiene, refuseNulInJson } from '../http/middleware.js';
import { acceptJsonOnly } from '../http/accept.js';
import { publicOrigin } from '../http/public-origin.js';
import { chainedEventOf, storeAuditSink, type AuditSink } from '../policy/audit.js';
import { PolicyPoint, inMemoryGrants, storeAlerts, storeGrants, type AlertSink, type BreakGlassGrants, type GovernanceReader, type PatientScope, type PolicyAlert, type PolicyInputs } from '../policy/pep.js';
import { pooledSource } from '../topology/pooled.js';
import { SourceInputError, type LocatedResource, type RecordSource, type UnavailableSource } from '../topology/source.js';
import { denialIssues, searchset, searchsetText, unavailableIssue, withheldIssue } from './bundle.js';
import { capabilityStatement, type RouteCapability } from './capability.js';
import {
  COMMON_SEARCH_PARAMS,
  CURSOR_PARAM,
  ELEMENTS_PARAM,
  PATIENT_INCLUDES,
  SUMMARY_PARAM,
  countParam,
  Query,
  RECORD_TYPES,
  countOf,
  dateBoundsOf,
  dateRangeOf,
  includesOf,
  spanOfParam,
  preferLenient,
  referencesAt,
  shapeOf,
  shapeResource,
  sortOf,
  tokenFiltersOf,
  totalOf,
  withinBounds,
  type IncludeSpec,
  type SearchParamSpec,
} from './search-params.js';
import { SUMMARY_ELEMENTS } from './summary-elements.js';

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
  /** Where `AuditEvent` searches read the log (default: the store, when events go to its table; none otherwise). */
  auditReader?: Pick<RecordStore, 'readAudit'> | undefined;
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
  /** The SMART endpoints for a public origin, named in the CapabilityStatement (`rest.security`, oauth-uris). */
  smart?: ((origin: string) => { authorize?: string | undefined; token?: string | undefined }) | undefined;
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
  /** The request the access was made for (`GET /fhir/...`): a batch entry's own. */
  query: string;
  withheld: Map<WithheldCount['reason'], WithheldCount>;
  filter<T extends ResourceLike>(resources: readonly T[]): T[];
  /** How many of the resources the policy lets through, without counting the rest as withheld (a total). */
  count(resources: readonly ResourceLike[]): number;
  withheldTotal(): number;
}

interface DataContext {
  req: Request;
  user: AuthenticatedUser;
  base: string;
  selfUrl: string;
  now: Date;
  /** The request's query, checked against the parameters the route takes (`Prefer: handling=lenient` honoured). */
  query(allowed: readonly string[]): Query;
  /** Issues to report in a searchset's outcome entry: the parameters ignored under `Prefer: handling=lenient`. */
  notices(): OperationOutcomeIssue[];
  /** Decides for the person; every access made is audited exactly once when the handler ends, even if it throws. */
  access(scope: PatientScope, options?: { breakGlass?: BreakGlassGrant; inputs?: PolicyInputs; auditLog?: boolean }): Promise<Access>;
  /** Decides whether the user may read the person's audit log (no clinical data); audited the same way. */
  accessAuditLog(scope: PatientScope): Promise<Access>;
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
  /** The patient-data handler inside `handler` (GET routes), which a batch entry is answered with. */
  data?: DataHandler;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** Who recorded or provides care, and where: named by any record, returned whatever the token's resource scopes. */
const REFERENCE_TYPES: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'Location']);
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
  // The audit log is read back (AuditEvent) from the store's table, unless events go to another sink.
  const auditReader = deps.auditReader ?? (deps.audit === undefined ? deps.store : undefined);
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
  function protect(action: 'read' | 'search', handler: DataHandler, options: { citizens?: boolean } = {}): RequestHandler {
    const wrapped: RequestHandler = async (req, res, next) => {
      const user = userOf(res);
      if (!user) return sendProblem(res, new HttpProblem(401, 'login', 'Authorization: a bearer token is required'));
      if (user.kind !== 'professional' && !(options.citizens && user.kind === 'citizen'))
        return sendProblem(res, new HttpProblem(403, 'forbidden', user.kind === 'system' ? 'This API serves professionals; a system token (SMART Backend Services) sends feeds and reads no one\'s record.' : 'This API serves professionals; a citizen sees their own record through the citizen service.'));
      // Roll-out stages admit an organisation's professionals; a citizen (their own audit log) belongs to none.
      const outsideRollout = user.kind === 'professional' ? pep.outsideRollout(user) : undefined;
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
      const lenient = preferLenient(req.get('prefer'));
      const ignored: string[] = [];
      const ctx: DataContext = {
        req,
        user,
        base: `${origin}${req.baseUrl}/fhir`,
        selfUrl: `${origin}${req.originalUrl}`,
        now,
        query(this: DataContext, allowed) {
          const query = new Query(this.req.originalUrl, allowed, { lenient });
          ignored.push(...query.ignored.filter((name) => !ignored.includes(name)));
          return query;
        },
        notices: () => (ignored.length > 0 ? [issue('warning', 'not-supported', `Ignored (Prefer: handling=lenient): ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} not supported here.`)] : []),
        async accessAuditLog(scope) {
          return this.access(scope, { auditLog: true });
        },
        async access(this: DataContext, scope, options = {}) {
          if (user.patient !== undefined && isPatientLevel(user) && !scope.patients.some((p) => p.id === user.patient))
            throw new HttpProblem(403, 'forbidden', `This token is for Patient/${user.patient} only (SMART patient launch).`);
          const auditLog = options.auditLog === true;
          if (!auditLog && user.kind !== 'professional') throw new HttpProblem(403, 'forbidden', 'This API serves professionals; a citizen sees their own record through the citizen service.');
          const decision = auditLog ? pep.auditLogDecision(user, scope) : await pep.decide(user, scope, options);
          const withheld = new Map<WithheldCount['reason'], WithheldCount>();
          const access: Access = {
            decision,
            scope,
            query: `${this.req.method} ${this.req.originalUrl}`,
            withheld,
            filter(resources) {
              // Types outside the token's scopes are not returned (an app asked for less); not counted as withheld by policy.
              const inScope = user.scopes.length === 0 ? resources : resources.filter((r) => REFERENCE_TYPES.has(r.resourceType) || scopeAllows(user.scopes, r.resourceType, 'read'));
              const result = pep.filter(inScope, decision);
              for (const w of result.withheld) {
                const seen = withheld.get(w.reason);
                withheld.set(w.reason, { ...w, count: (seen?.count ?? 0) + w.count });
              }
              return result.kept;
            },
            count: (resources) => pep.filter(user.scopes.length === 0 ? resources : resources.filter((r) => scopeAllows(user.scopes, r.resourceType, 'read')), decision).kept.length,
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
          await pep.audit(access.decision, access.scope, { action, query: access.query, withheld: [...access.withheld.values()] });
        }
      } catch (error) {
        logger.error({ err: error }, 'audit append failed: nothing returned');
        return sendProblem(res, storeUnavailable(error) ?? new HttpProblem(500, 'exception', 'The access could not be recorded in the audit log, so nothing is returned. Try again.'));
      }
      if (failure !== undefined) return next(failure);
      if (!reply) return next(new Error('handler returned no reply'));
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      if (lenient) res.setHeader('Preference-Applied', 'handling=lenient');
      if (reply.body === undefined) res.status(reply.status).end();
      else sendFhir(res, reply.status, reply.body);
    };
    Object.defineProperty(wrapped, PEP_MARK, { value: true });
    return wrapped;
  }

  /** Refuses a request for a type the token's scopes do not cover (403 naming the scope it needs). */
  function scoped(type: string, interaction: 'read' | 'search', handler: DataHandler): DataHandler {
    return async (ctx) => {
      if (!scopeAllows(ctx.user.scopes, type, interaction)) {
        const level = isPatientLevel(ctx.user) ? 'patient' : 'user';
        throw new HttpProblem(403, 'forbidden', `scope: this token's scopes (${ctx.user.scopes.join(' ') || 'none'}) do not cover ${interaction === 'read' ? 'reading' : 'searching'} ${type}; it needs ${level}/${type}.${interaction === 'read' ? 'r' : 's'} (or .read, or ${level}/*)`);
      }
      return handler(ctx);
    };
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

  // ---- handlers ---------------------------------------------------------------------------------------------------

  function readHandler(type: string, versioned: boolean): DataHandler {
    return async (ctx) => {
      const shape = shapeOf(ctx.query(['_summary', '_elements']));
      if (shape.kind === 'count') throw badParameter('_summary', 'count is for searches; a read returns one resource');
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
      return { status: 200, body: shapeResource(kept[0]!, shape), headers };
    };
  }

  /**
   * The virtual ward, `Encounter?patient.general-practitioner=<ODS>&status=in-progress`: the open inpatient stays of
   * the people registered with the user's own practice. One policy decision and one audit event per person listed;
   * a person the policy does not show is counted, not listed. With `_include=Encounter:subject` the Patients come too,
   * and Encounter:location / Encounter:service-provider name the ward and the hospital.
   */
  const virtualWard: DataHandler = async (ctx) => {
    const query = ctx.query(['patient.general-practitioner', 'status', 'class', '_include']);
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

  /** `patient=Patient/<id>` or `subject=Patient/<id>` (either, or both the same); in a compartment search, the path's. */
  function patientOfSearch(ctx: DataContext, query: Query, compartment: boolean): string {
    const given = (['patient', 'subject'] as const).flatMap((name) => {
      const raw = query.one(name);
      if (raw === undefined) return [];
      const id = raw.replace(/^(?:.*\/fhir\/)?Patient\//, '');
      if (!FHIR_ID.test(id)) throw badParameter(name, `Patient/<id> or <id>${name === 'subject' ? ' (the subject of a record item here is a person)' : ''}`);
      return [{ name, id }];
    });
    if (compartment) {
      const id = idParam(ctx.req);
      const other = given.find((g) => g.id !== id);
      if (other) throw badParameter(other.name, `the compartment already names Patient/${id}`);
      return id;
    }
    if (given.length === 0) throw new HttpProblem(400, 'required', 'patient: required (this API searches one person\'s record at a time)', { expression: 'patient' });
    if (given.length === 2 && given[0]!.id !== given[1]!.id) throw badParameter('subject', 'names another patient than patient');
    return given[0]!.id;
  }

  /** The person's Patient resources an include asks for (the scope holds them already), as the policy lets through. */
  async function includesFor(kept: readonly ResourceLike[], includes: readonly IncludeSpec[], access: Access, scope: PatientScope): Promise<{ resources: ResourceLike[]; unavailable: UnavailableSource[] }> {
    if (includes.length === 0) return { resources: [], unavailable: [] };
    const references = referencesAt(kept, includes);
    const patients = access.filter(scope.patients.filter((p) => references.some((ref) => ref.type === 'Patient' && ref.id === p.id)));
    const others = references.filter((ref) => ref.type !== 'Patient');
    const found = await Promise.all(others.map((ref) => source!.read(ref.type, ref.id)));
    const reference = found.flatMap((f) => (f.value && f.value.patientKey === undefined ? [f.value.resource] : []));
    return { resources: [...patients, ...access.filter(reference)], unavailable: found.flatMap((f) => f.unavailable) };
  }

  /** `_revinclude`: only `Provenance:target` (where each item came from). */
  function revincludesOf(query: Query): boolean {
    const values = query.all('_revinclude');
    for (const value of values) if (value !== 'Provenance:target' && value !== '*') throw badParameter('_revinclude', `${JSON.stringify(value)} is not supported (supported: Provenance:target)`);
    return values.length > 0;
  }

  /**
   * The person's Provenance resources (one per message or bundle that brought their record) naming any of the
   * items, each cut down to the targets among them: a Provenance never names an item the user may not see.
   */
  async function provenanceOf(patientKey: string, visible: readonly ResourceLike[], options: { cursor?: string; limit?: number } = {}): Promise<{ resources: ResourceLike[]; unavailable: UnavailableSource[]; nextCursor?: string | undefined }> {
    const refs = new Set(visible.map((r) => `${r.resourceType}/${r.id}`));
    const out: ResourceLike[] = [];
    const unavailable: UnavailableSource[] = [];
    let cursor = options.cursor;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    do {
      const page = await source!.list({ patientKey, resourceTypes: ['Provenance'], sort: 'date-desc', limit: Math.min(1000, Number.isFinite(limit) ? limit - out.length : 1000), cursor });
      unavailable.push(...page.unavailable);
      for (const item of page.value.items) {
        const targets = Array.isArray(item.resource.target) ? (item.resource.target as Array<{ reference?: string }>) : [];
        const shown = targets.filter((t) => typeof t.reference === 'string' && refs.has(t.reference));
        if (shown.length > 0) out.push({ ...item.resource, target: shown });
      }
      cursor = page.value.nextCursor;
    } while (cursor && out.length < limit);
    return { resources: out, unavailable, nextCursor: cursor };
  }

  /** Search of one record type in one person's record: `GET /{type}?patient=`, `GET /Patient/{id}/{type}`, `POST /{type}/_search`, a batch entry. */
  function searchHandler(spec: (typeof RECORD_TYPES)[number], compartment = false): DataHandler {
    const includeTable: Record<string, string[]> = { ...spec.includes, ...patientIncludesOf(spec.type) };
    const allowed = [
      'patient',
      'subject',
      'date',
      '_id',
      '_lastUpdated',
      '_count',
      '_total',
      '_sort',
      '_cursor',
      '_include',
      '_revinclude',
      '_summary',
      '_elements',
      ...Object.keys(spec.tokens).map((name) => `${name}:*`),
      ...Object.keys(spec.tokens),
    ];
    return async (ctx) => {
      if (!compartment && spec.type === 'Encounter' && new URL(ctx.req.originalUrl, 'http://localhost').searchParams.has('patient.general-practitioner')) return virtualWard(ctx);
      const query = ctx.query(allowed);
      const patientId = patientOfSearch(ctx, query, compartment);
      const shape = shapeOf(query);
      const count = shape.kind === 'count' ? 0 : countOf(query, 50, 1000, 0);
      const withTotal = totalOf(query) || count === 0;
      const sort = sortOf(query);
      const range = dateRangeOf(query);
      const updated = dateBoundsOf(query, '_lastUpdated');
      const idsRaw = query.one('_id');
      const ids = idsRaw === undefined ? undefined : new Set(idsRaw.split(','));
      for (const id of ids ?? []) if (!FHIR_ID.test(id)) throw badParameter('_id', `${JSON.stringify(id)} is not a FHIR id`);
      const includes = includesOf(query, spec.type, includeTable);
      const revProvenance = revincludesOf(query);
      const filters = tokenFiltersOf(query, spec.tokens);
      const matches = (item: LocatedResource) => (!ids || ids.has(item.resource.id)) && withinBounds(item.lastUpdated, updated) && filters.every((f) => f.test(item.resource));
      const cursor = query.one('_cursor');
      const { scope, unavailable } = await scopeOfPatient(patientId, compartment ? 'id' : 'patient');
      const access = await ctx.access(scope);
      requirePermit(access, `Patient/${patientId}`);
      const missing = [...unavailable];
      const listed = { patientKey: scope.patientKey, resourceTypes: [spec.type], from: range.from, to: range.to, sort };
      let total: number | undefined;
      if (withTotal) {
        // Every match the user may see is counted (one person's record); withheld items are counted as withheld once.
        let seen = 0;
        let at: string | undefined;
        do {
          const page = await source!.list({ ...listed, limit: 1000, cursor: at });
          missing.push(...page.unavailable);
          const candidates = page.value.items.filter(matches).map((m) => m.resource);
          seen += count === 0 ? access.filter(candidates).length : access.count(candidates);
          at = page.value.nextCursor;
        } while (at);
        total = seen;
      }
      const kept: ResourceLike[] = [];
      let next = cursor;
      if (count > 0) {
        // Read until the page is full or the record is exhausted, so a page is never empty while more may follow:
        // each read asks for no more rows than the page still needs, and the cursor points just after the last row read.
        for (;;) {
          const page = await source!.list({ ...listed, limit: count - kept.length, cursor: next });
          missing.push(...page.unavailable);
          kept.push(...access.filter(page.value.items.filter(matches).map((m) => m.resource)));
          next = page.value.nextCursor;
          if (!next || kept.length >= count) break;
        }
      } else next = undefined;
      const included = await includesFor(kept, includes, access, scope);
      const provenance = revProvenance && kept.length > 0 && scopeAllows(ctx.user.scopes, 'Provenance', 'search') ? await provenanceOf(scope.patientKey, kept) : { resources: [], unavailable: [] };
      const path = compartment ? `Patient/${patientId}/${spec.type}` : spec.type;
      return {
        status: 200,
        body: searchset({
          base: ctx.base,
          selfUrl: `${ctx.base}/${path}${query.toString() ? `?${query.toString()}` : ''}`,
          nextUrl: next ? `${ctx.base}/${path}?${query.withCursor(next)}` : undefined,
          matches: kept.map((r) => shapeResource(r, shape)),
          includes: [...included.resources, ...provenance.resources].map((r) => shapeResource(r, shape)),
          issues: [...ctx.notices(), ...issuesOf(access, [...missing, ...included.unavailable, ...provenance.unavailable])],
          now: ctx.now,
          total,
        }),
      };
    };
  }

  const patientSearch: DataHandler = async (ctx) => {
    const query = ctx.query(['identifier', 'family', 'given', 'birthdate', 'address-postalcode', 'gender', '_id', '_count', '_cursor', '_include', '_summary', '_elements']);
    const shape = shapeOf(query);
    if (shape.kind === 'count') throw badParameter('_summary', 'count is not served for Patient searches (a person is counted only once the policy has decided)');
    const idRaw = query.one('_id');
    if (idRaw !== undefined) {
      // `Patient?_id=<id>` (as clients ask for "this patient, as a searchset"): a read, decided and audited the same way.
      if (query.names().some((n) => !['_id', '_include', '_summary', '_elements', '_format', '_pretty'].includes(n))) throw badParameter('_id', 'search by _id alone');
      const ids = idRaw.split(',');
      if (ids.length > 20 || ids.some((id) => !FHIR_ID.test(id))) throw badParameter('_id', 'up to 20 FHIR ids, comma-separated');
      const includes = includesOf(query, 'Patient', PATIENT_INCLUDES);
      const matches: ResourceLike[] = [];
      const included: ResourceLike[] = [];
      const issues: Array<OperationOutcomeIssue | undefined> = [...ctx.notices()];
      for (const id of ids) {
        const found = await source!.read('Patient', id);
        if (!found.value || found.value.patientKey === undefined || found.value.resource.resourceType !== 'Patient') continue;
        const { scope } = await scopeOfKey(found.value.patientKey);
        const access = await ctx.access(scope);
        if (access.decision.effect !== 'permit') {
          issues.push(...denialIssues(access.decision, `Patient/${id}`).slice(0, 1).map((i) => ({ ...i, severity: 'information' as const, code: 'suppressed' })));
          continue;
        }
        const kept = access.filter([found.value.resource]);
        matches.push(...samePersonLinks(kept, scope.patients));
        included.push(...(await includesFor(kept, includes, access, scope)).resources);
      }
      return { status: 200, body: searchset({ base: ctx.base, selfUrl: ctx.selfUrl, matches: matches.map((r) => shapeResource(r, shape)), includes: included, issues, now: ctx.now }) };
    }
    const count = countOf(query, 20, 200);
    const includes = includesOf(query, 'Patient', PATIENT_INCLUDES);
    const identifierRaw = query.one('identifier');
    // birthdate: an exact day goes to the store's index; a range or a coarser date (ge1950, 1950-03) filters what the
    // other criteria found, so it needs one beside it (a range alone would list the population).
    const birthRaw = query.all('birthdate');
    const exactBirth = birthRaw.length === 1 && /^(eq)?\d{4}-\d{2}-\d{2}$/.test(birthRaw[0]!) ? birthRaw[0]!.replace(/^eq/, '') : undefined;
    const birthBounds = birthRaw.length > 0 && exactBirth === undefined ? dateBoundsOf(query, 'birthdate') : undefined;
    const demographics = { family: query.one('family'), given: query.one('given'), birthDate: exactBirth, postcode: query.one('address-postalcode'), gender: query.one('gender') };
    if (birthBounds && demographics.family === undefined && demographics.given === undefined && demographics.postcode === undefined)
      throw badParameter('birthdate', 'a range or a partial date needs family, given or address-postalcode beside it (an exact date YYYY-MM-DD may stand alone)');
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
    } else if (demographics.family === undefined && demographics.given === undefined && demographics.birthDate === undefined && demographics.postcode === undefined && !birthBounds) {
      throw new HttpProblem(400, 'required', 'identifier: give at least one of identifier, family, given, birthdate or address-postalcode', { expression: 'identifier' });
    }
    if (demographics.birthDate !== undefined && Number.isNaN(Date.parse(demographics.birthDate))) throw badParameter('birthdate', 'a date YYYY-MM-DD');
    if (demographics.gender !== undefined && !['male', 'female', 'other', 'unknown'].includes(demographics.gender)) throw badParameter('gender', 'male, female, other or unknown');
    let found = await source!.searchPatients({ identifier, ...demographics, limit: count, cursor: query.one('_cursor') });
    if (birthBounds) {
      // Filtered page by page, reading on until the page is full or the matches end (never an empty page with a next link).
      const items: LocatedResource[] = [];
      const unavailable = [...found.unavailable];
      for (;;) {
        items.push(...found.value.items.filter((item) => withinBounds(typeof item.resource.birthDate === 'string' ? item.resource.birthDate : undefined, birthBounds)));
        if (!found.value.nextCursor || items.length >= count) break;
        found = await source!.searchPatients({ identifier, ...demographics, limit: count, cursor: found.value.nextCursor });
        unavailable.push(...found.unavailable);
      }
      found = { value: { items, nextCursor: found.value.nextCursor }, unavailable };
    }
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
      const extra = await includesFor(kept, includes, access, scope);
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
        matches: matches.map((r) => shapeResource(r, shape)),
        includes: included,
        issues: [...ctx.notices(), ...issues, ...dedupe(unavailable).map(unavailableIssue)],
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

  /** The types `$everything` returns: the person's Patient resources and every record type. */
  const EVERYTHING_TYPES = ['Patient', ...RECORD_TYPES.map((t) => t.type)];
  const EVERYTHING_PARAMS = ['start', 'end', '_since', '_type', '_count', '_cursor', '_summary', '_elements'];

  /**
   * `$everything` with `start` / `end` (clinical date), `_since` (changed since), `_type`, `_count` (paged by cursor),
   * `_summary` / `_elements`: the record read as a listing. The person's Patient resources come on the first page
   * whatever the dates (they have no clinical date); items without a clinical date are left out when start or end is given.
   */
  async function everythingListed(ctx: DataContext, query: Query, id: string): Promise<Reply> {
    const shape = shapeOf(query);
    if (shape.kind === 'count') throw badParameter('_summary', 'count is not served for $everything; search a type with _summary=count');
    const start = query.one('start');
    const end = query.one('end');
    const since = query.one('_since');
    const from = start === undefined ? undefined : new Date(spanOfParam('start', start).start).toISOString();
    const to = end === undefined ? undefined : new Date(spanOfParam('end', end).end - 1).toISOString();
    if (from !== undefined && to !== undefined && from > to) throw badParameter('end', 'is before start');
    const sinceAt = since === undefined ? undefined : spanOfParam('_since', since).start;
    if (since !== undefined && !/T/.test(since)) throw badParameter('_since', 'an instant (YYYY-MM-DDThh:mm:ss+zz:zz)');
    const typesRaw = query.all('_type').flatMap((t) => t.split(','));
    for (const type of typesRaw) if (!EVERYTHING_TYPES.includes(type)) throw badParameter('_type', `${JSON.stringify(type)} is not a type of the record (supported: ${EVERYTHING_TYPES.join(', ')})`);
    const types = typesRaw.length > 0 ? [...new Set(typesRaw)] : EVERYTHING_TYPES;
    const count = countOf(query, 1000, 1000);
    const cursor = query.one('_cursor');
    const { scope, unavailable } = await scopeOfPatient(id, 'id');
    const access = await ctx.access(scope);
    requirePermit(access, `Patient/${id}`);
    const changed = (item: { lastUpdated?: string | undefined }) => sinceAt === undefined || (item.lastUpdated !== undefined && Date.parse(item.lastUpdated) >= sinceAt);
    const kept: ResourceLike[] = [];
    const missing = [...unavailable];
    // The Patient resources have no clinical date: they open the first page when asked for.
    if (cursor === undefined && types.includes('Patient')) {
      const patients = await Promise.all(scope.patients.map((p) => source!.read('Patient', String(p.id))));
      kept.push(...access.filter(patients.flatMap((p) => (p.value && changed(p.value) ? [p.value.resource] : []))));
    }
    const listedTypes = types.filter((t) => t !== 'Patient');
    let next = cursor;
    if (listedTypes.length > 0) {
      for (;;) {
        const page = await source!.list({ patientKey: scope.patientKey, resourceTypes: listedTypes, from, to, sort: 'date-desc', limit: Math.max(1, count - kept.length), cursor: next });
        missing.push(...page.unavailable);
        kept.push(...access.filter(page.value.items.filter(changed).map((m) => m.resource)));
        next = page.value.nextCursor;
        if (!next || kept.length >= count) break;
      }
    } else next = undefined;
    const includes = await sourceOrganisations(kept, access, ctx.now.getTime());
    return {
      status: 200,
      body: searchset({
        base: ctx.base,
        selfUrl: `${ctx.base}/Patient/${id}/$everything${query.toString() ? `?${query.toString()}` : ''}`,
        nextUrl: next ? `${ctx.base}/Patient/${id}/$everything?${query.withCursor(next)}` : undefined,
        matches: kept.map((r) => shapeResource(r, shape)),
        includes,
        issues: [...ctx.notices(), ...issuesOf(access, missing)],
        now: ctx.now,
        total: next === undefined && cursor === undefined ? kept.length : undefined,
      }),
    };
  }

  const everything: DataHandler = async (ctx) => {
    const query = ctx.query(EVERYTHING_PARAMS);
    const id = idParam(ctx.req);
    if (query.names().some((name) => EVERYTHING_PARAMS.includes(name))) return everythingListed(ctx, query, id);
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
      return { status: 200, body: searchsetText({ base: ctx.base, selfUrl: ctx.selfUrl, matches: kept, includes, issues: [...ctx.notices(), ...issuesOf(access, [])], now: ctx.now, total: kept.length }, textOf) };
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
      body: searchset({ base: ctx.base, selfUrl: ctx.selfUrl, matches: kept, includes, issues: [...ctx.notices(), ...issuesOf(access, [...found.unavailable, ...record.unavailable])], now: ctx.now, total: kept.length }),
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

  function referenceRead(type: 'Organization' | 'Practitioner' | 'Location'): RequestHandler {
    return notPatientData(`${type} is reference data (who recorded or provides care, and where), not a person's record`, async (req, res) => {
      const shape = shapeOf(new Query(req.originalUrl, ['_summary', '_elements'], { lenient: preferLenient(req.get('prefer')) }));
      const id = idParam(req);
      const found = await source!.read(type, id);
      const item = found.value;
      if (!item || item.patientKey !== undefined || item.resource.resourceType !== type) throw new HttpProblem(404, 'not-found', `${type}/${id} is not known`);
      if (item.version) res.setHeader('ETag', `W/"${item.version}"`);
      if (item.lastUpdated) res.setHeader('Last-Modified', new Date(item.lastUpdated).toUTCString());
      sendFhir(res, 200, shapeResource(item.resource, shape));
    });
  }

  /** `GET /{type}/{id}/_history`: every version of one item, newest first, each decided by the policy as a read is. */
  function historyHandler(type: string): DataHandler {
    return async (ctx) => {
      const query = ctx.query(['_summary', '_elements', '_count']);
      const shape = shapeOf(query);
      if (shape.kind === 'count') throw badParameter('_summary', 'count is for searches');
      const count = countOf(query, 100, 1000);
      const id = idParam(ctx.req);
      const current = await source!.read(type, id);
      const item = current.value;
      if (!item || item.patientKey === undefined || item.resource.resourceType !== type) throw new HttpProblem(404, 'not-found', `${type}/${id} is not known`);
      const { scope } = await scopeOfKey(item.patientKey);
      const access = await ctx.access(scope);
      requirePermit(access, `${type}/${id}`);
      const versions = await source!.history!(type, id);
      const shown = versions.value.slice(0, count).flatMap((v) => (access.filter([v.resource]).length === 1 ? [v] : []));
      if (shown.length === 0) throw new HttpProblem(403, 'suppressed', `${type}/${id} is withheld by policy`, { outcome: outcome(withheldIssue([...access.withheld.values()], 1) ?? issue('information', 'suppressed', 'Withheld by policy.')) });
      const bundle = {
        resourceType: 'Bundle',
        id: randomUUID(),
        meta: { lastUpdated: ctx.now.toISOString() },
        type: 'history',
        total: shown.length,
        link: [{ relation: 'self', url: ctx.selfUrl }],
        entry: shown.map((v) => ({
          fullUrl: `${ctx.base}/${type}/${id}`,
          resource: shapeResource(v.resource, shape),
          request: { method: v.version === '1' ? 'POST' : 'PUT', url: v.version === '1' ? type : `${type}/${id}` },
          response: { status: v.version === '1' ? '201 Created' : '200 OK', ...(v.lastUpdated ? { lastModified: v.lastUpdated } : {}), ...(v.version ? { etag: `W/"${v.version}"` } : {}) },
        })),
      };
      return { status: 200, body: bundle };
    };
  }

  /**
   * `GET /Provenance?target=<Type>/<id>` or `?patient=`: where the person's items came from (one Provenance per HL7
   * message or FHIR bundle), each naming only the items the user may see; a Provenance naming none is not shown.
   */
  const provenanceSearch: DataHandler = async (ctx) => {
    const query = ctx.query(['target', 'patient', '_count', '_cursor', '_summary', '_elements']);
    const shape = shapeOf(query);
    if (shape.kind === 'count') throw badParameter('_summary', 'count is not served for Provenance');
    const target = query.one('target');
    const patientParam = query.one('patient');
    if ((target === undefined) === (patientParam === undefined)) throw new HttpProblem(400, 'required', 'target: give target=<Type>/<id> (one item) or patient=Patient/<id> (the whole record), one of them', { expression: 'target' });
    const count = countOf(query, 100, 1000);
    let scope: PatientScope;
    let visible: ResourceLike[];
    let access: Access;
    const missing: UnavailableSource[] = [];
    if (target !== undefined) {
      const match = /^(?:.*\/fhir\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(target);
      if (!match) throw badParameter('target', 'a reference <Type>/<id>, e.g. Observation/obs-1');
      const found = await source!.read(match[1]!, match[2]!);
      missing.push(...found.unavailable);
      if (!found.value || found.value.patientKey === undefined) throw new HttpProblem(404, 'not-found', `target: ${match[1]}/${match[2]} is not an item of a person's record`, { expression: 'target' });
      ({ scope } = await scopeOfKey(found.value.patientKey));
      access = await ctx.access(scope);
      requirePermit(access, `${match[1]}/${match[2]}`);
      visible = access.filter([found.value.resource]);
    } else {
      const id = patientParam!.replace(/^(?:.*\/fhir\/)?Patient\//, '');
      if (!FHIR_ID.test(id)) throw badParameter('patient', 'Patient/<id> or <id>');
      const located = await scopeOfPatient(id, 'patient');
      scope = located.scope;
      missing.push(...located.unavailable);
      access = await ctx.access(scope);
      requirePermit(access, `Patient/${id}`);
      const record = await source!.everything(scope.patientKey);
      missing.push(...record.unavailable);
      visible = access.filter(record.value);
    }
    const found = visible.length > 0 ? await provenanceOf(scope.patientKey, visible, { cursor: query.one('_cursor'), limit: count }) : { resources: [], unavailable: [], nextCursor: undefined };
    return {
      status: 200,
      body: searchset({
        base: ctx.base,
        selfUrl: ctx.selfUrl,
        nextUrl: found.nextCursor ? `${ctx.base}/Provenance?${query.withCursor(found.nextCursor)}` : undefined,
        matches: found.resources.map((r) => shapeResource(r, shape)),
        issues: [...ctx.notices(), ...issuesOf(access, [...missing, ...found.unavailable])],
        now: ctx.now,
      }),
    };
  };

  /** `GET /Provenance/{id}` (and `/_history/{vid}`): one Provenance, naming only the items the user may see. */
  const provenanceRead: DataHandler = async (ctx) => {
    const shape = shapeOf(ctx.query(['_summary', '_elements']));
    const id = idParam(ctx.req);
    const vid = ctx.req.params.vid;
    if (vid !== undefined && (typeof vid !== 'string' || !/^[1-9]\d{0,9}$/.test(vid))) throw badParameter('vid', 'a version number');
    const found = typeof vid === 'string' ? await source!.readVersion('Provenance', id, vid) : await source!.read('Provenance', id);
    const item = found.value;
    if (!item || item.patientKey === undefined || item.resource.resourceType !== 'Provenance') throw new HttpProblem(404, 'not-found', `Provenance/${id} is not known`);
    const { scope } = await scopeOfKey(item.patientKey);
    const access = await ctx.access(scope);
    requirePermit(access, `Provenance/${id}`);
    const targets = (Array.isArray(item.resource.target) ? (item.resource.target as Array<{ reference?: string }>) : []).flatMap((t) => {
      const match = typeof t.reference === 'string' ? /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(t.reference) : null;
      return match ? [{ type: match[1]!, id: match[2]! }] : [];
    });
    const read = await Promise.all(targets.map((t) => source!.read(t.type, t.id)));
    const visible = access.filter(read.flatMap((r) => (r.value && r.value.patientKey === scope.patientKey ? [r.value.resource] : [])));
    const refs = new Set(visible.map((r) => `${r.resourceType}/${r.id}`));
    const shownTargets = (Array.isArray(item.resource.target) ? (item.resource.target as Array<{ reference?: string }>) : []).filter((t) => typeof t.reference === 'string' && refs.has(t.reference));
    if (shownTargets.length === 0) throw new HttpProblem(403, 'suppressed', `Provenance/${id} names only items withheld by policy`);
    const mine: ResourceLike = { ...item.resource, target: shownTargets };
    return { status: 200, body: shapeResource(mine, shape), headers: item.version ? { ETag: `W/"${item.version}"` } : undefined };
  };

  /**
   * `GET /AuditEvent?patient=Patient/<id>`: who has accessed the person's record (IHE BALP AuditEvents, with the hash
   * chain), for a privacy officer, or for the person themselves with their own citizen token. Decided and audited.
   */
  const auditEventSearch: DataHandler = async (ctx) => {
    const query = ctx.query(['patient', 'date', '_count', '_cursor']);
    const patientParam = query.one('patient');
    if (patientParam === undefined) throw new HttpProblem(400, 'required', 'patient: required (the person whose record\'s accesses are listed)', { expression: 'patient' });
    const id = patientParam.replace(/^(?:.*\/fhir\/)?Patient\//, '');
    if (!FHIR_ID.test(id)) throw badParameter('patient', 'Patient/<id> or <id>');
    const range = dateBoundsOf(query, 'date');
    const count = countOf(query, 100, 500);
    const { scope } = await scopeOfPatient(id, 'patient');
    const access = await ctx.accessAuditLog(scope);
    requirePermit(access, `Patient/${id}`);
    const page = await auditReader!.readAudit({
      patientKey: scope.patientKey,
      from: range.from === undefined ? undefined : new Date(range.from).toISOString(),
      to: range.toExclusive === undefined ? undefined : new Date(range.toExclusive).toISOString(),
      limit: count,
      cursor: query.one('_cursor'),
    });
    const events = page.items.map((row) => toFhirAuditEvent(chainedEventOf(row), { observer: { display: deps.software?.name ?? 'OpenIDCR' } }) as ResourceLike);
    return {
      status: 200,
      body: searchset({
        base: ctx.base,
        selfUrl: ctx.selfUrl,
        nextUrl: page.nextCursor ? `${ctx.base}/AuditEvent?${query.withCursor(page.nextCursor)}` : undefined,
        matches: events,
        issues: ctx.notices(),
        now: ctx.now,
      }),
    };
  };

  /** The request as it would be for `url` (a batch entry, a POSTed search): same headers and user, GET, its own query. */
  function subRequest(req: Request, url: string, params: Record<string, string>): Request {
    return Object.create(req, {
      method: { value: 'GET' },
      originalUrl: { value: url },
      url: { value: url },
      params: { value: params },
      body: { value: undefined },
    }) as Request;
  }

  /** A form (`application/x-www-form-urlencoded`) or Parameters body as query parameters, beside those of the URL. */
  function mergedQuery(req: Request, body: unknown): string {
    // The query text only: the URL's parameters, then the body's.
    const merged = new URLSearchParams(new URL(req.originalUrl, 'http://localhost').search);
    if (body && typeof body === 'object' && (body as { resourceType?: unknown }).resourceType === 'Parameters') {
      const parameters = (body as { parameter?: unknown }).parameter;
      if (!Array.isArray(parameters)) throw badParameter('parameter', 'a Parameters resource with parameter[]');
      for (const [i, p] of parameters.entries()) {
        const entry = p as Record<string, unknown>;
        const value = Object.entries(entry).find(([k]) => k.startsWith('value'))?.[1];
        if (typeof entry.name !== 'string' || (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean'))
          throw badParameter(`parameter[${i}]`, 'each parameter needs a name and a primitive value (valueDate, valueString, valueInteger, ...)');
        merged.append(entry.name, String(value));
      }
    } else if (body && typeof body === 'object' && !Array.isArray(body)) {
      for (const [name, value] of Object.entries(body as Record<string, unknown>)) for (const v of Array.isArray(value) ? value : [value]) merged.append(name, String(v));
    }
    return merged.toString();
  }

  /** `POST /{type}/_search` and `POST /Patient/{id}/$everything`: the GET handler, with the body's parameters. */
  function postedAsGet(handler: DataHandler, path: (req: Request) => string): DataHandler {
    return async (ctx) => {
      const text = mergedQuery(ctx.req, ctx.req.body);
      const url = `${ctx.req.baseUrl}/fhir${path(ctx.req)}${text ? `?${text}` : ''}`;
      const origin = ctx.base.slice(0, ctx.base.length - `${ctx.req.baseUrl}/fhir`.length);
      return handler({ ...ctx, req: subRequest(ctx.req, url, { ...(ctx.req.params as Record<string, string>) }), selfUrl: `${origin}${url}` });
    };
  }

  /** `GET /Patient/{id}/{type}` of a type searched by `patient` (Provenance, AuditEvent): that search, with the path's patient. */
  function inPatientCompartment(handler: DataHandler, type: string): DataHandler {
    return async (ctx) => {
      const id = idParam(ctx.req);
      const params = new URL(ctx.req.originalUrl, 'http://localhost').searchParams;
      if (params.has('patient')) throw badParameter('patient', `the compartment already names Patient/${id}`);
      params.append('patient', `Patient/${id}`);
      return handler({ ...ctx, req: subRequest(ctx.req, `${ctx.req.baseUrl}/fhir/${type}?${params.toString()}`, {}) });
    };
  }

  const STATUS_TEXT: Record<number, string> = { 200: 'OK', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 410: 'Gone', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable' };
  const MAX_BATCH = 50;

  /**
   * `POST /` with a `batch` Bundle of GET entries (reads, searches, `$everything`): each entry is answered as its own
   * request would be (decided and audited on its own) in a `batch-response`. Writes and transactions are refused:
   * the shared record is read-only.
   */
  const batch: DataHandler = async (ctx) => {
    ctx.query([]);
    const body = ctx.req.body as { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
    if (!body || body.resourceType !== 'Bundle') throw new HttpProblem(400, 'invalid', 'body: a Bundle of type batch, whose entries are GET requests', { expression: 'Bundle' });
    if (body.type === 'transaction') throw new HttpProblem(422, 'not-supported', 'Bundle.type: transaction writes, and the shared record is read-only (records change only at their source); send a batch of GET requests', { expression: 'Bundle.type' });
    if (body.type !== 'batch') throw badParameter('Bundle.type', `batch, got ${JSON.stringify(body.type)}`);
    const entries = body.entry === undefined ? [] : body.entry;
    if (!Array.isArray(entries)) throw badParameter('Bundle.entry', 'an array');
    if (entries.length > MAX_BATCH) throw new HttpProblem(413, 'too-costly', `Bundle.entry: at most ${MAX_BATCH} entries in one batch, got ${entries.length}`, { expression: 'Bundle.entry' });
    const answers = [];
    for (const [i, entry] of entries.entries()) {
      const request = (entry as { request?: { method?: unknown; url?: unknown } } | null)?.request;
      try {
        if (!request || typeof request.url !== 'string' || request.url.length === 0) throw badParameter(`Bundle.entry[${i}].request.url`, 'required');
        if (request.method !== 'GET') throw new HttpProblem(405, 'not-supported', `Bundle.entry[${i}].request.method: only GET is served (the shared record is read-only), got ${JSON.stringify(request.method)}`, { expression: `Bundle.entry[${i}].request.method` });
        let url = request.url.startsWith(ctx.base) ? request.url.slice(ctx.base.length) : request.url;
        if (/^[a-z]+:/i.test(url)) throw badParameter(`Bundle.entry[${i}].request.url`, `a URL relative to this server (${ctx.base}), got ${JSON.stringify(request.url)}`);
        if (!url.startsWith('/')) url = `/${url}`;
        const [path, search = ''] = url.split('?', 2) as [string, string?];
        const matched = matchRoute(path);
        if (!matched) throw new HttpProblem(404, 'not-supported', `Bundle.entry[${i}].request.url: GET ${path} is not supported; see ${ctx.base}/metadata`, { expression: `Bundle.entry[${i}].request.url` });
        const full = `${ctx.req.baseUrl}/fhir${path}${search ? `?${search}` : ''}`;
        const reply = await matched.handler({ ...ctx, req: subRequest(ctx.req, full, matched.params), selfUrl: `${ctx.base}${path}${search ? `?${search}` : ''}` });
        const resource = reply.body instanceof JsonText ? JSON.parse(reply.body.text) : reply.body;
        answers.push({
          ...(resource !== undefined ? { resource } : {}),
          response: {
            status: `${reply.status} ${STATUS_TEXT[reply.status] ?? ''}`.trim(),
            ...(reply.headers?.ETag ? { etag: reply.headers.ETag } : {}),
            ...(reply.headers?.['Last-Modified'] ? { lastModified: new Date(reply.headers['Last-Modified']).toISOString() } : {}),
          },
        });
      } catch (error) {
        const problem = error instanceof HttpProblem ? error : error instanceof SourceInputError ? badParameter(error.parameter, error.message.replace(/^[^:]+:\s*/, '')) : storeUnavailable(error);
        if (!problem) throw error;
        answers.push({ response: { status: `${problem.status} ${STATUS_TEXT[problem.status] ?? ''}`.trim(), outcome: problem.outcome } });
      }
    }
    return { status: 200, body: { resourceType: 'Bundle', id: randomUUID(), meta: { lastUpdated: ctx.now.toISOString() }, type: 'batch-response', entry: answers } };
  };

  /** The GET route serving a path under /fhir, with its parameters (for batch entries). */
  function matchRoute(path: string): { handler: DataHandler; params: Record<string, string> } | undefined {
    for (const route of getRoutes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      return { handler: route.data, params: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])) };
    }
    return undefined;
  }

  // ---- the route table: it builds both the router and the CapabilityStatement ---------------------------------------

  const searchParamsOf = (spec: (typeof RECORD_TYPES)[number]): SearchParamSpec[] => [
    { name: 'patient', type: 'reference', documentation: 'Required (or subject): the person whose record is searched (Patient/<id>)' },
    { name: 'subject', type: 'reference', documentation: 'The same as patient (Patient/<id>)' },
    { name: 'date', type: 'date', documentation: 'Clinically relevant date: eq (or none), ge, le, gt, lt, sa, eb (YYYY, YYYY-MM, YYYY-MM-DD or an instant)' },
    ...Object.entries(spec.tokens).map(([name, token]) => ({ name, type: 'token' as const, documentation: `${token.documentation}; modifiers :text (words of the text or display) and :not` })),
    { name: '_sort', type: 'special', documentation: '-date (default, newest first) or date' },
    ...COMMON_SEARCH_PARAMS,
    ...(spec.type === 'Encounter'
      ? [{ name: 'patient.general-practitioner', type: 'reference' as const, documentation: 'Instead of patient, with status=in-progress: the virtual ward, the open inpatient stays of your own practice\'s patients' }]
      : []),
  ];
  const includesOfType = (spec: (typeof RECORD_TYPES)[number]): string[] => [
    ...Object.keys({ ...spec.includes, ...patientIncludesOf(spec.type) }).map((p) => `${spec.type}:${p}`),
    `${spec.type}:*`,
    ...(spec.type === 'Encounter' ? ['Encounter:location'] : []),
  ];

  /** A patient-data route: the policy point around the handler, which a batch entry can also be answered with. */
  /** The resource type a route serves, for the token's scopes: `Patient/{id}/{Type}` serves Type, `$everything` Patient. */
  const typeOfPath = (path: string): string | undefined => {
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 0) return undefined;
    if (parts[0] === 'Patient' && parts.length === 3 && /^[A-Z]/.test(parts[2]!)) return parts[2];
    return parts[0];
  };
  const data = (method: 'get' | 'post', path: string, action: 'read' | 'search', handler: DataHandler, capability?: RouteCapability, options: { citizens?: boolean } = {}): RouteDef => {
    const type = typeOfPath(path);
    const checked = type === undefined ? handler : scoped(type, action, handler);
    return { method, path, capability, handler: protect(action, checked, options), ...(method === 'get' ? { data: checked } : {}) };
  };

  const everythingCapability: RouteCapability = {
    type: 'Patient',
    operation: {
      name: 'everything',
      definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
      documentation: 'The whole record the user may see, filtered by policy, in one searchset; start, end, _since, _type and _count (paged) narrow it. GET or POST (Parameters).',
    },
  };

  const routes: RouteDef[] = [
    {
      method: 'post',
      path: '',
      capability: { type: '', systemInteraction: 'batch' },
      handler: protect('search', batch),
    },
    data('get', '/Patient', 'search', patientSearch, {
      type: 'Patient',
      interaction: 'search-type',
      searchParams: [
        { name: 'identifier', type: 'token', documentation: `${NHS_NUMBER_SYSTEM}|<NHS number>, or a local identifier system|value` },
        { name: 'family', type: 'string', documentation: 'Family name, starts with, any case and accents' },
        { name: 'given', type: 'string', documentation: 'Given name, starts with' },
        { name: 'birthdate', type: 'date', documentation: 'Date of birth: an exact date (YYYY-MM-DD), which may be the only criterion; a range (ge, le, gt, lt, sa, eb) or a partial date (YYYY, YYYY-MM) needs family, given or address-postalcode beside it' },
        { name: 'address-postalcode', type: 'string', documentation: 'Postcode, starts with, spaces ignored' },
        { name: 'gender', type: 'token', documentation: 'male, female, other or unknown' },
        { name: '_id', type: 'token', documentation: 'Up to 20 logical ids, comma-separated (alone)' },
        countParam(200, 20),
        CURSOR_PARAM,
        { name: '_include', type: 'special', documentation: 'Patient:general-practitioner, Patient:organization' },
        SUMMARY_PARAM,
        ELEMENTS_PARAM,
      ],
      includes: Object.keys(PATIENT_INCLUDES).map((p) => `Patient:${p}`),
    }),
    data('post', '/Patient/_search', 'search', postedAsGet(patientSearch, () => '/Patient')),
    data('get', '/Patient/:id', 'read', readHandler('Patient', false), { type: 'Patient', interaction: 'read' }),
    ...(source.history ? [data('get', '/Patient/:id/_history', 'read', historyHandler('Patient'), { type: 'Patient', interaction: 'history-instance' })] : []),
    data('get', '/Patient/:id/_history/:vid', 'read', readHandler('Patient', true), { type: 'Patient', interaction: 'vread' }),
    data('get', '/Patient/:id/$everything', 'search', everything, everythingCapability),
    data('post', '/Patient/:id/$everything', 'search', postedAsGet(everything, (req) => `/Patient/${encodeURIComponent(String(req.params.id))}/$everything`)),
    data('post', '/Patient/:id/$break-glass', 'read', breakGlass, {
      type: 'Patient',
      operation: { name: 'break-glass', definition: 'https://openidcr.org/OperationDefinition/Patient-break-glass', documentation: 'Emergency access with a reason (JSON {"reason": "..."}): granted for a few hours, audited and alerted' },
    }),
    // The patient compartment: `Patient/{id}/{type}` is `{type}?patient={id}`.
    ...RECORD_TYPES.map((spec) => data('get', `/Patient/:id/${spec.type}`, 'search', searchHandler(spec, true), { type: 'Patient', compartment: spec.type })),
    ...RECORD_TYPES.flatMap((spec): RouteDef[] => [
      data('get', `/${spec.type}`, 'search', searchHandler(spec), { type: spec.type, interaction: 'search-type', searchParams: searchParamsOf(spec), includes: includesOfType(spec), revIncludes: ['Provenance:target'] }),
      data('post', `/${spec.type}/_search`, 'search', postedAsGet(searchHandler(spec), () => `/${spec.type}`)),
      data('get', `/${spec.type}/:id`, 'read', readHandler(spec.type, false), { type: spec.type, interaction: 'read' }),
      ...(source.history ? [data('get', `/${spec.type}/:id/_history`, 'read', historyHandler(spec.type), { type: spec.type, interaction: 'history-instance' })] : []),
      data('get', `/${spec.type}/:id/_history/:vid`, 'read', readHandler(spec.type, true), { type: spec.type, interaction: 'vread' }),
    ]),
    data('get', '/Provenance', 'search', provenanceSearch, {
      type: 'Provenance',
      interaction: 'search-type',
      searchParams: [
        { name: 'target', type: 'reference', documentation: 'The item (<Type>/<id>) whose origin is asked' },
        { name: 'patient', type: 'reference', documentation: 'Instead of target: every Provenance of the person\'s record (Patient/<id>)' },
        countParam(1000, 100),
        CURSOR_PARAM,
        SUMMARY_PARAM,
        ELEMENTS_PARAM,
      ],
    }),
    data('post', '/Provenance/_search', 'search', postedAsGet(provenanceSearch, () => '/Provenance')),
    data('get', '/Provenance/:id', 'read', provenanceRead, { type: 'Provenance', interaction: 'read' }),
    data('get', '/Provenance/:id/_history/:vid', 'read', provenanceRead, { type: 'Provenance', interaction: 'vread' }),
    // Provenance and AuditEvent are in the R4 patient compartment too (by `patient`).
    data('get', '/Patient/:id/Provenance', 'search', inPatientCompartment(provenanceSearch, 'Provenance'), { type: 'Patient', compartment: 'Provenance' }),
    ...(auditReader
      ? [
          data(
            'get',
            '/AuditEvent',
            'search',
            auditEventSearch,
            {
              type: 'AuditEvent',
              interaction: 'search-type',
              searchParams: [
                { name: 'patient', type: 'reference', documentation: 'Required: the person whose record\'s accesses are listed (privacy officers, and the person with their own citizen token)' },
                { name: 'date', type: 'date', documentation: 'When: ge, le, gt, lt' },
                countParam(500, 100),
                CURSOR_PARAM,
              ],
            },
            { citizens: true },
          ),
          data('post', '/AuditEvent/_search', 'search', postedAsGet(auditEventSearch, () => '/AuditEvent'), undefined, { citizens: true }),
          data('get', '/Patient/:id/AuditEvent', 'search', inPatientCompartment(auditEventSearch, 'AuditEvent'), { type: 'Patient', compartment: 'AuditEvent' }, { citizens: true }),
        ]
      : []),
    { method: 'get', path: '/Organization/:id', capability: { type: 'Organization', interaction: 'read' }, handler: referenceRead('Organization') },
    { method: 'get', path: '/Practitioner/:id', capability: { type: 'Practitioner', interaction: 'read' }, handler: referenceRead('Practitioner') },
    { method: 'get', path: '/Location/:id', capability: { type: 'Location', interaction: 'read' }, handler: referenceRead('Location') },
  ];

  /** The GET patient-data routes as patterns, for batch entries (the first match wins, as in the router). */
  const getRoutes = routes.flatMap((route) => {
    if (route.method !== 'get' || !route.data) return [];
    const names: string[] = [];
    const pattern = new RegExp(`^${route.path.split('/').map((part) => (part.startsWith(':') ? (names.push(part.slice(1)), '([^/]+)') : part.replace(/[$.]/g, (c) => `\\${c}`))).join('/')}$`);
    return [{ pattern, names, data: route.data }];
  });

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
      sendFhir(res, 200, capabilityStatement(capabilities, { base: `${origin}${req.baseUrl}/fhir`, now: clock(), software: deps.software, topology: source.topology, cors: deps.cors, oauth: deps.smart?.(origin) }));
    }),
  );
  router.use('/fhir', authenticate(deps.auth));
  router.use('/fhir', express.json({ limit: '16kb', type: ['application/json', 'application/fhir+json'], verify: refuseNulInJson }));
  // A form body is read for POSTed searches only: every other POST takes JSON (a cross-site form cannot send it).
  router.use('/fhir/:type/_search', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 }));
  router.get(
    ['/fhir/_history', '/fhir/:type/_history'],
    notPatientData('refuses whole-type and whole-system history', (req) => {
      throw new HttpProblem(404, 'not-supported', `GET ${req.path}: the history of ${req.params.type ? `every ${String(req.params.type)}` : 'the whole system'} is not served (it would cross every person's record); ask for one item's: /{type}/{id}/_history`);
    }),
  );
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

/** `_include=<Type>:patient` / `:subject`: the person's Patient resource, for the types whose summary names it. */
function patientIncludesOf(type: string): Record<string, string[]> {
  const summary = SUMMARY_ELEMENTS[type]?.summary ?? [];
  return {
    ...(summary.includes('patient') ? { patient: ['patient'] } : summary.includes('subject') ? { patient: ['subject'] } : {}),
    ...(summary.includes('subject') ? { subject: ['subject'] } : {}),
  };
}

const RESOURCE_SCOPE = /^(patient|user)\/(\*|[A-Z][A-Za-z]{0,63})\.([A-Za-z*]+)$/;

/**
 * What the token's SMART scopes let it do with a resource type: `read` (a read) or `search`. SMART v1 `read` and `*`
 * give both, v2 `r` read and `s` search; `write` gives neither (the record is read-only). A token with no scopes at
 * all (an identity provider that issues none) is limited by the policy alone; a token with scopes but none for the
 * record reads nothing.
 */
export function scopeAllows(scopes: readonly string[], type: string, interaction: 'read' | 'search'): boolean {
  if (scopes.length === 0) return true;
  for (const scope of scopes) {
    const match = RESOURCE_SCOPE.exec(scope);
    if (!match || (match[2] !== '*' && match[2] !== type)) continue;
    const permissions = match[3]!;
    if (permissions === 'read' || permissions === '*') return true;
    if (/^c?r?u?d?s?$/.test(permissions) && permissions.includes(interaction === 'read' ? 'r' : 's')) return true;
  }
  return false;
}

function isPatientLevel(user: AuthenticatedUser): boolean {
  return user.scopes.some((s) => s.startsWith('patient/')) && !user.scopes.some((s) => s.startsWith('user/'));
}

function dedupe(unavailable: readonly UnavailableSource[]): UnavailableSource[] {
  const seen = new Map<string, UnavailableSource>();
  for (const u of unavailable) if (!seen.has(u.organisation)) seen.set(u.organisation, u);
  return [...seen.values()];
}
