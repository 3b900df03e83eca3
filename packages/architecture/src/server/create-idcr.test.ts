import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MllpClient } from '@openidcr/integration';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { listen } from '../http/listen.fixtures.js';
import { SMITH_NHS, relationshipsFor, smithRecord } from '../fhir/record.fixtures.js';
import { startFhirSource } from '../topology/fhir-source.fixtures.js';
import { defineLocality } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { readAuditChain } from '../policy/audit.js';
import { createIdcr, type Idcr } from './create-idcr.js';

const ADT_A01 = [
  'MSH|^~\\&|PAS|RAE|OPENIDCR|LOCALITY|20260110093000||ADT^A01^ADT_A01|PAS000101|P|2.4|||AL|NE',
  'EVN|A01|20260110092500|||C3456789^Darwin^Samuel^^^Dr^^^GMC',
  'PID|1||9990000018^^^NHS^NH~H100001^^^RAE^MR||JONES^Sarah^Anne^^Mrs||19600312|F|||12 Manor Road^Headingley^Leeds^West Yorkshire^LS6 1AA^GBR^H||0113 496 0000^PRN^PH||EN|M',
  'PD1|||RIVERSIDE SURGERY^^Y90001|G8401234^Okafor^Chidi^^^Dr^^^GMC',
  'PV1|1|I|WARD 7^BED 12^^RAE01||||C3456789^Darwin^Samuel^^^Dr^^^GMC||||||19||||||V000101^^^RAE^VN|||||||||||||||||||||||||20260110090000',
  'DG1|1||I21.9^Acute myocardial infarction, unspecified^I10|||A',
].join('\r');

let idcr: Idcr;
let base: string;
let mllpPort: number;

beforeAll(async () => {
  const locality = defineLocality(
    northshire({
      channels: [{ id: 'pas', sender: 'RAE', organisation: 'X9A', profile: 'acute-pas', mllpPort: 0 }],
      ports: { http: 0, host: '127.0.0.1' },
      shutdownGraceMs: 3000,
    }),
  );
  idcr = await createIdcr(locality, { logger: pino({ level: 'silent' }) });
  let slowDone = false;
  idcr.app.get('/test/slow', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    slowDone = true;
    res.json({ slowDone });
  });
  const addresses = await idcr.listen();
  base = `http://127.0.0.1:${addresses.http.port}`;
  mllpPort = addresses.mllp.pas!.port;
}, 120_000);
afterAll(async () => idcr?.close());

