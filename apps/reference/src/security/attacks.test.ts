/**
 * The attack suite of the threat model (docs/security/threat-model.md): each test is one attack on the composed
 * reference app, named for what it tries, and fails if the attack works. Grouped by trust boundary (B1-B7 as the
 * threat model numbers them). Each refusal is checked for its status, an OperationOutcome naming the problem, and that
 * nothing of another person's record is in the body; where data was served, that the access was audited.
 */
import { request as httpRequest } from 'node:http';
import { createHash } from 'node:crypto';
import { SignJWT, UnsecuredJWT, base64url, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_NUMBER_SYSTEM } from '@openidcr/model';
import { AUDIENCE, ISSUER, PUBLIC_URL, call, diagnosticsOf, leaked, startTarget, type DemoUser, type KnownPatient, type Target } from './harness.js';

let t: Target;
/** The attacker: a GP at a practice, with some patients of their own. */
let gp: DemoUser;
let gpToken: string;
/** A patient the GP may see, and one they may not (registered elsewhere, no relationship). */
let own: KnownPatient;
let other: KnownPatient;
let clinician: DemoUser;
let citizen: DemoUser;
let citizenToken: string;
let admin: DemoUser;

const status = async (token: string, p: KnownPatient) => (await call(t, `/fhir/Patient/${p.patientIds[0]}`, { token })).status;
const auditCount = async (patientKey: string) => (await t.app.store.readAudit({ patientKey, limit: 500 })).items.length;
const lastAudit = async (patientKey: string) => (await t.app.store.readAudit({ patientKey, limit: 500 })).items.at(-1)?.event as { outcome?: string; user?: { id?: string }; breakGlass?: unknown } | undefined;

function expectOutcome(res: { json: Record<string, unknown> | undefined }, code: string | RegExp, words?: RegExp): void {
  expect(res.json?.resourceType, 'an OperationOutcome').toBe('OperationOutcome');
  const codes = ((res.json!.issue as Array<{ code: string }>) ?? []).map((i) => i.code);
  expect(codes.some((c) => (typeof code === 'string' ? c === code : code.test(c))), `issue codes ${codes.join(',')}`).toBe(true);
  if (words) expect(diagnosticsOf(res.json)).toMatch(words);
}

/** No identifier of the person in the body, other than those the attacker sent in the request (echoed in diagnostics). */
function expectNoLeak(text: string, patient: KnownPatient = other, sent: readonly string[] = []): void {
  expect(leaked(text, patient).filter((s) => !sent.includes(s)), 'another person\'s identifiers in the body').toEqual([]);
}

/** The Patient resources of a searchset (its OperationOutcome entry aside). */
function patientsIn(body: Record<string, unknown> | undefined): unknown[] {
  return ((body?.entry as Array<{ resource: { resourceType: string } }> | undefined) ?? []).filter((e) => e.resource.resourceType === 'Patient');
}

/** Resource types the API reads and searches, from its CapabilityStatement. */
const readable = new Set<string>();
const searchable = new Set<string>();

/** A raw HTTP request (no URL normalisation, any Host header), for path and header tricks. */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers, setHost: !('Host' in headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  t = await startTarget({ patients: 8 });
  const gps = t.users.filter((u) => u.role === 'gp');
  // The first GP who may see some patients and not others.
  for (const candidate of gps) {
    const token = await t.tokenFor(candidate);
    const seen: KnownPatient[] = [];
    const refused: KnownPatient[] = [];
    for (const p of t.patients) ((await status(token, p)) === 200 ? seen : refused).push(p);
    if (seen.length > 0 && refused.length > 0) {
      gp = candidate;
      gpToken = token;
      own = seen.sort((a, b) => b.items.length - a.items.length)[0]!;
      other = refused.sort((a, b) => b.items.length - a.items.length)[0]!;
      break;
    }
  }
  if (!gp) throw new Error('security suite: no GP with both visible and refused patients in the synthetic locality');
  clinician = t.users.find((u) => u.role === 'hospital-clinician')!;
  citizen = t.users.find((u) => u.role === 'citizen')!;
  citizenToken = await t.tokenFor(citizen);
  admin = t.users.find((u) => u.role === 'administrator')!;
  const capability = (await call(t, '/fhir/metadata')).json as { rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }> }> }> };
  for (const resource of capability.rest[0]!.resource) {
    const codes = resource.interaction.map((i) => i.code);
    if (codes.includes('read')) readable.add(resource.type);
    if (codes.includes('search-type')) searchable.add(resource.type);
  }
}, 400_000);
afterAll(async () => t?.close());

// ---- B3: professional → FHIR API (the policy enforcement point) ------------------------------------------------------

