import { createHash, randomBytes, randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import { SignJWT, createLocalJWKSet, decodeJwt, errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { NHS_NUMBER_SYSTEM, nhsNumberProblem, normaliseNhsNumber } from '@openidcr/model';
import type { BackendClient, ClaimMapping, DemoUser } from '../locality/locality.js';
import { describeDropped, downscope, grantSystemScopes } from './scopes.js';
import type { SmartConfigurationOptions } from './smart.js';
import { SYSTEM_ROLE } from './tokens.js';
import { HttpProblem } from '../http/outcome.js';
import { publicOrigin } from '../http/public-origin.js';

/**
 * The Patient id of a person's NHS number, for a launch in context by NHS number (`POST /dev/launch` with
 * `patientIdentifier` or `nhsNumber`); undefined when the record knows no such person. `organisation` is the launching
 * user's, so a resolver can prefer the launching organisation's own Patient.
 */
export type PatientResolver = (nhsNumber: string, context: { organisation?: string | undefined }) => Promise<string | undefined>;

export interface DevIssuerOptions {
  /** `iss` of the access tokens: what the resource server's token verifier checks. */
  issuer: string;
  audience: string;
  users: readonly DemoUser[];
  claims: ClaimMapping;
  tokenMinutes?: number;
  /** The clock (epoch ms). */
  now?: () => number;
  /**
   * The signing key (default: a fresh one). Processes serving one locality share it (`generateDevIssuerKey`), so a
   * token one of them issued is accepted by all.
   */
  key?: DevIssuerKey | undefined;
  /**
   * The server's public base URL (locality `publicUrl`); default: each request's own origin. The FHIR base URL an
   * authorization request's `aud` must name is this + `/fhir`, the OpenID Connect issuer this + `/dev`, and the token
   * endpoint a client assertion's `aud` must name this + `/dev/token`.
   */
  publicUrl?: string | undefined;
  /** SMART Backend Services clients (locality `auth.clients`). */
  clients?: readonly BackendClient[] | undefined;
  /** Resolves an NHS number to a Patient id for launches by NHS number; without it such launches are refused. */
  resolvePatient?: PatientResolver | undefined;
  /** Refresh token lifetimes in minutes: `online_access` (default 8 hours) and `offline_access` (default 30 days). */
  refreshTokenMinutes?: { online?: number | undefined; offline?: number | undefined } | undefined;
  /** Told of unexpected errors on the issuer's routes (answered `server_error` without detail). */
  onError?: ((error: unknown) => void) | undefined;
}

/** A development issuer's ES256 signing key as JWKs, to hand to every process of one locality. A secret: never log or commit it. */
export interface DevIssuerKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A fresh ES256 key for the development issuer. */
export async function generateDevIssuerKey(): Promise<DevIssuerKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** What a token is issued with besides the user. */
export interface IssueOptions {
  patient?: string | undefined;
  scope?: string | undefined;
  /** Seconds from now the token expires (negative for an already expired token, in tests). */
  expiresInSeconds?: number | undefined;
}

/** A SMART EHR launch: the primary system says who the user is and which patient is open. */
interface Launch {
  userId: string;
  patient: string;
  expiresAt: number;
}

/** What an authorization code, and the refresh tokens that follow it, were granted. */
interface Grant {
  userId: string;
  clientId: string;
  patient: string | undefined;
  scopes: string[];
  /** The user's FHIR resource URL, when `fhirUser` was granted. */
  fhirUser: string | undefined;
}

interface AuthorizationCode extends Grant {
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  /** The OpenID Connect issuer the authorization request was made to. */
  oidcIssuer: string;
  expiresAt: number;
}

interface RefreshToken extends Grant {
  /** Every refresh token rotated from one authorization shares it, so a replayed one revokes them all. */
  family: string;
  expiresAt: number;
}

/**
 * The development issuer: an in-memory ES256 key made at start, its JWKS, and tokens for the locality's demo users
 * and backend-services clients. For a laptop, a demo or a test: it signs in whatever demo user is asked for, so it must
 * never face real users.
 *
 * SMART App Launch 2.x: EHR launch (`POST /dev/launch` → `launch`) and standalone launch (`login_hint` = a demo user
 * id), public clients with PKCE S256 required, `aud` required and checked, scopes downscoped (see `auth/scopes.ts`),
 * OpenID Connect id tokens, refresh tokens (`offline_access`, `online_access`), and SMART Backend Services
 * (`client_credentials` with a `private_key_jwt` client assertion). The OpenID Connect issuer is the public origin +
 * `/dev` (`/dev/.well-known/openid-configuration`); access tokens keep `issuer` as their `iss`, the value every token
 * verifier of the locality checks.
 *
 * Launches, codes, refresh tokens and client assertion ids are kept in this process's memory: a locality served by
 * several processes would need them in the store (and a sticky route to one process meanwhile).
 */
export interface DevIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
  jwks(): JSONWebKeySet;
  /** The OpenID Connect issuer for a server origin (public URL or request origin): origin + `/dev`. */
  oidcIssuer(origin: string): string;
  /** Its endpoints for a server origin, as SMART discovery (and the CapabilityStatement) name them. */
  discovery(origin: string): SmartConfigurationOptions;
  /** A signed token for a demo user; undefined for an unknown user id. */
  issue(userId: string, options?: IssueOptions): Promise<string | undefined>;
  /**
   * Routes under `/dev`: `GET /dev/.well-known/jwks.json`, `GET /dev/.well-known/openid-configuration`,
   * `POST /dev/token` (`{ "userId" }` as JSON; or as a form the `authorization_code`, `refresh_token` and
   * `client_credentials` grants), `POST /dev/launch` (`{ "userId", "patient" }`, or `patientIdentifier` /
   * `nhsNumber` instead of `patient` → a launch id) and `GET /dev/authorize` (EHR launch with `launch`, or standalone
   * with `login_hint`).
   */
  router(): Router;
}

const LAUNCH_TTL_MS = 5 * 60_000;
const CODE_TTL_MS = 60_000;
/** SMART Backend Services: an access token lasts five minutes at most, and so may a client assertion. */
const SYSTEM_TOKEN_SECONDS = 300;
const ASSERTION_MAX_SECONDS = 300;
const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'];

/** What the development issuer supports, as both discovery documents (SMART's and OpenID Connect's) say it. */
export const DEV_ISSUER_SUPPORTS = {
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  tokenEndpointAuthMethods: ['none', 'private_key_jwt'],
  tokenEndpointAuthSigningAlgs: ASSERTION_ALGORITHMS,
  scopes: ['openid', 'fhirUser', 'launch', 'offline_access', 'online_access', 'patient/*.read', 'patient/*.rs', 'user/*.read', 'user/*.rs', 'system/hl7.write'],
} as const;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Scopes a citizen may be issued by the JSON shortcut: their own record only, never user-level or system scopes. */
const CITIZEN_SCOPE = /^(openid|fhirUser|profile|launch|launch\/patient|patient\/[A-Za-z*]+\.(read|rs|r))$/;

/** The scopes of a request that a citizen may not have, if the user is a citizen. */
function scopesRefused(user: DemoUser | undefined, scope: string | undefined): string[] {
  if (!user || user.role !== 'citizen' || scope === undefined) return [];
  return scope.split(/\s+/).filter((s) => s.length > 0 && !CITIZEN_SCOPE.test(s));
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');
const firstIssue = (error: z.ZodError): string => `${error.issues[0]!.path.join('.') || 'body'}: ${error.issues[0]!.message}`;

/** Why an error thrown by a body parser happened, in words that name the field; undefined for any other error. */
function bodyProblem(error: unknown): { status: number; description: string } | undefined {
  const type = (error as { type?: unknown } | undefined)?.type;
  if (type === 'entity.parse.failed') return { status: 400, description: 'body: not valid JSON or form data' };
  if (type === 'entity.too.large') return { status: 413, description: 'body: too large' };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return { status: 415, description: 'body: encoding or charset not supported' };
  return undefined;
}

/** Makes a development issuer with its key (a fresh ES256 key unless one is given). */
export async function createDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const key = options.key ?? (await generateDevIssuerKey());
  const kid = key.kid;
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  const jwks: JSONWebKeySet = { keys: [{ ...key.publicJwk, kid, alg: 'ES256', use: 'sig' }] };
  const keys = createLocalJWKSet(jwks);
  const now = options.now ?? Date.now;
  const users = new Map(options.users.map((u) => [u.id, u]));
  const clients = new Map((options.clients ?? []).map((client) => [client.clientId, { client, keys: createLocalJWKSet(client.jwks as JSONWebKeySet) }]));
  const launches = new Map<string, Launch>();
  const codes = new Map<string, AuthorizationCode>();
  /** Refresh tokens by their SHA-256 (the token itself is never kept). */
  const refreshTokens = new Map<string, RefreshToken>();
  /** Refresh tokens already used (SHA-256) → their family and when they would have expired. */
  const usedRefreshTokens = new Map<string, { family: string; expiresAt: number }>();
  /** Client assertion ids seen (`client|jti`) → until when (epoch ms) they are remembered. */
  const assertionIds = new Map<string, number>();
  const c = options.claims;
  const minutes = options.tokenMinutes ?? 60;
  const refreshMinutes = { online: options.refreshTokenMinutes?.online ?? 8 * 60, offline: options.refreshTokenMinutes?.offline ?? 30 * 24 * 60 };
  const oidcIssuer = (origin: string): string => `${origin.replace(/\/+$/, '')}/dev`;
  const discovery = (origin: string): SmartConfigurationOptions => ({
    server: 'dev-issuer',
    issuer: oidcIssuer(origin),
    jwksUri: `${origin}/dev/.well-known/jwks.json`,
    authorizationEndpoint: `${origin}/dev/authorize`,
    tokenEndpoint: `${origin}/dev/token`,
  });

  const sweep = (): void => {
    const t = now();
    for (const [id, launch] of launches) if (launch.expiresAt <= t) launches.delete(id);
    for (const [id, code] of codes) if (code.expiresAt <= t) codes.delete(id);
    for (const [id, refresh] of refreshTokens) if (refresh.expiresAt <= t) refreshTokens.delete(id);
    for (const [id, used] of usedRefreshTokens) if (used.expiresAt <= t) usedRefreshTokens.delete(id);
    for (const [id, until] of assertionIds) if (until <= t) assertionIds.delete(id);
  };

  async function issue(userId: string, issueOptions: IssueOptions = {}): Promise<string | undefined> {
    const user = users.get(userId);
    if (!user) return undefined;
    const iat = Math.floor(now() / 1000);
    const claims: Record<string, unknown> = { [c.name]: user.name, [c.role]: user.role, [c.purposeOfUse]: user.purposeOfUse };
    if (user.organisation) claims[c.organisation] = user.organisation;
    if (user.sdsRoleCode) claims[c.sdsRoleCode] = user.sdsRoleCode;
    if (user.activityCodes.length > 0) claims[c.activityCodes] = user.activityCodes;
    if (user.nhsNumber) claims[c.nhsNumber] = user.nhsNumber;
    if (issueOptions.patient) claims[c.patient] = issueOptions.patient;
    claims[c.scope] = issueOptions.scope ?? (user.role === 'citizen' ? 'openid patient/*.read' : 'openid fhirUser user/*.read');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject(user.id)
      .setIssuedAt(iat)
      .setJti(randomUUID())
      .setExpirationTime(iat + (issueOptions.expiresInSeconds ?? minutes * 60))
      .sign(privateKey);
  }

  /** A backend-services client's access token: role `system`, its organisation, the granted system scopes. */
  async function issueSystem(client: BackendClient, scope: string): Promise<string> {
    const iat = Math.floor(now() / 1000);
    return new SignJWT({ [c.name]: client.clientId, [c.role]: SYSTEM_ROLE, [c.organisation]: client.organisation, [c.scope]: scope, client_id: client.clientId })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject(client.clientId)
      .setIssuedAt(iat)
      .setJti(randomUUID())
      .setExpirationTime(iat + SYSTEM_TOKEN_SECONDS)
      .sign(privateKey);
  }

  /** An OpenID Connect id token for the client: ES256, `aud` the client id, `nonce` and `fhirUser` when there are. */
  async function idToken(grant: Grant, issuerUrl: string, nonce: string | undefined): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const claims: Record<string, unknown> = {};
    if (nonce !== undefined) claims.nonce = nonce;
    if (grant.fhirUser !== undefined) claims.fhirUser = grant.fhirUser;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(issuerUrl)
      .setAudience(grant.clientId)
      .setSubject(grant.userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + minutes * 60)
      .sign(privateKey);
  }

  /** The user's FHIR resource URL for `fhirUser`: a Practitioner for a professional, their Patient for a citizen. */
  async function fhirUserOf(user: DemoUser, fhirBase: string): Promise<string | undefined> {
    if (user.role !== 'citizen') return FHIR_ID.test(user.id) ? `${fhirBase}/Practitioner/${user.id}` : undefined;
    const patient = user.nhsNumber && options.resolvePatient ? await options.resolvePatient(user.nhsNumber, {}) : undefined;
    return patient !== undefined && FHIR_ID.test(patient) ? `${fhirBase}/Patient/${patient}` : undefined;
  }

  /**
   * Access token with `scopes` (the grant's, or fewer on a narrowing refresh), and a refresh token carrying the whole
   * grant when `offline_access` or `online_access` is granted (or when refreshing, with the first expiry).
   */
  async function tokenResponse(grant: Grant, scopes: readonly string[], family: string | undefined, refreshExpiresAt: number | undefined): Promise<Record<string, unknown>> {
    const scope = scopes.join(' ');
    const access = await issue(grant.userId, { patient: grant.patient, scope });
    if (access === undefined) throw new Error(`demo user ${grant.userId} vanished`);
    const response: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: minutes * 60, scope };
    if (grant.patient !== undefined) response.patient = grant.patient;
    const lifetime = grant.scopes.includes('offline_access') ? refreshMinutes.offline : grant.scopes.includes('online_access') ? refreshMinutes.online : undefined;
    if (lifetime !== undefined || refreshExpiresAt !== undefined) {
      const refresh = randomBytes(32).toString('base64url');
      refreshTokens.set(sha256(refresh), { ...grant, family: family ?? randomUUID(), expiresAt: refreshExpiresAt ?? now() + lifetime! * 60_000 });
      response.refresh_token = refresh;
    }
    return response;
  }

  function router(): Router {
    const r = express.Router();
    const originOf = (req: Request): string => publicOrigin(req, options.publicUrl);
    const oauthError = (res: express.Response, status: number, error: string, description: string): void => {
      res.status(status).json({ error, error_description: description });
    };
    const noStore: express.RequestHandler = (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      next();
    };
    const bodies = [express.json({ limit: '8kb' }), express.urlencoded({ extended: false, limit: '8kb' })];

    r.get('/dev/.well-known/jwks.json', (_req, res) => {
      res.json(jwks);
    });
    r.get('/dev/.well-known/openid-configuration', (req, res) => {
      const endpoints = discovery(originOf(req));
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json({
        issuer: endpoints.issuer,
        authorization_endpoint: endpoints.authorizationEndpoint,
        token_endpoint: endpoints.tokenEndpoint,
        jwks_uri: endpoints.jwksUri,
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        scopes_supported: DEV_ISSUER_SUPPORTS.scopes,
        claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'nonce', 'fhirUser'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: DEV_ISSUER_SUPPORTS.tokenEndpointAuthMethods,
        token_endpoint_auth_signing_alg_values_supported: DEV_ISSUER_SUPPORTS.tokenEndpointAuthSigningAlgs,
        grant_types_supported: DEV_ISSUER_SUPPORTS.grantTypes,
        authorization_response_iss_parameter_supported: true,
      });
    });

    r.post('/dev/launch', noStore, ...bodies, async (req, res) => {
      const body = z
        .object({
          userId: z.string().min(1).max(128),
          patient: z.string().regex(FHIR_ID, 'a FHIR id').optional(),
          patientIdentifier: z.string().max(256).optional(),
          nhsNumber: z.string().max(32).optional(),
        })
        .safeParse(req.body ?? {});
      if (!body.success) return oauthError(res, 400, 'invalid_request', firstIssue(body.error));
      const { userId, patient, patientIdentifier, nhsNumber } = body.data;
      const user = users.get(userId);
      if (!user) return oauthError(res, 400, 'invalid_request', `userId: no demo user "${userId}"`);
      const given = [patient, patientIdentifier, nhsNumber].filter((v) => v !== undefined).length;
      if (given !== 1) return oauthError(res, 400, 'invalid_request', 'patient: give exactly one of patient (a FHIR id), patientIdentifier (system|value) or nhsNumber');
      let patientId = patient;
      if (patientId === undefined) {
        const field = patientIdentifier !== undefined ? 'patientIdentifier' : 'nhsNumber';
        let raw = nhsNumber ?? '';
        if (patientIdentifier !== undefined) {
          const bar = patientIdentifier.lastIndexOf('|');
          if (bar < 0 || patientIdentifier.slice(0, bar) !== NHS_NUMBER_SYSTEM) return oauthError(res, 400, 'invalid_request', `patientIdentifier: give ${NHS_NUMBER_SYSTEM}|<NHS number>`);
          raw = patientIdentifier.slice(bar + 1);
        }
        const problem = nhsNumberProblem(raw);
        if (problem !== undefined) return oauthError(res, 400, 'invalid_request', `${field}: ${problem}`);
        if (!options.resolvePatient) return oauthError(res, 400, 'invalid_request', `${field}: this issuer has no record to find an NHS number in`);
        patientId = await options.resolvePatient(normaliseNhsNumber(raw), { organisation: user.organisation });
        if (patientId === undefined) return oauthError(res, 400, 'invalid_request', `${field}: no patient with NHS number ${normaliseNhsNumber(raw)} in the record`);
      }
      sweep();
      const launch = randomBytes(16).toString('base64url');
      launches.set(launch, { userId, patient: patientId, expiresAt: now() + LAUNCH_TTL_MS });
      res.status(201).json({ launch, expires_in: LAUNCH_TTL_MS / 1000 });
    });

    r.get('/dev/authorize', async (req, res) => {
      // Until the client and its redirect URI are known, errors are answered here, never sent to an unchecked URI.
      const client = z
        .object({ response_type: z.literal('code'), client_id: z.string().min(1).max(256), redirect_uri: z.url({ protocol: /^https?$/ }) })
        .safeParse(req.query);
      if (!client.success) return oauthError(res, 400, 'invalid_request', firstIssue(client.error));
      const origin = originOf(req);
      const issuerUrl = oidcIssuer(origin);
      const fhirBase = `${origin}/fhir`;
      const redirect = new URL(client.data.redirect_uri);
      const state = typeof req.query.state === 'string' ? req.query.state.slice(0, 2048) : undefined;
      if (state !== undefined) redirect.searchParams.set('state', state);
      redirect.searchParams.set('iss', issuerUrl);
      const refuse = (error: string, description: string): void => {
        redirect.searchParams.set('error', error);
        redirect.searchParams.set('error_description', description);
        res.redirect(302, redirect.toString());
      };
      const q = z
        .object({
          scope: z.string().max(4096).optional(),
          state: z.string().max(2048).optional(),
          aud: z.string().max(2048).optional(),
          launch: z.string().max(256).optional(),
          login_hint: z.string().max(256).optional(),
          code_challenge: z.string().optional(),
          code_challenge_method: z.string().optional(),
          nonce: z.string().max(512).optional(),
        })
        .safeParse(req.query);
      if (!q.success) return refuse('invalid_request', firstIssue(q.error));
      const aud = q.data.aud?.replace(/\/+$/, '');
      if (aud === undefined) return refuse('invalid_request', `aud: required, the FHIR base URL of this server (${fhirBase})`);
      if (aud !== fhirBase) return refuse('invalid_request', `aud: ${q.data.aud} is not the FHIR base URL of this server (${fhirBase})`);
      if (q.data.code_challenge === undefined) return refuse('invalid_request', 'code_challenge: required (PKCE with S256)');
      if (!/^[A-Za-z0-9_-]{43}$/.test(q.data.code_challenge)) return refuse('invalid_request', 'code_challenge: not an S256 challenge (43 base64url characters)');
      if (q.data.code_challenge_method !== 'S256') return refuse('invalid_request', 'code_challenge_method: must be S256');
      sweep();
      let userId: string;
      let patient: string | undefined;
      const launchId = q.data.launch;
      if (launchId !== undefined) {
        const launch = launches.get(launchId);
        if (!launch) return refuse('invalid_request', 'launch: unknown or expired launch id');
        launches.delete(launchId);
        userId = launch.userId;
        patient = launch.patient;
      } else {
        const hint = q.data.login_hint;
        if (hint === undefined || !users.has(hint)) return refuse('login_required', 'login_hint: name a demo user (standalone launch has no login page)');
        userId = hint;
      }
      const user = users.get(userId)!;
      if (q.data.scope === undefined) return refuse('invalid_scope', 'scope: required');
      const decision = downscope(q.data.scope, { citizen: user.role === 'citizen', launch: launchId !== undefined, patient: patient !== undefined });
      let fhirUser: string | undefined;
      if (decision.granted.includes('fhirUser')) {
        fhirUser = await fhirUserOf(user, fhirBase);
        if (fhirUser === undefined) decision.granted.splice(decision.granted.indexOf('fhirUser'), 1);
      }
      if (decision.granted.length === 0) return refuse('invalid_scope', `scope: nothing grantable: ${describeDropped(decision.dropped)}`);
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        userId,
        patient,
        scopes: decision.granted,
        fhirUser,
        clientId: client.data.client_id,
        redirectUri: client.data.redirect_uri,
        codeChallenge: q.data.code_challenge,
        nonce: q.data.nonce,
        oidcIssuer: issuerUrl,
        expiresAt: now() + CODE_TTL_MS,
      });
      redirect.searchParams.set('code', code);
      res.redirect(302, redirect.toString());
    });

    r.post('/dev/token', noStore, ...bodies, async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.grant_type === undefined) return jsonShortcut(body, res);
      const grantType = z.enum(['authorization_code', 'refresh_token', 'client_credentials']).safeParse(body.grant_type);
      if (!grantType.success) return oauthError(res, 400, 'unsupported_grant_type', 'grant_type: authorization_code, refresh_token or client_credentials');
      sweep();
      if (grantType.data === 'authorization_code') {
        const grant = z
          .object({ code: z.string().min(1).max(256), redirect_uri: z.string().min(1).max(2048), client_id: z.string().min(1).max(256), code_verifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, '43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)') })
          .safeParse(body);
        if (!grant.success) return oauthError(res, 400, 'invalid_request', firstIssue(grant.error));
        const code = codes.get(grant.data.code);
        codes.delete(grant.data.code);
        if (!code) return oauthError(res, 400, 'invalid_grant', 'code: unknown, used or expired');
        if (code.redirectUri !== grant.data.redirect_uri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri: differs from the authorization request');
        if (grant.data.client_id !== code.clientId) return oauthError(res, 400, 'invalid_grant', 'client_id: differs from the authorization request');
        if (sha256(grant.data.code_verifier) !== code.codeChallenge) return oauthError(res, 400, 'invalid_grant', 'code_verifier: does not match the code_challenge');
        const response = await tokenResponse(code, code.scopes, undefined, undefined);
        if (code.scopes.includes('openid')) response.id_token = await idToken(code, code.oidcIssuer, code.nonce);
        return res.json(response);
      }
      if (grantType.data === 'refresh_token') {
        const grant = z.object({ refresh_token: z.string().min(1).max(256), client_id: z.string().min(1).max(256), scope: z.string().max(4096).optional() }).safeParse(body);
        if (!grant.success) return oauthError(res, 400, 'invalid_request', firstIssue(grant.error));
        const hash = sha256(grant.data.refresh_token);
        const stored = refreshTokens.get(hash);
        if (!stored) {
          // A refresh token used twice was stolen or replayed: every token of its family stops working.
          const used = usedRefreshTokens.get(hash);
          if (used) for (const [id, live] of refreshTokens) if (live.family === used.family) refreshTokens.delete(id);
          return oauthError(res, 400, 'invalid_grant', 'refresh_token: unknown, used or expired');
        }
        if (stored.clientId !== grant.data.client_id) return oauthError(res, 400, 'invalid_grant', 'client_id: the refresh token was issued to another client');
        let scopes = stored.scopes;
        if (grant.data.scope !== undefined) {
          const asked = grant.data.scope.split(/\s+/).filter((s) => s.length > 0);
          const wider = asked.filter((s) => !stored.scopes.includes(s));
          if (wider.length > 0) return oauthError(res, 400, 'invalid_scope', `scope: ${wider.join(' ')} was not granted; a refresh may narrow the scope, never widen it`);
          if (asked.length === 0) return oauthError(res, 400, 'invalid_scope', 'scope: empty');
          scopes = stored.scopes.filter((s) => asked.includes(s));
        }
        refreshTokens.delete(hash);
        usedRefreshTokens.set(hash, { family: stored.family, expiresAt: stored.expiresAt });
        // The new refresh token carries the original grant (RFC 6749 §6) and the original expiry; the access token the narrowed scope.
        const { family, expiresAt, ...original } = stored;
        return res.json(await tokenResponse(original, scopes, family, expiresAt));
      }
      return clientCredentials(req, body, res);
    });

    /** The development shortcut: `{ "userId", "scope"? , "patient"? }` as JSON, any scope but a citizen's limits. */
    async function jsonShortcut(body: Record<string, unknown>, res: express.Response): Promise<void> {
      const parsed = z.object({ userId: z.string().min(1), patient: z.string().regex(FHIR_ID).optional(), scope: z.string().max(4096).optional() }).safeParse(body);
      if (!parsed.success) return oauthError(res, 400, 'invalid_request', parsed.error.issues[0]!.path[0] === 'userId' ? 'userId: required' : firstIssue(parsed.error));
      const refused = scopesRefused(users.get(parsed.data.userId), parsed.data.scope);
      if (refused.length > 0) return oauthError(res, 400, 'invalid_scope', `scope: a citizen may not have ${refused.join(' ')}`);
      const token = await issue(parsed.data.userId, { patient: parsed.data.patient, scope: parsed.data.scope });
      if (!token) return oauthError(res, 400, 'invalid_grant', `userId: no demo user "${parsed.data.userId}"`);
      res.json({ access_token: token, token_type: 'Bearer', expires_in: minutes * 60 });
    }

    /** SMART Backend Services: a registered client proves itself with a JWT signed by its key. */
    async function clientCredentials(req: Request, body: Record<string, unknown>, res: express.Response): Promise<void> {
      const grant = z
        .object({
          client_assertion_type: z.literal(CLIENT_ASSERTION_TYPE),
          client_assertion: z.string().min(1).max(16_384),
          scope: z.string().min(1).max(4096),
          client_id: z.string().max(256).optional(),
        })
        .safeParse(body);
      if (!grant.success) return oauthError(res, 400, 'invalid_request', firstIssue(grant.error));
      const refuseClient = (description: string) => oauthError(res, 401, 'invalid_client', description);
      let claimed: unknown;
      try {
        claimed = decodeJwt(grant.data.client_assertion).iss;
      } catch {
        return refuseClient('client_assertion: not a JWT');
      }
      const registered = typeof claimed === 'string' ? clients.get(claimed) : undefined;
      if (!registered) return refuseClient('client_assertion: iss names no registered client');
      const clientId = registered.client.clientId;
      if (grant.data.client_id !== undefined && grant.data.client_id !== clientId) return refuseClient('client_id: differs from the client assertion\'s iss');
      const tokenEndpoint = `${originOf(req)}/dev/token`;
      const at = now();
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(grant.data.client_assertion, registered.keys, {
          algorithms: ASSERTION_ALGORITHMS,
          issuer: clientId,
          subject: clientId,
          audience: tokenEndpoint,
          requiredClaims: ['exp', 'jti'],
          currentDate: new Date(at),
          clockTolerance: 5,
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) return refuseClient('client_assertion: expired');
        if (error instanceof joseErrors.JWTClaimValidationFailed)
          return refuseClient(`client_assertion: claim ${error.claim} ${error.claim === 'aud' ? `must be the token endpoint (${tokenEndpoint})` : error.reason === 'missing' ? 'is required' : 'is not accepted'}`);
        if (error instanceof joseErrors.JOSEAlgNotAllowed) return refuseClient(`client_assertion: sign with one of ${ASSERTION_ALGORITHMS.join(', ')}`);
        return refuseClient('client_assertion: the signature does not verify with the client\'s registered keys');
      }
      const exp = payload.exp!;
      if (exp * 1000 > at + ASSERTION_MAX_SECONDS * 1000) return refuseClient(`client_assertion: exp is more than ${ASSERTION_MAX_SECONDS / 60} minutes ahead`);
      const jti = typeof payload.jti === 'string' && payload.jti.length <= 256 ? payload.jti : undefined;
      if (jti === undefined) return refuseClient('client_assertion: claim jti must be a string of at most 256 characters');
      const seen = `${clientId}|${jti}`;
      if (assertionIds.has(seen)) return refuseClient('client_assertion: jti already used (a replayed assertion)');
      assertionIds.set(seen, exp * 1000 + 5_000);
      const decision = grantSystemScopes(grant.data.scope, registered.client.scopes);
      if (decision.granted.length === 0) return oauthError(res, 400, 'invalid_scope', `scope: nothing grantable: ${describeDropped(decision.dropped)}`);
      const scope = decision.granted.join(' ');
      res.json({ access_token: await issueSystem(registered.client, scope), token_type: 'Bearer', expires_in: SYSTEM_TOKEN_SECONDS, scope });
    }

    // Body parser failures and anything unexpected, as OAuth errors (never a stack trace).
    const oauthErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
      if (res.headersSent) return next(error);
      const problem = bodyProblem(error);
      if (problem) return oauthError(res, problem.status, 'invalid_request', problem.description);
      // A Host header no link can be built from (publicOrigin), named as it says.
      if (error instanceof HttpProblem && error.status < 500) return oauthError(res, error.status, 'invalid_request', error.message);
      options.onError?.(error);
      oauthError(res, 500, 'server_error', 'the issuer could not answer this request');
    };
    r.use(['/dev/token', '/dev/launch', '/dev/authorize'], oauthErrors);
    return r;
  }

  return { issuer: options.issuer, audience: options.audience, keys, jwks: () => jwks, oidcIssuer, discovery, issue, router };
}
