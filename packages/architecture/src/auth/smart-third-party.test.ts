import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type RecordStore } from '@openidcr/store';
import { SMITH_NHS, pooledRecord } from '../fhir/record.fixtures.js';
import { defineLocality, type LocalityInput } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { createIdcr, type Idcr } from '../server/create-idcr.js';

/**
 * A third-party client, openid-client v6 (not written for OpenIDCR), against a whole running server: discovery, an EHR
 * launch by NHS number and a standalone launch (authorization code + PKCE, id token validated by openid-client),
 * refresh, and SMART Backend Services (client_credentials with private_key_jwt); then the tokens at work on the FHIR
 * API and on POST /integration/hl7.
 */

const ADT_A01 = [
  'MSH|^~\\&|PAS|RAE|OPENIDCR|LOCALITY|20260110093000||ADT^A01^ADT_A01|PAS000301|P|2.4|||AL|NE',
  'EVN|A01|20260110092500|||C3456789^Darwin^Samuel^^^Dr^^^GMC',
  'PID|1||9990000018^^^NHS^NH~H100001^^^RAE^MR||JONES^Sarah^Anne^^Mrs||19600312|F|||12 Manor Road^Headingley^Leeds^West Yorkshire^LS6 1AA^GBR^H||0113 496 0000^PRN^PH||EN|M',
  'PD1|||RIVERSIDE SURGERY^^Y90001|G8401234^Okafor^Chidi^^^Dr^^^GMC',
  'PV1|1|I|WARD 7^BED 12^^RAE01||||C3456789^Darwin^Samuel^^^Dr^^^GMC||||||19||||||V000101^^^RAE^VN|||||||||||||||||||||||||20260110090000',
].join('\r');

const CALLBACK = 'http://127.0.0.1/smart-app/callback';
const demo = northshire().auth as Extract<LocalityInput['auth'], { mode: 'dev' }>;
let store: RecordStore;
let idcr: Idcr;
let base: string;
let feedKey: CryptoKey;
const insecure = { execute: [client.allowInsecureRequests] };

beforeAll(async () => {
  store = await openStore('pglite:memory');
  const record = pooledRecord();
  await store.bulkLoad(record.resources);
  for (const relationship of record.relationships) await store.putRelationship(relationship);
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  feedKey = privateKey;
  idcr = await createIdcr(
    defineLocality(
      northshire({
        auth: { ...demo, clients: [{ clientId: 'rae-pas', organisation: 'X9A', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'pas-1', kty: 'EC', alg: 'ES384' }] }, scopes: ['system/hl7.write'] }] },
        channels: [
          { id: 'pas', sender: 'RAE', organisation: 'X9A', profile: 'acute-pas' },
          { id: 'gp', sender: 'EMIS', organisation: 'Y90001', profile: 'gp' },
        ],
        ports: { http: 0, host: '127.0.0.1' },
        rateLimits: { signIn: 1000 },
      }),
    ),
    { store, logger: pino({ level: 'silent' }) },
  );
  const { http } = await idcr.listen();
  base = `http://127.0.0.1:${http.port}`;
}, 120_000);
afterAll(async () => idcr?.close());

/** What a SMART app does first: read the FHIR server's SMART configuration, then discover its issuer with openid-client. */
async function discover(clientId: string, auth?: client.ClientAuth): Promise<{ config: client.Configuration; smart: Record<string, unknown> }> {
  const smart = (await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
  const config = await client.discovery(new URL(smart.issuer as string), clientId, undefined, auth ?? client.None(), insecure);
  return { config, smart };
}

/** The user's agent: follows the authorization URL to the redirect (the development issuer has no login page). */
async function follow(authorizationUrl: URL): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

async function codeFlow(config: client.Configuration, params: Record<string, string>) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    aud: `${base}/fhir`,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  const callback = await follow(url);
  expect(callback.searchParams.get('error_description')).toBeNull();
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  return { tokens, nonce };
}