describe('B3 reading another patient [REQ-ARC-002, REQ-GOV-014]', () => {
  it('by Patient id: 403 naming the reason, nothing of the record, and the refusal audited', async () => {
    const before = await auditCount(other.patientKey);
    const res = await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token: gpToken });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden', /relationship|consent|share|access/i);
    expectNoLeak(res.text);
    expect(await auditCount(other.patientKey)).toBe(before + 1);
    expect(await lastAudit(other.patientKey)).toMatchObject({ outcome: 'deny', user: { id: gp.id } });
  });

  it('by the id of one of their record items (every type the person has): 403, nothing of the record', async () => {
    const seenTypes = new Set<string>();
    for (const item of other.items) {
      if (seenTypes.has(item.type) || !readable.has(item.type)) continue;
      seenTypes.add(item.type);
      const res = await call(t, `/fhir/${item.type}/${item.id}`, { token: gpToken });
      expect(res.status, `${item.type}/${item.id}`).toBe(403);
      expectOutcome(res, 'forbidden');
      expectNoLeak(res.text, other, [item.id]);
      const version = await call(t, `/fhir/${item.type}/${item.id}/_history/1`, { token: gpToken });
      expect(version.status, `${item.type}/${item.id}/_history/1`).toBe(403);
      expectNoLeak(version.text, other, [item.id]);
    }
    expect(seenTypes.size).toBeGreaterThan(2);
  });

  it('by NHS number (identifier search): the person is not shown, only that someone was withheld', async () => {
    const res = await call(t, `/fhir/Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${other.nhsNumber}`)}`, { token: gpToken });
    expect(res.status).toBe(200);
    expect(patientsIn(res.json)).toEqual([]);
    expect(res.text).toMatch(/not shown: you do not have access/);
    expectNoLeak(res.text);
    expect(res.text).not.toContain(other.birthDate);
  });

  it('by demographics (family name and birth date): the person is not shown', async () => {
    const res = await call(t, `/fhir/Patient?family=${encodeURIComponent(other.family)}&birthdate=${other.birthDate}`, { token: gpToken });
    expect(res.status).toBe(200);
    expect(patientsIn(res.json)).toEqual([]);
    expect(res.text).toMatch(/not shown: you do not have access/);
    expectNoLeak(res.text, other, [other.family]);
  });

  it('by searching their record (every record type) with patient=: 403, no entries', async () => {
    const types = [...new Set(other.items.map((i) => i.type))].filter((type) => searchable.has(type));
    expect(types.length).toBeGreaterThan(2);
    for (const type of types) {
      const res = await call(t, `/fhir/${type}?patient=${other.patientIds[0]}`, { token: gpToken });
      expect(res.status, type).toBe(403);
      expectOutcome(res, 'forbidden');
      expectNoLeak(res.text);
    }
  });

  it('by $everything: 403, nothing of the record', async () => {
    const res = await call(t, `/fhir/Patient/${other.patientIds[0]}/$everything`, { token: gpToken });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden');
    expectNoLeak(res.text);
  });

  it('by _include: includes reach only reference data and the person already decided on; _revinclude only Provenance naming items shown', async () => {
    for (const include of ['Observation:subject', 'Observation:patient', '*', 'Observation:*', 'Observation:performer:Patient']) {
      const res = await call(t, `/fhir/Observation?patient=${own.patientIds[0]}&_include=${encodeURIComponent(include)}`, { token: gpToken });
      expect(res.status, include).toBe(200);
      const included = ((res.json!.entry as Array<{ resource: { resourceType: string; id: string }; search?: { mode: string } }> | undefined) ?? []).filter((e) => e.search?.mode === 'include');
      // Patients reached by an include are the person searched, never another.
      for (const entry of included.filter((e) => e.resource.resourceType === 'Patient')) expect(own.patientIds, include).toContain(entry.resource.id);
      expectNoLeak(res.text, other);
    }
    for (const include of ['Observation:device', 'Observation:subject:Group', 'Condition:recorder']) {
      const res = await call(t, `/fhir/Observation?patient=${own.patientIds[0]}&_include=${encodeURIComponent(include)}`, { token: gpToken });
      expect(res.status, include).toBe(400);
      expectOutcome(res, 'invalid', /_include/);
    }
    // Provenance comes back naming only items of the page (the user may see them), whatever else its message carried.
    const withProvenance = await call(t, `/fhir/Observation?patient=${own.patientIds[0]}&_revinclude=Provenance:target&_count=3`, { token: gpToken });
    expect(withProvenance.status).toBe(200);
    const entries = (withProvenance.json!.entry as Array<{ resource: { resourceType: string; id: string; target?: Array<{ reference: string }> }; search?: { mode: string } }>) ?? [];
    const shown = new Set(entries.filter((e) => e.search?.mode === 'match').map((e) => `${e.resource.resourceType}/${e.resource.id}`));
    const provenance = entries.filter((e) => e.resource.resourceType === 'Provenance');
    expect(provenance.length).toBeGreaterThan(0);
    for (const p of provenance) for (const target of p.resource.target ?? []) expect(shown.has(target.reference), target.reference).toBe(true);
    expect((await call(t, `/fhir/Observation?patient=${own.patientIds[0]}&_revinclude=Observation:subject`, { token: gpToken })).status).toBe(400);
    const rev = await call(t, `/fhir/Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${own.nhsNumber}`)}&_revinclude=Observation:subject`, { token: gpToken });
    expect(rev.status).toBe(400);
    expectOutcome(rev, 'invalid', /_revinclude/);
    // A permitted include on a refused person's search includes nothing of them.
    const refused = await call(t, `/fhir/Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${other.nhsNumber}`)}&_include=Patient:general-practitioner`, { token: gpToken });
    expect(refused.status).toBe(200);
    expect(((refused.json!.entry as Array<{ resource: { resourceType: string } }> | undefined) ?? []).filter((e) => e.resource.resourceType !== 'OperationOutcome')).toEqual([]);
    expectNoLeak(refused.text);
  });

  it('by paging token: a next link of one\'s own patient replayed on another, or re-aimed at their patient key, opens nothing', async () => {
    const type = own.items.map((i) => i.type).find((ty) => own.items.filter((i) => i.type === ty).length >= 2)!;
    const first = await call(t, `/fhir/${type}?patient=${own.patientIds[0]}&_count=1`, { token: gpToken });
    expect(first.status).toBe(200);
    const next = ((first.json!.link as Array<{ relation: string; url: string }>) ?? []).find((l) => l.relation === 'next')!.url;
    const cursor = new URL(next).searchParams.get('_cursor')!;
    const replayed = await call(t, `/fhir/${type}?patient=${other.patientIds[0]}&_count=1&_cursor=${cursor}`, { token: gpToken });
    expect(replayed.status).toBe(403);
    expectNoLeak(replayed.text);
    // Re-aimed: the same shape, fingerprinted for the other person's listing, sent on one's own patient.
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: number; q: string; k: unknown[] };
    const q = createHash('sha256').update(`resources\n${JSON.stringify([other.patientKey, null, [type], null, null, 'date-desc'])}`).digest('hex').slice(0, 16);
    const forged = Buffer.from(JSON.stringify({ ...payload, q })).toString('base64url');
    const aimed = await call(t, `/fhir/${type}?patient=${own.patientIds[0]}&_count=1&_cursor=${forged}`, { token: gpToken });
    expect(aimed.status).toBe(400);
    expectOutcome(aimed, 'invalid', /cursor/);
    expectNoLeak(aimed.text);
    const garbage = await call(t, `/fhir/${type}?patient=${own.patientIds[0]}&_cursor=${base64url.encode(JSON.stringify({ v: 1, q: 'x'.repeat(16), k: ["' OR 1=1 --", null, null] }))}`, { token: gpToken });
    expect(garbage.status).toBe(400);
    expectOutcome(garbage, 'invalid', /cursor/);
  });

  it('by a SMART patient-launch token for one patient reading another the user could otherwise see: 403', async () => {
    const visible: KnownPatient[] = [];
    for (const p of t.patients) if ((await status(gpToken, p)) === 200) visible.push(p);
    const [launched, second] = visible;
    expect(second, 'the GP sees at least two patients').toBeDefined();
    const launch = await t.tokenFor(gp, { patient: launched!.patientIds[0] }, { scope: 'openid patient/*.read' });
    expect(await status(launch, launched!)).toBe(200);
    const res = await call(t, `/fhir/Patient/${second!.patientIds[0]}`, { token: launch });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden', new RegExp(`Patient/${launched!.patientIds[0]} only`));
    expectNoLeak(res.text, second!);
    const search = await call(t, `/fhir/Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${second!.nhsNumber}`)}`, { token: launch });
    expect(search.status).toBe(403);
    expectNoLeak(search.text, second!);
  });

  it('by reading a person through a reference-data route (Organization/Practitioner with a Patient id): 404', async () => {
    for (const type of ['Organization', 'Practitioner']) {
      const res = await call(t, `/fhir/${type}/${other.patientIds[0]}`, { token: gpToken });
      expect(res.status, type).toBe(404);
      expectNoLeak(res.text);
    }
  });

  it('by type confusion (a Patient id read as an Observation, an item id read as a Patient): 404', async () => {
    const item = other.items[0]!;
    for (const path of [`/fhir/Observation/${other.patientIds[0]}`, `/fhir/Patient/${item.id}`]) {
      const res = await call(t, path, { token: gpToken });
      expect([403, 404], path).toContain(res.status);
      expectNoLeak(res.text, other, [other.patientIds[0]!, item.id]);
    }
  });
});

