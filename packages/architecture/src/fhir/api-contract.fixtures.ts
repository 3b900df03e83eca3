import { Fhir } from 'fhir';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseResource } from '@openidcr/model';
import { POLICY_CODE_SYSTEM } from '../http/outcome.js';
import { JONES_NHS, SMITH_NHS } from './record.fixtures.js';
import type { ApiHarness } from './api.fixtures.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

interface Entry {
  fullUrl?: string;
  resource: { resourceType: string; id?: string; issue?: Issue[]; [k: string]: unknown };
  search?: { mode?: string };
}
interface Issue {
  severity: string;
  code: string;
  diagnostics?: string;
  expression?: string[];
  details?: { coding?: Array<{ system?: string; code?: string; display?: string }>; text?: string };
}
interface BundleJson {
  resourceType: string;
  type: string;
  link: Array<{ relation: string; url: string }>;
  entry: Entry[];
}

export const matchIds = (bundle: BundleJson): string[] => bundle.entry.filter((e) => e.search?.mode === 'match').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
export const outcomeIssues = (bundle: BundleJson): Issue[] => bundle.entry.filter((e) => e.search?.mode === 'outcome').flatMap((e) => e.resource.issue ?? []);
const hasPolicyCode = (i: Issue, code: string) => (i.details?.coding ?? []).some((c) => c.system === POLICY_CODE_SYSTEM && c.code === code);

/** Checks a resource with the model's schemas and with FHIR.js's R4 validator (an independent implementation). */
const independent = new Fhir();
export function expectValidFhir(resource: unknown): void {
  const model = parseResource(resource);
  expect(model.ok ? [] : model.issues).toEqual([]);
  const checked = independent.validate(resource as object);
  expect(checked.messages.filter((m) => m.severity === 'error')).toEqual([]);
}

/**
 * The API scenarios every topology must pass: the same requests, the same answers, the same policy. Run against the
 * pooled store and against federated sources.
 */
