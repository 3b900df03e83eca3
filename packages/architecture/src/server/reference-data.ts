import { ODS_CODE_SYSTEM } from '@openidcr/model';
import type { RecordStore } from '@openidcr/store';
import type { Locality } from '../locality/locality.js';

/**
 * Loads the locality's organisations into the pooled record as reference data (`Organization/<ODS code>`), so that
 * the logical references HL7 v2 feeds carry (an ODS code only) resolve to a name: the hospital on a virtual ward, the
 * source of an item. Organisations already there are left as they are. Returns how many were added.
 */
export async function loadLocalityOrganisations(store: Pick<RecordStore, 'read' | 'bulkLoad'>, locality: Pick<Locality, 'organisations'>): Promise<number> {
  const missing = [];
  for (const org of locality.organisations) {
    if (await store.read('Organization', org.ods)) continue;
    missing.push({
      resource: {
        resourceType: 'Organization',
        id: org.ods,
        meta: { source: `${ODS_CODE_SYSTEM}|${org.ods}` },
        identifier: [{ system: ODS_CODE_SYSTEM, value: org.ods }],
        active: true,
        name: org.name,
      },
    });
  }
  if (missing.length > 0) await store.bulkLoad(missing);
  return missing.length;
}
