import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ODS_CODE_SYSTEM } from '@openidcr/model';
import { loadLocalityOrganisations } from '../server/reference-data.js';
import { expectValidFhir } from './api-contract.fixtures.js';
import { locality, pooledApi, type ApiHarness } from './api.fixtures.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await pooledApi();
  // The locality's organisations as reference data (Organization/<ODS code>), as the reference app loads them.
  await loadLocalityOrganisations(api.store, locality);
}, 120_000);
afterAll(async () => api?.close());

interface Bundle {
  total?: number;
  entry: Array<{ resource: { resourceType: string; id?: string; name?: string; identifier?: Array<{ system?: string; value?: string }> }; search?: { mode?: string } }>;
}

describe('$everything names the organisations its items come from [REQ-VIEW-001]', () => {
  it('includes the Organization of each source that contributed a shown item, once, outside the matches', async () => {
    const res = await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp');
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    const included = bundle.entry.filter((e) => e.search?.mode === 'include').map((e) => e.resource);
    const matches = bundle.entry.filter((e) => e.search?.mode === 'match');
    // Every source of a shown item is named, once: the GP (Y90001), the hospital (X9A), the council (X9L).
    const codes = included.map((o) => o.identifier?.find((i) => i.system === ODS_CODE_SYSTEM)?.value).sort();
    const sources = [...new Set(matches.map((e) => (e.resource as { meta?: { source?: string } }).meta?.source?.split('|').at(-1)))].sort();
    expect(codes).toEqual(sources);
    expect(codes).toEqual(['X9A', 'X9L', 'Y90001']);
    for (const org of included) {
      expect(org.resourceType).toBe('Organization');
      expect(org.name).toBe(locality.organisations.find((o) => o.ods === org.id)!.name);
      expectValidFhir(org);
    }
    expect(bundle.total).toBe(matches.length);
    expect(matches.some((e) => e.resource.resourceType === 'Organization' && e.resource.id === 'Y90001')).toBe(false);
  });

  it('names no organisation that contributed nothing shown: Mary Jones\'s practice is not in John Smith\'s record', async () => {
    const bundle = (await (await api.get(`/fhir/Patient/${api.ids.smith}/$everything`, 'dr-gp')).json()) as Bundle;
    expect(bundle.entry.filter((e) => e.search?.mode === 'include').map((e) => e.resource.id)).not.toContain('Y90002');
  });
});
