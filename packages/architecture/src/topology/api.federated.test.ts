import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_CODE_SYSTEM } from '../http/outcome.js';
import { readAuditChain } from '../policy/audit.js';
import { apiContract, matchIds, outcomeIssues } from '../fhir/api-contract.fixtures.js';
import { SMITH_NHS } from '../fhir/record.fixtures.js';
import { federatedApi } from './federated.fixtures.js';

let api: Awaited<ReturnType<typeof federatedApi>>;
beforeAll(async () => {
  api = await federatedApi();
}, 120_000);
afterAll(async () => api?.close());

apiContract('federated topology (FHIR sources at view time)', () => api);

describe('federated fan-out [REQ-ARC-003]', () => {
  it('keeps at most the configured number of requests in flight at a source (X9C: 1)', async () => {
    api.servers.X9C!.delayMs = 50;
    try {
      const before = api.servers.X9C!.requests;
      const answers = await Promise.all(Array.from({ length: 3 }, () => api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp')));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(api.servers.X9C!.requests - before).toBeGreaterThanOrEqual(6);
      expect(api.servers.X9C!.maxConcurrent).toBe(1);
    } finally {
      api.servers.X9C!.delayMs = 0;
    }
  });

  it('answers without a source that is too slow, and names it in an incomplete warning', async () => {
    api.servers.X9C!.delayMs = 5000;
    try {
      const started = Date.now();
      const response = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
      const elapsed = Date.now() - started;
      expect(response.status).toBe(200);
      expect(elapsed).toBeLessThan(5000);
      const bundle = (await response.json()) as Parameters<typeof matchIds>[0];
      expect(matchIds(bundle)).toContain('Observation/obs-hba1c');
      const warning = outcomeIssues(bundle).find((i) => i.code === 'incomplete')!;
      expect(warning.severity).toBe('warning');
      expect(warning.details?.coding).toEqual([{ system: POLICY_CODE_SYSTEM, code: 'source-unavailable', display: 'Northshire Community Health Services' }]);
      expect(warning.diagnostics).toMatch(/did not answer in time/);
    } finally {
      api.servers.X9C!.delayMs = 0;
    }
  });

  it('answers without a source that is down, and says it could not be reached', async () => {
    await api.servers.X9C!.close();
    const response = await api.get(`/fhir/Condition?patient=${api.ids.smith}`, 'dr-gp');
    expect(response.status).toBe(200);
    const bundle = (await response.json()) as Parameters<typeof matchIds>[0];
    expect(matchIds(bundle)).toEqual(['Condition/cond-diabetes']);
    expect(outcomeIssues(bundle).find((i) => i.code === 'incomplete')?.diagnostics).toMatch(/could not be reached/);
  });

  it('audits by NHS number, the patient key of the federated topology', async () => {
    const events = await readAuditChain(api.store);
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.personId === SMITH_NHS).length).toBeGreaterThan(0);
  });
});
