import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditChain } from '../policy/audit.js';
import { pooledApi, type ApiHarness } from './api.fixtures.js';

/** What standard FHIR clients ask of a server beyond read and search: on the pooled fixture record. */

type Entry = { fullUrl?: string; resource: { resourceType: string; id: string; [k: string]: unknown }; search?: { mode: string }; response?: { status: string; outcome?: { issue: Array<{ diagnostics?: string; expression?: string[] }> } } };
type Bundle = { resourceType: string; type: string; total?: number; link?: Array<{ relation: string; url: string }>; entry?: Entry[] };

let api: ApiHarness;
beforeAll(async () => {
  api = await pooledApi();
}, 120_000);
afterAll(async () => api?.close());

const json = async (response: Response): Promise<Bundle> => (await response.json()) as Bundle;
const ids = (bundle: Bundle, mode = 'match') => (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource.resourceType}/${e.resource.id}`);
const outcomeText = (bundle: Bundle) =>
  (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'outcome')
    .flatMap((e) => (e.resource.issue as Array<{ diagnostics?: string }>).map((i) => i.diagnostics ?? ''))
    .join(' ');
const get = async (path: string, user = 'dr-gp', headers: Record<string, string> = {}) => {
  const response = await api.get(path, user, headers);
  expect(response.status, `${path}: ${response.status === 200 ? '' : await response.clone().text()}`).toBe(200);
  return json(response);
};

describe('searches as standard clients make them', () => {
  it('the patient compartment is the same search as ?patient=, and refuses another patient', async () => {
    const byParam = await get(`/fhir/Observation?patient=${api.ids.smith}`);
    const compartment = await get(`/fhir/Patient/${api.ids.smith}/Observation`);
    expect(ids(compartment)).toEqual(ids(byParam));
    expect(compartment.link!.find((l) => l.relation === 'self')!.url).toBe(`${api.url}/fhir/Patient/${api.ids.smith}/Observation`);
    const clash = await api.get(`/fhir/Patient/${api.ids.smith}/Observation?patient=${api.ids.jones}`, 'dr-gp');
    expect(clash.status).toBe(400);
  });

  it('POST _search with a form body answers as the GET would, with a GET self link', async () => {
    const response = await fetch(`${api.url}/fhir/Observation/_search`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await api.token('dr-gp')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ patient: api.ids.smith, category: 'laboratory' }).toString(),
    });
    expect(response.status).toBe(200);
    const bundle = await json(response);
    expect(ids(bundle)).toEqual(['Observation/obs-hb', 'Observation/obs-hba1c']);
    expect(bundle.link!.find((l) => l.relation === 'self')!.url).toBe(`${api.url}/fhir/Observation?patient=${api.ids.smith}&category=laboratory`);
  });

  it('subject is patient; status, clinical-status and code:text filter; _id picks items', async () => {
    expect(ids(await get(`/fhir/Observation?subject=Patient/${api.ids.smith}&category=laboratory`))).toEqual(['Observation/obs-hb', 'Observation/obs-hba1c']);
    const active = await get(`/fhir/Condition?patient=${api.ids.smith}&clinical-status=active`);
    const all = await get(`/fhir/Condition?patient=${api.ids.smith}`);
    expect(ids(active).length).toBeGreaterThan(0);
    expect(ids(active).every((id) => ids(all).includes(id))).toBe(true);
    expect(ids(await get(`/fhir/Condition?patient=${api.ids.smith}&clinical-status=resolved`))).toEqual([]);
    expect(ids(await get(`/fhir/Condition?patient=${api.ids.smith}&code:text=diabetes`))).toEqual(['Condition/cond-diabetes']);
    expect(ids(await get(`/fhir/Observation?patient=${api.ids.smith}&_id=obs-bp,obs-hb`)).sort()).toEqual(['Observation/obs-bp', 'Observation/obs-hb']);
    expect(ids(await get(`/fhir/Observation?patient=${api.ids.smith}&_lastUpdated=gt2999-01-01`))).toEqual([]);
    expect(ids(await get(`/fhir/Observation?patient=${api.ids.smith}&_lastUpdated=ge2000-01-01`)).length).toBe(3);
  });

  it('_count=0 and _summary=count give the total only; _total=accurate counts beside a page', async () => {
    for (const query of ['_count=0', '_summary=count']) {
      const counted = await get(`/fhir/Observation?patient=${api.ids.smith}&${query}`);
      expect(counted.total, query).toBe(3);
      expect(ids(counted), query).toEqual([]);
      expect(counted.link!.some((l) => l.relation === 'next'), query).toBe(false);
    }
    const paged = await get(`/fhir/Observation?patient=${api.ids.smith}&_count=1&_total=accurate`);
    expect(paged.total).toBe(3);
    expect(ids(paged)).toHaveLength(1);
  });

  it('a page is never empty while more may follow: a sparse filter reads on until it fills the page or the record ends', async () => {
    let url: string | undefined = `/fhir/Observation?patient=${api.ids.smith}&code=${encodeURIComponent('http://loinc.org|718-7')}&_count=1`;
    const seen: string[] = [];
    while (url) {
      const page = await get(url);
      const next = page.link!.find((l) => l.relation === 'next');
      if (next) expect(ids(page).length, 'a page with a next link has matches').toBeGreaterThan(0);
      seen.push(...ids(page));
      url = next ? new URL(next.url).pathname + new URL(next.url).search : undefined;
    }
    expect(seen).toEqual(['Observation/obs-hb']);
  });

  it('_summary=true and _elements cut resources down and mark them SUBSETTED', async () => {
    const summary = await get(`/fhir/Condition?patient=${api.ids.smith}&_summary=true`);
    for (const entry of summary.entry!.filter((e) => e.search?.mode === 'match')) {
      expect(entry.resource).not.toHaveProperty('note');
      expect((entry.resource.meta as { tag: Array<{ code: string }> }).tag.some((t) => t.code === 'SUBSETTED')).toBe(true);
    }
    const read = (await (await api.get('/fhir/Condition/cond-diabetes?_elements=code', 'dr-gp')).json()) as Record<string, unknown>;
    expect(Object.keys(read).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'subject']);
  });

  it('_include=<Type>:patient and * bring the Patient; Prefer: handling=lenient ignores an unknown parameter and says so', async () => {
    const withPatient = await get(`/fhir/Condition?patient=${api.ids.smith}&_include=Condition:patient`);
    expect(ids(withPatient, 'include')).toContain(`Patient/${api.ids.smith}`);
    const everything = await get(`/fhir/Condition?patient=${api.ids.smith}&_include=*`);
    expect(ids(everything, 'include')).toEqual(expect.arrayContaining([`Patient/${api.ids.smith}`, 'Practitioner/prac-1']));
    const strict = await api.get(`/fhir/Condition?patient=${api.ids.smith}&colour=blue`, 'dr-gp');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { issue: Array<{ expression: string[] }> }).issue[0]!.expression).toEqual(['colour']);
    const lenient = await api.get(`/fhir/Condition?patient=${api.ids.smith}&colour=blue`, 'dr-gp', { Prefer: 'handling=lenient' });
    expect(lenient.status).toBe(200);
    expect(lenient.headers.get('preference-applied')).toBe('handling=lenient');
    const bundle = await json(lenient);
    expect(outcomeText(bundle)).toContain('colour');
    expect(bundle.link!.find((l) => l.relation === 'self')!.url).not.toContain('colour');
  });
});

describe('Patient search by birth date', () => {
  it('an exact date stands alone; a range or a year narrows a name search; a range alone is refused naming birthdate', async () => {
    expect(ids(await get('/fhir/Patient?birthdate=1960-03-12')).length).toBeGreaterThan(0);
    expect(ids(await get('/fhir/Patient?family=Smith&birthdate=ge1960-01-01&birthdate=lt1961')).length).toBeGreaterThan(0);
    expect(ids(await get('/fhir/Patient?family=Smith&birthdate=1960'))).toEqual(ids(await get('/fhir/Patient?family=Smith&birthdate=1960-03-12')));
    expect(ids(await get('/fhir/Patient?family=Smith&birthdate=gt1960-03-12'))).toEqual([]);
    const alone = await api.get('/fhir/Patient?birthdate=ge1900-01-01', 'dr-gp');
    expect(alone.status).toBe(400);
    expect(((await alone.json()) as { issue: Array<{ expression: string[] }> }).issue[0]!.expression).toEqual(['birthdate']);
  });

  it('the CapabilityStatement names the SMART endpoints (oauth-uris) when the router is given them', async () => {
    const capability = (await (await api.get('/fhir/metadata')).json()) as { rest: Array<{ security: { extension?: unknown[] } }> };
    // The fixture router is assembled without SMART endpoints: no extension claiming any.
    expect(capability.rest[0]!.security.extension).toBeUndefined();
  });
});

describe('$everything, history and batch', () => {
  it('$everything pages with _count and narrows by _type; POST with Parameters answers the same', async () => {
    const whole = await get(`/fhir/Patient/${api.ids.smith}/$everything`);
    const wholeIds = ids(whole).sort();
    const paged: string[] = [];
    let url: string | undefined = `/fhir/Patient/${api.ids.smith}/$everything?_count=2`;
    while (url) {
      const page = await get(url);
      paged.push(...ids(page));
      const next = page.link!.find((l) => l.relation === 'next');
      url = next ? new URL(next.url).pathname + new URL(next.url).search : undefined;
    }
    expect(paged.sort()).toEqual(wholeIds);
    const conditions = await get(`/fhir/Patient/${api.ids.smith}/$everything?_type=Condition`);
    expect(ids(conditions).every((id) => id.startsWith('Condition/'))).toBe(true);
    const posted = await fetch(`${api.url}/fhir/Patient/${api.ids.smith}/$everything`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await api.token('dr-gp')}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Condition' }] }),
    });
    expect(posted.status).toBe(200);
    expect(ids(await json(posted))).toEqual(ids(conditions));
    const dated = await get(`/fhir/Patient/${api.ids.smith}/$everything?start=2999-01-01`);
    expect(ids(dated).every((id) => id.startsWith('Patient/'))).toBe(true);
    const bad = await api.get(`/fhir/Patient/${api.ids.smith}/$everything?_type=Basic`, 'dr-gp');
    expect(bad.status).toBe(400);
  });

  it('_history lists an item\'s versions; type and system history are refused clearly', async () => {
    const history = await get('/fhir/Observation/obs-hba1c/_history');
    expect(history.type).toBe('history');
    expect(history.entry!.length).toBeGreaterThan(0);
    expect(history.entry![0]!.resource.id).toBe('obs-hba1c');
    const typeLevel = await api.get('/fhir/Observation/_history', 'dr-gp');
    expect(typeLevel.status).toBe(404);
    expect(((await typeLevel.json()) as { issue: Array<{ code: string }> }).issue[0]!.code).toBe('not-supported');
    expect((await api.get('/fhir/Condition/cond-sensitive/_history', 'dr-gp')).status).toBe(403);
  });

  it('a batch answers each GET entry as its own request, each decided and audited with its own URL; writes are refused', async () => {
    const before = (await readAuditChain(api.store)).length;
    const response = await api.post('/fhir', 'dr-gp', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Patient/${api.ids.smith}` } },
        { request: { method: 'GET', url: `Observation?patient=${api.ids.smith}&category=laboratory` } },
        { request: { method: 'GET', url: 'Condition/cond-sensitive' } },
        { request: { method: 'GET', url: 'Observation?patient=nobody' } },
        { request: { method: 'DELETE', url: `Patient/${api.ids.smith}` } },
      ],
    });
    expect(response.status).toBe(200);
    const bundle = await json(response);
    expect(bundle.type).toBe('batch-response');
    expect(bundle.entry!.map((e) => e.response!.status)).toEqual(['200 OK', '200 OK', '403 Forbidden', '404 Not Found', '405 Method Not Allowed']);
    expect(bundle.entry![0]!.resource.id).toBe(api.ids.smith);
    expect((bundle.entry![1]!.resource as unknown as Bundle).type).toBe('searchset');
    expect(bundle.entry![3]!.response!.outcome!.issue[0]!.expression).toEqual(['patient']);
    const audit = (await readAuditChain(api.store)).slice(before);
    expect(audit.map((e) => e.query)).toEqual([`GET /fhir/Patient/${api.ids.smith}`, `GET /fhir/Observation?patient=${api.ids.smith}&category=laboratory`, 'GET /fhir/Condition/cond-sensitive']);
    const transaction = await api.post('/fhir', 'dr-gp', { resourceType: 'Bundle', type: 'transaction', entry: [] });
    expect(transaction.status).toBe(422);
  });
});

