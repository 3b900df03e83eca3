import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchset, searchsetText } from '../fhir/bundle.js';
import { listen } from './listen.fixtures.js';
import { httpHygiene } from './middleware.js';
import { JsonText, sendFhir } from './outcome.js';

/** A raw HTTP exchange: the bytes as sent (undici's fetch would decompress them and hide the encoding). */
function get(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A Bundle of `n` Observations, about 230 bytes of JSON each. */
function bundleOf(n: number): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: Array.from({ length: n }, (_, i) => ({ resource: { resourceType: 'Observation', id: `o${i}`, status: 'final', code: { text: `Serum sodium, sample ${i}` }, valueQuantity: { value: 130 + (i % 15), unit: 'mmol/L' } } })),
  };
}

describe('sendFhir: FHIR JSON, gzipped in one call for clients that accept it', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  const bodies: Record<string, unknown> = { tiny: { resourceType: 'OperationOutcome', issue: [] }, record: bundleOf(100), large: bundleOf(1200) };
  beforeAll(async () => {
    const app = express();
    // The same hygiene every OpenIDCR server wears, compression middleware included: it must leave these alone.
    for (const middleware of httpHygiene(pino({ level: 'silent' }))) app.use(middleware);
    app.get('/body/:name', (req, res) => sendFhir(res, 200, bodies[req.params.name]));
    app.get('/text', (_req, res) => sendFhir(res, 200, new JsonText('{"resourceType":"Bundle", "type": "searchset"}')));
    app.get('/fhir/Bundle/record', (_req, res) => sendFhir(res, 200, bodies.record));
    app.get('/admin/record.json', (_req, res) => res.json(bodies.record));
    server = await listen(app);
  });
  afterAll(() => server.close());

  it('gzips a whole record for a client that accepts gzip, and the bytes decode to the same JSON', async () => {
    const res = await get(`${server.url}/body/record`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(JSON.stringify(bodies.record).length / 3);
    expect(JSON.parse(gunzipSync(res.body).toString('utf8'))).toEqual(bodies.record);
  });

  it('gzips a body too large to compress on the event loop on the thread pool, with the same result', async () => {
    expect(JSON.stringify(bodies.large).length).toBeGreaterThan(128 * 1024);
    const res = await get(`${server.url}/body/large`, { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(JSON.parse(gunzipSync(res.body).toString('utf8'))).toEqual(bodies.large);
  });

  it('sends plain JSON to a client that does not accept gzip, refuses it (q=0), or asks for a small body', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0, identity' }] as Array<Record<string, string>>) {
      const res = await get(`${server.url}/body/record`, headers);
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect(JSON.parse(res.body.toString('utf8'))).toEqual(bodies.record);
    }
    const tiny = await get(`${server.url}/body/tiny`, { 'accept-encoding': 'gzip' });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(tiny.body.toString('utf8'))).toEqual(bodies.tiny);
  });

  it('gzips FHIR under /fhir itself, and leaves other responses to the compression middleware', async () => {
    const fhir = await get(`${server.url}/fhir/Bundle/record`, { 'accept-encoding': 'gzip' });
    expect(fhir.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(fhir.body).toString('utf8'))).toEqual(bodies.record);
    const other = await get(`${server.url}/admin/record.json`, { 'accept-encoding': 'gzip' });
    expect(other.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(other.body).toString('utf8'))).toEqual(bodies.record);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await get(`${server.url}/body/record`, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
  });

  it('writes JSON text it is given as it is', async () => {
    const res = await get(`${server.url}/text`, {});
    expect(res.body.toString('utf8')).toBe('{"resourceType":"Bundle", "type": "searchset"}');
  });
});

describe('searchsetText: the searchset Bundle with stored resources written as their stored text', () => {
  const stored = [
    { resourceType: 'Patient', id: 'p1', name: [{ family: 'Ó Ceallaigh', given: ['Siobhán'] }] },
    { resourceType: 'Observation', id: 'o1', code: { text: 'Pulse "resting"\n' }, valueQuantity: { value: 72 } },
  ];
  // As PostgreSQL writes jsonb as text: keys reordered and spaces after separators; the same JSON value.
  const texts = ['{"id": "p1", "name": [{"given": ["Siobhán"], "family": "Ó Ceallaigh"}], "resourceType": "Patient"}', '{"id": "o1", "code": {"text": "Pulse \\"resting\\"\\n"}, "resourceType": "Observation", "valueQuantity": {"value": 72}}'];
  const input = {
    base: 'https://idcr.example/fhir',
    selfUrl: 'https://idcr.example/fhir/Patient/p1/$everything',
    matches: stored,
    includes: [{ resourceType: 'Organization', id: 'RVW', name: 'Northshire Hospitals' }],
    issues: [{ severity: 'information' as const, code: 'suppressed' as const, diagnostics: '1 item was withheld by policy.' }],
    now: new Date('2026-12-07T03:00:00Z'),
    total: 2,
  };

  it('is the same JSON value as the Bundle serialised, using the stored text for the resources it was given', () => {
    const textOf = new Map<object, string>(stored.map((resource, i) => [resource, texts[i]!]));
    const text = searchsetText(input, textOf).text;
    const parsed = JSON.parse(text) as { id: string; entry: Array<{ fullUrl: string }> };
    const expected = JSON.parse(JSON.stringify(searchset(input))) as { id: string; entry: Array<{ fullUrl: string }> };
    // Each call makes a new Bundle id and outcome entry id: compare everything else.
    expect(parsed.entry.map((e) => e.fullUrl).slice(0, 3)).toEqual(expected.entry.map((e) => e.fullUrl).slice(0, 3));
    const withoutIds = (b: typeof parsed) => ({ ...b, id: 'x', entry: b.entry.map((e) => (e.fullUrl.startsWith('urn:uuid:') ? { ...e, fullUrl: 'urn:uuid:x' } : e)) });
    expect(withoutIds(parsed)).toEqual(withoutIds(expected));
    for (const t of texts) expect(text).toContain(t);
  });

  it('serialises resources it holds no text for', () => {
    const text = searchsetText(input, new Map()).text;
    expect((JSON.parse(text) as { entry: unknown[] }).entry).toHaveLength(4);
    expect(text).not.toContain('"id": "p1"');
  });
});
