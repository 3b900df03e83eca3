import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { decide, exampleIsa, InMemoryAuditStore, consentFromFhir, createLocalityPolicy, recordDecision, requestBreakGlass, type AuditStore, type DecisionUser, type Decision } from '@openidcr/governance';
import { CodeSystems, completeNhsNumber, NHS_NUMBER_SYSTEM, Sensitivity, type ResourceLike } from '@openidcr/model';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { citizenRouter } from '../router/citizen-router.js';
import type { CitizenDeps, CitizenPrincipal } from '../router/deps.js';
import { InMemoryCitizenRecords } from '../records/in-memory.js';
import type { CitizenPerson } from '../records/records.js';

/** The clock every harness starts at; each reading moves it on by one second, so events are strictly ordered. */
export const START = Date.parse('2026-06-01T09:00:00Z');

/** A young child's record, hand-made: one ordinary item, one immunisation, one sensitive item a parent must not see. */
export function childRecord(personId: string, nhsNumber: string, birthDate: string): ResourceLike[] {
  const source = 'https://fhir.nhs.uk/Id/ods-organization-code|Y90001';
  return [
    { resourceType: 'Patient', id: `${personId}-patient`, meta: { source }, identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }], name: [{ given: ['Lily'], family: 'Barnes' }], birthDate },
    { resourceType: 'Immunization', id: `${personId}-imm`, meta: { source }, status: 'completed', vaccineCode: { text: 'MMR vaccine' }, patient: { reference: `Patient/${personId}` }, occurrenceDateTime: '2024-05-01' },
    { resourceType: 'Condition', id: `${personId}-asthma`, meta: { source }, code: { text: 'Asthma' }, subject: { reference: `Patient/${personId}` }, onsetDateTime: '2025-02-01' },
    {
      resourceType: 'Condition',
      id: `${personId}-sensitive`,
      meta: { source, security: [Sensitivity.SDV] },
      code: { text: 'Safeguarding concern (sensitive)' },
      subject: { reference: `Patient/${personId}` },
      onsetDateTime: '2025-03-01',
    },
  ];
}

/** A test credential: the fake `authenticate` reads the principal from a header. The router code is the production code. */
export const PRINCIPAL_HEADER = 'x-test-principal';

export function testAuthenticate(req: express.Request): ReturnType<CitizenDeps['authenticate']> {
  const header = req.get(PRINCIPAL_HEADER);
  if (!header) return { ok: false, message: 'no bearer token' };
  return { ok: true, principal: JSON.parse(header) as CitizenPrincipal };
}

export interface Harness {
  url: string;
  records: InMemoryCitizenRecords;
  audit: AuditStore;
  adult: CitizenPerson;
  other: CitizenPerson;
  child: CitizenPerson;
  olderChild: CitizenPerson;
  parentNhs: string;
  as(principal: CitizenPrincipal | undefined): Client;
  now(): Date;
  /** A professional's decision and its audit event, made the way the FHIR API's policy point makes them. */
  clinicianViews(personId: string, options?: { user?: DecisionUser; breakGlass?: boolean }): Promise<Decision>;
  close(): Promise<void>;
}

export interface Client {
  get(path: string, headers?: Record<string, string>): Promise<globalThis.Response>;
  put(path: string, body: unknown): Promise<globalThis.Response>;
  post(path: string, body: unknown): Promise<globalThis.Response>;
}

export const GP_USER: DecisionUser = { id: 'gp-y90001-1', name: 'Dr Asha Patel', roleId: 'gp', sdsRoleCode: 'R8000', organisation: { ods: 'Y90001', kind: 'gp-practice' }, activityCodes: [] };
export const HOSPITAL_USER: DecisionUser = { id: 'hosp-x9a-7', name: 'Dr Tom Reid', roleId: 'hospital-clinician', sdsRoleCode: 'R8000', organisation: { ods: 'X9A', kind: 'acute-trust' }, activityCodes: [] };

