import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { SignJWT, generateKeyPair } from 'jose';
import { defineLocality, LocalityConfigError, type LocalityInput } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { createIdcr, type Idcr } from '../server/create-idcr.js';
import { listen } from './listen.fixtures.js';
import { rateLimiting } from './rate-limit.js';

async function start(overrides: Partial<LocalityInput>): Promise<{ idcr: Idcr; base: string }> {
  const idcr = await createIdcr(defineLocality(northshire({ ports: { http: 0, host: '127.0.0.1' }, ...overrides })), { logger: pino({ level: 'silent' }) });
  const { http } = await idcr.listen();
  return { idcr, base: `http://127.0.0.1:${http.port}` };
}

const signIn = (base: string, userId: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ userId }) });
const fhir = (base: string, token: string) => fetch(`${base}/fhir/Patient?family=smith`, { headers: { authorization: `Bearer ${token}` } });

async function expectThrottled(res: Response, words: RegExp): Promise<void> {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = (await res.json()) as { resourceType: string; issue: Array<{ code: string; diagnostics: string }> };
  expect(body.resourceType).toBe('OperationOutcome');
  expect(body.issue[0]!.code).toBe('throttled');
  expect(body.issue[0]!.diagnostics).toMatch(words);
}

describe('rate limits from the locality configuration [REQ-SEC-004]', () => {
  // One server for all the limits: each test uses its own users, so their counts do not meet.
  let small: { idcr: Idcr; base: string };
  const issue = async (userId: string) => (await small.idcr.devIssuer!.issue(userId))!;
  beforeAll(async () => {
    small = await start({ rateLimits: { windowSeconds: 60, signIn: 3, public: 4, user: 5, badToken: 3 } });
  }, 180_000);
  afterAll(async () => small?.idcr.close());

  it('sign-in is limited per address: 429 with Retry-After and an OperationOutcome, and a forged X-Forwarded-For does not reset it', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(small.base, 'dr-gp')).status).toBe(200);
    await expectThrottled(await signIn(small.base, 'dr-gp'), /sign in.*at most 3 in 60 seconds/);
    await expectThrottled(await signIn(small.base, 'dr-gp', { 'x-forwarded-for': '203.0.113.9' }), /sign in/);
  });

  it('authenticated requests are limited per user, not per address: one user throttled, another on the same address served', async () => {
    const gp = await issue('dr-gp');
    const pharmacist = await issue('pharm');
    for (let i = 0; i < 5; i++) expect((await fhir(small.base, gp)).status).not.toBe(429);
    await expectThrottled(await fhir(small.base, gp), /for this user.*at most 5/);
    expect((await fhir(small.base, pharmacist)).status).toBe(200);
  });

  it('tokens that fail verification are limited per address, and are not charged to the user they name', async () => {
    const clinician = await issue('dr-hosp');
    expect((await fhir(small.base, clinician)).status).toBe(200);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ idcr_role: 'hospital-clinician', idcr_org: 'X9A' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('urn:openidcr:dev-issuer')
      .setAudience('openidcr')
      .setSubject('dr-hosp')
      .setExpirationTime('10m')
      .sign(privateKey);
    // A forged token cannot launder itself as verified through a route that never checks tokens.
    expect((await fetch(`${small.base}/.well-known/smart-configuration`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await fhir(small.base, forged)).status).toBe(401);
    await expectThrottled(await fhir(small.base, forged), /tokens that do not verify/);
    // The forged requests named dr-hosp and came from dr-hosp's address, but dr-hosp's verified token is neither charged
    // for them nor locked out by them: a flood from a shared (NAT) address does not stop its signed-in users.
    for (let i = 0; i < 3; i++) expect((await fhir(small.base, clinician)).status).toBe(200);
  });

  it('public routes are limited per address; /healthz and /readyz never are', async () => {
    for (let i = 0; i < 4; i++) expect((await fetch(`${small.base}/fhir/metadata`)).status).toBe(200);
    await expectThrottled(await fetch(`${small.base}/fhir/metadata`), /from this address.*at most 4/);
    for (let i = 0; i < 10; i++) expect((await fetch(`${small.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${small.base}/readyz`)).status).toBe(200);
  });

  it('can be switched off in the configuration (benchmarks), and a bad limit fails at start naming the field', async () => {
    const app = express();
    app.use(rateLimiting({ enabled: false, public: 1 }));
    app.get('/x', (_req, res) => res.json({ ok: true }));
    const server = await listen(app);
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/x`)).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(() => defineLocality(northshire({ rateLimits: { user: 0 } }))).toThrow(LocalityConfigError);
    expect(() => defineLocality(northshire({ rateLimits: { user: 0 } }))).toThrow(/rateLimits\.user/);
  });
});

describe('errors outside the FHIR API are OperationOutcomes [REQ-SEC-002]', () => {
  let app: { idcr: Idcr; base: string };
  beforeAll(async () => {
    app = await start({});
  }, 180_000);
  afterAll(async () => app?.idcr.close());

  // The token endpoint answers as OAuth 2.0 does (RFC 6749 5.2: `error`, `error_description`), which SMART clients read.
  it('a malformed sign-in body is a 400 OAuth error naming the body, not an HTML page with a stack trace', async () => {
    const res = await fetch(`${app.base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId": ' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/^body: /) });
    expect(text).not.toMatch(/at \S+ \(|node_modules|<pre>/);
  });

  it('an oversized sign-in body is a 413 OAuth error naming the body', async () => {
    const res = await fetch(`${app.base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'x'.repeat(20_000) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: 'body: too large' });
  });
});
