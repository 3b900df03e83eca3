import { createHash } from 'node:crypto';
import express from 'express';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineLocality } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { listen } from '../http/listen.fixtures.js';
import { createDevIssuer, generateDevIssuerKey, type DevIssuer } from './dev-issuer.js';
import { authenticate, createTokenVerifier, userOf } from './tokens.js';
import { smartRouter } from './smart.js';

const locality = defineLocality(northshire());
if (locality.auth.mode !== 'dev') throw new Error('dev auth expected');
const auth = locality.auth;

let issuer: DevIssuer;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  issuer = await createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: auth.users, claims: auth.claims });
  const verifier = createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys: issuer.keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations });
  const app = express();
  app.use(issuer.router());
  app.use(smartRouter(issuer.discovery, undefined));
  app.get('/whoami', authenticate(verifier), (_req, res) => {
    res.json(userOf(res));
  });
  server = await listen(app);
});
afterAll(async () => server.close());

const whoami = (token?: string) => fetch(`${server.url}/whoami`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });

async function signWith(claims: Record<string, unknown>, options: { issuer?: string; audience?: string; exp?: number } = {}): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuer(options.issuer ?? auth.issuer).setAudience(options.audience ?? auth.audience).setSubject('dr-gp').setExpirationTime(options.exp ?? '1h').sign(privateKey);
}

