import express, { type Router } from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADINGS } from '@openidcr/model';
import { createLocalityPolicy } from '@openidcr/governance';
import { verifyStoreAudit, readAuditChain } from '../policy/audit.js';
import { apiContract } from './api-contract.fixtures.js';
import { locality, pooledApi, type ApiHarness } from './api.fixtures.js';
import { NOT_PATIENT_DATA, PEP_MARK, fhirRouter } from './router.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await pooledApi();
}, 120_000);
afterAll(async () => api?.close());

apiContract('pooled topology (PGlite store)', () => api);

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown; method?: string }> };
  name?: string;
}

/** Every route of a router: path, method and the handlers that run for it. */
function routesOf(router: Router): Array<{ path: string; method: string; handlers: unknown[] }> {
  return (router.stack as unknown as Layer[]).flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((method) => ({ path: layer.route!.path, method, handlers: layer.route!.stack.map((s) => s.handle) })) : [],
  );
}

describe('the policy enforcement point [REQ-ARC-002, REQ-GOV-014]', () => {
  const policy = createLocalityPolicy({ isa: locality.isa, roles: locality.roles });
  if (!policy.ok) throw new Error('policy');

  it('wraps every data route: walking the router, each route is the PEP or declares why it serves no patient data', () => {
    const router = fhirRouter({ store: api.store, policy: policy.policy, auth: { verify: async () => ({ ok: false, problem: { code: 'missing', message: 'x' } }) }, logger: pino({ level: 'silent' }) });
    const routes = routesOf(router);
    expect(routes.length).toBeGreaterThan(40);
    const notPatientData: string[] = [];
    for (const route of routes) {
      const last = route.handlers[route.handlers.length - 1] as Record<symbol, unknown>;
      const protectedByPep = last[PEP_MARK] === true;
      const exempt = typeof last[NOT_PATIENT_DATA] === 'string';
      expect(protectedByPep || exempt, `${route.method.toUpperCase()} ${route.path} has no policy enforcement point`).toBe(true);
      if (exempt) notPatientData.push(`${route.method.toUpperCase()} ${route.path}`);
    }
    // The only routes without the PEP: the capability statement, reference data, and the 404/405 answers.
    expect(notPatientData.sort()).toEqual(
      ['GET /fhir/Organization/:id', 'GET /fhir/Practitioner/:id', 'GET /fhir/Location/:id', 'GET /fhir/metadata', 'GET /fhir/_history,/fhir/:type/_history', '_ALL /fhir{/*rest}'].sort(),
    );
    // Every resource type of every heading has a protected search and read.
    for (const type of new Set(HEADINGS.flatMap((h) => h.resourceTypes))) {
      for (const path of [`/fhir/${type}`, `/fhir/${type}/:id`]) {
        const route = routes.find((r) => r.path === path && r.method === 'get');
        expect(route, path).toBeDefined();
        expect((route!.handlers.at(-1) as Record<symbol, unknown>)[PEP_MARK], path).toBe(true);
      }
    }
  });

  it('the walk test fails on a route without the PEP', () => {
    const router = express.Router();
    router.get('/fhir/Observation', (_req, res) => {
      res.json({});
    });
    const unprotected = routesOf(router).filter((r) => {
      const last = r.handlers.at(-1) as Record<symbol, unknown>;
      return last[PEP_MARK] !== true && typeof last[NOT_PATIENT_DATA] !== 'string';
    });
    expect(unprotected.map((r) => r.path)).toEqual(['/fhir/Observation']);
  });

  it('writes one audit event per patient-data response, permitted or denied, and the chain verifies', async () => {
    const requests: Array<[string, string, number]> = [
      [`/fhir/Patient/${api.ids.smith}`, 'dr-gp', 200],
      [`/fhir/Patient/${api.ids.smith}/_history/1`, 'dr-gp', 200],
      [`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp', 200],
      [`/fhir/Patient/${api.ids.jones}/$everything`, 'dr-gp', 403],
      [`/fhir/Condition?patient=${api.ids.smith}`, 'dr-gp', 200],
      [`/fhir/Condition?patient=${api.ids.jones}`, 'pharm', 403],
      ['/fhir/Condition/cond-diabetes', 'dr-gp', 200],
      ['/fhir/Condition/cond-sensitive', 'dr-gp', 403],
      ['/fhir/Condition/cond-diabetes/_history/1', 'dr-gp', 200],
      [`/fhir/Encounter?patient=${api.ids.smith}`, 'pharm', 200],
      [`/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919`, 'dr-hosp', 200],
    ];
    for (const [path, user, status] of requests) {
      const before = (await readAuditChain(api.store)).length;
      const response = await api.get(path, user);
      expect(response.status, path).toBe(status);
      const events = await readAuditChain(api.store);
      expect(events.length - before, path).toBe(1);
      const event = events.at(-1)!;
      expect(event.user.id).toBe(user);
      expect(event.outcome).toBe(status === 200 ? 'permit' : status === 403 && path.includes('cond-sensitive') ? 'permit' : 'deny');
      expect(event.query).toBe(`GET ${path}`);
    }
    const everything = (await readAuditChain(api.store)).find((e) => e.query?.endsWith('$everything') && e.user.id === 'dr-gp' && e.outcome === 'permit')!;
    expect(everything.withheld).toEqual({ sensitive: 1 });
    expect(everything.headings).toContain('results');
    // Requests that are not about a person leave no audit event; refused tokens never reach the policy point.
    const before = (await readAuditChain(api.store)).length;
    await api.get('/fhir/metadata');
    await api.get('/fhir/Organization/org-x9a', 'dr-gp');
    await api.get(`/fhir/Patient/${api.ids.smith}`);
    await api.get('/fhir/Observation?patient=x&date=bad', 'dr-gp');
    expect((await readAuditChain(api.store)).length).toBe(before);
    expect(await verifyStoreAudit(api.store)).toEqual({ ok: true, length: (await readAuditChain(api.store)).length });
  });

  it('reads the person\'s consent from the store: an objection denies, break-glass can override', async () => {
    const before = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
    expect(before.status).toBe(200);
    await api.store.putConsent('person-smith', {
      resourceType: 'Consent',
      id: 'objection-1',
      status: 'active',
      dateTime: new Date(Date.now() - 60_000).toISOString(),
      patient: { reference: `Patient/${api.ids.smith}` },
      provision: { type: 'deny' },
    });
    const denied = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
    expect(denied.status).toBe(403);
    const outcome = (await denied.json()) as { issue: Array<{ details: { coding: Array<{ code: string }> } }> };
    const codes = outcome.issue.flatMap((i) => i.details.coding.map((c) => c.code));
    expect(codes).toEqual(expect.arrayContaining(['objection', 'break-glass-available']));
  });
});
