import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FhirClient } from './client.js';
import { startTestFhirServer, type TestFhirServer } from '../test-support/fhir-server.js';
import { recordResources, PATIENT_ID, unansweredOutcome } from '../fixtures/record.js';

let server: TestFhirServer;
beforeAll(async () => {
  server = await startTestFhirServer({
    records: { [PATIENT_ID]: recordResources(), 'pat-denied': [{ resourceType: 'Patient', id: 'pat-denied' }] },
    token: 'secret-token',
    pageSize: 7,
    denied: ['pat-denied'],
    outcomes: [unansweredOutcome('Northfield Mental Health Trust')],
  });
});
afterAll(() => server.close());

const client = () => new FhirClient({ baseUrl: server.url, token: 'secret-token' });

describe('FhirClient against a FHIR server on 127.0.0.1', () => {
  test('$everything follows every next page and sends the bearer token and FHIR Accept header', async () => {
    server.requests.length = 0;
    const result = await client().everything(PATIENT_ID);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const resources = result.value.entry!.filter((e) => e.search?.mode !== 'outcome');
    expect(resources).toHaveLength(recordResources().length);
    expect(server.requests.length).toBe(Math.ceil(recordResources().length / 7));
    expect(server.requests.every((r) => r.authorization === 'Bearer secret-token' && r.accept === 'application/fhir+json')).toBe(true);
    expect(result.value.entry!.some((e) => e.search?.mode === 'outcome')).toBe(true);
    expect(result.value.link?.some((l) => l.relation === 'next')).toBe(false);
  });

  test('search by NHS number uses the NHS number identifier system', async () => {
    server.requests.length = 0;
    const result = await client().findByNhsNumber('943 476 5919');
    expect(result.ok && result.value.map((p) => p.id)).toEqual([PATIENT_ID]);
    expect(decodeURIComponent(server.requests[0]!.url)).toBe('/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919');
  });

  test('an invalid NHS number is refused before any request, naming the field', async () => {
    server.requests.length = 0;
    const result = await client().findByNhsNumber('943 476 5918');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'nhs-number: NHS number check digit is wrong' } });
    expect(server.requests).toHaveLength(0);
  });

  test('a 403 comes back as a value with the OperationOutcome and break-glass availability', async () => {
    const result = await client().everything('pat-denied');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'denied', status: 403, breakGlassAvailable: true, message: 'You have no care relationship with this person.' });
    expect(result.error.outcome?.resourceType).toBe('OperationOutcome');
  });

  test('break-glass posts {"reason"} as JSON and then access is granted', async () => {
    const result = await client().breakGlass('pat-denied', 'Unconscious in the emergency department');
    expect(result.ok).toBe(true);
    expect(server.breakGlass.at(-1)).toEqual({ patientId: 'pat-denied', body: { reason: 'Unconscious in the emergency department' } });
    expect((await client().read('Patient', 'pat-denied')).ok).toBe(true);
  });

  test('no token: 401 unauthorised as a value', async () => {
    const result = await new FhirClient({ baseUrl: server.url }).read('Patient', PATIENT_ID);
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorised', status: 401 } });
  });

  test('a token function is asked on every request', async () => {
    let asked = 0;
    const result = await new FhirClient({ baseUrl: server.url, token: async () => (asked++, 'secret-token') }).search('Condition', { patient: PATIENT_ID });
    expect(result.ok).toBe(true);
    expect(asked).toBeGreaterThan(0);
  });

  test('an abort is reported as aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await client().everything(PATIENT_ID, { signal: controller.signal });
    expect(result).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  test('unreachable server: network error value', async () => {
    const result = await new FhirClient({ baseUrl: 'http://127.0.0.1:9/fhir' }).read('Patient', 'x');
    expect(result).toMatchObject({ ok: false, error: { code: 'network' } });
  });

  test('not found and bad ids', async () => {
    expect(await client().read('Patient', 'nobody')).toMatchObject({ ok: false, error: { code: 'not-found', status: 404 } });
    expect(await client().read('Patient', 'bad id!')).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});

describe('FhirClient answers that are not FHIR', () => {
  const fake = (body: string, status = 200) => (async () => new Response(body, { status })) as typeof fetch;
  test('a Bundle without type names the field', async () => {
    const result = await new FhirClient({ baseUrl: 'https://x.example/fhir', fetch: fake('{"resourceType":"Bundle"}') }).search('Condition');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-response' } });
    if (!result.ok) expect(result.error.message).toMatch(/^Bundle\.type/);
  });
  test('HTML instead of JSON', async () => {
    expect(await new FhirClient({ baseUrl: 'https://x.example/fhir', fetch: fake('<html>') }).search('Condition')).toMatchObject({ ok: false, error: { code: 'invalid-response' } });
  });
  test('a next link to another origin is not followed (the token stays home)', async () => {
    const calls: string[] = [];
    const fetchFn = (async (input: string) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'https://evil.example/steal' }], entry: [] }));
    }) as typeof fetch;
    const result = await new FhirClient({ baseUrl: 'https://x.example/fhir', token: 't', fetch: fetchFn }).search('Condition');
    expect(result.ok).toBe(false);
    expect(calls).toHaveLength(1);
  });
  test('search parameters are encoded and repeated', () => {
    const url = new FhirClient({ baseUrl: 'https://x.example/fhir/' }).url('Observation', { patient: 'p1', code: ['a', 'b'], _count: 50, skip: undefined });
    expect(url).toBe('https://x.example/fhir/Observation?patient=p1&code=a&code=b&_count=50');
  });
});
