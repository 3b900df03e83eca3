import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_CODE_SYSTEM } from '../http/outcome.js';
import { matchIds, outcomeIssues } from '../fhir/api-contract.fixtures.js';
import { federatedApi } from './federated.fixtures.js';

let api: Awaited<ReturnType<typeof federatedApi>>;
beforeAll(async () => {
  api = await federatedApi();
}, 120_000);
afterEach(() => {
  for (const server of Object.values(api.servers)) server.fault = undefined;
});
afterAll(async () => api?.close());

type Bundle = Parameters<typeof matchIds>[0];

/**
 * Sources that break in ways other than being slow or down (those are in api.federated.test.ts): the view still
 * answers 200 with what the other sources hold, and an `incomplete` warning names the source that failed and why.
 */
describe('federated sources that fail mid-answer [REQ-ARC-003]', () => {
  it('a source that sends half its body and hangs is cut at its timeout; the others are shown', async () => {
    // X9C (community services) has a 1.5 s timeout in the fixture.
    api.servers.X9C!.fault = 'hang-mid-body';
    const started = Date.now();
    const response = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    const bundle = (await response.json()) as Bundle;
    expect(matchIds(bundle)).toEqual(expect.arrayContaining(['Condition/cond-diabetes', 'Observation/obs-hba1c']));
    const warning = outcomeIssues(bundle).find((i) => i.code === 'incomplete');
    expect(warning?.details?.coding).toEqual([{ system: POLICY_CODE_SYSTEM, code: 'source-unavailable', display: 'Northshire Community Health Services' }]);
    expect(warning?.diagnostics).toMatch(/did not answer in time: no answer within 1500 ms/);
  });

  it('a source answering 200 with a body that is not JSON is named, and its records are left out', async () => {
    api.servers.X9A!.fault = 'garbage';
    const response = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
    expect(response.status).toBe(200);
    const bundle = (await response.json()) as Bundle;
    const ids = matchIds(bundle);
    expect(ids).toContain('Condition/cond-diabetes');
    expect(ids).not.toContain('Observation/obs-hba1c');
    const warning = outcomeIssues(bundle).find((i) => i.code === 'incomplete');
    expect(warning?.details?.coding?.[0]?.display).toBe('Northshire Hospitals NHS Foundation Trust');
    expect(warning?.diagnostics).toMatch(/\(X9A\) could not be reached: HTTP 200 with a body that is not JSON/);
  });

  it('a source answering HTTP 500 is named with the status; a search still answers from the others', async () => {
    api.servers.X9A!.fault = 'error';
    const response = await api.get(`/fhir/Condition?patient=${api.ids.smith}`, 'dr-gp');
    expect(response.status).toBe(200);
    const bundle = (await response.json()) as Bundle;
    expect(matchIds(bundle)).toEqual(['Condition/cond-diabetes']);
    const warning = outcomeIssues(bundle).find((i) => i.code === 'incomplete');
    expect(warning?.diagnostics).toMatch(/Northshire Hospitals NHS Foundation Trust \(X9A\) could not be reached: .*HTTP 500/);
  });

  it('serves the whole record again once the source is mended', async () => {
    const response = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
    const bundle = (await response.json()) as Bundle;
    expect(matchIds(bundle)).toEqual(expect.arrayContaining(['Condition/cond-diabetes', 'Observation/obs-hba1c']));
    expect(outcomeIssues(bundle).filter((i) => i.code === 'incomplete')).toEqual([]);
  });
});
