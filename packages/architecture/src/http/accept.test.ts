import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsJson } from './accept.js';
import { startFixtureIdcr, type RunningFixtureIdcr } from './idcr.fixtures.js';

describe('acceptsJson', () => {
  it('admits JSON for no Accept, */*, application/*, the JSON types and their parameters', () => {
    for (const accept of [undefined, '', '*/*', 'application/*', 'application/json', 'application/fhir+json', 'application/fhir+json; fhirVersion=4.0', 'application/fhir+json;charset=utf-8', 'APPLICATION/FHIR+JSON', 'application/json+fhir', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/fhir+xml, application/fhir+json;q=0.1'])
      expect(acceptsJson(accept), String(accept)).toBe(true);
  });

  it('refuses Accepts that admit no JSON, a q of 0 included', () => {
    for (const accept of ['application/fhir+xml', 'application/xml', 'text/xml', 'text/html', 'text/*', 'application/fhir+xml;fhirVersion=4.0', 'application/fhir+json;q=0, application/json;q=0, application/json+fhir;q=0, */*', '*/*;q=0', 'not a media type'])
      expect(acceptsJson(accept), accept).toBe(false);
  });
});

describe('content negotiation on /fhir: JSON only, 406 otherwise [#18]', () => {
  let server: RunningFixtureIdcr;
  let token: string;
  beforeAll(async () => {
    server = await startFixtureIdcr({ consentCapture: {} });
    token = await server.token('dr-gp');
  }, 180_000);
  afterAll(async () => server?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });

  async function expect406(response: Response, named: 'Accept' | '_format') {
    expect(response.status).toBe(406);
    expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const outcome = (await response.json()) as { resourceType: string; issue: Array<{ code: string; diagnostics: string; expression: string[] }> };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]!.code).toBe('not-supported');
    expect(outcome.issue[0]!.diagnostics).toMatch(new RegExp(`^${named}: .*only JSON is served`));
    expect(outcome.issue[0]!.expression).toEqual([named]);
  }

  it('answers 406 naming Accept to XML and other non-JSON Accepts, on every kind of route, before authentication', async () => {
    for (const accept of ['application/fhir+xml', 'application/xml', 'text/xml', 'text/html'])
      for (const path of ['/fhir/metadata', '/fhir/Patient/pat-smith-gp', '/fhir/Patient?family=Smith', '/fhir/Patient/pat-smith-gp/$everything', '/fhir/NoSuchType'])
        await expect406(await get(path, { Accept: accept }), 'Accept');
    await expect406(await fetch(`${server.url}/fhir/Patient/pat-smith-gp`, { headers: { Accept: 'application/fhir+xml' } }), 'Accept');
    // Consent capture's routes are mounted before the record's: they negotiate too.
    await expect406(await fetch(`${server.url}/fhir/Consent`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+xml', 'content-type': 'application/fhir+json' }, body: '{}' }), 'Accept');
  });

  it('answers 406 naming _format to _format=xml and application/fhir+xml, whatever Accept says', async () => {
    for (const format of ['xml', 'application/fhir+xml', 'text/xml', 'ttl', 'html'])
      await expect406(await get(`/fhir/Patient/pat-smith-gp?_format=${encodeURIComponent(format)}`, { Accept: 'application/fhir+json' }), '_format');
    await expect406(await get('/fhir/metadata?_format=xml'), '_format');
  });

  it('serves JSON as before to */*, application/json, application/fhir+json (with parameters), no Accept, and _format=json', async () => {
    const cases: Array<Record<string, string>> = [{}, { Accept: '*/*' }, { Accept: 'application/json' }, { Accept: 'application/fhir+json' }, { Accept: 'application/fhir+json; fhirVersion=4.0' }, { Accept: 'application/fhir+json;q=0.9, application/fhir+xml' }];
    for (const headers of cases) {
      const read = await get('/fhir/Patient/pat-smith-gp', headers);
      expect(read.status, JSON.stringify(headers)).toBe(200);
      expect(((await read.json()) as { resourceType: string }).resourceType).toBe('Patient');
      expect((await get('/fhir/metadata', headers)).status).toBe(200);
    }
    // _format overrides Accept.
    expect((await get('/fhir/Patient/pat-smith-gp?_format=json', { Accept: 'application/fhir+xml' })).status).toBe(200);
    expect((await get('/fhir/metadata?_format=application/fhir%2Bjson')).status).toBe(200);
  });
});
