import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { PurposeOfUse, isValidNhsNumber, type PurposeOfUseCode } from '@openidcr/model';
import type { OrganisationKind } from '@openidcr/governance';
import type { ClaimMapping, Organisation } from '../locality/locality.js';
import { HttpProblem, sendProblem } from '../http/outcome.js';

/** The role claim value of a SMART Backend Services (system-to-system) token: a source system, not a person. */
export const SYSTEM_ROLE = 'system';

/**
 * The signed-in user, as the bearer token says: a professional, a citizen, or (`kind: 'system'`, role claim
 * `system`) a source system acting for its organisation through SMART Backend Services, which has only system/ scopes
 * and is refused by every route that serves a person (the FHIR record API, citizen and staff routes); it may send
 * feeds (`POST /integration/hl7`).
 */
export interface AuthenticatedUser {
  kind: 'professional' | 'citizen' | 'system';
  /** The user id; for a system token, the client id. */
  id: string;
  name: string;
  /** The locality role id; `citizen` for a member of the public, `system` for a backend-services client. */
  roleId: string;
  /** The user's organisation (professionals and system clients). */
  organisation?: { ods: string; kind: OrganisationKind } | undefined;
  sdsRoleCode?: string | undefined;
  activityCodes: string[];
  purposeOfUse: PurposeOfUseCode;
  /** The patient in context (SMART launch): a patient-level token may read this patient only. */
  patient?: string | undefined;
  scopes: string[];
  /** A citizen's own NHS number. */
  nhsNumber?: string | undefined;
}

/** Why a token was refused, said so that the caller can fix it. */
export type TokenProblem = { code: 'missing' | 'expired' | 'invalid' | 'claims'; message: string };

export interface TokenVerifier {
  verify(token: string): Promise<{ ok: true; user: AuthenticatedUser } | { ok: false; problem: TokenProblem }>;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** A key set: `createRemoteJWKSet(new URL(jwksUrl))`, or `createLocalJWKSet(jwks)`. */
  keys: JWTVerifyGetKey;
  algorithms: readonly string[];
  claims: ClaimMapping;
  /** The locality's organisations: a professional's organisation must be one of them. */
  organisations: readonly Pick<Organisation, 'ods' | 'kind'>[];
  clockToleranceSeconds?: number;
  /** The clock (epoch ms); tests pass their own. */
  now?: () => number;
  /**
   * How many verified tokens to remember (default 10,000; 0: none). A token's bytes cannot change, so a token already
   * verified is not verified again (an ES256 check is about a tenth of a request's CPU) until it expires, and for at
   * most `cacheSeconds`, which bounds how long a key removed from the issuer's JWKS still admits a token signed with it.
   * Refusals are never remembered.
   */
  cacheSize?: number;
  /** Longest a verified token is remembered (default 300 s, like a JWKS cache). */
  cacheSeconds?: number;
}

const PURPOSE_CODES = Object.keys(PurposeOfUse) as [PurposeOfUseCode, ...PurposeOfUseCode[]];

function claim(payload: JWTPayload, name: string): unknown {
  return (payload as Record<string, unknown>)[name];
}

