// B1 of the threat model in the composed app: the rate limits of the locality configuration cover the routes the
// reference app adds after createIdcr (web app files, the citizen services, admin), not only the FHIR API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, diagnosticsOf, startTarget, type Target } from './harness.js';

let t: Target;
beforeAll(async () => {
  t = await startTarget({ patients: 1, rateLimits: { windowSeconds: 60, public: 5, user: 6, signIn: 3, badToken: 3 } });
}, 400_000);
afterAll(async () => t?.close());

async function untilThrottled(send: () => Promise<{ status: number }>, limit: number): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | undefined }> {
  for (let i = 0; i < limit; i++) expect((await send()).status, `request ${i + 1} of ${limit}`).not.toBe(429);
  return (await send()) as { status: number; headers: Headers; json: Record<string, unknown> | undefined };
}

describe('rate limits in the composed reference app [REQ-SEC-004]', () => {
  it('the web apps\' files and the public notice count against the address: 429 with Retry-After and an OperationOutcome past the limit', async () => {
    const paths = ['/', '/clinician.js', '/citizen', '/citizen/notice', '/app/session/users'];
    let i = 0;
    const res = await untilThrottled(() => call(t, paths[i++ % paths.length]!), 5);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(diagnosticsOf(res.json)).toMatch(/from this address: at most 5 in 60 seconds/);
    expect((await call(t, '/healthz')).status).toBe(200);
  });

  it('a citizen and an administrator are each limited as themselves, on the citizen and admin routes', async () => {
    const citizen = await t.tokenFor(t.users.find((u) => u.role === 'citizen')!);
    const admin = await t.tokenFor(t.users.find((u) => u.role === 'administrator')!);
    const throttled = await untilThrottled(() => call(t, '/citizen/me/preferences', { token: citizen }), 6);
    expect(throttled.status).toBe(429);
    expect(diagnosticsOf(throttled.json)).toMatch(/for this user/);
    expect((await call(t, '/app/admin/isa', { token: admin })).status).toBe(200);
  });
});