describe('AuditEvent: who has accessed a record', () => {
  it('a privacy officer and the person themselves read it (and reading it is audited); a clinician may not', async () => {
    await get(`/fhir/Patient/${api.ids.smith}`);
    const officer = await get(`/fhir/AuditEvent?patient=${api.ids.smith}`, 'privacy');
    expect(ids(officer).length).toBeGreaterThan(0);
    expect(officer.entry![0]!.resource.resourceType).toBe('AuditEvent');
    const own = await get(`/fhir/AuditEvent?patient=${api.ids.smith}`, 'citizen-1');
    expect(ids(own).length).toBeGreaterThan(0);
    expect((await api.get(`/fhir/AuditEvent?patient=${api.ids.jones}`, 'citizen-1')).status).toBe(403);
    expect((await api.get(`/fhir/AuditEvent?patient=${api.ids.smith}`, 'dr-gp')).status).toBe(403);
    // The citizen may read their own audit log, and nothing else of the clinical API.
    expect((await api.get(`/fhir/Patient/${api.ids.smith}`, 'citizen-1')).status).toBe(403);
    const chain = await readAuditChain(api.store);
    const reads = chain.filter((e) => e.query?.startsWith('GET /fhir/AuditEvent'));
    expect(reads.map((e) => [e.user.roleId, e.outcome])).toEqual([
      ['privacy-officer', 'permit'],
      ['citizen', 'permit'],
      ['citizen', 'deny'],
      ['gp', 'deny'],
    ]);
  });
});

