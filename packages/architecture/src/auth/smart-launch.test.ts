import { createHash, randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineLocality, LocalityConfigError, type LocalityInput } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { listen } from '../http/listen.fixtures.js';
import { createDevIssuer, type DevIssuer } from './dev-issuer.js';
import { downscope, grantSystemScopes } from './scopes.js';
import { smartRouter } from './smart.js';
import { authenticate, createTokenVerifier, userOf, type AuthenticatedUser } from './tokens.js';

/** SMART App Launch 2.x against the development issuer alone, with a clock the tests move. */

const SMITH_NHS = '9434765919';
let clock = Date.parse('2026-12-01T09:00:00Z');
let issuer: DevIssuer;
let server: Awaited<ReturnType<typeof listen>>;
let url: string;
let es384: CryptoKey;
let rs384: CryptoKey;
let stranger: CryptoKey;
const resolved: Array<{ nhsNumber: string; organisation: string | undefined }> = [];

const demo = northshire().auth as Extract<LocalityInput['auth'], { mode: 'dev' }>;
/** A public key as the locality configuration holds it (a JSON JWK). */
async function publicJwk(key: CryptoKey, kid: string): Promise<{ kty: 'EC' | 'RSA'; kid: string }> {
  const jwk: JWK = await exportJWK(key);
  return { ...jwk, kid } as { kty: 'EC' | 'RSA'; kid: string };
}

beforeAll(async () => {
  const ec = await generateKeyPair('ES384');
  const rsa = await generateKeyPair('RS384', { modulusLength: 2048 });
  es384 = ec.privateKey;
  rs384 = rsa.privateKey;
  stranger = (await generateKeyPair('ES384')).privateKey;
  const locality = defineLocality(
    northshire({
      auth: {
        ...demo,
        clients: [
          { clientId: 'pas-feed', organisation: 'X9A', jwks: { keys: [await publicJwk(ec.publicKey, 'ec-1')] }, scopes: ['system/hl7.write'] },
          { clientId: 'lab-feed', organisation: 'X9A', jwks: { keys: [await publicJwk(rsa.publicKey, 'rsa-1')] }, scopes: ['system/hl7.write', 'system/Consent.write'] },
        ],
      },
    }),
  );
  if (locality.auth.mode !== 'dev') throw new Error('dev auth expected');
  const auth = locality.auth;
  issuer = await createDevIssuer({
    issuer: auth.issuer,
    audience: auth.audience,
    users: auth.users,
    claims: auth.claims,
    clients: auth.clients,
    refreshTokenMinutes: auth.refreshTokenMinutes,
    now: () => clock,
    resolvePatient: async (nhsNumber, { organisation }) => {
      resolved.push({ nhsNumber, organisation });
      return nhsNumber === SMITH_NHS ? (organisation === 'X9A' ? 'pat-smith-hosp' : 'pat-smith-gp') : undefined;
    },
  });
  const verifier = createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys: issuer.keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations, now: () => clock, cacheSize: 0 });
  const app = express();
  app.use(issuer.router());
  app.use(smartRouter(issuer.discovery, undefined));
  app.get('/whoami', authenticate(verifier), (_req, res) => {
    res.json(userOf(res));
  });
  server = await listen(app);
  url = server.url;
}, 120_000);
afterAll(async () => server?.close());

const verifier = 'v'.repeat(20) + randomBytes(24).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const REDIRECT = 'https://app.example/callback';

/** The authorization request's answer: the redirect's query (code or error). */
async function authorize(params: Record<string, string | undefined>): Promise<URLSearchParams> {
  const request = new URL(`${url}/dev/authorize`);
  const all: Record<string, string | undefined> = { response_type: 'code', client_id: 'app', redirect_uri: REDIRECT, aud: `${url}/fhir`, code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...params };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) request.searchParams.set(k, v);
  const response = await fetch(request, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(location.origin + location.pathname).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('st');
  return location.searchParams;
}

const post = (path: string, body: Record<string, string>) => fetch(`${url}${path}`, { method: 'POST', body: new URLSearchParams(body) });
const postJson = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function launchFor(body: Record<string, unknown>): Promise<string> {
  const response = await postJson('/dev/launch', body);
  expect(response.status).toBe(201);
  return ((await response.json()) as { launch: string }).launch;
}

