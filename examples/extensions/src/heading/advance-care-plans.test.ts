import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, filterRecord, type DecisionRequest } from '@openidcr/governance';
import { Ingestor } from '@openidcr/integration';
import { NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, headingIds, headingOf, headingTag, parseResource, type Bundle, type ResourceLike } from '@openidcr/model';
import { openStoreOnPglite, type RecordStore } from '@openidcr/store';
import { readRecordBundles, recordTabs } from '@openidcr/viewer';
import { ADVANCE_CARE_PLANS, registerAdvanceCarePlans, toAdvanceCarePlanRows } from './advance-care-plans.js';
import { HOSPICE, advanceCarePlansPolicy } from './policy.js';
import { AMBULANCE_TRUST } from '../role-view/paramedic.js';
import { hospiceChannel } from '../source-profile/hospice.js';

registerAdvanceCarePlans(); // at start-up, before the store is opened and the policy built

const NOW = '2026-11-22T03:10:00Z';
const SNOMED = 'http://snomed.info/sct';
const pdf = { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 ReSPECT form').toString('base64') };
const plan = (id: string, status: 'current' | 'superseded', date: string, description: string) => ({
  fullUrl: `urn:uuid:${id}`,
  resource: {
    resourceType: 'DocumentReference',
    id,
    meta: { tag: [headingTag('advance-care-plans')] },
    status,
    // SNOMED CT 1082331000000106 is not asserted here: the type is the hospice's own text, as many senders write it.
    type: { text: 'ReSPECT form' },
    subject: { reference: 'urn:uuid:patient' },
    date,
    description,
    content: [{ attachment: pdf }],
  },
});

/** What the hospice's FHIR interface sends: itself, the person, two versions of the ReSPECT form and a letter. */
const bundle = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    { fullUrl: 'urn:uuid:hospice', resource: { resourceType: 'Organization', identifier: [{ system: ODS_CODE_SYSTEM, value: HOSPICE.ods }], name: HOSPICE.name } },
    {
      fullUrl: 'urn:uuid:patient',
      resource: {
        resourceType: 'Patient',
        identifier: [{ system: NHS_NUMBER_SYSTEM, value: '9990000050' }],
        name: [{ family: 'Okonjo', given: ['Ruth'] }],
        gender: 'female',
        birthDate: '1938-02-11',
      },
    },
    plan('respect-2026-11', 'current', '2026-11-20T11:00:00Z', 'Not for attempted CPR. For ward-based care; avoid admission to intensive care. Preferred place of death: home.'),
    plan('respect-2026-03', 'superseded', '2026-03-14T10:00:00Z', 'For attempted CPR. For full escalation of treatment.'),
    {
      fullUrl: 'urn:uuid:letter',
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        type: { coding: [{ system: SNOMED, code: '373942005', display: 'Discharge summary' }] },
        subject: { reference: 'urn:uuid:patient' },
        date: '2026-11-19T16:00:00Z',
        content: [{ attachment: pdf }],
      },
    },
  ],
};