/** Verifies bearer JWTs against the locality's issuer and maps their claims to an `AuthenticatedUser`. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const organisations = new Map(options.organisations.map((o) => [o.ods, o.kind]));
  const c = options.claims;
  const text = z.string().min(1);
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceSeconds ?? 30;
  const cacheSize = options.cacheSize ?? 10_000;
  const cacheMs = (options.cacheSeconds ?? 300) * 1000;
  /** Verified tokens: the user and until when (epoch ms) the token may be taken without verifying it again. */
  const verified = new Map<string, { user: AuthenticatedUser; until: number }>();
  const verify = async (token: string): Promise<{ ok: true; user: AuthenticatedUser; exp: number } | { ok: false; problem: TokenProblem }> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...options.algorithms],
        clockTolerance: options.clockToleranceSeconds ?? 30,
        ...(options.now ? { currentDate: new Date(options.now()) } : {}),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, problem: { code: 'expired', message: 'the token has expired' } };
      if (error instanceof joseErrors.JWTClaimValidationFailed)
        return { ok: false, problem: { code: 'invalid', message: `token claim ${error.claim}: ${error.reason === 'check_failed' ? 'not accepted' : error.reason}` } };
      if (error instanceof joseErrors.JOSEAlgNotAllowed) return { ok: false, problem: { code: 'invalid', message: 'the token is not signed with an accepted algorithm' } };
      return { ok: false, problem: { code: 'invalid', message: 'the token signature could not be verified' } };
    }
    const bad = (name: string, why: string) => ({ ok: false as const, problem: { code: 'claims' as const, message: `token claim ${name}: ${why}` } });
    const id = text.safeParse(claim(payload, c.subject));
    if (!id.success) return bad(c.subject, 'required');
    const name = text.safeParse(claim(payload, c.name));
    const role = text.safeParse(claim(payload, c.role));
    if (!role.success) return bad(c.role, 'required');
    const purposeRaw = claim(payload, c.purposeOfUse) ?? 'TREAT';
    const purpose = z.enum(PURPOSE_CODES).safeParse(purposeRaw);
    if (!purpose.success) return bad(c.purposeOfUse, `${JSON.stringify(purposeRaw)} is not a purpose of use (${PURPOSE_CODES.join(', ')})`);
    const scopeRaw = claim(payload, c.scope);
    const scopes = typeof scopeRaw === 'string' ? scopeRaw.split(/\s+/).filter(Boolean) : Array.isArray(scopeRaw) ? scopeRaw.filter((s): s is string => typeof s === 'string') : [];
    const patient = claim(payload, c.patient);
    if (patient !== undefined && (typeof patient !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(patient))) return bad(c.patient, 'not a FHIR id');
    const base = { id: id.data, name: name.success ? name.data : id.data, roleId: role.data, purposeOfUse: purpose.data, scopes, patient: patient as string | undefined };
    if (role.data === 'citizen') {
      const nhs = claim(payload, c.nhsNumber);
      if (typeof nhs !== 'string' || !isValidNhsNumber(nhs)) return bad(c.nhsNumber, 'a citizen token needs a valid NHS number');
      return { ok: true, exp: payload.exp!, user: { ...base, kind: 'citizen', activityCodes: [], nhsNumber: nhs } };
    }
    const ods = claim(payload, c.organisation);
    if (typeof ods !== 'string') return bad(c.organisation, 'required (the ODS code of the user\'s organisation)');
    const kind = organisations.get(ods);
    if (kind === undefined) return bad(c.organisation, `${ods} is not an organisation of this locality`);
    // A backend-services client: only its system scopes count, whatever else the token says.
    if (role.data === SYSTEM_ROLE)
      return { ok: true, exp: payload.exp!, user: { ...base, patient: undefined, kind: 'system', organisation: { ods, kind }, activityCodes: [], scopes: scopes.filter((s) => s.startsWith('system/')) } };
    const sds = claim(payload, c.sdsRoleCode);
    const activities = claim(payload, c.activityCodes);
    return {
      ok: true,
      exp: payload.exp!,
      user: {
        ...base,
        kind: 'professional',
        organisation: { ods, kind },
        sdsRoleCode: typeof sds === 'string' ? sds : undefined,
        activityCodes: Array.isArray(activities) ? activities.filter((a): a is string => typeof a === 'string') : typeof activities === 'string' ? activities.split(/[\s,]+/).filter(Boolean) : [],
      },
    };
  };
  return {
    async verify(token) {
      const at = now();
      const hit = verified.get(token);
      if (hit) {
        if (at < hit.until) return { ok: true, user: hit.user };
        verified.delete(token);
      }
      const result = await verify(token);
      if (!result.ok) return result;
      const user = deepFreeze(result.user);
      if (cacheSize > 0) {
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
        verified.set(token, { user, until: Math.min((result.exp + tolerance) * 1000, at + cacheMs) });
      }
      return { ok: true, user };
    },
  };
}

/** The user is shared by every request carrying the same token: nobody may change it. */
function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner as object);
  return Object.freeze(value);
}

/** A key set fetched (and cached, refreshed on unknown `kid`) from an OIDC provider's JWKS URL. */
export function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl));
}

/** The user the `authenticate` middleware put on the response. */
export function userOf(res: Response): AuthenticatedUser | undefined {
  return (res.locals as { user?: AuthenticatedUser }).user;
}

/**
 * Middleware: requires `Authorization: Bearer <jwt>`, verifies it, and sets `res.locals.user`. Answers 401 with an
 * OperationOutcome and `WWW-Authenticate` when the token is missing, expired, unsigned, or from another issuer.
 */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header) : null;
    if (!match) {
      sendProblem(res, new HttpProblem(401, 'login', 'Authorization: a bearer token is required', { headers: { 'WWW-Authenticate': 'Bearer realm="openidcr"' } }));
      return;
    }
    verifier.verify(match[1]!).then(
      (result) => {
        if (!result.ok) {
          const error = result.problem.code === 'expired' ? 'invalid_token", error_description="expired' : 'invalid_token';
          sendProblem(res, new HttpProblem(401, 'login', `Authorization: ${result.problem.message}`, { headers: { 'WWW-Authenticate': `Bearer realm="openidcr", error="${error}"` } }));
          return;
        }
        (res.locals as { user?: AuthenticatedUser }).user = result.user;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}