interface TokenResponse {
  access_token: string;
  token_type: string;
  scope: string;
  expires_in: number;
  patient?: string;
  id_token?: string;
  refresh_token?: string;
}

/** A code for the request, exchanged: the token response. */
async function tokens(params: Record<string, string | undefined>, clientId = 'app'): Promise<TokenResponse> {
  const answer = await authorize({ client_id: clientId, ...params });
  const code = answer.get('code');
  expect(code, answer.get('error_description') ?? '').toBeTruthy();
  const response = await post('/dev/token', { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}

const whoami = async (token: string): Promise<AuthenticatedUser & { status: number }> => {
  const response = await fetch(`${url}/whoami`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, ...((await response.json()) as AuthenticatedUser) };
};

describe('SMART authorization requests: aud and PKCE S256 required [REQ-VIEW-012]', () => {
  it('refuses a missing or wrong aud with invalid_request naming aud, and takes the FHIR base URL (trailing slash or not)', async () => {
    for (const aud of [undefined, 'https://other.example/fhir', `${url}`, `${url}/fhir/Patient`]) {
      const answer = await authorize({ aud, login_hint: 'dr-gp', scope: 'openid user/*.read' });
      expect(answer.get('error'), String(aud)).toBe('invalid_request');
      expect(answer.get('error_description')).toMatch(/^aud: /);
      expect(answer.get('code')).toBeNull();
    }
    expect((await authorize({ aud: `${url}/fhir/`, login_hint: 'dr-gp', scope: 'openid user/*.read' })).get('code')).toBeTruthy();
  });

  it('refuses an authorization request without an S256 code_challenge, and a token request without the verifier', async () => {
    const missing = await authorize({ code_challenge: undefined, code_challenge_method: undefined, login_hint: 'dr-gp', scope: 'user/*.read' });
    expect(missing.get('error')).toBe('invalid_request');
    expect(missing.get('error_description')).toMatch(/^code_challenge: /);
    const plain = await authorize({ code_challenge: verifier.slice(0, 43), code_challenge_method: 'plain', login_hint: 'dr-gp', scope: 'user/*.read' });
    expect(plain.get('error_description')).toMatch(/^code_challenge_method: /);
    const noMethod = await authorize({ code_challenge_method: undefined, login_hint: 'dr-gp', scope: 'user/*.read' });
    expect(noMethod.get('error_description')).toMatch(/^code_challenge_method: /);

    const code = (await authorize({ login_hint: 'dr-gp', scope: 'user/*.read' })).get('code')!;
    const noVerifier = await post('/dev/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'app' });
    expect(noVerifier.status).toBe(400);
    expect(await noVerifier.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^code_verifier: /) });
    const code2 = (await authorize({ login_hint: 'dr-gp', scope: 'user/*.read' })).get('code')!;
    const wrong = await post('/dev/token', { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, client_id: 'app', code_verifier: 'w'.repeat(43) });
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/^code_verifier: /) });
  });

  it('names the issuer in the authorization response (RFC 9207), and answers a bad client or redirect URI without redirecting', async () => {
    expect((await authorize({ login_hint: 'dr-gp', scope: 'user/*.read' })).get('iss')).toBe(`${url}/dev`);
    const bad = await fetch(`${url}/dev/authorize?response_type=code&client_id=app&redirect_uri=javascript:alert(1)`, { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^redirect_uri: /) });
  });
});

