/**
 * B3/B7 of the threat model: SQL and JSON injection through every search parameter the CapabilityStatement lists,
 * and through the JSON bodies that are stored, on the embedded store (PGlite) and on PostgreSQL
 * (OPENIDCR_TEST_PG_URL). An injection fails the test if it gets a 5xx, returns a row of anyone but the patient
 * searched for, returns more rows than the same search without it, or changes what the store holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_NUMBER_SYSTEM } from '@openidcr/model';
import { call, diagnosticsOf, leaked, startTarget, type KnownPatient, type Target } from './harness.js';

/** Strings that break out of quoting, comment out the rest of a statement, stack statements, or smuggle operators. */
const PAYLOADS = [
  "' OR '1'='1",
  "1; DROP TABLE resources; --",
  "') OR ('a'='a",
  "' UNION SELECT body FROM resources --",
  "'||(SELECT string_agg(body::text, ',') FROM resources)||'",
  '%',
  '\\',
  '$1',
  '{"$ne": null}',
  '[{"$where": "1==1"}]',
  'a\u0000b',
  'x'.repeat(5000),
];
/** Bytes that are not valid UTF-8 once decoded (lone surrogate, overlong dot, 0xFF), sent already percent-encoded. */
const RAW_PAYLOADS = ['%ED%A0%80', '%C0%AE%C0%AE', '%00'];

interface SearchRoute {
  type: string;
  params: string[];
}

async function searchRoutes(t: Target): Promise<SearchRoute[]> {
  const capability = (await call(t, '/fhir/metadata')).json as { rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }>; searchParam?: Array<{ name: string }> }> }> };
  return capability.rest[0]!.resource
    .filter((r) => r.interaction.some((i) => i.code === 'search-type'))
    .map((r) => ({ type: r.type, params: (r.searchParam ?? []).map((p) => p.name) }));
}

/** Bundle entries that are resources (not the OperationOutcome of the search). */
const matchesOf = (body: Record<string, unknown> | undefined) =>
  ((body?.entry as Array<{ resource: { resourceType: string; id: string } }> | undefined) ?? []).filter((e) => e.resource.resourceType !== 'OperationOutcome');