describe('SMART scopes limit what a token reads', () => {
  const withToken = async (path: string, scope: string, patient?: string) =>
    fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${await api.token('dr-gp', { scope, ...(patient ? { patient } : {}) })}` } });

  it('a token for Observations reads Observations only: other types are 403 naming the scope, and $everything leaves them out', async () => {
    const scope = 'launch patient/Observation.rs';
    expect((await withToken(`/fhir/Observation?patient=${api.ids.smith}`, scope, api.ids.smith)).status).toBe(200);
    const condition = await withToken(`/fhir/Condition?patient=${api.ids.smith}`, scope, api.ids.smith);
    expect(condition.status).toBe(403);
    expect(((await condition.json()) as { issue: Array<{ diagnostics: string }> }).issue[0]!.diagnostics).toMatch(/^scope: .*patient\/Condition\.s/);
    const everything = await json(await withToken(`/fhir/Patient/${api.ids.smith}/$everything`, 'launch patient/Patient.rs patient/Observation.rs', api.ids.smith));
    expect(new Set(ids(everything).map((id) => id.split('/')[0]))).toEqual(new Set(['Patient', 'Observation']));
    // v2 r without s: a read, not a search.
    expect((await withToken('/fhir/Observation/obs-hb', 'launch patient/Observation.r', api.ids.smith)).status).toBe(200);
    expect((await withToken(`/fhir/Observation?patient=${api.ids.smith}`, 'launch patient/Observation.r', api.ids.smith)).status).toBe(403);
  });

  it('a token with scopes but none for the record reads nothing; user/*.read reads as the policy allows', async () => {
    expect((await withToken(`/fhir/Patient/${api.ids.smith}`, 'openid fhirUser')).status).toBe(403);
    expect((await withToken(`/fhir/Patient/${api.ids.smith}`, 'openid fhirUser user/*.read')).status).toBe(200);
    expect((await withToken(`/fhir/Patient/${api.ids.smith}`, 'user/Patient.write')).status).toBe(403);
  });
});