describe('SMART scopes: downscoped to read, by who and in what context [REQ-VIEW-012]', () => {
  it('downscopes v1 and v2 scopes: write removed, * and cruds read, system never, launch only with a launch id, unknown dropped', () => {
    const professionalLaunch = { citizen: false, launch: true, patient: true };
    const cases: Array<[string, typeof professionalLaunch, string[]]> = [
      ['patient/Observation.read', professionalLaunch, ['patient/Observation.read']],
      ['patient/Observation.write', professionalLaunch, []],
      ['patient/Observation.*', professionalLaunch, ['patient/Observation.read']],
      ['patient/*.*', professionalLaunch, ['patient/*.read']],
      ['patient/Observation.cruds', professionalLaunch, ['patient/Observation.rs']],
      ['patient/Observation.rs', professionalLaunch, ['patient/Observation.rs']],
      ['patient/Observation.r', professionalLaunch, ['patient/Observation.r']],
      ['patient/Observation.cud', professionalLaunch, []],
      ['patient/Observation.sr', professionalLaunch, []],
      ['patient/Observation.rs?category=laboratory', professionalLaunch, []],
      ['user/*.cruds', professionalLaunch, ['user/*.rs']],
      ['system/hl7.write system/*.read', professionalLaunch, []],
      ['launch launch/patient', professionalLaunch, ['launch']],
      ['launch', { citizen: false, launch: false, patient: false }, []],
      ['patient/*.read', { citizen: false, launch: false, patient: false }, []],
      ['user/*.read patient/*.rs', { citizen: true, launch: false, patient: false }, ['patient/*.rs']],
      ['openid fhirUser online_access offline_access profile email patient/observation.read', professionalLaunch, ['openid', 'fhirUser', 'offline_access']],
      ['patient/*.read patient/*.* patient/*.read', professionalLaunch, ['patient/*.read']],
    ];
    for (const [asked, context, granted] of cases) expect(downscope(asked, context).granted, asked).toEqual(granted);
    expect(downscope('system/hl7.write', professionalLaunch).dropped[0]!.why).toMatch(/backend services/);
    expect(grantSystemScopes('system/hl7.write system/*.read user/*.read', ['system/hl7.write'])).toMatchObject({ granted: ['system/hl7.write'] });
  });

  it('an EHR launch grants the downscoped scopes, returns them in the token response, and the token carries exactly them', async () => {
    const launch = await launchFor({ userId: 'dr-hosp', patient: 'pat-smith-hosp' });
    const asked = 'launch openid patient/Observation.write patient/Condition.* patient/Observation.cruds user/*.cruds system/hl7.write launch/patient profile';
    const token = await tokens({ launch, scope: asked });
    expect(token.scope).toBe('launch openid patient/Condition.read patient/Observation.rs user/*.rs');
    expect(token.patient).toBe('pat-smith-hosp');
    expect(await whoami(token.access_token)).toMatchObject({ status: 200, id: 'dr-hosp', kind: 'professional', patient: 'pat-smith-hosp', scopes: token.scope.split(' ') });
  });

  it('a standalone launch never grants launch; a citizen gets patient/ scopes only; nothing grantable is invalid_scope', async () => {
    const standalone = await tokens({ login_hint: 'dr-gp', scope: 'launch user/*.read patient/*.read' });
    expect(standalone.scope).toBe('user/*.read');
    expect(standalone.patient).toBeUndefined();
    const citizen = await tokens({ login_hint: 'citizen-1', scope: 'user/*.read patient/*.cruds system/hl7.write' });
    expect(citizen.scope).toBe('patient/*.rs');
    expect(await whoami(citizen.access_token)).toMatchObject({ kind: 'citizen', scopes: ['patient/*.rs'] });
    const nothing = await authorize({ login_hint: 'dr-gp', scope: 'user/*.write system/hl7.write patient/Observation.cud' });
    expect(nothing.get('error')).toBe('invalid_scope');
    expect(nothing.get('error_description')).toMatch(/^scope: nothing grantable: user\/\*\.write \(the record is read-only\)/);
    expect(nothing.get('code')).toBeNull();
  });
});