const tokenFor = async (userId: string, scope?: string) =>
  ((await (await fetch(`${base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, scope }) })).json()) as { access_token: string }).access_token;

describe('createIdcr', () => {
  it('serves health, readiness, SMART discovery and the CapabilityStatement', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    const smart = (await (await fetch(`${base}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
    expect(smart.token_endpoint).toBe(`${base}/dev/token`);
    const metadata = await fetch(`${base}/fhir/metadata`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('x-request-id')).toBeTruthy();
  });

  it('takes HL7 v2 over MLLP into the store, ACKs after commit, and the API serves it under the policy', async () => {
    const client = new MllpClient({ port: mllpPort, attempts: 1 });
    const ack = await client.send(ADT_A01);
    client.close();
    expect(ack).toMatch(/MSA\|(AA|CA)\|PAS000101/);
    const stored = await idcr.store.findPatientsByNhsNumber('9990000018');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sourceOrg).toBe('X9A');
    // The registered GP (PD1) sees the hospital's record of the admission.
    const token = await tokenFor('dr-gp');
    const everything = await fetch(`${base}/fhir/Patient/${stored[0]!.id}/$everything`, { headers: { Authorization: `Bearer ${token}` } });
    expect(everything.status).toBe(200);
    const bundle = (await everything.json()) as { entry: Array<{ resource: { resourceType: string } }> };
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual(expect.arrayContaining(['Patient', 'Encounter', 'Condition']));
    expect((await readAuditChain(idcr.store)).at(-1)).toMatchObject({ outcome: 'permit', personId: stored[0]!.patientKey });
  });

  it('takes HL7 v2 over POST /integration/hl7 with a system/hl7.write token only', async () => {
    const message = ADT_A01.replace('PAS000101', 'PAS000102').replace('|A01|', '|A08|').replace('ADT^A01^ADT_A01', 'ADT^A08^ADT_A01');
    const noScope = await fetch(`${base}/integration/hl7?channel=pas`, { method: 'POST', headers: { Authorization: `Bearer ${await tokenFor('dr-hosp')}`, 'content-type': 'x-application/hl7-v2+er7' }, body: message });
    expect(noScope.status).toBe(403);
    const feed = await tokenFor('dr-hosp', 'system/hl7.write');
    const unknownChannel = await fetch(`${base}/integration/hl7?channel=lab`, { method: 'POST', headers: { Authorization: `Bearer ${feed}` }, body: message });
    expect(unknownChannel.status).toBe(400);
    const accepted = await fetch(`${base}/integration/hl7?channel=pas`, { method: 'POST', headers: { Authorization: `Bearer ${feed}`, 'content-type': 'x-application/hl7-v2+er7' }, body: message });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toMatch(/MSA\|(AA|CA)\|PAS000102/);
  });

  it('with an OIDC issuer: verifies its tokens and has no development routes', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const oidc = await createIdcr(
      // Real users sign in, so production mode: publicUrl is required.
      defineLocality(northshire({ auth: { mode: 'oidc', issuer: 'https://login.example.nhs.uk', jwksUrl: 'https://login.example.nhs.uk/jwks', audience: 'idcr', algorithms: ['ES256'] }, publicUrl: 'https://idcr.example.nhs.uk' })),
      { store: idcr.store, keys: createLocalJWKSet({ keys: [jwk] }), logger: pino({ level: 'silent' }) },
    );
    const server = await listen(oidc.app);
    try {
      expect((await fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"dr-gp"}' })).status).toBe(404);
      expect(await (await fetch(`${server.url}/.well-known/smart-configuration`)).json()).toMatchObject({ issuer: 'https://login.example.nhs.uk', jwks_uri: 'https://login.example.nhs.uk/jwks' });
      const token = await new SignJWT({ idcr_role: 'gp', idcr_org: 'Y90001', name: 'Dr A' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('https://login.example.nhs.uk')
        .setAudience('idcr')
        .setSubject('oidc-user')
        .setExpirationTime('5m')
        .sign(privateKey);
      const search = await fetch(`${server.url}/fhir/Patient?family=nobody`, { headers: { Authorization: `Bearer ${token}` } });
      expect(search.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('with the federated topology: reads the sources at view time and takes no HL7', async () => {
    const hospital = await startFhirSource(smithRecord({ gp: 'g', hospital: 'pat-smith-hosp', council: 'c' }).X9A!);
    await idcr.store.putRelationship(relationshipsFor({ smith: SMITH_NHS })[0]!);
    const federated = await createIdcr(defineLocality(northshire({ topology: { kind: 'federated', sources: [{ organisation: 'X9A', baseUrl: hospital.url }] } })), {
      store: idcr.store,
      logger: pino({ level: 'silent' }),
    });
    const server = await listen(federated.app);
    try {
      expect(federated.source.topology).toBe('federated');
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${server.url}/integration/hl7`, { method: 'POST', body: 'MSH|' })).status).toBe(404);
      const token = await federated.devIssuer!.issue('dr-hosp');
      const read = await fetch(`${server.url}/fhir/Observation?patient=pat-smith-hosp&category=laboratory`, { headers: { Authorization: `Bearer ${token}` } });
      expect(read.status).toBe(200);
      const bundle = (await read.json()) as { entry: Array<{ resource: { id: string }; search: { mode: string } }> };
      expect(bundle.entry.filter((e) => e.search.mode === 'match').map((e) => e.resource.id)).toEqual(['obs-hb', 'obs-hba1c']);
    } finally {
      await server.close();
      await hospital.close();
    }
  });

  it('shuts down gracefully: not ready, requests in flight finish, then nothing is accepted', async () => {
    const slow = fetch(`${base}/test/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = idcr.close();
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ slowDone: true });
    await closing;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
