import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { pino } from 'pino';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { openDb } from '@openidcr/store';
import type { RateLimitsInput } from '@openidcr/architecture';
import { startReferenceApp, type ReferenceApp } from '../app.js';
import { syntheticLocalityInput } from '../locality.js';
import { seedOverMllp } from '../seed.js';

/**
 * The security suite's target: the reference app as a locality runs it in production — signed in through its own
 * OpenID Connect provider (here a key pair made for the run, its JWKS served on a local port), not the development
 * issuer — seeded with the synthetic locality over MLLP. The suite holds the provider's key, so it can mint the tokens
 * a real user would get, and, with other keys and claims, the tokens an attacker would try.
 */
export const ISSUER = 'https://idp.security-suite.test';
export const AUDIENCE = 'openidcr';
export const PUBLIC_URL = 'https://idcr.security-suite.test';
const SEED = 5;

export interface DemoUser {
  id: string;
  name: string;
  role: string;
  organisation?: string;
  sdsRoleCode?: string;
  nhsNumber?: string;
}

/** A seeded person as the suite knows them: FHIR ids and what identifies them (to look for in leaked bodies). */
export interface KnownPatient {
  index: number;
  nhsNumber: string;
  patientKey: string;
  /** Their Patient resources' ids (one per source that sent them). */
  patientIds: string[];
  /** Ids of some of their record items (not Patient), with types. */
  items: Array<{ type: string; id: string }>;
  practice: string | undefined;
  family: string;
  given: string;
  birthDate: string;
  /** Strings that must never appear in a body served to someone refused this person's record. */
  secrets: string[];
}