describe('OpenID Connect: id tokens and the issuer\'s discovery document [REQ-VIEW-012]', () => {
  it('serves /dev/.well-known/openid-configuration for the issuer that SMART discovery names', async () => {
    const smart = (await (await fetch(`${url}/fhir/.well-known/smart-configuration`)).json()) as { issuer: string };
    const openid = (await (await fetch(`${smart.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(openid).toMatchObject({
      issuer: smart.issuer,
      authorization_endpoint: `${url}/dev/authorize`,
      token_endpoint: `${url}/dev/token`,
      jwks_uri: `${url}/dev/.well-known/jwks.json`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    expect(openid.scopes_supported).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'offline_access', 'online_access', 'launch']));
  });

  it('issues an ES256 id token with iss, sub, aud = client_id, iat, exp, nonce and fhirUser (Practitioner, or a citizen\'s Patient)', async () => {
    const launch = await launchFor({ userId: 'dr-hosp', patient: 'pat-smith-hosp' });
    const token = await tokens({ launch, scope: 'launch openid fhirUser patient/*.read', nonce: 'n-123' }, 'viewer-app');
    expect(token.id_token).toBeDefined();
    const { payload, protectedHeader } = await jwtVerify(token.id_token!, issuer.keys, { issuer: `${url}/dev`, audience: 'viewer-app', currentDate: new Date(clock) });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'dr-hosp', nonce: 'n-123', fhirUser: `${url}/fhir/Practitioner/dr-hosp` });
    expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
    expect(payload.iat).toBe(Math.floor(clock / 1000));

    const citizen = await tokens({ login_hint: 'citizen-1', scope: 'openid fhirUser patient/*.read' });
    const id = await jwtVerify(citizen.id_token!, issuer.keys, { issuer: `${url}/dev`, audience: 'app', currentDate: new Date(clock) });
    expect(id.payload).toMatchObject({ sub: 'citizen-1', fhirUser: `${url}/fhir/Patient/pat-smith-gp` });
    expect(id.payload.nonce).toBeUndefined();
    expect(resolved).toContainEqual({ nhsNumber: SMITH_NHS, organisation: undefined });
  });

  it('issues no id token without openid', async () => {
    const token = await tokens({ login_hint: 'dr-gp', scope: 'user/*.read' });
    expect(token.id_token).toBeUndefined();
  });
});

describe('token responses are never cached [REQ-SEC-001]', () => {
  it('sends Cache-Control: no-store and Pragma: no-cache with every token response, success or error', async () => {
    const answers = [
      await postJson('/dev/token', { userId: 'dr-gp' }),
      await postJson('/dev/token', { userId: 'nobody' }),
      await post('/dev/token', { grant_type: 'password', username: 'x' }),
      await post('/dev/token', { grant_type: 'authorization_code', code: 'nope', redirect_uri: REDIRECT, client_id: 'app', code_verifier: verifier }),
      await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 400, 400, 400]);
    for (const answer of answers) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('pragma')).toBe('no-cache');
    }
    expect(await answers[4]!.json()).toEqual({ error: 'invalid_request', error_description: 'body: not valid JSON or form data' });
    expect(await answers[2]!.json()).toMatchObject({ error: 'unsupported_grant_type', error_description: expect.stringMatching(/^grant_type: /) });
  });
});

describe('bad input to the OAuth endpoints: RFC 6749 errors naming the field, never a crash [REQ-SEC-001]', () => {
  it('answers repeated, wrongly typed, oversized and malformed input with invalid_request', async () => {
    const repeated = await fetch(`${url}/dev/authorize?response_type=code&client_id=a&client_id=b&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: 'manual' });
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^client_id: /) });
    const twoScopesUrl = `${url}/dev/authorize?response_type=code&client_id=app&redirect_uri=${encodeURIComponent(REDIRECT)}&aud=${encodeURIComponent(`${url}/fhir`)}&code_challenge=${challenge}&code_challenge_method=S256&login_hint=dr-gp&scope=user/*.read&scope=user/*.rs`;
    const twoScopes = new URL((await fetch(twoScopesUrl, { redirect: 'manual' })).headers.get('location')!).searchParams;
    expect(twoScopes.get('error')).toBe('invalid_request');
    expect(twoScopes.get('error_description')).toMatch(/^scope: /);
    const answers = [
      await postJson('/dev/token', [1, 2]),
      await postJson('/dev/token', { grant_type: ['refresh_token'] }),
      await postJson('/dev/launch', 'a string'),
      await postJson('/dev/launch', { userId: 'dr-gp', patient: 'x'.repeat(65) }),
      await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `userId=${'x'.repeat(20_000)}` }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 413]);
    for (const answer of answers) {
      const body = (await answer.json()) as { error: string; error_description: string };
      expect(['invalid_request', 'unsupported_grant_type']).toContain(body.error);
      expect(body.error_description).toMatch(/^[A-Za-z_.]+: /);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });
});

