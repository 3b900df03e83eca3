import { createHash, randomBytes, randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { ClaimMapping, DemoUser } from '../locality/locality.js';

export interface DevIssuerOptions {
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

interface AuthorizationCode {
  userId: string;
  patient: string | undefined;
  scope: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  expiresAt: number;
}

/**
 * The development issuer: an in-memory ES256 key made at start, its JWKS, and tokens for the locality's demo users.
 * For a laptop, a demo or a test: it signs whatever demo user is asked for, so it must never face real users.
 */
export interface DevIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
  jwks(): JSONWebKeySet;
  /** A signed token for a demo user; undefined for an unknown user id. */
  issue(userId: string, options?: IssueOptions): Promise<string | undefined>;
  /**
   * Routes under `/dev`: `GET /dev/.well-known/jwks.json`, `POST /dev/token` (`{ "userId" }` as JSON, or the SMART
   * `authorization_code` grant as a form), `POST /dev/launch` (`{ "userId", "patient" }` → a launch id) and
   * `GET /dev/authorize` (SMART authorization endpoint: EHR launch with `launch`, or standalone with `login_hint`).
   */
  router(): Router;
}

const LAUNCH_TTL_MS = 5 * 60_000;

/** Scopes a citizen may be issued: their own record only, never user-level or system scopes. */
const CITIZEN_SCOPE = /^(openid|fhirUser|profile|launch|launch\/patient|patient\/[A-Za-z*]+\.(read|rs|r))$/;

/** The scopes of a request that a citizen may not have, if the user is a citizen. */
function scopesRefused(user: DemoUser | undefined, scope: string | undefined): string[] {
  if (!user || user.role !== 'citizen' || scope === undefined) return [];
  return scope.split(/\s+/).filter((s) => s.length > 0 && !CITIZEN_SCOPE.test(s));
}
const CODE_TTL_MS = 60_000;

/** Makes a development issuer with its key (a fresh ES256 key unless one is given). */
export async function createDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const key = options.key ?? (await generateDevIssuerKey());
  const kid = key.kid;
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  const jwks: JSONWebKeySet = { keys: [{ ...key.publicJwk, kid, alg: 'ES256', use: 'sig' }] };
  const keys = createLocalJWKSet(jwks);
  const now = options.now ?? Date.now;
  const users = new Map(options.users.map((u) => [u.id, u]));
  const launches = new Map<string, Launch>();
  const codes = new Map<string, AuthorizationCode>();
  const c = options.claims;
  const minutes = options.tokenMinutes ?? 60;

  const sweep = (): void => {
    const t = now();
    for (const [id, launch] of launches) if (launch.expiresAt <= t) launches.delete(id);
    for (const [id, code] of codes) if (code.expiresAt <= t) codes.delete(id);
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

  function router(): Router {
    const r = express.Router();
    const oauthError = (res: express.Response, status: number, error: string, description: string): void => {
      res.status(status).json({ error, error_description: description });
    };
    r.get('/dev/.well-known/jwks.json', (_req, res) => {
      res.json(jwks);
    });
    r.post('/dev/launch', express.json({ limit: '8kb' }), (req, res) => {
      const body = z.object({ userId: z.string().min(1), patient: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) }).safeParse(req.body);
      if (!body.success) return oauthError(res, 400, 'invalid_request', `${body.error.issues[0]!.path.join('.') || 'body'}: ${body.error.issues[0]!.message}`);
      if (!users.has(body.data.userId)) return oauthError(res, 400, 'invalid_request', `userId: no demo user "${body.data.userId}"`);
      sweep();
      const launch = randomBytes(16).toString('base64url');
      launches.set(launch, { userId: body.data.userId, patient: body.data.patient, expiresAt: now() + LAUNCH_TTL_MS });
      res.status(201).json({ launch, expires_in: LAUNCH_TTL_MS / 1000 });
    });
    r.get('/dev/authorize', (req, res) => {
      const q = z
        .object({
          response_type: z.literal('code'),
          client_id: z.string().min(1),
          redirect_uri: z.url(),
          scope: z.string().default('openid'),
          state: z.string().optional(),
          aud: z.string().optional(),
          launch: z.string().optional(),
          login_hint: z.string().optional(),
          code_challenge: z.string().min(43).max(128).optional(),
          code_challenge_method: z.literal('S256').optional(),
        })
        .safeParse(req.query);
      if (!q.success) return oauthError(res, 400, 'invalid_request', `${q.error.issues[0]!.path.join('.')}: ${q.error.issues[0]!.message}`);
      const redirect = new URL(q.data.redirect_uri);
      if (q.data.state !== undefined) redirect.searchParams.set('state', q.data.state);
      const refuse = (error: string, description: string): void => {
        redirect.searchParams.set('error', error);
        redirect.searchParams.set('error_description', description);
        res.redirect(302, redirect.toString());
      };
      sweep();
      let userId: string | undefined;
      let patient: string | undefined;
      if (q.data.launch !== undefined) {
        const launch = launches.get(q.data.launch);
        if (!launch) return refuse('invalid_request', 'launch: unknown or expired launch id');
        launches.delete(q.data.launch);
        userId = launch.userId;
        patient = launch.patient;
      } else {
        userId = q.data.login_hint;
        if (!userId || !users.has(userId)) return refuse('login_required', 'login_hint: name a demo user (standalone launch has no login page)');
      }
      const refused = scopesRefused(users.get(userId), q.data.scope);
      if (refused.length > 0) return refuse('invalid_scope', `scope: a citizen may not have ${refused.join(' ')}`);
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        userId,
        patient,
        scope: q.data.scope,
        clientId: q.data.client_id,
        redirectUri: q.data.redirect_uri,
        codeChallenge: q.data.code_challenge,
        expiresAt: now() + CODE_TTL_MS,
      });
      redirect.searchParams.set('code', code);
      res.redirect(302, redirect.toString());
    });
    r.post('/dev/token', express.json({ limit: '8kb' }), express.urlencoded({ extended: false, limit: '8kb' }), async (req, res, next) => {
      try {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (body.grant_type === undefined) {
          const parsed = z.object({ userId: z.string().min(1), patient: z.string().optional(), scope: z.string().optional() }).safeParse(body);
          if (!parsed.success) return oauthError(res, 400, 'invalid_request', 'userId: required');
          const refused = scopesRefused(users.get(parsed.data.userId), parsed.data.scope);
          if (refused.length > 0) return oauthError(res, 400, 'invalid_scope', `scope: a citizen may not have ${refused.join(' ')}`);
          const token = await issue(parsed.data.userId, { patient: parsed.data.patient, scope: parsed.data.scope });
          if (!token) return oauthError(res, 400, 'invalid_grant', `userId: no demo user "${parsed.data.userId}"`);
          return res.json({ access_token: token, token_type: 'Bearer', expires_in: minutes * 60 });
        }
        const grant = z
          .object({ grant_type: z.literal('authorization_code'), code: z.string().min(1), redirect_uri: z.string().min(1), client_id: z.string().optional(), code_verifier: z.string().optional() })
          .safeParse(body);
        if (!grant.success) return oauthError(res, 400, grant.error.issues[0]!.path[0] === 'grant_type' ? 'unsupported_grant_type' : 'invalid_request', `${grant.error.issues[0]!.path.join('.')}: ${grant.error.issues[0]!.message}`);
        sweep();
        const code = codes.get(grant.data.code);
        codes.delete(grant.data.code);
        if (!code) return oauthError(res, 400, 'invalid_grant', 'code: unknown, used or expired');
        if (code.redirectUri !== grant.data.redirect_uri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri: differs from the authorization request');
        if (grant.data.client_id !== undefined && grant.data.client_id !== code.clientId) return oauthError(res, 400, 'invalid_grant', 'client_id: differs from the authorization request');
        if (code.codeChallenge !== undefined) {
          const verifier = grant.data.code_verifier;
          if (!verifier || createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge)
            return oauthError(res, 400, 'invalid_grant', 'code_verifier: does not match the code_challenge');
        }
        const token = await issue(code.userId, { patient: code.patient, scope: code.scope });
        res.json({ access_token: token, token_type: 'Bearer', expires_in: minutes * 60, scope: code.scope, ...(code.patient ? { patient: code.patient } : {}) });
      } catch (error) {
        next(error);
      }
    });
    return r;
  }

  return { issuer: options.issuer, audience: options.audience, keys, jwks: () => jwks, issue, router };
}
