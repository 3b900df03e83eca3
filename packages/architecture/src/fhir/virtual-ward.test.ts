import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeSystems, ODS_CODE_SYSTEM } from '@openidcr/model';
import { readAuditChain } from '../policy/audit.js';
import { loadLocalityOrganisations } from '../server/reference-data.js';
import { expectValidFhir, matchIds, outcomeIssues } from './api-contract.fixtures.js';
import { locality, pooledApi, type ApiHarness } from './api.fixtures.js';

const WARD = '/fhir/Encounter?patient.general-practitioner=Organization/Y90001&status=in-progress&_include=Encounter:subject&_include=Encounter:location&_include=Encounter:service-provider';

const stay = (id: string, patientId: string, start: string, status = 'in-progress') => ({
  resourceType: 'Encounter',
  id,
  meta: { source: `${ODS_CODE_SYSTEM}|X9A` },
  status,
  class: { system: CodeSystems.encounterClass, code: 'IMP', display: 'inpatient encounter' },
  subject: { reference: `Patient/${patientId}` },
  period: { start },
  serviceProvider: { reference: 'Organization/org-x9a' },
  location: [{ location: { reference: 'Location/ward-12' }, status: 'active' }],
});

let api: ApiHarness;
beforeAll(async () => {
  api = await pooledApi();
  await api.store.bulkLoad([
    { resource: { resourceType: 'Location', id: 'ward-12', meta: { source: `${ODS_CODE_SYSTEM}|X9A` }, name: 'Ward 12 (respiratory)' } },
    { patientKey: 'person-smith', resource: { ...stay('enc-now', 'pat-smith-hosp', '2026-11-18T22:10:00Z'), serviceProvider: { identifier: { system: ODS_CODE_SYSTEM, value: 'X9A' } } } },
    // Mary Jones is registered at another practice (Y90002): never on Y90001's ward.
    { patientKey: 'person-jones', resource: stay('enc-jones', 'pat-jones-gp', '2026-11-20T08:00:00Z') },
    // Olive Brown, also registered at Y90001, admitted by a feed that names the hospital by ODS code only (as HL7 v2 does).
    {
      patientKey: 'person-brown',
      resource: {
        resourceType: 'Patient',
        id: 'pat-brown',
        meta: { source: `${ODS_CODE_SYSTEM}|X9A` },
        identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990000026' }],
        name: [{ family: 'Brown', given: ['Olive'] }],
        birthDate: '1935-12-02',
        generalPractitioner: [{ identifier: { system: ODS_CODE_SYSTEM, value: 'Y90001' } }],
      },
    },
    { patientKey: 'person-brown', resource: { ...stay('enc-brown', 'pat-brown', '2026-11-21T08:00:00Z'), serviceProvider: { identifier: { system: ODS_CODE_SYSTEM, value: 'X9A' } } } },
  ]);
  await loadLocalityOrganisations(api.store, locality);
}, 120_000);
afterAll(async () => api?.close());

interface Bundle {
  resourceType: string;
  type: string;
  link: Array<{ relation: string; url: string }>;
  entry: Array<{ resource: { resourceType: string; id?: string; [k: string]: unknown }; search?: { mode?: string } }>;
}

describe('the virtual ward: a practice\'s patients in hospital, through the policy point [REQ-ARC-002]', () => {
  it('lists the open inpatient stays of the GP\'s own registered patients, with patient, ward and hospital, one audit event per person', async () => {
    const before = (await readAuditChain(api.store)).length;
    const res = await api.get(WARD, 'dr-gp');
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    expect(bundle.type).toBe('searchset');
    // The finished 2024 admission and Mary Jones's stay (another practice) are not listed.
    expect(matchIds(bundle).sort()).toEqual(['Encounter/enc-brown', 'Encounter/enc-now']);
    const included = bundle.entry.filter((e) => e.search?.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
    // The hospital named by ODS code only resolves to the locality's Organization/X9A, listed once for everyone on the ward.
    expect(included.sort()).toEqual(['Location/ward-12', 'Organization/X9A', 'Patient/pat-brown', 'Patient/pat-smith-hosp']);
    for (const entry of bundle.entry) expectValidFhir(entry.resource);
    const chain = await readAuditChain(api.store);
    expect(chain.length - before).toBe(2);
    expect(chain.slice(-2).map((e) => `${e.personId} ${e.outcome}`).sort()).toEqual(['person-brown permit', 'person-smith permit']);
    expect(JSON.stringify(chain.at(-1))).toContain('patient.general-practitioner');
  });

  it('refuses another practice\'s list, naming the parameter', async () => {
    const res = await api.get('/fhir/Encounter?patient.general-practitioner=Y90002&status=in-progress', 'dr-gp');
    expect(res.status).toBe(403);
    const body = (await res.json()) as { issue: Array<{ diagnostics: string; expression?: string[] }> };
    expect(body.issue[0]!.diagnostics).toMatch(/your own practice's patients \(Y90001\), not Y90002's/);
    expect(body.issue[0]!.expression).toEqual(['patient.general-practitioner']);
    // A hospital user has no practice list either.
    expect((await api.get('/fhir/Encounter?patient.general-practitioner=Y90001&status=in-progress', 'dr-hosp')).status).toBe(403);
  });

  it('names each bad parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/fhir/Encounter?patient.general-practitioner=Y90001', /status: .*in-progress/],
      ['/fhir/Encounter?patient.general-practitioner=Y90001&status=in-progress&class=EMER', /class: IMP/],
      ['/fhir/Encounter?patient.general-practitioner=not%20ods&status=in-progress', /patient.general-practitioner: the practice ODS code/],
      ['/fhir/Encounter?patient.general-practitioner=Y90001&status=in-progress&_include=Encounter:participant', /_include: supported: Encounter:subject/],
      ['/fhir/Encounter?patient.general-practitioner=Y90001&status=in-progress&date=ge2026', /date: not supported here/],
    ];
    for (const [path, message] of cases) {
      const res = await api.get(path, 'dr-gp');
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics, path).toMatch(message);
    }
  });

  it('counts, but does not list, a patient who has objected to sharing; the denial is audited', async () => {
    await api.store.putConsent('person-smith', {
      resourceType: 'Consent',
      id: 'objection-ward',
      status: 'active',
      dateTime: new Date(Date.now() - 60_000).toISOString(),
      patient: { reference: 'Patient/pat-smith-gp' },
      provision: { type: 'deny' },
    });
    const before = (await readAuditChain(api.store)).length;
    const res = await api.get(WARD, 'dr-gp');
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    expect(matchIds(bundle)).toEqual(['Encounter/enc-brown']);
    expect(bundle.entry.filter((e) => e.resource.resourceType === 'Patient').map((e) => e.resource.id)).toEqual(['pat-brown']);
    expect(outcomeIssues(bundle).map((i) => i.diagnostics)).toContain("1 of the practice's patients in hospital is not shown: you do not have access to their record.");
    const chain = await readAuditChain(api.store);
    expect(chain.length - before).toBe(2);
    expect(chain.slice(-2).map((e) => `${e.personId} ${e.outcome}`).sort()).toEqual(['person-brown permit', 'person-smith deny']);
  });
});