describe('refresh tokens: offline_access and online_access, rotated, bound to the client, expiring [REQ-SEC-001]', () => {
  const refresh = (body: Record<string, string>) => post('/dev/token', { grant_type: 'refresh_token', ...body });

  it('gives a refresh token only when offline_access or online_access is granted', async () => {
    expect((await tokens({ login_hint: 'dr-gp', scope: 'openid user/*.read' })).refresh_token).toBeUndefined();
    expect((await tokens({ login_hint: 'dr-gp', scope: 'online_access user/*.read' })).refresh_token).toBeDefined();
  });

  it('refreshes: a new access token, a rotated refresh token (the old one refused), never for another client, narrower never wider', async () => {
    const launch = await launchFor({ userId: 'dr-hosp', patient: 'pat-smith-hosp' });
    const first = await tokens({ launch, scope: 'launch openid offline_access patient/*.read patient/Observation.rs' });
    expect(first.refresh_token).toBeDefined();
    const otherClient = await refresh({ refresh_token: first.refresh_token!, client_id: 'someone-else' });
    expect(await otherClient.json()).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/^client_id: /) });
    const wider = await refresh({ refresh_token: first.refresh_token!, client_id: 'app', scope: 'patient/*.read user/*.read' });
    expect(wider.status).toBe(400);
    expect(await wider.json()).toMatchObject({ error: 'invalid_scope', error_description: expect.stringMatching(/^scope: user\/\*\.read was not granted/) });

    const second = await refresh({ refresh_token: first.refresh_token!, client_id: 'app' });
    expect(second.status).toBe(200);
    expect(second.headers.get('cache-control')).toBe('no-store');
    const renewed = (await second.json()) as TokenResponse;
    expect(renewed).toMatchObject({ token_type: 'Bearer', scope: first.scope, patient: 'pat-smith-hosp' });
    expect(renewed.refresh_token).toBeDefined();
    expect(renewed.refresh_token).not.toBe(first.refresh_token);
    expect(await whoami(renewed.access_token)).toMatchObject({ status: 200, id: 'dr-hosp', patient: 'pat-smith-hosp' });
    const narrowed = (await (await refresh({ refresh_token: renewed.refresh_token!, client_id: 'app', scope: 'patient/Observation.rs' })).json()) as TokenResponse;
    expect(narrowed.scope).toBe('patient/Observation.rs');
    expect((await whoami(narrowed.access_token)).scopes).toEqual(['patient/Observation.rs']);
    // The refresh token keeps the whole grant: a later refresh may have all of it again.
    const again = (await (await refresh({ refresh_token: narrowed.refresh_token!, client_id: 'app' })).json()) as TokenResponse;
    expect(again.scope).toBe(first.scope);
    // The first refresh token, rotated away, no longer works.
    const old = await refresh({ refresh_token: first.refresh_token!, client_id: 'app' });
    expect(await old.json()).toMatchObject({ error: 'invalid_grant', error_description: 'refresh_token: unknown, used or expired' });
  });

  it('a refresh token used twice revokes its successors too (a stolen token stops working for both parties)', async () => {
    const first = await tokens({ login_hint: 'dr-gp', scope: 'offline_access user/*.read' });
    const second = (await (await refresh({ refresh_token: first.refresh_token!, client_id: 'app' })).json()) as TokenResponse;
    expect((await refresh({ refresh_token: first.refresh_token!, client_id: 'app' })).status).toBe(400);
    expect(await (await refresh({ refresh_token: second.refresh_token!, client_id: 'app' })).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('online_access lasts 8 hours and offline_access 30 days by default, from the first grant', async () => {
    const online = await tokens({ login_hint: 'dr-gp', scope: 'online_access user/*.read' });
    const offline = await tokens({ login_hint: 'dr-gp', scope: 'offline_access user/*.read' });
    clock += 8 * 3_600_000 - 1000;
    const onlineRotated = (await (await refresh({ refresh_token: online.refresh_token!, client_id: 'app' })).json()) as TokenResponse;
    expect(onlineRotated.refresh_token).toBeDefined();
    clock += 2000;
    expect(await (await refresh({ refresh_token: onlineRotated.refresh_token!, client_id: 'app' })).json()).toMatchObject({ error: 'invalid_grant' });
    const offlineRotated = (await (await refresh({ refresh_token: offline.refresh_token!, client_id: 'app' })).json()) as TokenResponse;
    expect(offlineRotated.refresh_token).toBeDefined();
    clock += 30 * 24 * 3_600_000;
    expect(await (await refresh({ refresh_token: offlineRotated.refresh_token!, client_id: 'app' })).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses unknown refresh tokens and missing fields with RFC 6749 errors', async () => {
    expect(await (await refresh({ refresh_token: 'made-up', client_id: 'app' })).json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await refresh({ refresh_token: 'made-up' })).json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^client_id: /) });
  });
});