export interface Target {
  app: ReferenceApp;
  url: string;
  users: DemoUser[];
  patients: KnownPatient[];
  /** A token as the locality's provider would issue it for this user. */
  tokenFor(user: DemoUser, extra?: JWTPayload, options?: { expiresIn?: string | number; scope?: string }): Promise<string>;
  /** Signs any claims with the provider's key (a compromised or misconfigured provider). */
  signWithProviderKey(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  providerJwk: Record<string, unknown>;
  close(): Promise<void>;
}

export interface TargetOptions {
  patients?: number;
  storageUrl?: string;
  rateLimits?: RateLimitsInput;
}

/** Starts the reference app under an OIDC provider made for the run, seeded over MLLP. */
export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const patientsWanted = options.patients ?? 8;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'suite-key-1';
  const providerJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const jwks = createServer((req, res) => {
    if (req.url === '/jwks.json') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [providerJwk] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;

  let schema: string | undefined;
  const storageUrl = options.storageUrl ?? 'pglite:memory';
  if (storageUrl.startsWith('postgres')) schema = `sec_suite_${process.pid}_${Date.now().toString(36)}`;
  const settings = { seed: SEED, patients: patientsWanted, mllpBasePort: 0, httpPort: 0, storageUrl };
  const { input, synthetic } = syntheticLocalityInput(settings);
  const demo = (input as unknown as { auth: { users: DemoUser[] } }).auth.users;
  const config = {
    ...(input as Record<string, unknown>),
    auth: { mode: 'oidc', issuer: ISSUER, jwksUrl, audience: AUDIENCE, algorithms: ['ES256'] },
    storage: { url: storageUrl, ...(schema ? { schema } : {}) },
    publicUrl: PUBLIC_URL,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  };
  const dir = mkdtempSync(join(tmpdir(), 'idcr-security-'));
  writeFileSync(join(dir, 'idcr.config.json'), JSON.stringify(config, null, 2));
  const app = await startReferenceApp({ dir, settings, logger: pino({ level: 'silent' }), seed: 'never' });
  const bySender = new Map<string, number>();
  for (const channel of app.locality.channels) if (app.mllpPorts[channel.id] !== undefined) bySender.set(channel.sender, app.mllpPorts[channel.id]!);
  const summary = await seedOverMllp({ seed: SEED, patients: patientsWanted, locality: synthetic, ports: bySender, logger: pino({ level: 'silent' }) });
  if (summary.rejected > 0) throw new Error(`security suite: ${summary.rejected} seed messages rejected`);

  const sign = (claims: JWTPayload, header: Record<string, unknown> = {}, key: CryptoKey = privateKey) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...header }).sign(key);
  const tokenFor: Target['tokenFor'] = (user, extra = {}, opts = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: user.id,
      name: user.name,
      idcr_role: user.role,
      iat: now,
      exp: typeof opts.expiresIn === 'number' ? now + opts.expiresIn : now + 600,
      scope: opts.scope ?? (user.role === 'citizen' ? 'openid patient/*.read' : 'openid fhirUser user/*.read'),
      ...(user.organisation ? { idcr_org: user.organisation } : {}),
      ...(user.sdsRoleCode ? { sds_role: user.sdsRoleCode } : {}),
      ...(user.nhsNumber ? { nhs_number: user.nhsNumber } : {}),
      ...extra,
    };
    return sign(claims);
  };

  const locality = generateLocality({ seed: SEED });
  const patients: KnownPatient[] = [];
  for (let index = 0; index < patientsWanted; index++) {
    const record = generatePatient(index, { seed: SEED }, locality);
    const stored = await app.store.findPatientsByNhsNumber(record.nhsNumber);
    const patientKey = stored[0]?.patientKey;
    if (!patientKey) continue;
    const items = (await app.store.listResources({ patientKey, limit: 200 })).items.filter((r) => r.resourceType !== 'Patient').map((r) => ({ type: r.resourceType, id: r.id }));
    const name = record.patient.name?.[0];
    const family = name?.family ?? '';
    const given = name?.given?.[0] ?? '';
    const identifiers = stored.flatMap((p) => ((p.resource.identifier as Array<{ value?: string }> | undefined) ?? []).map((i) => i.value ?? '')).filter((v) => v.length >= 5 && v !== record.nhsNumber);
    patients.push({
      index,
      nhsNumber: record.nhsNumber,
      patientKey,
      patientIds: stored.map((p) => p.id),
      items,
      practice: practiceOf(record.patient),
      family,
      given,
      birthDate: record.patient.birthDate ?? '',
      // Family names are matched whole and in the case the record holds them (short names could occur by chance).
      secrets: [...new Set([...(family.length >= 4 ? [family] : []), ...identifiers, ...items.slice(0, 20).map((i) => i.id)])],
    });
  }
  return {
    app,
    url: app.url,
    users: demo,
    patients,
    tokenFor,
    signWithProviderKey: (claims, header) => sign(claims, header),
    providerJwk,
    async close() {
      await app.close();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
      if (schema) {
        const db = await openDb(storageUrl, {});
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.close();
      }
    },
  };
}

/** The ODS code of a synthetic patient's registered practice. */
function practiceOf(patient: { generalPractitioner?: Array<{ reference?: string; identifier?: { value?: string } }> }): string | undefined {
  for (const gp of patient.generalPractitioner ?? []) {
    if (gp.identifier?.value) return gp.identifier.value;
    const match = /^Organization\/org-([A-Z0-9]{3,6})$/.exec(gp.reference ?? '');
    if (match) return match[1];
  }
  return undefined;
}

/** A fetch against the target that returns status, headers and the body as text and (when it parses) JSON. */
export async function call(
  target: Pick<Target, 'url'>,
  path: string,
  init: { method?: string; token?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Headers; text: string; json: Record<string, unknown> | undefined }> {
  const res = await fetch(`${target.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The diagnostics of an OperationOutcome body, joined (empty when the body is not one). */
export function diagnosticsOf(body: Record<string, unknown> | undefined): string {
  if (!body || body.resourceType !== 'OperationOutcome') return '';
  return ((body.issue as Array<{ diagnostics?: string; details?: { text?: string } }>) ?? []).map((i) => `${i.diagnostics ?? ''} ${i.details?.text ?? ''}`).join(' | ');
}

/** The strings of `patient.secrets` found in a body. */
export function leaked(text: string, patient: KnownPatient): string[] {
  return patient.secrets.filter((secret) => text.includes(secret));
}
