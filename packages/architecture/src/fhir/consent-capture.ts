import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  auditEventFor,
  consentFromFhir,
  consentToViewFromFhir,
  consentToViewToFhir,
  isConsentToViewFhir,
  isItemConsentFhir,
  itemShareOutFromFhir,
  itemShareOutToFhir,
  shareConsentToFhir,
  type ConsentToView,
  type Decision,
  type LocalityPolicy,
} from '@openidcr/governance';
import type { ResourceLike } from '@openidcr/model';
import type { RecordStore } from '@openidcr/store';
import { authenticate, userOf, type AuthenticatedUser, type TokenVerifier } from '../auth/tokens.js';
import { HttpProblem, outcome, sendFhir, sendProblem, storeUnavailable } from '../http/outcome.js';
import { refuseNulInJson } from '../http/middleware.js';
import { publicOrigin } from '../http/public-origin.js';
import type { ConsentCaptureConfig } from '../locality/consent-capture.js';
import { storeAuditSink, type AuditSink } from '../policy/audit.js';
import { PolicyPoint, inMemoryGrants, type PatientScope } from '../policy/pep.js';

/** The routes consent capture adds to the FHIR API (what `Idcr.provides` reports, and the conformance report reads). */
export const CONSENT_CAPTURE_ROUTES = {
  consent: 'POST /fhir/Patient/:id/$consent',
  consentToView: 'POST /fhir/Patient/:id/$consent-to-view',
  fhirConsent: 'POST /fhir/Consent',
} as const;

/** What the assembled app can record, as the conformance report checks it. */
export interface ConsentCaptureProvides {
  shareIn: boolean;
  shareOut: boolean;
  itemShareOut: boolean;
  objection: boolean;
  consentToView: boolean;
  fhirConsent: boolean;
  /** Longest a consent-to-view answer lasts, in minutes. */
  consentToViewMinutes: number;
}

export function consentCaptureProvides(config: ConsentCaptureConfig | undefined): ConsentCaptureProvides | undefined {
  if (!config) return undefined;
  return { shareIn: true, shareOut: true, itemShareOut: true, objection: true, consentToView: true, fhirConsent: config.fhirConsent, consentToViewMinutes: config.consentToViewMinutes };
}

export interface ConsentCaptureDeps {
  config: ConsentCaptureConfig;
  store: RecordStore;
  policy: LocalityPolicy;
  auth: TokenVerifier;
  logger: Logger;
  audit?: AuditSink | undefined;
  clock?: (() => Date) | undefined;
  /** The public base URL (the locality's `publicUrl`): the `Location` of a recorded Consent is absolute. */
  publicUrl?: string | undefined;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const ITEM_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

const ConsentBody = z.strictObject({
  kind: z.enum(['share-in', 'share-out', 'objection'], { error: "expected 'share-in', 'share-out' or 'objection'" }),
  decision: z.enum(['permit', 'deny'], { error: "expected 'permit' (agree / object) or 'deny' (refuse / withdraw)" }),
  /** share-out of one item only: `Type/id` of an item your organisation recorded. */
  item: z.string().regex(ITEM_REFERENCE, { error: 'expected Type/id of one item' }).optional(),
  /** objection to one organisation's data only (ODS code). */
  organisation: z.string().regex(/^[A-Z0-9]{3,6}$/, { error: 'expected an ODS code' }).optional(),
});

const ConsentToViewBody = z.strictObject({
  answer: z.enum(['granted', 'denied', 'unable', 'withdrawn'], { error: "expected 'granted', 'denied', 'unable' or 'withdrawn'" }),
  minutes: z.number().int().min(1).optional(),
});

/** Deny reasons that recording a consent can answer: anything else (no relationship, not a party) refuses the recording. */
const CONSENT_REASONS = new Set(['share-in-missing', 'share-out-missing', 'consent-to-view-required', 'consent-to-view-refused', 'objection', 'source-objection']);

function badBody(error: z.ZodError): HttpProblem {
  const first = error.issues[0]!;
  const path = first.path.join('.') || 'body';
  return new HttpProblem(400, first.path.length === 0 ? 'invalid' : 'invalid', `${path}: ${first.message}`, { expression: path });
}

/**
 * Consent capture on the FHIR API, mounted before the read-only record routes:
 * - `POST /fhir/Patient/:id/$consent` — a professional records, at their own organisation, the person's share-in or
 *   share-out (of the whole record, or with `item` of one item their organisation recorded) or an objection;
 *   `decision: deny` withdraws.
 * - `POST /fhir/Patient/:id/$consent-to-view` — "the patient agrees to you viewing their record now": recorded with
 *   who, when and purpose, lasting at most `consentToViewMinutes`; `withdrawn` ends it.
 * - `POST /fhir/Consent` — a FHIR R4 Consent from a source system (scope `system/Consent.write`) about its own
 *   organisation's share-in / share-out / objection.
 * Each needs a legitimate relationship (the policy's other checks) and writes an audit event; the policy point reads
 * the stored Consents on the next decision.
 */
export function consentCaptureRouter(deps: ConsentCaptureDeps): Router {
  const clock = deps.clock ?? (() => new Date());
  const audit = deps.audit ?? storeAuditSink(deps.store);
  const pep = new PolicyPoint({ policy: deps.policy, governance: deps.store, audit, grants: inMemoryGrants(), clock, logger: deps.logger });
  const maxMinutes = deps.config.consentToViewMinutes;
  const router = express.Router();
  const json = express.json({ limit: '16kb', type: ['application/json', 'application/fhir+json'], verify: refuseNulInJson });

  function professional(res: Response): AuthenticatedUser {
    const user = userOf(res);
    if (!user) throw new HttpProblem(401, 'login', 'Authorization: a bearer token is required');
    if (user.kind !== 'professional' || !user.organisation) throw new HttpProblem(403, 'forbidden', 'Consent is recorded by professionals (or source systems) of the locality; a citizen records their choices in the citizen service.');
    return user;
  }

  async function scopeOf(id: string): Promise<PatientScope> {
    if (!FHIR_ID.test(id)) throw new HttpProblem(400, 'invalid', 'id: expected a FHIR id', { expression: 'id' });
    const found = await deps.store.read('Patient', id);
    if (!found || found.patientKey === undefined) throw new HttpProblem(404, 'not-found', `id: Patient/${id} is not known`, { expression: 'id' });
    const patients = (await deps.store.listResources({ patientKey: found.patientKey, resourceTypes: ['Patient'], limit: 50 })).items.map((r) => r.resource);
    return { patientKey: found.patientKey, patients: patients.length > 0 ? patients : [found.resource] };
  }

  /** The user may record consent for this person: the policy's checks other than consent itself hold. */
  async function mayRecord(user: AuthenticatedUser, scope: PatientScope): Promise<Decision> {
    const decision = await pep.decide(user, scope);
    const refusals = decision.effect === 'deny' ? decision.reasons.filter((r) => !CONSENT_REASONS.has(r.code)) : [];
    if (refusals.length > 0) {
      await writeAudit(decision, scope, 'deny', `consent-refused`, user);
      throw new HttpProblem(403, 'forbidden', `You cannot record consent for this person: ${refusals[0]!.text}`);
    }
    return decision;
  }

  async function writeAudit(decision: Decision, scope: PatientScope, effect: 'permit' | 'deny', reason: string, _user: AuthenticatedUser, query?: string): Promise<void> {
    const event = auditEventFor(decision, { id: randomUUID(), action: 'read', query: query ?? 'consent capture' });
    await audit.append({ ...event, outcome: effect, headings: [], sources: [], reasons: [reason] }, scope.patientKey);
  }

  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      try {
        await fn(req, res);
      } catch (error) {
        if (error instanceof HttpProblem) return sendProblem(res, error);
        const unavailable = storeUnavailable(error);
        if (unavailable) return sendProblem(res, unavailable);
        next(error);
      }
    };