export function apiContract(name: string, harness: () => ApiHarness): void {
  describe(`FHIR API contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(() => {
      api = harness();
    });

    const json = async (response: Response) => (await response.json()) as BundleJson & { issue: Issue[]; [k: string]: unknown };

    it('serves a CapabilityStatement without a token, listing the routes it serves [REQ-ARC-001]', async () => {
      const response = await api.get('/fhir/metadata');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      const capability = (await response.json()) as { rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }>; searchParam?: Array<{ name: string }>; operation?: Array<{ name: string }> }> }> };
      expectValidFhir(capability);
      const patient = capability.rest[0]!.resource.find((r) => r.type === 'Patient')!;
      // history-instance only where the topology keeps versions (the pooled store).
      expect(patient.interaction.map((i) => i.code).filter((c) => c !== 'history-instance').sort()).toEqual(['read', 'search-type', 'vread']);
      expect(patient.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['identifier', 'family', 'given', 'birthdate', 'address-postalcode']));
      expect(patient.operation!.map((o) => o.name)).toEqual(['everything', 'break-glass']);
      const observation = capability.rest[0]!.resource.find((r) => r.type === 'Observation')!;
      expect(observation.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['patient', 'date', 'category', 'code', '_count', '_sort', '_include']));
    });

    it('answers 401 without a token on every data route', async () => {
      for (const path of ['/fhir/Patient?family=smith', `/fhir/Patient/${api.ids.smith}`, `/fhir/Patient/${api.ids.smith}/$everything`, `/fhir/Observation?patient=${api.ids.smith}`, '/fhir/Organization/org-x9a']) {
        const response = await api.get(path);
        expect(response.status, path).toBe(401);
        expect((await json(response)).resourceType).toBe('OperationOutcome');
      }
    });

    it('reads a Patient with ETag and Last-Modified', async () => {
      const response = await api.get(`/fhir/Patient/${api.ids.smith}`, 'dr-gp');
      expect(response.status).toBe(200);
      const patient = await json(response);
      expect(patient.resourceType).toBe('Patient');
      expectValidFhir(patient);
      expect(response.headers.get('etag')).toMatch(/^W\/"\d+"$/);
      expect(Number.isNaN(Date.parse(response.headers.get('last-modified') ?? ''))).toBe(false);
      const again = await api.get(`/fhir/Patient/${api.ids.smith}`, 'dr-gp', { 'If-None-Match': response.headers.get('etag')! });
      expect(again.status).toBe(304);
    });

    it('answers 404 OperationOutcome for an unknown patient', async () => {
      const response = await api.get('/fhir/Patient/nobody-here', 'dr-gp');
      expect(response.status).toBe(404);
      expect((await json(response)).issue[0]!.code).toBe('not-found');
    });

    it('finds a patient by NHS number: the Patient resources of every source that knows them', async () => {
      const response = await api.get(`/fhir/Patient?identifier=${encodeURIComponent(`${NHS}|${SMITH_NHS}`)}`, 'dr-gp');
      expect(response.status).toBe(200);
      const bundle = await json(response);
      expectValidFhir(bundle);
      expect(bundle.type).toBe('searchset');
      expect(matchIds(bundle).sort()).toEqual([`Patient/${api.ids.smith}`, `Patient/${api.ids.smithHospital}`, `Patient/${api.ids.smithCouncil}`].sort());
    });

    it('finds patients by family name, given name, birth date and postcode', async () => {
      const bundle = await json(await api.get('/fhir/Patient?family=smi&given=jo&birthdate=1960-03-12&address-postalcode=nt1', 'dr-gp'));
      expect(matchIds(bundle)).toContain(`Patient/${api.ids.smith}`);
      expect(matchIds(bundle).every((id) => id !== `Patient/${api.ids.jones}`)).toBe(true);
    });

    it('does not show a person the user may not see, and says break-glass is possible', async () => {
      const bundle = await json(await api.get(`/fhir/Patient?identifier=${encodeURIComponent(`${NHS}|${JONES_NHS}`)}`, 'dr-hosp'));
      expect(matchIds(bundle)).toEqual([]);
      const issues = outcomeIssues(bundle);
      expect(issues.some((i) => hasPolicyCode(i, 'break-glass-available') && i.expression?.[0] === `Patient/${api.ids.jones}`)).toBe(true);
    });

    it('names the bad parameter of a Patient search', async () => {
      const cases: Array<[string, string]> = [
        [`identifier=${NHS}|1234567890`, 'identifier'],
        ['identifier=9434765919', 'identifier'],
        ['nickname=jo', 'nickname'],
        ['birthdate=12/03/1960', 'birthdate'],
        ['family=smith&_count=0', '_count'],
        ['family=smith&_cursor=not-a-cursor', '_cursor'],
        ['', 'identifier'],
      ];
      for (const [query, parameter] of cases) {
        const response = await api.get(`/fhir/Patient?${query}`, 'dr-gp');
        expect(response.status, query).toBe(400);
        const outcome = await json(response);
        expect(outcome.issue[0]!.expression, query).toEqual([parameter]);
        expect(outcome.issue[0]!.diagnostics, query).toMatch(new RegExp(`^${parameter.replace(/[_-]/g, '.')}:`));
      }
    });

    it('$everything: the whole record the user may see, with a count of what policy withheld', async () => {
      const response = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp', { 'Accept-Encoding': 'gzip' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBe('gzip');
      const bundle = await json(response);
      expectValidFhir(bundle);
      for (const entry of bundle.entry) expectValidFhir(entry.resource);
      const ids = matchIds(bundle);
      expect(ids).toEqual(expect.arrayContaining(['Condition/cond-diabetes', 'MedicationStatement/med-metformin', 'Observation/obs-hba1c', 'Encounter/enc-admission', 'EpisodeOfCare/eoc-social']));
      expect(ids).not.toContain('Condition/cond-sensitive');
      const withheld = outcomeIssues(bundle).find((i) => hasPolicyCode(i, 'withheld'))!;
      expect(withheld).toMatchObject({ severity: 'information', code: 'suppressed' });
      expect(withheld.diagnostics).toMatch(/^1 item was withheld by policy \(1 sensitive information/);
    });

    it('denies with 403, the reasons and break-glass availability; break-glass with a reason opens the record [REQ-GOV-013, REQ-GOV-017]', async () => {
      const denied = await api.get(`/fhir/Patient/${api.ids.jones}/$everything`, 'dr-hosp');
      expect(denied.status).toBe(403);
      const outcome = await json(denied);
      expectValidFhir(outcome);
      expect(outcome.issue[0]!.code).toBe('forbidden');
      expect(outcome.issue.some((i) => i.details?.coding?.some((c) => c.code === 'no-legitimate-relationship'))).toBe(true);
      expect(hasPolicyCode(outcome.issue[0]!, 'break-glass-available')).toBe(true);

      const path = `/fhir/Patient/${api.ids.jones}/$break-glass`;
      const missing = await api.post(path, 'dr-hosp', {});
      expect(missing.status).toBe(400);
      expect((await json(missing)).issue[0]!.expression).toEqual(['reason']);
      const short = await api.post(path, 'dr-hosp', { reason: 'urgent' });
      expect(short.status).toBe(400);
      expect((await json(short)).issue[0]!.diagnostics).toMatch(/^reason: /);
      const broken = await api.post(path, 'dr-hosp', '{ not json');
      expect(broken.status).toBe(400);

      const granted = await api.post(path, 'dr-hosp', { reason: 'Unconscious in A&E, needs medication history now' });
      expect(granted.status).toBe(201);
      expect(api.alerts.some((a) => a.reason === 'break-glass' && a.userId === 'dr-hosp')).toBe(true);
      const opened = await api.get(`/fhir/Patient/${api.ids.jones}/$everything`, 'dr-hosp');
      expect(opened.status).toBe(200);
      expect(matchIds(await json(opened))).toContain('Condition/cond-asthma');
      const twice = await api.post(path, 'dr-hosp', { reason: 'Unconscious in A&E, needs medication history now' });
      expect(twice.status).toBe(409);
    });

    it('refuses break-glass to a role that may not use it, with no break-glass coding', async () => {
      const denied = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'privacy');
      expect(denied.status).toBe(403);
      const outcome = await json(denied);
      expect(outcome.issue[0]!.details!.coding![0]!.code).toBe('role-no-clinical-access');
      expect(hasPolicyCode(outcome.issue[0]!, 'break-glass-available')).toBe(false);
      const attempt = await api.post(`/fhir/Patient/${api.ids.smith}/$break-glass`, 'privacy', { reason: 'I would like to read this record please' });
      expect(attempt.status).toBe(403);
    });

    it('searches a record type by patient, newest first, with paging links', async () => {
      const first = await json(await api.get(`/fhir/Observation?patient=Patient/${api.ids.smith}&_count=2`, 'dr-gp'));
      expectValidFhir(first);
      expect(matchIds(first)).toEqual(['Observation/obs-hb', 'Observation/obs-hba1c']);
      const next = first.link.find((l) => l.relation === 'next')!;
      expect(next.url).toContain('_cursor=');
      const second = await json(await api.get(new URL(next.url).pathname + new URL(next.url).search, 'dr-gp'));
      expect(matchIds(second)).toEqual(['Observation/obs-bp']);
      expect(second.link.find((l) => l.relation === 'next')).toBeUndefined();
      const oldest = await json(await api.get(`/fhir/Observation?patient=${api.ids.smith}&_sort=date`, 'dr-gp'));
      expect(matchIds(oldest)).toEqual(['Observation/obs-bp', 'Observation/obs-hba1c', 'Observation/obs-hb']);
    });

    it('filters by date range, category and code', async () => {
      const ranged = await json(await api.get(`/fhir/Observation?patient=${api.ids.smith}&date=ge2024-01-01&date=le2024-03`, 'dr-gp'));
      expect(matchIds(ranged)).toEqual(['Observation/obs-hba1c']);
      const lab = await json(await api.get(`/fhir/Observation?patient=${api.ids.smith}&category=laboratory`, 'dr-gp'));
      expect(matchIds(lab)).toEqual(['Observation/obs-hb', 'Observation/obs-hba1c']);
      const coded = await json(await api.get(`/fhir/Observation?patient=${api.ids.smith}&code=${encodeURIComponent('http://loinc.org|718-7')}`, 'dr-gp'));
      expect(matchIds(coded)).toEqual(['Observation/obs-hb']);
      const pagedCode = await json(await api.get(`/fhir/Observation?patient=${api.ids.smith}&category=laboratory,vital-signs&_count=1`, 'dr-gp'));
      expect(matchIds(pagedCode)).toEqual(['Observation/obs-hb']);
      const problems = await json(await api.get(`/fhir/Condition?patient=${api.ids.smith}&category=problem-list-item`, 'dr-gp'));
      expect(matchIds(problems)).toEqual(['Condition/cond-diabetes']);
    });

    it('includes referenced Organization and Practitioner resources', async () => {
      const bundle = await json(await api.get(`/fhir/Observation?patient=${api.ids.smith}&category=laboratory&_include=Observation:performer`, 'dr-gp'));
      const included = bundle.entry.filter((e) => e.search?.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
      expect(included).toEqual(['Organization/org-x9a']);
      const conditions = await json(await api.get(`/fhir/Condition?patient=${api.ids.smith}&_include=Condition:recorder:Practitioner`, 'dr-gp'));
      expect(conditions.entry.filter((e) => e.search?.mode === 'include').map((e) => e.resource.id)).toEqual(['prac-1']);
    });

    it('names the bad parameter of a record search [REQ-SEC-002]', async () => {
      const cases: Array<[string, string]> = [
        ['', 'patient'],
        [`patient=${api.ids.smith}&date=yesterday`, 'date'],
        [`patient=${api.ids.smith}&date=ne2024-01-01`, 'date'],
        [`patient=${api.ids.smith}&date=ge2024-02-01&date=lt2024-01-01`, 'date'],
        [`patient=${api.ids.smith}&code:missing=true`, 'code:missing'],
        [`patient=${api.ids.smith}&_summary=maybe`, '_summary'],
        [`patient=${api.ids.smith}&_total=some`, '_total'],
        [`patient=${api.ids.smith}&_revinclude=AuditEvent:entity`, '_revinclude'],
        [`patient=${api.ids.smith}&subject=Patient/${api.ids.jones}`, 'subject'],
        [`patient=${api.ids.smith}&_elements=code,%20bad-name`, '_elements'],
        [`patient=${api.ids.smith}&_count=5000`, '_count'],
        [`patient=${api.ids.smith}&_sort=code`, '_sort'],
        [`patient=${api.ids.smith}&_include=Condition:recorder`, '_include'],
        [`patient=${api.ids.smith}&_cursor=bm9wZQ`, '_cursor'],
        [`patient=${api.ids.smith}&colour=blue`, 'colour'],
      ];
      for (const [query, parameter] of cases) {
        const response = await api.get(`/fhir/Observation?${query}`, 'dr-gp');
        expect(response.status, query).toBe(400);
        expect((await json(response)).issue[0]!.expression, query).toEqual([parameter]);
      }
      const unknown = await api.get('/fhir/Observation?patient=nobody', 'dr-gp');
      expect(unknown.status).toBe(404);
      expect((await json(unknown)).issue[0]!.expression).toEqual(['patient']);
    });

    it('reads a record item and its versions; withholds an item policy does not let through', async () => {
      const read = await api.get('/fhir/Observation/obs-hba1c', 'dr-gp');
      expect(read.status).toBe(200);
      const etag = read.headers.get('etag')!;
      const version = /W\/"(\d+)"/.exec(etag)![1];
      const vread = await api.get(`/fhir/Observation/obs-hba1c/_history/${version}`, 'dr-gp');
      expect(vread.status).toBe(200);
      expect((await json(vread)).id).toBe('obs-hba1c');
      expect((await api.get('/fhir/Observation/obs-hba1c/_history/99', 'dr-gp')).status).toBe(404);
      expect((await api.get('/fhir/Observation/obs-hba1c/_history/x', 'dr-gp')).status).toBe(400);
      const sensitive = await api.get('/fhir/Condition/cond-sensitive', 'dr-gp');
      expect(sensitive.status).toBe(403);
      expect((await json(sensitive)).issue[0]!.code).toBe('suppressed');
      expect((await api.get('/fhir/Condition/cond-sensitive', 'dr-hosp')).status).toBe(200);
      expect((await api.get('/fhir/Observation/cond-diabetes', 'dr-gp')).status).toBe(404);
    });

    it('a role sees only its headings: the pharmacist gets no encounters, and is told how many were withheld [REQ-GOV-010]', async () => {
      const bundle = await json(await api.get(`/fhir/Encounter?patient=${api.ids.smith}`, 'pharm'));
      expect(matchIds(bundle)).toEqual([]);
      expect(outcomeIssues(bundle).find((i) => hasPolicyCode(i, 'withheld'))?.diagnostics).toMatch(/^1 item was withheld/);
      const meds = await json(await api.get(`/fhir/MedicationStatement?patient=${api.ids.smith}`, 'pharm'));
      expect(matchIds(meds)).toEqual(['MedicationStatement/med-metformin']);
    });

    it('reads reference data with a token, and refuses patient data through a reference route', async () => {
      const organisation = await api.get('/fhir/Organization/org-x9a', 'dr-gp');
      expect(organisation.status).toBe(200);
      expectValidFhir(await organisation.json());
      expect((await api.get('/fhir/Practitioner/prac-1', 'dr-gp')).status).toBe(200);
      expect((await api.get(`/fhir/Organization/${api.ids.smith}`, 'dr-gp')).status).toBe(404);
    });

    it('answers unsupported paths with 404 and writes with 405: the record is read-only [REQ-REQ-002]', async () => {
      const unknown = await api.get('/fhir/Basic?patient=x', 'dr-gp');
      expect(unknown.status).toBe(404);
      expect((await json(unknown)).issue[0]!.code).toBe('not-supported');
      const write = await fetch(`${api.url}/fhir/Observation`, { method: 'POST', headers: { Authorization: `Bearer ${await api.token('dr-gp')}`, 'content-type': 'application/fhir+json' }, body: '{}' });
      expect(write.status).toBe(405);
      const remove = await fetch(`${api.url}/fhir/Patient/${api.ids.smith}`, { method: 'DELETE', headers: { Authorization: `Bearer ${await api.token('dr-gp')}` } });
      expect(remove.status).toBe(405);
    });

    it('refuses citizen tokens, and limits a SMART patient-launch token to its patient [REQ-CIT-004]', async () => {
      expect((await api.get(`/fhir/Patient/${api.ids.smith}`, 'citizen-1')).status).toBe(403);
      const launched = await api.token('dr-gp', { patient: api.ids.smith, scope: 'launch patient/*.read' });
      const own = await fetch(`${api.url}/fhir/Patient/${api.ids.smith}/$everything`, { headers: { Authorization: `Bearer ${launched}` } });
      expect(own.status).toBe(200);
      const other = await fetch(`${api.url}/fhir/Condition?patient=${api.ids.jones}`, { headers: { Authorization: `Bearer ${launched}` } });
      expect(other.status).toBe(403);
    });

    it('sends security headers and echoes the request id [REQ-SEC-004]', async () => {
      const response = await api.get(`/fhir/Patient/${api.ids.smith}`, 'dr-gp', { 'X-Request-Id': 'req-123' });
      expect(response.headers.get('x-request-id')).toBe('req-123');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    });
  });
}