function injectionSuite(engine: string, storageUrl: () => string | undefined) {
  describe(`injection in every search parameter and stored body (${engine}) [REQ-SEC-002]`, () => {
    let t: Target;
    let token: string;
    let own: KnownPatient;
    let routes: SearchRoute[];
    let resourcesBefore: number;

    beforeAll(async () => {
      const url = storageUrl();
      if (url === undefined) return;
      t = await startTarget({ patients: 6, storageUrl: url, rateLimits: { user: 1_000_000 } });
      routes = await searchRoutes(t);
      for (const candidate of t.users.filter((u) => u.role === 'gp')) {
        const candidateToken = await t.tokenFor(candidate);
        for (const p of [...t.patients].sort((a, b) => b.items.length - a.items.length)) {
          if ((await call(t, `/fhir/Patient/${p.patientIds[0]}`, { token: candidateToken })).status === 200) {
            token = candidateToken;
            own = p;
            break;
          }
        }
        if (own) break;
      }
      resourcesBefore = (await t.app.store.everything(own.patientKey)).length;
    }, 400_000);
    afterAll(async () => t?.close());

    /** The query for a route with one parameter set to `value` (already encoded), around what the route needs. */
    function queryFor(route: SearchRoute, param: string, value: string): string {
      if (route.type === 'Patient') {
        const needsAnchor = !['identifier', 'family', 'given', 'birthdate', 'address-postalcode'].includes(param);
        return `${param}=${value}${needsAnchor ? `&family=${encodeURIComponent(own.family)}` : ''}`;
      }
      return param === 'patient' ? `patient=${value}` : `patient=${own.patientIds[0]}&${param}=${value}`;
    }

    it('lists the search parameters it attacks (every one the CapabilityStatement names)', ({ skip }) => {
      if (!t) return skip();
      expect(routes.length).toBeGreaterThan(10);
      expect(routes.find((r) => r.type === 'Patient')!.params).toEqual(expect.arrayContaining(['identifier', 'family', 'given', 'birthdate', 'address-postalcode', 'gender', '_count', '_cursor', '_include']));
      expect(routes.find((r) => r.type === 'Observation')!.params).toEqual(expect.arrayContaining(['patient', 'date', 'category', 'code', '_sort', '_count', '_cursor', '_include']));
    });

    it('no payload in any search parameter gets a 5xx, another person\'s row, or more rows than the search without it', async ({ skip }) => {
      if (!t) return skip();
      const others = t.patients.filter((p) => p.patientKey !== own.patientKey);
      const failures: string[] = [];
      let requests = 0;
      for (const route of routes) {
        const baseline = await call(t, `/fhir/${route.type}?${route.type === 'Patient' ? `family=${encodeURIComponent(own.family)}` : `patient=${own.patientIds[0]}`}&_count=200`, { token });
        const baselineCount = matchesOf(baseline.json).length;
        for (const param of route.params) {
          const values = [...PAYLOADS.map((p) => encodeURIComponent(p)), ...RAW_PAYLOADS, encodeURIComponent(`${NHS_NUMBER_SYSTEM}|' OR 1=1 --`), encodeURIComponent("|' OR 1=1 --"), encodeURIComponent("ge2020-01-01' OR 1=1 --")];
          await inBatches(values, 4, async (value) => {
            requests++;
            const label = `${route.type}?${param}=${decodeURIComponentSafe(value).slice(0, 40)}`;
            const res = await call(t, `/fhir/${route.type}?${queryFor(route, param, value)}`, { token });
            if (res.status >= 500) failures.push(`${label}: ${res.status} ${diagnosticsOf(res.json).slice(0, 120)}`);
            else if (res.status === 400 && res.json?.resourceType !== 'OperationOutcome') failures.push(`${label}: 400 without an OperationOutcome`);
            else if (res.status === 200) {
              const matches = matchesOf(res.json).filter((e) => !['Practitioner', 'Organization'].includes(e.resource.resourceType));
              if (matches.length > baselineCount) failures.push(`${label}: ${matches.length} rows, ${baselineCount} without the payload`);
              for (const other of others) {
                const found = leaked(res.text, other);
                if (found.length > 0) failures.push(`${label}: another person's ${found.join(', ')}`);
              }
            }
          });
        }
      }
      expect(requests).toBeGreaterThan(700);
      expect(failures).toEqual([]);
      // Nothing was dropped, added or changed, and the server still serves.
      expect((await t.app.store.everything(own.patientKey)).length).toBe(resourcesBefore);
      expect((await call(t, `/fhir/Patient/${own.patientIds[0]}`, { token })).status).toBe(200);
    }, 600_000);

    it('payloads in the ids of reads get a 400 or 404, never a 5xx', async ({ skip }) => {
      if (!t) return skip();
      const failures: string[] = [];
      for (const value of [...PAYLOADS.map((p) => encodeURIComponent(p)), ...RAW_PAYLOADS]) {
        for (const path of [`/fhir/Patient/${value}`, `/fhir/Observation/${value}/_history/1`, `/fhir/Patient/${own.patientIds[0]}/_history/${value}`, `/fhir/Organization/${value}`]) {
          const res = await call(t, path, { token });
          if (res.status >= 500 || res.status === 200) failures.push(`${path.slice(0, 60)}: ${res.status}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('payloads in stored JSON bodies (citizen statements and choices, feedback, audit queries) are stored as text or refused, never a 5xx', async ({ skip }) => {
      if (!t) return skip();
      const citizen = t.users.find((u) => u.role === 'citizen' && t.patients.some((p) => p.nhsNumber === u.nhsNumber))!;
      const citizenToken = await t.tokenFor(citizen);
      const admin = await t.tokenFor(t.users.find((u) => u.role === 'privacy-officer')!);
      const failures: string[] = [];
      let version = ((await call(t, '/citizen/me/what-matters', { token: citizenToken })).json as { version: number }).version;
      for (const payload of PAYLOADS.filter((p) => p.length < 500)) {
        const put = await call(t, '/citizen/me/what-matters', { method: 'PUT', token: citizenToken, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ expectedVersion: version, statements: [payload] }) });
        if (put.status >= 500) failures.push(`what-matters ${JSON.stringify(payload)}: ${put.status}`);
        if (put.status === 200) {
          version = (put.json as { version: number }).version;
          const statements = (put.json as { statements: Array<{ text?: string } | string> }).statements;
          if (!JSON.stringify(statements).includes(JSON.stringify(payload).slice(1, -1))) failures.push(`what-matters ${JSON.stringify(payload)}: not stored as given`);
        }
        const choice = await call(t, '/citizen/me/preferences', { method: 'PUT', token: citizenToken, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ decision: 'opt-out', organisation: payload }) });
        if (choice.status >= 500) failures.push(`preferences ${JSON.stringify(payload)}: ${choice.status}`);
        const feedback = await call(t, '/app/feedback', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ patientId: own.patientIds[0], outcomes: ['saved-phone-call'], comment: payload }) });
        if (feedback.status >= 500) failures.push(`feedback ${JSON.stringify(payload)}: ${feedback.status}`);
        const audit = await call(t, `/app/admin/audit?patient=${encodeURIComponent(payload.slice(0, 60))}&user=${encodeURIComponent(payload.slice(0, 60))}`, { token: admin });
        if (audit.status >= 500) failures.push(`audit query ${JSON.stringify(payload)}: ${audit.status}`);
        if (audit.status === 200 && ((audit.json as { items: unknown[] }).items.length > 0)) failures.push(`audit query ${JSON.stringify(payload)}: returned rows`);
      }
      expect(failures).toEqual([]);
      const verify = await call(t, '/app/admin/audit/verify', { token: admin });
      expect(verify.json).toMatchObject({ ok: true });
    });
  });
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

injectionSuite('PGlite', () => 'pglite:memory');
injectionSuite('PostgreSQL', () => process.env.OPENIDCR_TEST_PG_URL || undefined);
