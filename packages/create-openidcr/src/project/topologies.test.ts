import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdcr } from '@openidcr/architecture';
import { parseAnswers, type AnswersInput } from '../answers/answers.js';
import { buildProject } from './files.js';

// A source organisation's FHIR endpoint that answers every search with an empty searchset and counts its requests.
let source: Server;
let sourceUrl: string;
let sourceRequests = 0;
beforeAll(async () => {
  source = createServer((req, res) => {
    sourceRequests++;
    res.setHeader('content-type', 'application/fhir+json');
    res.end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] }));
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/R4`;
});
afterAll(async () => {
  await new Promise((resolve) => source.close(resolve));
});

const base: AnswersInput = {
  name: 'Airedale',
  directory: 'airedale',
  organisations: [
    { ods: 'B82001', name: 'Dales Practice', kind: 'gp-practice', stage: 'live' },
    { ods: 'RCF', name: 'Airedale NHS Foundation Trust', kind: 'acute-trust', stage: 'live' },
  ],
  consentModel: 'implied-opt-out',
  topology: 'pooled',
  storage: 'pglite',
  auth: { mode: 'dev' },
};

/** Starts the record the answers describe, in this process, on an in-memory store and any free ports. */
async function startFrom(input: AnswersInput) {
  const parsed = parseAnswers(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const { locality } = buildProject(parsed.answers);
  const idcr = await createIdcr({ ...locality, storage: { url: 'pglite:memory' }, ports: { http: 0, host: '127.0.0.1' } }, { logger: pino({ level: 'silent' }) });
  const { http } = await idcr.listen();
  return { idcr, url: `http://127.0.0.1:${http.port}` };
}

async function searchAsGp(url: string) {
  const { access_token: token } = (await (await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'gp-b82001' }) })).json()) as {
    access_token: string;
  };
  return fetch(`${url}/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018`, { headers: { authorization: `Bearer ${token}` } });
}

// The pooled topology is started for real, through npm start, in src/start.test.ts.
describe('the chosen topology', () => {
  it('federated answers start a record that keeps no copy and asks the source endpoint', async () => {
    const { idcr, url } = await startFrom({ ...base, topology: 'federated', sources: [{ organisation: 'RCF', baseUrl: sourceUrl }] });
    try {
      expect(idcr.locality.topology.kind).toBe('federated');
      expect(idcr.mllp.channels).toEqual([]);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const before = sourceRequests;
      const search = await searchAsGp(url);
      expect(search.status).toBe(200);
      expect(sourceRequests).toBeGreaterThan(before);
      // A federated record takes no HL7 feeds.
      expect((await fetch(`${url}/integration/hl7`, { method: 'POST', body: 'MSH|' })).status).toBe(404);
    } finally {
      await idcr.close();
    }
  });
});