describe('B3 the virtual ward [REQ-ARC-002, REQ-GOV-014]', () => {
  const ward = (practice: string, token: string) =>
    call(t, `/fhir/Encounter?patient.general-practitioner=Organization/${practice}&status=in-progress&_include=Encounter:subject`, { token });

  it('another practice\'s virtual ward: 403 naming the parameter, nobody listed', async () => {
    const elsewhere = t.patients.find((p) => p.practice && p.practice !== gp.organisation)!;
    const res = await ward(elsewhere.practice!, gpToken);
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden', /patient\.general-practitioner/);
    for (const p of t.patients.filter((p) => p.practice === elsewhere.practice)) expectNoLeak(res.text, p);
  });

  it('one\'s own practice\'s ward lists no one the policy refuses, even when they are in hospital; each person listed is audited', async () => {
    // A person of the GP's own practice who has objected to sharing, recorded through the contact centre.
    const objector = t.patients.filter((p) => p.practice === gp.organisation && p.patientKey !== own.patientKey).sort((a, b) => a.items.length - b.items.length)[0]!;
    const optOut = await call(t, '/citizen/contact-centre/opt-out', {
      method: 'POST',
      token: await t.tokenFor(admin),
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nhsNumber: objector.nhsNumber, decision: 'opt-out', callerName: objector.given, verification: { method: 'security-questions', note: 'date of birth and first line of address checked' } }),
    });
    expect(optOut.status, optOut.text).toBe(201);
    const refusedHere: KnownPatient[] = [];
    for (const p of t.patients.filter((p) => p.practice === gp.organisation)) if ((await status(gpToken, p)) === 403) refusedHere.push(p);
    const admitted = refusedHere[0];
    expect(admitted, 'a patient of the GP\'s own practice whom the policy refuses').toBeDefined();
    if (admitted) {
      // Admit them now, through the acute trust's own feed.
      const { MllpClient } = await import('@openidcr/integration');
      const acute = t.app.locality.channels.find((c) => c.profile === 'acute-pas')!;
      const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
      const message = [
        `MSH|^~\\&|PAS|${acute.sender}|OPENIDCR|LOCALITY|${hl7Time(new Date())}||ADT^A01^ADT_A01|SEC-WARD-1|P|2.4|||AL|NE`,
        `EVN|A01|${hl7Time(new Date(Date.now() - 3_600_000))}`,
        `PID|1||${admitted.nhsNumber}^^^NHS^NH||${admitted.family.toUpperCase()}^${admitted.given}||${admitted.birthDate.replace(/-/g, '')}|U`,
        `PD1|||PRACTICE^^${gp.organisation}`,
        `PV1|1|I|WARD 9^BED 2^^${acute.sender}||||||||||||||||V-SEC-1^^^${acute.sender}^VN|||||||||||||||||||||||||${hl7Time(new Date(Date.now() - 3_600_000))}`,
      ].join('\r');
      const client = new MllpClient({ port: t.app.mllpPorts[acute.id]!, host: '127.0.0.1', attempts: 1, ackTimeoutMs: 30_000 });
      try {
        expect(await client.send(message)).toMatch(/MSA\|(AA|CA)\|SEC-WARD-1/);
      } finally {
        client.close();
      }
    }
    const res = await ward(gp.organisation!, gpToken);
    expect(res.status).toBe(200);
    for (const p of refusedHere) expectNoLeak(res.text, p);
    expect(res.text).toMatch(/not shown: you do not have access/);
    const listed = new Set(((res.json!.entry as Array<{ resource: { resourceType: string; id: string } }> | undefined) ?? []).filter((e) => e.resource.resourceType === 'Patient').map((e) => e.resource.id));
    for (const p of t.patients.filter((p) => p.patientIds.some((id) => listed.has(id)))) expect(await lastAudit(p.patientKey), p.family).toMatchObject({ outcome: 'permit', user: { id: gp.id } });
  });
});