describe('SMART Backend Services: client_credentials with a signed client assertion [REQ-SEC-001]', () => {
  const assertion = (key: CryptoKey, alg: string, claims: { iss?: string; sub?: string; aud?: string; exp?: number; jti?: string | null; kid?: string } = {}) => {
    const iat = Math.floor(clock / 1000);
    const payload: Record<string, unknown> = { iss: claims.iss ?? 'pas-feed', sub: claims.sub ?? claims.iss ?? 'pas-feed', aud: claims.aud ?? `${url}/dev/token`, exp: claims.exp ?? iat + 240, iat };
    if (claims.jti !== null) payload.jti = claims.jti ?? randomUUID();
    return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...(claims.kid ? { kid: claims.kid } : {}) }).sign(key);
  };
  const backend = async (clientAssertion: string, scope = 'system/hl7.write', extra: Record<string, string> = {}) =>
    post('/dev/token', { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion, scope, ...extra });

  it('issues a five-minute system token for a registered client (ES384 and RS384): kind system, its organisation, its scopes only', async () => {
    const response = await backend(await assertion(es384, 'ES384', { kid: 'ec-1' }), 'system/hl7.write system/*.read');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const token = (await response.json()) as TokenResponse;
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/hl7.write' });
    expect(token.refresh_token).toBeUndefined();
    expect(await whoami(token.access_token)).toMatchObject({ status: 200, kind: 'system', id: 'pas-feed', roleId: 'system', organisation: { ods: 'X9A' }, scopes: ['system/hl7.write'] });
    const rsa = await backend(await assertion(rs384, 'RS384', { iss: 'lab-feed' }), 'system/Consent.write', { client_id: 'lab-feed' });
    expect(await rsa.json()).toMatchObject({ scope: 'system/Consent.write' });
  });

  it('refuses a bad assertion with invalid_client: wrong aud, iss ≠ sub, unknown client, another key, exp too far, no jti, a replayed jti', async () => {
    const refusals: Array<[string, Promise<string>]> = [
      ['aud', assertion(es384, 'ES384', { aud: `${url}/dev/authorize` })],
      ['sub', assertion(es384, 'ES384', { sub: 'lab-feed' })],
      ['iss names no registered client', assertion(es384, 'ES384', { iss: 'nobody' })],
      ['signature', assertion(stranger, 'ES384')],
      ['more than 5 minutes', assertion(es384, 'ES384', { exp: Math.floor(clock / 1000) + 301 + 5 })],
      ['expired', assertion(es384, 'ES384', { exp: Math.floor(clock / 1000) - 60 })],
      ['jti', assertion(es384, 'ES384', { jti: null })],
    ];
    for (const [why, signed] of refusals) {
      const response = await backend(await signed);
      expect(response.status, why).toBe(401);
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error, why).toBe('invalid_client');
      expect(body.error_description, why).toMatch(/^client_assertion: /);
      expect(body.error_description, why).toContain(why);
    }
    const once = await assertion(es384, 'ES384', { jti: 'only-once' });
    expect((await backend(once)).status).toBe(200);
    expect(await (await backend(once)).json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/jti already used/) });
    expect(await (await backend('not-a-jwt')).json()).toMatchObject({ error: 'invalid_client', error_description: 'client_assertion: not a JWT' });
    expect((await backend(await assertion(es384, 'ES384'), 'system/hl7.write', { client_id: 'lab-feed' })).status).toBe(401);
  });

  it('grants registered system scopes only (invalid_scope otherwise) and needs the assertion type', async () => {
    expect(await (await backend(await assertion(es384, 'ES384'), 'system/Patient.read user/*.read')).json()).toMatchObject({ error: 'invalid_scope' });
    const noType = await post('/dev/token', { grant_type: 'client_credentials', client_assertion: await assertion(es384, 'ES384'), scope: 'system/hl7.write' });
    expect(await noType.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^client_assertion_type: /) });
  });
});