describe('bearer tokens [REQ-SEC-001]', () => {
  it('maps a development token to the user: role, organisation, purpose, SDS role', async () => {
    const token = await issuer.issue('dr-gp');
    const response = await whoami(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      kind: 'professional',
      id: 'dr-gp',
      name: 'Dr Asha Patel',
      roleId: 'gp',
      organisation: { ods: 'Y90001', kind: 'gp-practice' },
      sdsRoleCode: 'S8000:G8000:R8000',
      purposeOfUse: 'TREAT',
    });
  });

  it('maps a citizen token with its NHS number', async () => {
    const response = await whoami(await issuer.issue('citizen-1'));
    expect(await response.json()).toMatchObject({ kind: 'citizen', roleId: 'citizen', nhsNumber: '9434765919' });
  });

  it('refuses a missing token with 401, an OperationOutcome and WWW-Authenticate', async () => {
    const response = await whoami();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await response.json()) as { resourceType: string; issue: Array<{ code: string; diagnostics: string }> };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0]).toMatchObject({ code: 'login', diagnostics: 'Authorization: a bearer token is required' });
  });

  it('refuses an expired token', async () => {
    const token = await issuer.issue('dr-gp', { expiresInSeconds: -120 });
    const response = await whoami(token);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toBe('Authorization: the token has expired');
  });

  it('refuses an unsigned (alg: none) token', async () => {
    const token = new UnsecuredJWT({ idcr_role: 'gp', idcr_org: 'Y90001' }).setIssuer(auth.issuer).setAudience(auth.audience).setSubject('dr-gp').setExpirationTime('1h').encode();
    const response = await whoami(token);
    expect(response.status).toBe(401);
  });

  it('refuses a token signed by another key, and tokens for another issuer or audience', async () => {
    expect((await whoami(await signWith({ idcr_role: 'gp', idcr_org: 'Y90001' }))).status).toBe(401);
    const other = await createDevIssuer({ issuer: 'urn:someone-else', audience: auth.audience, users: auth.users, claims: auth.claims });
    const wrongIssuer = await whoami(await other.issue('dr-gp'));
    expect(wrongIssuer.status).toBe(401);
    const otherAudience = await createDevIssuer({ issuer: auth.issuer, audience: 'another-api', users: auth.users, claims: auth.claims });
    expect((await whoami(await otherAudience.issue('dr-gp'))).status).toBe(401);
  });

  it('accepts, in every process given the same development key, a token any of them issued; not one from another key', async () => {
    const key = await generateDevIssuerKey();
    const [first, second] = await Promise.all([1, 2].map(() => createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: auth.users, claims: auth.claims, key })));
    const stranger = await createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: auth.users, claims: auth.claims });
    const verifierOf = (keys: DevIssuer['keys']) => createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations });
    const token = (await first!.issue('dr-gp'))!;
    expect(await verifierOf(second!.keys).verify(token)).toMatchObject({ ok: true });
    expect(await verifierOf(stranger.keys).verify(token)).toMatchObject({ ok: false });
    // The key set published never carries the private part.
    expect(JSON.stringify(second!.jwks())).not.toContain('"d"');
    expect(second!.jwks().keys[0]).toMatchObject({ kid: key.kid, alg: 'ES256', use: 'sig' });
  });

  it('refuses a token whose organisation is not in the locality, naming the claim', async () => {
    const stranger = await createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: [{ id: 'x', name: 'X', role: 'gp', organisation: 'ZZZ99', activityCodes: [], purposeOfUse: 'TREAT' }], claims: auth.claims });
    const verifier = createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys: stranger.keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations });
    const result = await verifier.verify((await stranger.issue('x'))!);
    expect(result).toEqual({ ok: false, problem: { code: 'claims', message: 'token claim idcr_org: ZZZ99 is not an organisation of this locality' } });
  });

  it('issues tokens through POST /dev/token and serves the JWKS', async () => {
    const jwks = (await (await fetch(`${server.url}/dev/.well-known/jwks.json`)).json()) as { keys: Array<{ kty: string; crv: string; d?: string }> };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwks.keys[0]!.d).toBeUndefined();
    const response = await fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dr-hosp' }) });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect(((await (await whoami(token)).json()) as { id: string }).id).toBe('dr-hosp');
    const unknown = await fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'nobody' }) });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'invalid_grant', error_description: 'userId: no demo user "nobody"' });
  });

  it('never issues a citizen a user-level or system scope (POST /dev/token and /dev/authorize)', async () => {
    const token = (userId: string, scope: string) => fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, scope }) });
    for (const scope of ['openid system/hl7.write', 'user/*.read', 'openid patient/*.read system/*.*']) {
      const refused = await token('citizen-1', scope);
      expect(refused.status, scope).toBe(400);
      expect(((await refused.json()) as { error: string; error_description: string })).toMatchObject({ error: 'invalid_scope', error_description: expect.stringMatching(/^scope: a citizen may not have /) });
    }
    expect((await token('citizen-1', 'openid patient/*.read')).status).toBe(200);
    expect((await token('dr-gp', 'openid user/*.read system/hl7.write')).status).toBe(200);
    const pkce = `&aud=${encodeURIComponent(`${server.url}/fhir`)}&code_challenge=${createHash('sha256').update('v'.repeat(43)).digest('base64url')}&code_challenge_method=S256`;
    const authorize = await fetch(`${server.url}/dev/authorize?response_type=code&client_id=app&redirect_uri=${encodeURIComponent('https://app.example/cb')}&login_hint=citizen-1&scope=${encodeURIComponent('system/hl7.write user/*.read')}${pkce}`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const location = new URL(authorize.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('code')).toBeNull();
    // Asked with openid, the citizen gets openid only: the system scope is dropped, never granted.
    const withOpenid = await fetch(`${server.url}/dev/authorize?response_type=code&client_id=app&redirect_uri=${encodeURIComponent('https://app.example/cb')}&login_hint=citizen-1&scope=${encodeURIComponent('openid system/hl7.write')}${pkce}`, { redirect: 'manual' });
    const code = new URL(withOpenid.headers.get('location')!).searchParams.get('code')!;
    const exchanged = await fetch(`${server.url}/dev/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', client_id: 'app', code_verifier: 'v'.repeat(43) }) });
    expect(await exchanged.json()).toMatchObject({ scope: 'openid' });
  });
});

describe('SMART on FHIR [REQ-VIEW-012]', () => {
  it('publishes /.well-known/smart-configuration at the root and under /fhir', async () => {
    for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const config = (await (await fetch(`${server.url}${path}`)).json()) as Record<string, unknown>;
      expect(config).toMatchObject({ issuer: `${server.url}/dev`, authorization_endpoint: `${server.url}/dev/authorize`, token_endpoint: `${server.url}/dev/token`, code_challenge_methods_supported: ['S256'] });
      expect(config.capabilities).toContain('launch-ehr');
    }
  });

  it('EHR launch: a launch id binds the patient, the code gives a token with the patient in context', async () => {
    const launch = (await (await fetch(`${server.url}/dev/launch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dr-hosp', patient: 'pat-1' }) })).json()) as { launch: string };
    const verifier = 'a'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(`${server.url}/dev/authorize`);
    const params = { response_type: 'code', client_id: 'viewer', redirect_uri: 'http://viewer.test/callback', scope: 'launch openid patient/*.read', state: 's1', launch: launch.launch, code_challenge: challenge, code_challenge_method: 'S256', aud: `${server.url}/fhir` };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://viewer.test/callback');
    expect(location.searchParams.get('state')).toBe('s1');
    const code = location.searchParams.get('code')!;

    const exchange = (body: Record<string, string>) => fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
    const wrongVerifier = await exchange({ grant_type: 'authorization_code', code, redirect_uri: 'http://viewer.test/callback', client_id: 'viewer', code_verifier: 'b'.repeat(50) });
    expect(wrongVerifier.status).toBe(400);
    // A failed exchange burns the code, as OAuth asks: start again.
    const again = await exchange({ grant_type: 'authorization_code', code, redirect_uri: 'http://viewer.test/callback', client_id: 'viewer', code_verifier: verifier });
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });

    const launch2 = (await (await fetch(`${server.url}/dev/launch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dr-hosp', patient: 'pat-1' }) })).json()) as { launch: string };
    authorize.searchParams.set('launch', launch2.launch);
    const code2 = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const token = (await (await exchange({ grant_type: 'authorization_code', code: code2, redirect_uri: 'http://viewer.test/callback', code_verifier: verifier, client_id: 'viewer' })).json()) as { access_token: string; patient: string; scope: string };
    expect(token.patient).toBe('pat-1');
    expect(await (await whoami(token.access_token)).json()).toMatchObject({ id: 'dr-hosp', patient: 'pat-1', scopes: ['launch', 'openid', 'patient/*.read'] });

    // The launch id is single-use.
    const reused = await fetch(authorize, { redirect: 'manual' });
    expect(new URL(reused.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a bad authorization request without redirecting to an unchecked URI', async () => {
    const response = await fetch(`${server.url}/dev/authorize?response_type=token&client_id=x&redirect_uri=http://x.test/`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    const standalone = await fetch(`${server.url}/dev/authorize?response_type=code&client_id=x&redirect_uri=http://x.test/cb&aud=${encodeURIComponent(`${server.url}/fhir`)}&code_challenge=${'c'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(new URL(standalone.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });
});

describe('verified tokens are remembered, never past what verifying again would allow [REQ-SEC-001]', () => {
  async function counted() {
    let clock = Date.parse('2026-11-22T10:00:00Z');
    let keyLookups = 0;
    const keyed = await createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: auth.users, claims: auth.claims, now: () => clock });
    const keys: Parameters<typeof createTokenVerifier>[0]['keys'] = (header, token) => {
      keyLookups++;
      return (keyed.keys as (h: typeof header, t: typeof token) => ReturnType<typeof keyed.keys>)(header, token);
    };
    const verifier = createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations, now: () => clock, clockToleranceSeconds: 30 });
    return { keyed, verifier, lookups: () => keyLookups, tick: (ms: number) => (clock += ms), at: () => clock };
  }

  it('checks the signature once per token, and again after the token expires: then refuses it as jose would', async () => {
    const t = await counted();
    const token = await signWith({ idcr_role: 'gp', idcr_org: 'Y90001', name: 'Dr Asha Patel' });
    // A token signed by a key the issuer does not publish is refused every time: refusals are not remembered.
    for (let i = 0; i < 3; i++) expect((await t.verifier.verify(token)).ok).toBe(false);
    expect(t.lookups()).toBe(3);

    const good = await t.keyed.issue('dr-gp');
    expect(good).toBeDefined();
    const first = await t.verifier.verify(good!);
    expect(first.ok).toBe(true);
    const before = t.lookups();
    for (let i = 0; i < 5; i++) expect((await t.verifier.verify(good!)).ok).toBe(true);
    expect(t.lookups()).toBe(before);
    // The remembered user cannot be changed by one request for the next.
    if (first.ok) expect(() => (first.user.scopes as string[]).push('system/*.write')).toThrow(TypeError);
  });

  it('stops taking a remembered token when it expires (with the clock tolerance), and after cacheSeconds at most', async () => {
    const t = await counted();
    const good = (await t.keyed.issue('dr-gp'))!;
    const exp = JSON.parse(Buffer.from(good.split('.')[1]!, 'base64url').toString()) as { exp: number };
    expect((await t.verifier.verify(good)).ok).toBe(true);
    // Five minutes on, the token is still valid but is verified again (a key dropped from the JWKS stops admitting it).
    t.tick(301_000);
    const lookups = t.lookups();
    expect((await t.verifier.verify(good)).ok).toBe(t.at() < (exp.exp + 30) * 1000);
    expect(t.lookups()).toBe(lookups + 1);
    // Past exp + tolerance it is refused as expired, exactly as without the cache.
    t.tick((exp.exp + 31) * 1000 - t.at());
    const late = await t.verifier.verify(good);
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.problem.code).toBe('expired');
  });
});