describe('B3 break-glass [REQ-GOV-013, REQ-GOV-017]', () => {
  const breakGlass = (token: string, p: KnownPatient, body: string, contentType = 'application/json') =>
    call(t, `/fhir/Patient/${p.patientIds[0]}/$break-glass`, { method: 'POST', token, headers: { 'Content-Type': contentType }, body });

  it('without a reason, with a blank or too-short reason, an unknown reason code or an over-long duration: 400 naming the field, and no access granted', async () => {
    const token = await t.tokenFor(clinician);
    const refused = await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('break-glass-available');
    const attempts: Array<[string, RegExp]> = [
      ['{}', /reason/],
      ['{"reason": "     "}', /reason/],
      ['{"reason": "because"}', /reason/],
      ['{"reason": ["I need to see it for emergency care"]}', /reason/],
      ['{"reason": "Unconscious in A&E, no history available", "reasonCode": "curiosity"}', /reasonCode/],
      ['{"reason": "Unconscious in A&E, no history available", "minutes": 100000}', /minutes/],
      ['{"reason": "Unconscious in A&E, no history available", "minutes": -5}', /minutes/],
    ];
    for (const [body, field] of attempts) {
      const res = await breakGlass(token, other, body);
      expect(res.status, body).toBe(400);
      expectOutcome(res, /invalid|required/, field);
      expectNoLeak(res.text);
    }
    // A reason sent as a form or text (what a cross-site form could post) is not read as a reason.
    for (const [body, type] of [
      ['reason=Unconscious+in+A%26E%2C+no+history+available', 'application/x-www-form-urlencoded'],
      ['{"reason": "Unconscious in A&E, no history available"}', 'text/plain'],
    ] as const) {
      const res = await breakGlass(token, other, body, type);
      expect(res.status, type).toBe(400);
      expectOutcome(res, /invalid|required/, /reason/);
    }
    expect((await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token })).status).toBe(403);
  });

  it('by asserting purpose of use BTG in the token, with no grant: still refused', async () => {
    const token = await t.tokenFor(clinician, { purpose_of_use: 'BTG' });
    const res = await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden', /break-glass/i);
    expectNoLeak(res.text);
  });

  it('by a role that may not break the glass: refused, no grant', async () => {
    const worker = t.users.find((u) => u.role === 'social-worker')!;
    const token = await t.tokenFor(worker);
    const res = await breakGlass(token, other, '{"reason": "Safeguarding concern raised by a neighbour today"}');
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden');
    expectNoLeak(res.text);
    expect((await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token })).status).toBe(403);
  });

  it('a grant for one person opens no other person, and is audited and flagged on the record it opened', async () => {
    const token = await t.tokenFor(clinician);
    const granted = await breakGlass(token, other, '{"reason": "Unconscious in A&E, no history available from anyone"}');
    expect(granted.status).toBe(201);
    const read = await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token });
    expect(read.status).toBe(200);
    expect(await lastAudit(other.patientKey)).toMatchObject({ outcome: 'permit', user: { id: clinician.id }, breakGlass: expect.anything() });
    for (const p of t.patients.filter((p) => p.patientKey !== other.patientKey)) {
      const res = await call(t, `/fhir/Patient/${p.patientIds[0]}`, { token });
      if (res.status === 200) continue; // a patient the clinician may see anyway
      expect(res.status).toBe(403);
      expect((await lastAudit(p.patientKey))?.breakGlass).toBeUndefined();
    }
  });
});

// ---- B2: identity provider → API (token verification) -----------------------------------------------------------------

describe('B2 forged, stale and tampered tokens [REQ-SEC-001]', () => {
  const protectedPaths = () => [`/fhir/Patient/${own.patientIds[0]}`, '/app/admin/audit', '/citizen/me/record'];

  async function expectRefused(token: string, words: RegExp): Promise<void> {
    for (const path of protectedPaths()) {
      const res = await call(t, path, { token });
      expect(res.status, path).toBe(401);
      expectOutcome(res, 'login', words);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Bearer/);
      expectNoLeak(res.text, own);
    }
  }

  const claimsOf = (user: DemoUser, extra: Record<string, unknown> = {}) => ({
    sub: user.id,
    name: user.name,
    idcr_role: user.role,
    ...(user.organisation ? { idcr_org: user.organisation } : {}),
    ...(user.sdsRoleCode ? { sds_role: user.sdsRoleCode } : {}),
    scope: 'openid user/*.read',
    ...extra,
  });

  it('expired token: 401 saying it expired', async () => {
    await expectRefused(await t.tokenFor(gp, {}, { expiresIn: -120 }), /expired/);
  });

  it('token not yet valid (nbf in the future): 401', async () => {
    await expectRefused(await t.tokenFor(gp, { nbf: Math.floor(Date.now() / 1000) + 3600 }), /nbf|not accepted|claim/);
  });

  it('token without an expiry: 401 naming exp', async () => {
    const token = await t.signWithProviderKey({ ...claimsOf(gp), iss: ISSUER, aud: AUDIENCE });
    await expectRefused(token, /exp/);
  });

  it('unsigned token (alg: none): 401', async () => {
    const token = new UnsecuredJWT(claimsOf(admin)).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').encode();
    await expectRefused(token, /algorithm|signature/);
  });

  it('token signed with another key under the provider\'s kid: 401', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(claimsOf(admin)).setProtectedHeader({ alg: 'ES256', kid: 'suite-key-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').sign(privateKey);
    await expectRefused(token, /signature/);
  });

  it('token carrying its own key in the header (jwk/jku injection): 401', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const token = await new SignJWT(claimsOf(admin))
      .setProtectedHeader({ alg: 'ES256', jwk, jku: 'https://attacker.example/jwks.json', kid: 'attacker' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(privateKey);
    await expectRefused(token, /signature/);
  });

  it('algorithm confusion (HS256 keyed with the provider\'s public key): 401', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(t.providerJwk));
    const token = await new SignJWT(claimsOf(admin)).setProtectedHeader({ alg: 'HS256', kid: 'suite-key-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').sign(secret);
    await expectRefused(token, /algorithm|signature/);
  });

  it('wrong issuer, and wrong audience, signed with the provider\'s own key: 401 naming the claim', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    await expectRefused(await t.signWithProviderKey({ ...claimsOf(gp), iss: 'https://evil.example', aud: AUDIENCE, exp }), /iss/);
    await expectRefused(await t.signWithProviderKey({ ...claimsOf(gp), iss: ISSUER, aud: 'another-service', exp }), /aud/);
  });

  it('role escalation by editing the payload of a real token (gp → administrator): 401', async () => {
    const [header, , signature] = gpToken.split('.');
    const payload = { ...decodeJwt(gpToken), idcr_role: 'administrator' };
    const tampered = `${header}.${base64url.encode(JSON.stringify(payload))}.${signature}`;
    await expectRefused(tampered, /signature/);
  });

  it('role escalation by claim shape (role as an array, organisation outside the locality): 401 naming the claim', async () => {
    await expectRefused(await t.tokenFor(gp, { idcr_role: ['gp', 'administrator'] }), /idcr_role/);
    await expectRefused(await t.tokenFor({ ...admin, organisation: 'ZZZ99' }), /idcr_org/);
  });

  it('a role the locality does not define reaches neither records nor admin (403)', async () => {
    const token = await t.tokenFor({ ...gp, role: 'superuser' });
    const read = await call(t, `/fhir/Patient/${own.patientIds[0]}`, { token });
    expect(read.status).toBe(403);
    expectNoLeak(read.text, own);
    const audit = await call(t, '/app/admin/audit', { token });
    expect(audit.status).toBe(403);
    expectOutcome(audit, 'forbidden', /role/);
  });

  it('tokens are taken from the Authorization header only: not from the query string, a cookie, or a Basic header', async () => {
    const path = `/fhir/Patient/${own.patientIds[0]}`;
    for (const [label, res] of [
      ['query', await call(t, `${path}?access_token=${gpToken}`)],
      ['cookie', await call(t, path, { headers: { Cookie: `access_token=${gpToken}` } })],
      ['basic', await call(t, path, { headers: { Authorization: `Basic ${Buffer.from(`${gp.id}:x`).toString('base64')}` } })],
      ['two tokens', await call(t, path, { headers: { Authorization: `Bearer ${gpToken}, Bearer ${gpToken}` } })],
    ] as const) {
      expect(res.status, label).toBe(401);
      expectNoLeak(res.text, own);
    }
  });
});