describe('EHR launch in context by NHS number [REQ-VIEW-012]', () => {
  it('resolves patientIdentifier (system|value) or nhsNumber to the Patient id, and the token response carries it', async () => {
    for (const body of [{ patientIdentifier: `https://fhir.nhs.uk/Id/nhs-number|${SMITH_NHS}` }, { nhsNumber: '943 476 5919' }]) {
      const launch = await launchFor({ userId: 'dr-hosp', ...body });
      const token = await tokens({ launch, scope: 'launch patient/*.read' });
      expect(token.patient).toBe('pat-smith-hosp');
      expect((await whoami(token.access_token)).patient).toBe('pat-smith-hosp');
    }
    expect(resolved).toContainEqual({ nhsNumber: SMITH_NHS, organisation: 'X9A' });
  });

  it('refuses an invalid or unknown NHS number, another identifier system, or no patient at all, naming the field', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ patientIdentifier: 'https://fhir.nhs.uk/Id/nhs-number|9434765918' }, /^patientIdentifier: NHS number check digit is wrong/],
      [{ patientIdentifier: 'https://fhir.nhs.uk/Id/nhs-number|9990000018' }, /^patientIdentifier: no patient with NHS number 9990000018/],
      [{ patientIdentifier: `urn:oid:1.2.3|${SMITH_NHS}` }, /^patientIdentifier: give https:\/\/fhir\.nhs\.uk\/Id\/nhs-number\|/],
      [{ patientIdentifier: SMITH_NHS }, /^patientIdentifier: /],
      [{ nhsNumber: '12345' }, /^nhsNumber: NHS number must have 10 digits/],
      [{}, /^patient: give exactly one of/],
      [{ patient: 'pat-1', nhsNumber: SMITH_NHS }, /^patient: give exactly one of/],
    ];
    for (const [body, message] of cases) {
      const response = await postJson('/dev/launch', { userId: 'dr-hosp', ...body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(message) });
    }
    const wrongType = await postJson('/dev/launch', { userId: 'dr-hosp', nhsNumber: 9434765919 });
    expect(await wrongType.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^nhsNumber: /) });
  });
});

describe('SMART discovery says what works [REQ-VIEW-012]', () => {
  it('lists the grant types, client authentication, scopes and capabilities the development issuer supports', async () => {
    const config = (await (await fetch(`${url}/.well-known/smart-configuration`)).json()) as Record<string, string[]>;
    expect(config).toMatchObject({
      issuer: `${url}/dev`,
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256'],
      code_challenge_methods_supported: ['S256'],
    });
    expect([...config.capabilities!].sort()).toEqual(
      [
        'launch-ehr',
        'launch-standalone',
        'client-public',
        'client-confidential-asymmetric',
        'context-ehr-patient',
        'permission-patient',
        'permission-user',
        'permission-offline',
        'permission-online',
        'permission-v1',
        'permission-v2',
        'sso-openid-connect',
      ].sort(),
    );
    expect(config.capabilities).not.toContain('authorize-post');
    expect(config.scopes_supported).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'launch', 'offline_access', 'online_access', 'patient/*.rs', 'user/*.rs']));
  });
});