  router.post('/fhir/Patient/:id/$consent', authenticate(deps.auth), json, handle(async (req, res) => {
    const user = professional(res);
    const body = ConsentBody.safeParse(req.body ?? {});
    if (!body.success) throw badBody(body.error);
    const { kind, decision, item } = body.data;
    if (item && kind !== 'share-out') throw new HttpProblem(400, 'invalid', 'item: only a share-out can be about one item', { expression: 'item' });
    if (body.data.organisation && kind !== 'objection') throw new HttpProblem(400, 'invalid', 'organisation: only an objection names another organisation; share-in and share-out are recorded at yours', { expression: 'organisation' });
    const id = String(req.params.id);
    const scope = await scopeOf(id);
    const current = await mayRecord(user, scope);
    const ods = user.organisation!.ods;
    const now = clock().toISOString();
    const recordedBy = { id: user.id, display: `${user.name} (${ods})` };
    let consent: ResourceLike;
    if (item) {
      const stored = await deps.store.read(item.split('/')[0]!, item.split('/')[1]!);
      if (!stored || stored.patientKey !== scope.patientKey) throw new HttpProblem(404, 'not-found', `item: ${item} is not in this person's record`, { expression: 'item' });
      if (stored.sourceOrg !== ods) throw new HttpProblem(403, 'forbidden', `item: ${item} was recorded by ${stored.sourceOrg ?? 'another organisation'}; only the organisation that recorded an item shares it out`, { expression: 'item' });
      consent = itemShareOutToFhir({ id: randomUUID(), patientId: id, organisation: ods, item, shared: decision === 'permit', dateTime: now, recordedBy });
    } else {
      const action = kind === 'share-in' ? 'access' : kind === 'share-out' ? 'disclose' : 'share';
      // An objection is a `deny` of sharing: `decision: permit` means "object", `deny` withdraws the objection.
      const provision = kind === 'objection' ? (decision === 'permit' ? 'deny' : 'permit') : decision;
      const organisation = kind === 'objection' ? body.data.organisation : ods;
      consent = shareConsentToFhir({ id: randomUUID(), patientId: id, action, decision: provision, organisation, dateTime: now, recordedBy });
    }
    await deps.store.putConsent(scope.patientKey, consent);
    await writeAudit(current, scope, 'permit', `consent-recorded:${kind}${item ? ':item' : ''}:${decision}`, user, `POST ${req.originalUrl}`);
    sendFhir(res, 201, consent);
  }));