// ---- B4: citizen → citizen services, and citizens at staff routes ----------------------------------------------------

describe('B4 a citizen reaching staff routes [REQ-CIT-004]', () => {
  it('the FHIR API for professionals: 403 on their own record and on anyone else\'s', async () => {
    const mine = t.patients.find((p) => p.nhsNumber === citizen.nhsNumber);
    for (const p of [mine, other].filter(Boolean) as KnownPatient[]) {
      const res = await call(t, `/fhir/Patient/${p.patientIds[0]}`, { token: citizenToken });
      expect(res.status).toBe(403);
      expectOutcome(res, 'forbidden', /professionals/);
      expectNoLeak(res.text);
    }
    const search = await call(t, `/fhir/Patient?family=${encodeURIComponent(other.family)}`, { token: citizenToken });
    expect(search.status).toBe(403);
    expectNoLeak(search.text);
  });

  it('admin (audit, users, channels, MPI review, dead letters): 403', async () => {
    for (const path of ['/app/admin/audit', '/app/admin/users', '/app/admin/channels', '/app/admin/mpi/review', '/app/admin/dead-letters', '/app/admin/benefits']) {
      const res = await call(t, path, { token: citizenToken });
      expect(res.status, path).toBe(403);
      expectOutcome(res, 'forbidden');
      expectNoLeak(res.text);
    }
  });

  it('recording a choice for someone else through the contact centre: 403, no consent stored', async () => {
    const res = await call(t, '/citizen/contact-centre/opt-out', {
      method: 'POST',
      token: citizenToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nhsNumber: other.nhsNumber, decision: 'opt-out', callerName: 'Me', verification: { method: 'security-questions', note: 'asked the usual questions' } }),
    });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden', /contact-centre/);
    expect(await t.app.store.listConsents(other.patientKey)).toEqual([]);
  });

  it('sending HL7 into the record with a citizen token that claims the system/hl7.write scope: 403', async () => {
    const token = await t.tokenFor(citizen, {}, { scope: 'openid patient/*.read system/hl7.write' });
    const channel = t.app.locality.channels[0]!;
    const message = `MSH|^~\\&|PAS|${channel.sender}|OPENIDCR|LOCALITY|20260101120000||ADT^A08^ADT_A01|CITIZEN-1|P|2.4\rPID|1||${other.nhsNumber}^^^NHS^NH||HACKED^Record||19700101|U`;
    const res = await call(t, `/integration/hl7?channel=${channel.id}`, { method: 'POST', token, headers: { 'Content-Type': 'x-application/hl7-v2+er7' }, body: message });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden');
    expect((await t.app.store.listMessages({ limit: 500 })).items.some((m) => m.controlId === 'CITIZEN-1')).toBe(false);
  });

  it('"this helped" feedback (a staff route): 403', async () => {
    const res = await call(t, '/app/feedback', { method: 'POST', token: citizenToken, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ patientId: own.patientIds[0], outcomes: ['avoided-admission'] }) });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden');
  });

  it('a professional on the citizen\'s own routes: 403 (staff use the contact centre)', async () => {
    const res = await call(t, '/citizen/me/record', { token: gpToken });
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden');
  });
});

// ---- B5: staff → admin --------------------------------------------------------------------------------------------------

describe('B5 staff reaching admin [REQ-SEC-001]', () => {
  it('a clinician on every admin route: 403 naming the roles needed; an administrator gets through', async () => {
    const adminToken = await t.tokenFor(admin);
    for (const path of ['/app/admin/audit', '/app/admin/audit/verify', '/app/admin/isa', '/app/admin/users', '/app/admin/channels', '/app/admin/dead-letters', '/app/admin/mpi/review', '/app/admin/benefits']) {
      const res = await call(t, path, { token: gpToken });
      expect(res.status, path).toBe(403);
      expectOutcome(res, 'forbidden', /administrator|privacy-officer/);
      expectNoLeak(res.text);
      expect((await call(t, path, { token: adminToken })).status, `${path} as administrator`).toBe(200);
    }
    const replay = await call(t, '/app/admin/dead-letters/anything/replay', { method: 'POST', token: gpToken });
    expect(replay.status).toBe(403);
  });
});

// ---- B1: browser → HTTP edge -------------------------------------------------------------------------------------------