describe('auth.clients in the locality configuration', () => {
  it('refuses a private key, an organisation outside the locality, a repeated client id, a non-system scope, and a demo user with role system', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
    const pub = await exportJWK(publicKey);
    const client = { clientId: 'feed', organisation: 'X9A', jwks: { keys: [pub] }, scopes: ['system/hl7.write'] };
    const issuesOf = (auth: Record<string, unknown>) => {
      try {
        defineLocality(northshire({ auth: { ...demo, ...auth } as LocalityInput['auth'] }));
        return [];
      } catch (error) {
        if (!(error instanceof LocalityConfigError)) throw error;
        return error.issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(issuesOf({ clients: [client] })).toEqual([]);
    expect(issuesOf({ clients: [{ ...client, jwks: { keys: [await exportJWK(privateKey)] } }] })).toEqual(['auth.clients[0].jwks.keys[0]: a private key: register only the public key']);
    expect(issuesOf({ clients: [{ ...client, organisation: 'ZZZ99' }] })).toEqual(["auth.clients[0].organisation: ZZZ99 is not one of the locality's organisations"]);
    expect(issuesOf({ clients: [client, client] })).toEqual(['auth.clients[1].clientId: client "feed" is listed twice']);
    expect(issuesOf({ clients: [{ ...client, clientId: 'dr-gp' }] })).toEqual(['auth.clients[0].clientId: "dr-gp" is also a demo user id']);
    expect(issuesOf({ clients: [{ ...client, scopes: ['user/*.read'] }] })).toEqual(['auth.clients[0].scopes[0]: a system/ scope']);
    expect(issuesOf({ users: [...demo.users, { id: 'robot', name: 'Robot', role: 'system', organisation: 'X9A' }] })[0]).toMatch(/^auth\.users\[5\]\.role: "system" is reserved/);
  });
});

describe('with a publicUrl, the issuer names and checks the public URLs, not the request\'s [REQ-VIEW-012]', () => {
  it('takes aud = publicUrl + /fhir, names publicUrl + /dev as the issuer, and wants the public token endpoint as assertion aud', async () => {
    const publicUrl = 'https://idcr.example.nhs.uk';
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const auth = defineLocality(northshire()).auth;
    if (auth.mode !== 'dev') throw new Error('dev auth expected');
    const behind = await createDevIssuer({
      issuer: auth.issuer,
      audience: auth.audience,
      users: auth.users,
      claims: auth.claims,
      publicUrl,
      now: () => clock,
      clients: [{ clientId: 'feed', organisation: 'X9A', jwks: { keys: [await publicJwk(publicKey, 'feed-1')] }, scopes: ['system/hl7.write'] }],
    });
    const app = express();
    app.use(behind.router());
    const proxy = await listen(app);
    try {
      const ask = async (aud: string) => {
        const request = new URL(`${proxy.url}/dev/authorize`);
        for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'app', redirect_uri: REDIRECT, aud, code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'dr-gp', scope: 'user/*.read' })) request.searchParams.set(k, v);
        return new URL((await fetch(request, { redirect: 'manual' })).headers.get('location')!).searchParams;
      };
      expect((await ask(`${proxy.url}/fhir`)).get('error_description')).toMatch(/^aud: .* is not the FHIR base URL of this server \(https:\/\/idcr\.example\.nhs\.uk\/fhir\)/);
      const granted = await ask(`${publicUrl}/fhir`);
      expect(granted.get('code')).toBeTruthy();
      expect(granted.get('iss')).toBe(`${publicUrl}/dev`);
      expect(await (await fetch(`${proxy.url}/dev/.well-known/openid-configuration`)).json()).toMatchObject({ issuer: `${publicUrl}/dev`, token_endpoint: `${publicUrl}/dev/token` });

      const assertion = (aud: string) =>
        new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256' }).setIssuer('feed').setSubject('feed').setAudience(aud).setIssuedAt(Math.floor(clock / 1000)).setExpirationTime(Math.floor(clock / 1000) + 60).sign(privateKey);
      const backend = async (aud: string) =>
        fetch(`${proxy.url}/dev/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(aud), scope: 'system/hl7.write' }) });
      expect((await backend(`${proxy.url}/dev/token`)).status).toBe(401);
      expect((await backend(`${publicUrl}/dev/token`)).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});