  router.post('/fhir/Patient/:id/$consent-to-view', authenticate(deps.auth), json, handle(async (req, res) => {
    const user = professional(res);
    const body = ConsentToViewBody.safeParse(req.body ?? {});
    if (!body.success) throw badBody(body.error);
    if (body.data.minutes !== undefined && body.data.minutes > maxMinutes)
      throw new HttpProblem(400, 'invalid', `minutes: at most ${maxMinutes} (the locality's longest consent to view)`, { expression: 'minutes' });
    const id = String(req.params.id);
    const scope = await scopeOf(id);
    const current = await mayRecord(user, scope);
    const ods = user.organisation!.ods;
    const now = clock();
    if (body.data.answer === 'withdrawn') {
      let ended = 0;
      for (const stored of await deps.store.listConsents(scope.patientKey)) {
        if (!isConsentToViewFhir(stored.consent)) continue;
        const read = consentToViewFromFhir(stored.consent, scope.patientKey);
        if (!read.ok || !read.active || read.consentToView.organisation !== ods || Date.parse(read.consentToView.expiresAt) <= now.getTime()) continue;
        await deps.store.putConsent(scope.patientKey, { ...stored.consent, status: 'inactive' });
        ended += 1;
      }
      await writeAudit(current, scope, 'permit', 'consent-recorded:consent-to-view:withdrawn', user, `POST ${req.originalUrl}`);
      return sendFhir(res, 200, outcome({ severity: 'information', code: 'informational', diagnostics: ended > 0 ? 'Consent to view withdrawn: the shared record is closed to your organisation again.' : 'There was no consent to view in force at your organisation.' }));
    }
    const minutes = body.data.minutes ?? maxMinutes;
    const ctv: ConsentToView = {
      id: randomUUID(),
      personId: scope.patientKey,
      organisation: ods,
      userId: user.id,
      answer: body.data.answer,
      recordedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
    };
    const consent = consentToViewToFhir(ctv, { patientId: id, userName: user.name, purposeOfUse: user.purposeOfUse });
    await deps.store.putConsent(scope.patientKey, consent);
    await writeAudit(current, scope, 'permit', `consent-recorded:consent-to-view:${ctv.answer}`, user, `POST ${req.originalUrl}`);
    sendFhir(res, 201, consent);
  }));

  if (deps.config.fhirConsent)
    router.post('/fhir/Consent', authenticate(deps.auth), json, handle(async (req, res) => {
      const user = professional(res);
      if (!user.scopes.includes('system/Consent.write'))
        throw new HttpProblem(403, 'forbidden', 'scope: a Consent from a source system needs a token with scope system/Consent.write');
      const ods = user.organisation!.ods;
      const body = req.body as ResourceLike | undefined;
      if (!body || typeof body !== 'object' || body.resourceType !== 'Consent') throw new HttpProblem(400, 'invalid', 'resourceType: expected Consent', { expression: 'resourceType' });
      if (isConsentToViewFhir(body)) throw new HttpProblem(400, 'invalid', 'category: consent to view is recorded at the point of care ($consent-to-view), not sent by a source system', { expression: 'category' });
      const read = consentFromFhir(body);
      if (!read.ok) throw new HttpProblem(400, 'invalid', read.issues[0]!, { expression: read.issues[0]!.split(':')[0] });
      if (isItemConsentFhir(body) && !itemShareOutFromFhir(body)) throw new HttpProblem(400, 'invalid', 'Consent.provision.data: expected reference.reference Type/id per item', { expression: 'Consent.provision.data' });
      const organisation = read.consent.organisation;
      if (read.consent.action !== 'share' && organisation !== ods)
        throw new HttpProblem(403, 'forbidden', `Consent.organization: a source system records share-in and share-out for its own organisation (${ods}), not ${organisation ?? 'none'}`, { expression: 'Consent.organization' });
      const patientId = read.consent.personId;
      const scope = await scopeOf(patientId).catch((error: unknown) => {
        if (error instanceof HttpProblem && error.status === 404) throw new HttpProblem(422, 'processing', `Consent.patient: Patient/${patientId} is not known`, { expression: 'Consent.patient' });
        throw error;
      });
      // Ids are per source organisation: a system can replace (e.g. withdraw) its own Consent, never another's.
      const id = `${ods}-${String(body.id)}`.slice(0, 64);
      const stored = { ...body, id };
      const decision = await pep.decide(user, scope);
      await deps.store.putConsent(scope.patientKey, stored);
      await writeAudit(decision, scope, 'permit', `consent-recorded:fhir:${read.consent.action}:${read.consent.decision}:${read.consent.status}`, user, `POST ${req.originalUrl}`);
      res.setHeader('Location', `${publicOrigin(req, deps.publicUrl)}${req.baseUrl}/fhir/Consent/${id}`);
      sendFhir(res, 201, stored);
    }));

  return router;
}