describe('B1 path and header tricks [REQ-SEC-004]', () => {
  it('path traversal on the web app\'s static files serves nothing outside dist/public', async () => {
    const attempts = [
      '/../package.json',
      '/..%2fpackage.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/%2e%2e%2f%2e%2e%2fsrc%2fapp.ts',
      '/..%5c..%5cpackage.json',
      '/admin/..%2f..%2f..%2fpackage.json',
      '/citizen.js/../../src/app.ts',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/index.html%00.js',
      '/.%2e/.%2e/tsconfig.json',
    ];
    for (const path of attempts) {
      const res = await raw(path);
      expect(res.status, path).not.toBe(200);
      expect(res.text, path).not.toMatch(/"name":\s*"@openidcr|import express|root:x:0:0|compilerOptions/);
    }
    expect((await raw('/clinician.js')).status).toBe(200);
  });

  it('encoded slashes and dot segments in FHIR ids: 400 naming the id, never another record', async () => {
    const id = own.patientIds[0]!;
    for (const path of [
      `/fhir/Patient/${id}%2F..%2F${other.patientIds[0]}`,
      `/fhir/Patient/..%2F${other.patientIds[0]}`,
      `/fhir/Patient/${id}%00`,
      `/fhir/Patient/${encodeURIComponent(`${id}' OR '1'='1`)}`,
    ]) {
      const res = await raw(path, { Authorization: `Bearer ${gpToken}` });
      expect(res.status, path).toBe(400);
      expect(res.text, path).toMatch(/id: not a FHIR id|URL: contains a NUL byte/);
      expectNoLeak(res.text, other, [other.patientIds[0]!]);
    }
    // `..` as an id is not a route at all.
    const dotdot = await raw('/fhir/Patient/%2e%2e', { Authorization: `Bearer ${gpToken}` });
    expect([400, 404]).toContain(dotdot.status);
    // Dot segments sent raw are not resolved to the other person by the router.
    const dots = await raw(`/fhir/Patient/${id}/../${other.patientIds[0]}`, { Authorization: `Bearer ${gpToken}` });
    expect(dots.status).not.toBe(200);
    expectNoLeak(dots.text);
  });

  it('a forged Host or X-Forwarded-Host does not reach links or SMART endpoints (the configured public URL is used)', async () => {
    const headers = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http', Authorization: `Bearer ${gpToken}` };
    for (const path of ['/.well-known/smart-configuration', '/fhir/metadata', `/fhir/Observation?patient=${own.patientIds[0]}&_count=1`]) {
      const res = await raw(path, headers);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain('evil.example');
      if (!path.includes('smart')) expect(res.text, path).toContain(PUBLIC_URL);
    }
  });

  it('a hostile X-Request-Id is not echoed; method-override headers change nothing', async () => {
    const hostile = await call(t, '/fhir/metadata', { headers: { 'X-Request-Id': '<script>alert(1)</script>' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const override = await call(t, `/fhir/Patient/${other.patientIds[0]}`, { method: 'POST', token: gpToken, headers: { 'X-HTTP-Method-Override': 'GET', 'Content-Type': 'application/json' }, body: '{}' });
    expect(override.status).toBe(405);
    expectNoLeak(override.text);
  });

  it('security headers on the API, the web apps and on refusals', async () => {
    const responses = [
      ['api', await call(t, `/fhir/Patient/${own.patientIds[0]}`, { token: gpToken })],
      ['refusal', await call(t, `/fhir/Patient/${other.patientIds[0]}`, { token: gpToken })],
      ['401', await call(t, '/fhir/Patient/x')],
      ['web', await call(t, '/')],
      ['citizen', await call(t, '/citizen/me/record', { token: citizenToken })],
      ['admin api', await call(t, '/app/admin/isa', { token: await t.tokenFor(admin) })],
    ] as const;
    for (const [label, res] of responses) {
      expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
      expect(res.headers.get('strict-transport-security'), label).toMatch(/max-age=\d+/);
      expect(res.headers.get('content-security-policy'), label).toMatch(/frame-ancestors '(none|self)'/);
      expect(res.headers.get('referrer-policy'), label).toBe('no-referrer');
      expect(res.headers.get('x-powered-by'), label).toBeNull();
    }
    // Patient data and admin data are never stored by a browser or a proxy cache.
    for (const [label, res] of responses.filter(([l]) => l !== 'web')) expect(res.headers.get('cache-control'), label).toMatch(/no-store/);
  });
});

describe('B1 cross-site request forgery: the browser apps sign requests with a bearer header, never a cookie', () => {
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
    handle: { stack?: Layer[] };
    rawPath?: string;
  }
  /** Every method + path the composed app routes, walking nested routers. */
  function routes(stack: Layer[], prefix = ''): string[] {
    return stack.flatMap((layer) => {
      if (layer.route) return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${prefix}${layer.route!.path}`);
      if (layer.handle?.stack) return routes(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      return [];
    });
  }

  it('no response sets a cookie (so there is no ambient credential for another site to ride)', async () => {
    const adminToken = await t.tokenFor(admin);
    for (const [path, token] of [
      ['/', undefined],
      ['/citizen', undefined],
      ['/admin', undefined],
      ['/app/session/users', undefined],
      ['/.well-known/smart-configuration', undefined],
      [`/fhir/Patient/${own.patientIds[0]}`, gpToken],
      ['/citizen/me/record', citizenToken],
      ['/app/admin/audit', adminToken],
    ] as const) {
      const res = await call(t, path, token ? { token } : {});
      expect(res.headers.get('set-cookie'), path).toBeNull();
    }
  });

  it('every state-changing route refuses a cross-site form post that carries cookies but no bearer token, and changes nothing', async () => {
    const posted = routes((t.app.idcr.app as unknown as { router: { stack: Layer[] } }).router.stack).filter((r) => !/^(GET|HEAD|OPTIONS|_ALL) /.test(r));
    // Reads that standard FHIR clients may POST (a search, $everything, a batch of GETs) change nothing; they need the bearer token too.
    const postedReads = posted.filter((r) => /^POST \/fhir(\/[A-Za-z]+\/_search|\/Patient\/:id\/\$everything)?$/.test(r) || r === 'POST /fhir/:type/_search');
    for (const read of postedReads.filter((r) => !r.includes(':type'))) {
      const path = read.slice('POST '.length).replace(':id', other.patientIds[0]!);
      const res = await call(t, path, { method: 'POST', headers: { Cookie: 'session=stolen', 'Content-Type': 'application/x-www-form-urlencoded' }, body: `patient=${other.patientIds[0]}` });
      expect(res.status, read).toBe(401);
    }
    const changing = posted.filter((r) => !postedReads.includes(r));
    // The list is what the composed app routes today: a new state-changing route must be added here (and to the threat model).
    expect(changing.sort()).toEqual(
      [
        'POST /integration/hl7',
        'POST /fhir/Patient/:id/$break-glass',
        'POST /app/feedback',
        'POST /app/admin/mpi/review',
        'POST /app/admin/mpi/unmerge',
        'POST /fhir/Consent',
        'POST /fhir/Patient/:id/$consent',
        'POST /fhir/Patient/:id/$consent-to-view',
        'POST /app/admin/dead-letters/:id/replay',
        'POST /app/admin/break-glass/review',
        'POST /app/admin/break-glass/revoke',
        'POST /app/admin/proxy-authorities',
        'POST /app/admin/proxy-authorities/revoke',
        'POST /citizen/contact-centre/opt-out',
      ].sort(),
    );
    const concrete = [
      ['POST', `/integration/hl7?channel=${t.app.locality.channels[0]!.id}`],
      ['POST', `/fhir/Patient/${other.patientIds[0]}/$break-glass`],
      ['POST', '/app/feedback'],
      ['POST', '/app/admin/mpi/review'],
      ['POST', '/app/admin/mpi/unmerge'],
      ['POST', '/fhir/Consent'],
      ['POST', `/fhir/Patient/${other.patientIds[0]}/$consent`],
      ['POST', `/fhir/Patient/${other.patientIds[0]}/$consent-to-view`],
      ['POST', '/app/admin/dead-letters/1/replay'],
      ['POST', '/app/admin/break-glass/review'],
      ['POST', '/app/admin/break-glass/revoke'],
      ['POST', '/app/admin/proxy-authorities'],
      ['POST', '/app/admin/proxy-authorities/revoke'],
      ['POST', '/citizen/contact-centre/opt-out'],
      ['PUT', '/citizen/me/preferences'],
      ['PUT', '/citizen/me/what-matters'],
    ] as const;
    const auditBefore = (await t.app.store.readAudit({ limit: 5000 })).items.length;
    for (const [method, path] of concrete) {
      const res = await call(t, path, {
        method,
        headers: { Origin: 'https://evil.example', Referer: 'https://evil.example/page', Cookie: 'session=stolen; idcr=1', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `reason=${encodeURIComponent('cross site post that should not work')}&decision=opt-out&nhsNumber=${other.nhsNumber}`,
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expectOutcome(res, 'login');
    }
    expect((await t.app.store.readAudit({ limit: 5000 })).items.length).toBe(auditBefore);
    expect(await t.app.store.listConsents(other.patientKey)).toEqual([]);
  });

  it('a CORS preflight from another origin is not granted, so a page elsewhere cannot send the bearer header', async () => {
    for (const path of [`/fhir/Patient/${own.patientIds[0]}/$break-glass`, '/citizen/me/preferences', '/app/feedback']) {
      const res = await call(t, path, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' } });
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
  });
});

describe('B1 oversized and deeply nested bodies: a clear 413 or 400, and the server keeps serving [REQ-SEC-004]', () => {
  const nested = (depth: number) => `{"reason": ${'['.repeat(depth)}"x"${']'.repeat(depth)}}`;
  const post = (path: string, token: string, body: string, method = 'POST') => call(t, path, { method, token, headers: { 'Content-Type': 'application/json' }, body });

  it('break-glass: 413 past its limit, 400 for deep nesting within it', async () => {
    const token = await t.tokenFor(clinician);
    const big = await post(`/fhir/Patient/${other.patientIds[0]}/$break-glass`, token, JSON.stringify({ reason: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expectOutcome(big, 'too-costly', /body/);
    const deep = await post(`/fhir/Patient/${other.patientIds[0]}/$break-glass`, token, nested(7000));
    expect(deep.status).toBe(400);
    expectOutcome(deep, /invalid|required/, /reason/);
    const deeper = await post(`/fhir/Patient/${other.patientIds[0]}/$break-glass`, token, nested(500_000));
    expect(deeper.status).toBe(413);
  });

  it('citizen choices and statements: 413 past the limit, 400 for deep nesting', async () => {
    const big = await post('/citizen/me/what-matters', citizenToken, JSON.stringify({ expectedVersion: 0, statements: ['x'.repeat(40_000)] }), 'PUT');
    expect(big.status).toBe(413);
    expectOutcome(big, 'too-long');
    const deep = await post('/citizen/me/preferences', citizenToken, `{"decision": ${'['.repeat(15_000)}${']'.repeat(15_000)}}`, 'PUT');
    expect(deep.status).toBe(400);
    expectOutcome(deep, 'invalid', /decision/);
  });

  it('feedback and MPI review: 413 past the limit, 400 for deep nesting', async () => {
    const big = await post('/app/feedback', gpToken, JSON.stringify({ patientId: own.patientIds[0], outcomes: ['avoided-admission'], comment: 'x'.repeat(10_000) }));
    expect(big.status).toBe(413);
    expectOutcome(big, 'too-costly');
    const deep = await post('/app/feedback', gpToken, `{"patientId": ${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(deep.status).toBe(400);
    expectOutcome(deep, 'invalid', /patientId/);
    const adminToken = await t.tokenFor(admin);
    const mpi = await post('/app/admin/mpi/review', adminToken, JSON.stringify({ personId: 'x'.repeat(5000), candidatePersonId: 'y', decision: 'linked' }));
    expect(mpi.status).toBe(413);
  });

  it('HL7 over HTTP: 413 past 10 MB, and a message of deeply repeated components is refused with an ACK, not a crash', async () => {
    const sender = await t.tokenFor(t.users.find((u) => u.role === 'administrator')!, {}, { scope: 'system/hl7.write' });
    const channel = t.app.locality.channels[0]!;
    const path = `/integration/hl7?channel=${channel.id}`;
    const big = await call(t, path, { method: 'POST', token: sender, headers: { 'Content-Type': 'x-application/hl7-v2+er7' }, body: `MSH|^~\\&|X|${channel.sender}|Y|Z|20260101||ADT^A01|BIG|P|2.4\r${'Z'.repeat(11 * 1024 * 1024)}` });
    expect(big.status).toBe(413);
    expectOutcome(big, 'too-costly');
    const deep = `MSH|^~\\&|PAS|${channel.sender}|OPENIDCR|LOCALITY|20260101120000||ADT^A01^ADT_A01|DEEP-1|P|2.4\rPID|1||${'^&'.repeat(200_000)}||${'~'.repeat(100_000)}`;
    const ack = await call(t, path, { method: 'POST', token: sender, headers: { 'Content-Type': 'x-application/hl7-v2+er7' }, body: deep });
    expect(ack.status).toBeLessThan(500);
    expect(ack.text).toMatch(/MSA\|A[ER]\|/);
  });

  it('a JSON body with __proto__ and constructor keys pollutes nothing', async () => {
    const token = await t.tokenFor(clinician);
    const pollute = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "reason": "Unconscious in A&E, no history available"}';
    await post(`/fhir/Patient/${own.patientIds[0]}/$break-glass`, token, pollute);
    await post('/citizen/me/preferences', citizenToken, pollute, 'PUT');
    await post('/app/feedback', gpToken, pollute);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('after all of the above the server still serves', async () => {
    expect((await call(t, '/healthz')).status).toBe(200);
    expect((await call(t, `/fhir/Patient/${own.patientIds[0]}`, { token: gpToken })).status).toBe(200);
  });
});

// ---- B6: source systems → integration --------------------------------------------------------------------------------

describe('B6 feeding the record [REQ-INT-003, REQ-SEC-002]', () => {
  const hl7 = (token: string, body: string) =>
    call(t, `/integration/hl7?channel=${t.app.locality.channels[0]!.id}`, { method: 'POST', token, headers: { 'Content-Type': 'x-application/hl7-v2+er7' }, body });
  const header = (id: string) => `MSH|^~\\&|PAS|${t.app.locality.channels[0]!.sender}|OPENIDCR|LOCALITY|20260101120000||ADT^A08^ADT_A01|${id}|P|2.4`;

  it('a clinician\'s token without the system/hl7.write scope cannot send HL7: 403 naming the scope, nothing stored', async () => {
    const res = await hl7(gpToken, `${header('NOSCOPE-1')}\rPID|1||${other.nhsNumber}^^^NHS^NH||CHANGED^Name||19700101|U`);
    expect(res.status).toBe(403);
    expectOutcome(res, 'forbidden', /system\/hl7\.write/);
    expect((await t.app.store.listMessages({ limit: 500 })).items.some((m) => m.controlId === 'NOSCOPE-1')).toBe(false);
  });

  it('HL7 with a NUL byte (which the store cannot hold) is refused for good, not "resend later", over HTTP and MLLP, and dead-lettered', async () => {
    const sender = await t.tokenFor(admin, {}, { scope: 'system/hl7.write' });
    const message = (id: string) => `${header(id)}\rPID|1||9999999999^^^NHS^NH||SMITH\u0000DROP^John||19700101|U`;
    const res = await hl7(sender, message('NUL-HTTP-1'));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/MSA\|AR\|NUL-HTTP-1\|message: contains a NUL byte/);
    expect(res.text).not.toMatch(/resend later/);
    const { MllpClient } = await import('@openidcr/integration');
    const channel = t.app.locality.channels[0]!;
    const client = new MllpClient({ port: t.app.mllpPorts[channel.id]!, host: '127.0.0.1', attempts: 1, ackTimeoutMs: 30_000 });
    try {
      expect(await client.send(message('NUL-MLLP-1'))).toMatch(/MSA\|AR\|NUL-MLLP-1\|message: contains a NUL byte/);
    } finally {
      client.close();
    }
    const letters = (await t.app.store.listDeadLetters({ limit: 100 })).items;
    for (const id of ['NUL-HTTP-1', 'NUL-MLLP-1']) expect(letters.find((l) => l.controlId === id)?.raw, id).toContain('SMITH\\X00\\DROP');
    const odd = await hl7(sender, `${header('BADUTF-1')}\rPID|1||9999999999^^^NHS^NH||SM\uFFFDITH\uD800^John||19700101|U`);
    expect(odd.status).toBeLessThan(500);
    expect(odd.text).toMatch(/MSA\|A[AER]\|BADUTF-1/);
    expect((await call(t, '/healthz')).status).toBe(200);
  });
});

// ---- B7: application → audit --------------------------------------------------------------------------------------------

describe('B7 audit rows that could be skipped [REQ-GOV-014, REQ-GOV-015]', () => {
  it('a HEAD request for a record is audited like a GET', async () => {
    const before = await auditCount(own.patientKey);
    const res = await fetch(`${t.url}/fhir/Patient/${own.patientIds[0]}`, { method: 'HEAD', headers: { Authorization: `Bearer ${gpToken}` } });
    expect(res.status).toBe(200);
    expect(await auditCount(own.patientKey)).toBe(before + 1);
  });

  it('a conditional read answered 304 Not Modified is audited', async () => {
    const first = await call(t, `/fhir/Patient/${own.patientIds[0]}`, { token: gpToken });
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const before = await auditCount(own.patientKey);
    const again = await call(t, `/fhir/Patient/${own.patientIds[0]}`, { token: gpToken, headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await auditCount(own.patientKey)).toBe(before + 1);
  });

  it('a search that finds a person is audited on that person; a refused search is audited as a denial', async () => {
    const before = await auditCount(own.patientKey);
    const found = await call(t, `/fhir/Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${own.nhsNumber}`)}`, { token: gpToken });
    expect(found.status).toBe(200);
    expect(await auditCount(own.patientKey)).toBe(before + 1);
    const otherBefore = await auditCount(other.patientKey);
    await call(t, `/fhir/Condition?patient=${other.patientIds[0]}`, { token: gpToken });
    expect(await auditCount(other.patientKey)).toBe(otherBefore + 1);
    expect(await lastAudit(other.patientKey)).toMatchObject({ outcome: 'deny' });
  });

  it('parameters that change what is returned go through the PEP and the audit (_summary, _elements), or are refused (_has, _contained, _format=xml)', async () => {
    for (const query of ['_summary=count', '_has:Observation:patient:code=1234', '_contained=true']) {
      const res = await call(t, `/fhir/Patient/${own.patientIds[0]}?${query}`, { token: gpToken });
      expect(res.status, query).toBe(400);
      expectOutcome(res, 'invalid');
    }
    expect((await call(t, `/fhir/Patient/${own.patientIds[0]}?_format=xml`, { token: gpToken })).status).toBe(406);
    for (const query of ['_elements=id', '_summary=true']) {
      const before = (await t.app.store.readAudit({ limit: 5000 })).items.length;
      const res = await call(t, `/fhir/Patient/${own.patientIds[0]}?${query}`, { token: gpToken });
      expect(res.status, query).toBe(200);
      expect((await t.app.store.readAudit({ limit: 5000 })).items.length, `${query} is audited`).toBe(before + 1);
      const denied = await call(t, `/fhir/Patient/${other.patientIds[0]}?${query}`, { token: gpToken });
      expect(denied.status, `${query} on a refused person`).toBe(403);
      expectNoLeak(denied.text, other);
    }
  });

  it('when the audit cannot be written, nothing is returned (500, no record data)', async () => {
    // Every way the store appends audit rows (one at a time, or a batch per group commit) fails.
    const store = t.app.store as unknown as Record<string, unknown>;
    const methods = ['appendAudit', 'appendAuditBatch'].filter((m) => typeof store[m] === 'function');
    const originals = methods.map((m) => [m, store[m]] as const);
    for (const m of methods)
      store[m] = async () => {
        throw new Error('audit database unavailable');
      };
    try {
      const res = await call(t, `/fhir/Patient/${own.patientIds[0]}/$everything`, { token: gpToken });
      expect(res.status).toBe(500);
      expectOutcome(res, 'exception', /audit/);
      expectNoLeak(res.text, own);
      const citizenRes = await call(t, '/citizen/me/record', { token: citizenToken });
      expect(citizenRes.status).toBe(500);
      expect(citizenRes.text).not.toContain(citizen.name.split(' ').at(-1)!);
    } finally {
      for (const [m, original] of originals) store[m] = original;
    }
  });

  it('the audit chain verifies after every attack above', async () => {
    const res = await call(t, '/app/admin/audit/verify', { token: await t.tokenFor(t.users.find((u) => u.role === 'privacy-officer')!) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true });
  });
});