describe('a new heading, from the sending system to the viewer', () => {
  let pg: PGlite;
  let store: RecordStore;
  let personId: string;
  beforeAll(async () => {
    pg = await PGlite.create();
    store = await openStoreOnPglite(pg, { schema: 'advance_care_plans' });
    const ingestor = new Ingestor({ sink: store, lookup: store });
    const result = await ingestor.ingestBundle(bundle, hospiceChannel);
    expect(result).toMatchObject({ outcome: 'accepted', issues: [] });
    personId = result.persons['urn:uuid:patient']!;
  });
  afterAll(async () => {
    await pg.close();
  });

  function decisionFor(roleId: string, organisation: { ods: string; kind: DecisionRequest['user']['organisation']['kind'] }) {
    return decide({
      user: { id: 'u1', name: 'A User', roleId, sdsRoleCode: { paramedic: 'R8003', nurse: 'R8001' }[roleId] ?? 'R8000', organisation, activityCodes: [] },
      purposeOfUse: 'ETREAT',
      patient: { personId, registeredGpOds: 'Y90001' },
      policy: advanceCarePlansPolicy(),
      consents: [],
      relationships: [{ id: 'call', personId, kind: 'encounter', organisation: organisation.ods, start: NOW }],
      now: NOW,
    });
  }

  it('is in the registry after the built-in headings', () => {
    expect(headingIds().at(-1)).toBe('advance-care-plans');
  });

  it('the store files tagged documents under it, and untagged ones under letters', async () => {
    const plans = await store.listResources({ patientKey: personId, headings: ['advance-care-plans'], sort: 'date-desc' });
    // Ids are the sender-scoped stable ids the ingestor gives; the forms are told apart by date.
    expect(plans.items.map((item) => [item.resource.date, item.heading, item.sourceOrg])).toEqual([
      ['2026-11-20T11:00:00Z', 'advance-care-plans', HOSPICE.ods],
      ['2026-03-14T10:00:00Z', 'advance-care-plans', HOSPICE.ods],
    ]);
    const letters = await store.listResources({ patientKey: personId, headings: ['documents'] });
    expect(letters.items).toHaveLength(1);
  });

  it('a paramedic sees the plans (and not the letter); a role that does not list the heading sees neither plan', async () => {
    const record = await store.everything(personId);
    const paramedic = decisionFor('paramedic', AMBULANCE_TRUST);
    expect(paramedic.visibleHeadings).toContain('advance-care-plans');
    const seen = filterRecord(record, paramedic).kept;
    expect(seen.filter((r) => headingOf(r) === 'advance-care-plans').map((r) => r.date).sort()).toEqual(['2026-03-14T10:00:00Z', '2026-11-20T11:00:00Z']);
    expect(seen.some((r) => headingOf(r) === 'documents')).toBe(false);
    for (const resource of seen) expect(parseResource(resource).ok).toBe(true);

    const nurse = filterRecord(record, decisionFor('nurse', { ods: 'X9A', kind: 'acute-trust' }));
    expect(nurse.kept.some((r) => headingOf(r) === 'advance-care-plans')).toBe(false);
    expect(nurse.withheld).toContainEqual({ reason: 'heading-not-visible', count: 2, text: expect.any(String) });
  });

  it('the viewer shows the filtered plans in their own tab, current first', async () => {
    const { defineAdvanceCarePlansElement } = await import('./advance-care-plans-element.js');
    expect(recordTabs(['alerts', 'advance-care-plans']).tabs.map((t) => t.id)).toEqual(['alerts']); // no element yet
    defineAdvanceCarePlansElement();
    expect(recordTabs(['alerts', 'advance-care-plans']).tabs.at(-1)).toEqual({ id: 'advance-care-plans', label: ADVANCE_CARE_PLANS.title, element: 'ncr-advance-care-plans', headings: ['advance-care-plans'] });
    expect(customElements.get('ncr-advance-care-plans')).toBeDefined();

    const kept = filterRecord(await store.everything(personId), decisionFor('paramedic', AMBULANCE_TRUST)).kept;
    // The API answers with the filtered items and the organisations they came from (reference data).
    const hospice = bundle.entry[0]!.resource;
    const searchset = { resourceType: 'Bundle', type: 'searchset', entry: [...kept, { ...hospice, id: 'x9h' }].map((resource: ResourceLike) => ({ resource })) } as Bundle;
    const rows = toAdvanceCarePlanRows(readRecordBundles([searchset]));
    expect(rows).toEqual([
      { id: expect.any(String), plan: 'ReSPECT form', summary: expect.stringMatching(/^Not for attempted CPR/), agreed: '20-Nov-2026', status: 'Current', source: HOSPICE.name },
      { id: expect.any(String), plan: 'ReSPECT form', summary: 'For attempted CPR. For full escalation of treatment.', agreed: '14-Mar-2026', status: 'Replaced', source: HOSPICE.name },
    ]);
  });
});
