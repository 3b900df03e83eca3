import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordStore } from '@openidcr/store';
import { parseLocality } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { CorsSchema } from './cors.js';
import { startFixtureIdcr, type RunningFixtureIdcr } from './idcr.fixtures.js';

const GP_SYSTEM = 'https://gp-system.example.nhs.uk';
const OTHER = 'https://elsewhere.example';
/** Every path a browser app calls cross-origin; each must answer a preflight without a token. */
const PREFLIGHT_PATHS = ['/fhir/Patient', '/fhir/Patient/pat-smith-gp/$everything', '/fhir/metadata', '/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration', '/.well-known/openid-configuration', '/dev/token', '/dev/.well-known/jwks.json', '/dev/.well-known/openid-configuration'];

const preflight = (url: string, origin: string, method = 'GET', headers = 'authorization, accept') =>
  fetch(url, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers } });

const varies = (response: Response) => (response.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

/** A store whose patient search fails as a bug would (not a StoreError): the API answers 500. */
const failingSearch = (store: RecordStore): RecordStore =>
  new Proxy(store, {
    get(target, property) {
      if (property === 'searchPatients') return () => Promise.reject(new Error('a bug in the store'));
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

describe('CORS: the locality\'s allow-list of origins [#18]', () => {
  let open: RunningFixtureIdcr;
  let closed: RunningFixtureIdcr;
  let limited: RunningFixtureIdcr;
  let faulty: RunningFixtureIdcr;

  beforeAll(async () => {
    [open, closed, limited, faulty] = await Promise.all([
      // Sign-in limited to one request a window: preflights must not count against it (they are answered first).
      startFixtureIdcr({ cors: { origins: [GP_SYSTEM, 'http://localhost:8081'], maxAgeSeconds: 900 }, rateLimits: { signIn: 1 } }),
      startFixtureIdcr(),
      startFixtureIdcr({ cors: { origins: [GP_SYSTEM] }, rateLimits: { public: 1 } }),
      startFixtureIdcr({ cors: { origins: [GP_SYSTEM] } }, { wrapStore: failingSearch }),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([open, closed, limited, faulty].map((s) => s?.close()));
  });

  it('answers a preflight on every API path 204 without a token, with the methods, headers and max age, never credentials', async () => {
    for (const path of PREFLIGHT_PATHS) {
      const response = await preflight(`${open.url}${path}`, GP_SYSTEM, 'POST', 'authorization, content-type, prefer, if-none-match, x-request-id');
      expect(response.status, path).toBe(204);
      expect(response.headers.get('access-control-allow-origin'), path).toBe(GP_SYSTEM);
      expect(response.headers.get('access-control-allow-methods'), path).toBe('GET,HEAD,POST,OPTIONS');
      expect(response.headers.get('access-control-allow-headers'), path).toBe('Authorization,Content-Type,Accept,Prefer,If-None-Match,If-Modified-Since,X-Request-Id');
      expect(response.headers.get('access-control-max-age'), path).toBe('900');
      expect(response.headers.get('access-control-allow-credentials'), path).toBeNull();
      expect(varies(response), path).toContain('origin');
    }
  });

  it('answers preflights before rate limiting: more of them than the sign-in limit all get 204, and a token is still issued', async () => {
    for (let i = 0; i < 3; i++) expect((await preflight(`${open.url}/dev/token`, GP_SYSTEM, 'POST', 'content-type')).status).toBe(204);
    const issued = await fetch(`${open.url}/dev/token`, { method: 'POST', headers: { Origin: GP_SYSTEM, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dr-gp' }) });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('access-control-allow-origin')).toBe(GP_SYSTEM);
    expect(((await issued.json()) as { access_token: string }).access_token).toMatch(/^ey/);
  });

  it('lets an allowed origin read a FHIR answer, with the headers it needs exposed', async () => {
    const response = await fetch(`${open.url}/fhir/Patient/pat-smith-gp`, { headers: { Origin: GP_SYSTEM, Authorization: `Bearer ${await open.token('dr-gp')}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(GP_SYSTEM);
    expect(response.headers.get('access-control-expose-headers')).toBe('ETag,Last-Modified,Location,Content-Location,X-Request-Id,WWW-Authenticate,Retry-After');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(varies(response)).toContain('origin');
  });

  it('gives a disallowed origin no Access-Control-Allow-Origin, preflight or not, and still varies on Origin', async () => {
    const pre = await preflight(`${open.url}/fhir/Patient`, OTHER);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    for (const origin of [OTHER, `${GP_SYSTEM}.evil.example`, 'null', GP_SYSTEM.toUpperCase()]) {
      const response = await fetch(`${open.url}/fhir/metadata`, { headers: { Origin: origin } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(varies(response), origin).toContain('origin');
    }
    // No Origin at all (a server-side client): served, no CORS header, Vary still set for caches.
    const plain = await fetch(`${open.url}/fhir/metadata`);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    expect(varies(plain)).toContain('origin');
  });

  it('puts the CORS headers on error OperationOutcomes too: 401, 403, 404, 429 and 500, so a browser app can read why', async () => {
    const read = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('access-control-allow-origin'), String(status)).toBe(GP_SYSTEM);
      expect(response.headers.get('access-control-expose-headers'), String(status)).toContain('WWW-Authenticate');
      expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    };
    await read(await fetch(`${open.url}/fhir/Patient?family=Smith`, { headers: { Origin: GP_SYSTEM } }), 401);
    await read(await fetch(`${open.url}/fhir/Patient?family=Smith`, { headers: { Origin: GP_SYSTEM, Authorization: `Bearer ${await open.token('citizen-1')}` } }), 403);
    await read(await fetch(`${open.url}/fhir/NoSuchType`, { headers: { Origin: GP_SYSTEM, Authorization: `Bearer ${await open.token('dr-gp')}` } }), 404);
    await fetch(`${limited.url}/fhir/metadata`, { headers: { Origin: GP_SYSTEM } });
    const throttled = await fetch(`${limited.url}/fhir/metadata`, { headers: { Origin: GP_SYSTEM } });
    expect(throttled.headers.get('retry-after')).toBeTruthy();
    await read(throttled, 429);
    // Past the limit, a preflight is still answered: it never reaches the rate limiter.
    expect((await preflight(`${limited.url}/fhir/metadata`, GP_SYSTEM)).status).toBe(204);
    await read(await fetch(`${faulty.url}/fhir/Patient?family=Smith`, { headers: { Origin: GP_SYSTEM, Authorization: `Bearer ${await faulty.token('dr-gp')}` } }), 500);
  });

  it('says so in the CapabilityStatement: rest.security.cors true with origins, false without', async () => {
    const corsOf = async (url: string) => ((await (await fetch(`${url}/fhir/metadata`)).json()) as { rest: Array<{ security: { cors: boolean } }> }).rest[0]!.security.cors;
    expect(await corsOf(open.url)).toBe(true);
    expect(await corsOf(closed.url)).toBe(false);
  });

  it('without a cors configuration sends no CORS header at all, and a preflight is not answered as one', async () => {
    const response = await fetch(`${closed.url}/fhir/metadata`, { headers: { Origin: GP_SYSTEM } });
    expect(response.status).toBe(200);
    expect([...response.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const pre = await preflight(`${closed.url}/fhir/Patient`, GP_SYSTEM);
    expect(pre.status).not.toBe(204);
    expect([...pre.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('leaves the web app\'s own routes same-origin: no CORS header outside the API paths', async () => {
    const response = await fetch(`${open.url}/healthz`, { headers: { Origin: GP_SYSTEM } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await preflight(`${open.url}/integration/hl7`, GP_SYSTEM, 'POST');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the cors field of a locality [#18]', () => {
  const issuesOf = (cors: unknown) => {
    const result = parseLocality({ ...northshire(), cors });
    return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
  };

  it('takes exact origins and fills the defaults', () => {
    expect(CorsSchema.parse({ origins: [GP_SYSTEM, 'http://localhost:8081', 'http://[::1]:3000'] })).toEqual({ origins: [GP_SYSTEM, 'http://localhost:8081', 'http://[::1]:3000'], maxAgeSeconds: 600 });
    expect(issuesOf({ origins: [GP_SYSTEM], maxAgeSeconds: 60 })).toEqual([]);
    expect(issuesOf(undefined)).toEqual([]);
  });

  it('refuses a wildcard, a path, a trailing slash, a default port, upper case, another scheme, and unknown fields, naming the entry', () => {
    expect(issuesOf({ origins: ['*'] })[0]).toMatch(/^cors\.origins\[0\]: "\*" is not an origin/);
    expect(issuesOf({ origins: [GP_SYSTEM, 'https://*.example.nhs.uk'] })[0]).toMatch(/^cors\.origins\[1\]: .*no wildcard/);
    expect(issuesOf({ origins: [`${GP_SYSTEM}/app`] })[0]).toMatch(/^cors\.origins\[0\]: .*write "https:\/\/gp-system\.example\.nhs\.uk"/);
    expect(issuesOf({ origins: [`${GP_SYSTEM}/`] })[0]).toMatch(/^cors\.origins\[0\]: .*trailing slash/);
    expect(issuesOf({ origins: ['https://gp-system.example.nhs.uk:443'] })[0]).toMatch(/^cors\.origins\[0\]: .*default port/);
    expect(issuesOf({ origins: ['https://GP-System.example.nhs.uk'] })[0]).toMatch(/^cors\.origins\[0\]: .*lower case/);
    expect(issuesOf({ origins: ['ftp://gp.example'] })[0]).toMatch(/^cors\.origins\[0\]: .*is not an origin/);
    expect(issuesOf({ origins: ['gp-system.example.nhs.uk'] })[0]).toMatch(/^cors\.origins\[0\]: .*is not an origin/);
    expect(issuesOf({ origins: [GP_SYSTEM], credentials: true })[0]).toMatch(/^cors: .*credentials/);
    expect(issuesOf({ origins: [GP_SYSTEM], maxAgeSeconds: -1 })[0]).toMatch(/^cors\.maxAgeSeconds:/);
  });
});