export async function startHarness(overrides: Partial<CitizenDeps> = {}): Promise<Harness> {
  const locality = generateLocality({ seed: 11 });
  const patients = [...generatePatients({ seed: 11, patients: 2 }, locality)];
  const records = new InMemoryCitizenRecords();
  const adult = records.addRecord('person-a', patients[0]!.resources);
  const other = records.addRecord('person-b', patients[1]!.resources);
  const childNhs = completeNhsNumber('999000123')!;
  const olderNhs = completeNhsNumber('999000124') ?? completeNhsNumber('999000125')!;
  const child = records.addRecord('person-child', childRecord('person-child', childNhs, '2020-04-02'));
  const olderChild = records.addRecord('person-older', childRecord('person-older', olderNhs, '2012-01-15'));
  const parentNhs = completeNhsNumber('999000200') ?? completeNhsNumber('999000201')!;
  for (const [id, subject] of [['auth-child', child], ['auth-older', olderChild]] as const)
    records.addProxyAuthority({
      id,
      kind: 'parent',
      proxyNhsNumber: parentNhs,
      proxyName: 'Sarah Barnes',
      subjectPersonId: subject.personId,
      status: 'active',
      validFrom: '2020-04-02T00:00:00Z',
      recordedBy: 'gp-y90001-1',
      evidence: 'Birth certificate seen at Riverside Surgery',
    });
  const audit = new InMemoryAuditStore();
  let tick = START;
  const clock = () => new Date((tick += 1000));
  const app = express();
  app.use(citizenRouter({ authenticate: testAuthenticate, records, audit, isa: exampleIsa, clock, cursorSecret: 'test-secret', ...overrides }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const policy = createLocalityPolicy({ isa: exampleIsa });
  if (!policy.ok) throw new Error('example ISA did not compile');
  let seq = 0;
  return {
    url,
    records,
    audit,
    adult,
    other,
    child,
    olderChild,
    parentNhs,
    now: () => new Date(tick),
    as(principal) {
      const headers = (extra: Record<string, string> = {}): Record<string, string> => ({ ...(principal ? { [PRINCIPAL_HEADER]: JSON.stringify(principal) } : {}), ...extra });
      return {
        get: (path, extra) => fetch(url + path, { headers: headers(extra) }),
        put: (path, body) => fetch(url + path, { method: 'PUT', headers: headers({ 'content-type': 'application/json' }), body: typeof body === 'string' ? body : JSON.stringify(body) }),
        post: (path, body) => fetch(url + path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: typeof body === 'string' ? body : JSON.stringify(body) }),
      };
    },
    async clinicianViews(personId, options = {}) {
      const user = options.user ?? GP_USER;
      const now = clock().toISOString();
      const consents = (await records.consentsOf(personId)).map(consentFromFhir).flatMap((r) => (r.ok ? [r.consent] : []));
      const grant = options.breakGlass
        ? requestBreakGlass({ id: `bg-${++seq}`, userId: user.id, personId, organisation: user.organisation.ods, reasonCode: 'emergency-care', reasonText: 'Unconscious in the emergency department', now })
        : undefined;
      const decision = decide({
        user,
        purposeOfUse: options.breakGlass ? 'BTG' : 'TREAT',
        patient: { personId },
        policy: policy.policy,
        consents,
        relationships: options.breakGlass ? [] : [{ id: `rel-${personId}`, personId, kind: 'registration', organisation: user.organisation.ods, start: '2020-01-01T00:00:00Z' }],
        breakGlass: grant?.ok ? grant.grant : undefined,
        now,
      });
      await recordDecision(audit, decision, { id: `clin-${++seq}`, query: `GET /Patient/${personId}/$everything` });
      return decision;
    },
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export const citizen = (person: { nhsNumber: string; name: string }, actingFor?: string): CitizenPrincipal => ({ kind: 'citizen', nhsNumber: person.nhsNumber, name: person.name, ...(actingFor ? { actingFor } : {}) });
export const CONTACT_CENTRE: Extract<CitizenPrincipal, { kind: 'staff' }> = { kind: 'staff', userId: 'cc-42', name: 'Alex Clerk', roleId: 'contact-centre', organisation: { ods: 'X9L', kind: 'local-authority' } };

export { CodeSystems };