const fhirGet = (path: string, token: string) => fetch(`${base}/fhir${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' } });

describe('openid-client v6 as a SMART app and a backend service [REQ-VIEW-012]', () => {
  it('discovers the issuer SMART names, with the endpoints and methods it says it supports', async () => {
    const { config, smart } = await discover('smart-app');
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(`${base}/dev`);
    expect(smart.issuer).toBe(metadata.issuer);
    expect(metadata.token_endpoint).toBe(smart.token_endpoint);
    expect(metadata.authorization_endpoint).toBe(smart.authorization_endpoint);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.supportsPKCE()).toBe(true);
  });

  it('EHR launch by NHS number: code + PKCE, a validated id token with fhirUser, the patient in context, then reads the Patient', async () => {
    const launch = await fetch(`${base}/dev/launch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dr-hosp', patientIdentifier: `https://fhir.nhs.uk/Id/nhs-number|${SMITH_NHS}` }) });
    expect(launch.status).toBe(201);
    const { launch: launchId } = (await launch.json()) as { launch: string };
    const { config } = await discover('smart-app');
    const { tokens, nonce } = await codeFlow(config, { launch: launchId, scope: 'launch openid fhirUser offline_access patient/*.rs patient/Observation.cruds' });
    // The hospital clinician's launch opens the hospital's own Patient of the person.
    expect(tokens.patient).toBe('pat-smith-hosp');
    expect(tokens.scope).toBe('launch openid fhirUser offline_access patient/*.rs patient/Observation.rs');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: `${base}/dev`, sub: 'dr-hosp', aud: 'smart-app', nonce, fhirUser: `${base}/fhir/Practitioner/dr-hosp` });
    expect(tokens.refresh_token).toBeDefined();

    const patient = await fhirGet('/Patient/pat-smith-hosp', tokens.access_token);
    expect(patient.status).toBe(200);
    expect(((await patient.json()) as { id: string }).id).toBe('pat-smith-hosp');
    // A patient-launch token reads its patient only.
    expect((await fhirGet('/Patient/pat-jones-gp', tokens.access_token)).status).toBe(403);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.patient).toBe('pat-smith-hosp');
    expect((await fhirGet('/Patient/pat-smith-hosp', refreshed.access_token)).status).toBe(200);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('standalone launch with login_hint: a user-level token that reads the GP\'s Patient', async () => {
    const { config } = await discover('standalone-app');
    const { tokens } = await codeFlow(config, { login_hint: 'dr-gp', scope: 'openid fhirUser online_access user/*.read launch' });
    expect(tokens.scope).toBe('openid fhirUser online_access user/*.read');
    expect(tokens.patient).toBeUndefined();
    expect(tokens.claims()).toMatchObject({ sub: 'dr-gp', aud: 'standalone-app', fhirUser: `${base}/fhir/Practitioner/dr-gp` });
    expect((await fhirGet('/Patient/pat-smith-gp', tokens.access_token)).status).toBe(200);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'user/*.read' });
    expect(refreshed.scope).toBe('user/*.read');
  });

  it('SMART Backend Services: client_credentials with private_key_jwt (ES384), then HL7 into its own channel; the record API refuses it', async () => {
    const smart = (await (await fetch(`${base}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
    // SMART asks for the token endpoint as the assertion's aud (openid-client's default is the issuer).
    const auth = client.PrivateKeyJwt(
      { key: feedKey, kid: 'pas-1' },
      {
        [client.modifyAssertion]: (_header, payload) => {
          payload.aud = smart.token_endpoint;
        },
      },
    );
    const { config } = await discover('rae-pas', auth);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'system/hl7.write system/Patient.read' });
    expect(tokens.scope).toBe('system/hl7.write');
    expect(tokens.expiresIn()).toBeLessThanOrEqual(300);

    const send = (channel: string) =>
      fetch(`${base}/integration/hl7?channel=${channel}`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.access_token}`, 'content-type': 'x-application/hl7-v2+er7' }, body: ADT_A01 });
    const accepted = await send('pas');
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toMatch(/MSA\|(AA|CA)\|PAS000301/);
    expect(await store.findPatientsByNhsNumber('9990000018')).toHaveLength(1);
    // Not another organisation's channel.
    const otherOrganisation = await send('gp');
    expect(otherOrganisation.status).toBe(403);
    expect(((await otherOrganisation.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toMatch(/^channel: gp carries Y90001's data; client rae-pas is registered for X9A/);

    // A system token reads no one's record, and says why.
    const read = await fhirGet('/Patient/pat-smith-hosp', tokens.access_token);
    expect(read.status).toBe(403);
    expect(((await read.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toMatch(/system token/);
    expect((await fhirGet(`/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${SMITH_NHS}`, tokens.access_token)).status).toBe(403);

    // openid-client signs a fresh assertion (a new jti) for every request, so a second grant works (a replayed one would not).
    const again = await client.clientCredentialsGrant(config, { scope: 'system/hl7.write' });
    expect(again.access_token).toBeDefined();
  });

  it('refuses a user flow that asks for system scopes only, through openid-client', async () => {
    const { config } = await discover('smart-app');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, aud: `${base}/fhir`, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', login_hint: 'dr-hosp', scope: 'system/hl7.write', state: 's' });
    const callback = await follow(url);
    await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });
});
