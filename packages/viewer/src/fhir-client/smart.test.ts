import { describe, expect, test } from 'vitest';
import { base64Url, buildAuthorizeUrl, codeChallenge, completeSmartLaunch, randomToken, smartLaunch, type LaunchStorage } from './smart.js';

class MemoryStorage implements LaunchStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const ISS = 'https://ehr.example/fhir';
const discovery = { authorization_endpoint: 'https://auth.example/authorize', token_endpoint: 'https://auth.example/token', code_challenge_methods_supported: ['S256'] };

function fakeFetch(routes: Record<string, (init?: RequestInit) => Response>, calls: { url: string; init?: RequestInit }[] = []): typeof fetch {
  return (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, ...(init ? { init } : {}) });
    const route = routes[url];
    return route ? route(init) : new Response('not found', { status: 404 });
  }) as typeof fetch;
}

describe('PKCE', () => {
  test('the S256 challenge of the RFC 7636 example verifier', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  test('verifiers are 43 unreserved characters and differ each time', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
    expect(base64Url(new Uint8Array([251, 255]))).toBe('-_8');
  });
});

describe('authorize URL', () => {
  test('carries every SMART parameter', () => {
    const url = new URL(
      buildAuthorizeUrl({ authorizationEndpoint: 'https://auth.example/authorize?tenant=1', clientId: 'viewer', redirectUri: 'https://app.example/cb', aud: ISS, scope: 'launch openid', state: 's1', codeChallenge: 'c1', launch: 'L1' }),
    );
    expect(url.origin + url.pathname).toBe('https://auth.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: '1',
      response_type: 'code',
      client_id: 'viewer',
      redirect_uri: 'https://app.example/cb',
      scope: 'launch openid',
      state: 's1',
      aud: ISS,
      launch: 'L1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
    });
  });
});

describe('smartLaunch and completeSmartLaunch', () => {
  test('discovers, stores the verifier, navigates; then swaps the code for a token with that verifier', async () => {
    const storage = new MemoryStorage();
    const calls: { url: string; init?: RequestInit }[] = [];
    const fetchFn = fakeFetch(
      {
        [`${ISS}/.well-known/smart-configuration`]: () => Response.json(discovery),
        'https://auth.example/token': () => Response.json({ access_token: 'at-1', token_type: 'Bearer', patient: 'pat-smith', expires_in: 3600 }),
      },
      calls,
    );
    let navigated = '';
    const launched = await smartLaunch({ iss: ISS, launch: 'L1', clientId: 'viewer', redirectUri: 'https://app.example/cb', fetch: fetchFn, storage, navigate: (u) => (navigated = u) });
    expect(launched.ok).toBe(true);
    if (!launched.ok) return;
    expect(navigated).toBe(launched.value.authorizeUrl);
    const authorize = new URL(navigated);
    expect(authorize.searchParams.get('aud')).toBe(ISS);
    expect(authorize.searchParams.get('launch')).toBe('L1');
    expect(authorize.searchParams.get('scope')).toBe('launch openid fhirUser patient/*.read');
    const stored = JSON.parse(storage.getItem(`openidcr.smart.${launched.value.state}`)!);
    expect(await codeChallenge(stored.verifier)).toBe(authorize.searchParams.get('code_challenge'));

    const done = await completeSmartLaunch({ url: `https://app.example/cb?code=abc&state=${launched.value.state}`, fetch: fetchFn, storage });
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    expect(done.value.patientId).toBe('pat-smith');
    expect(done.value.client.baseUrl).toBe(ISS);
    const tokenCall = calls.find((c) => c.url === 'https://auth.example/token')!;
    expect(Object.fromEntries(new URLSearchParams(String(tokenCall.init!.body)))).toEqual({
      grant_type: 'authorization_code',
      code: 'abc',
      redirect_uri: 'https://app.example/cb',
      client_id: 'viewer',
      code_verifier: stored.verifier,
    });
    expect(storage.items.size).toBe(0);
  });

  test('errors are values naming what was wrong', async () => {
    const storage = new MemoryStorage();
    expect(await smartLaunch({ iss: 'ehr', clientId: 'v', redirectUri: 'https://a/cb', storage, navigate: () => {} })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const noS256 = fakeFetch({ [`${ISS}/.well-known/smart-configuration`]: () => Response.json({ ...discovery, code_challenge_methods_supported: ['plain'] }) });
    expect(await smartLaunch({ iss: ISS, clientId: 'v', redirectUri: 'https://a/cb', fetch: noS256, storage, navigate: () => {} })).toMatchObject({ ok: false, error: { code: 'pkce-unsupported' } });
    const broken = fakeFetch({ [`${ISS}/.well-known/smart-configuration`]: () => Response.json({ token_endpoint: 'x' }) });
    const result = await smartLaunch({ iss: ISS, clientId: 'v', redirectUri: 'https://a/cb', fetch: broken, storage, navigate: () => {} });
    expect(result).toMatchObject({ ok: false, error: { code: 'discovery-failed' } });
    if (!result.ok) expect(result.error.message).toContain('authorization_endpoint');
    expect(await completeSmartLaunch({ url: 'https://a/cb?code=1&state=unknown', storage })).toMatchObject({ ok: false, error: { code: 'state-mismatch' } });
    expect(await completeSmartLaunch({ url: 'https://a/cb?error=access_denied', storage })).toMatchObject({ ok: false, error: { code: 'authorization-denied' } });
  });
});
