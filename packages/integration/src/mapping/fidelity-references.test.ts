/* eslint-disable @typescript-eslint/no-explicit-any -- these tests probe mapped FHIR JSON by path; a wrong path fails the assertion */
import { describe, expect, it } from 'vitest';
import { fixture, harness } from '../test-support/harness.js';

/** Issue #16 item 10: the people and places a message names are resolvable; meta.source is a URI; every resource has its Provenance. */
describe('references resolve and provenance is kept [#16 item 10]', () => {
  async function ingestAll(names: [string, string][]) {
    const { store, ingestor } = harness();
    for (const [name, channel] of names) {
      const [result] = await ingestor.ingest(fixture(name), channel);
      expect(result?.outcome, name).toBe('accepted');
    }
    return store;
  }

  it('every reference with a target type points at a stored resource or is a logical ODS reference', async () => {
    const store = await ingestAll([['adt-a01.hl7', 'acute-pas'], ['oru-r01.hl7', 'lims'], ['mdm-t02.hl7', 'acute-pas'], ['adt-a02.hl7', 'acute-pas']]);
    const stored = new Map([...store.resources.values()].map((r) => [`${r.resource.resourceType}/${r.resource.id}`, r]));
    const refs: Record<string, any>[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, any>;
      if (typeof o.reference === 'string' || o.type === 'Practitioner' || o.type === 'Organization') refs.push(o);
      for (const k in o) walk(o[k]);
    };
    for (const { resource } of stored.values()) walk(resource);
    const practitioners = refs.filter((r) => r.type === 'Practitioner');
    expect(practitioners.length).toBeGreaterThan(0);
    for (const ref of refs) {
      if (ref.type === 'Organization' && !ref.reference) {
        expect(ref.identifier).toMatchObject({ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: expect.stringMatching(/^[A-Z0-9]{3,6}$/) });
        continue;
      }
      expect(stored.has(ref.reference), `${ref.reference} is stored`).toBe(true);
    }
    const practitioner = [...stored.values()].find((r) => r.resource.resourceType === 'Practitioner')!;
    expect(practitioner.patientKey, 'a Practitioner is reference data, not part of one patient').toBeUndefined();
    expect(practitioner.resource).toMatchObject({ name: [{ text: expect.any(String) }], identifier: [{ system: expect.stringMatching(/^https:\/\//), value: expect.any(String) }] });
    const encounter = [...stored.values()].find((r) => r.resource.resourceType === 'Encounter')!.resource as Record<string, any>;
    expect(encounter.location.every((l: { location: { reference: string } }) => stored.get(l.location.reference)?.resource.resourceType === 'Location')).toBe(true);
  });

  it('meta.source is a URI naming the sender, and every resource is the target of the Provenance of a message that wrote it', async () => {
    const store = await ingestAll([['adt-a01.hl7', 'acute-pas'], ['oru-r01.hl7', 'lims'], ['adt-a03.hl7', 'acute-pas']]);
    const all = [...store.resources.values()].map((r) => r.resource as Record<string, any>);
    const provenances = all.filter((r) => r.resourceType === 'Provenance');
    expect(provenances.length).toBe(3);
    const targeted = new Set(provenances.flatMap((p) => p.target.map((t: { reference: string }) => t.reference)));
    for (const r of all) {
      expect(r.meta.source, `${r.resourceType}/${r.id}`).toMatch(/^urn:ods:[A-Z0-9]{3,6}$/);
      expect(URL.canParse(r.meta.source)).toBe(true);
      if (r.resourceType !== 'Provenance') expect(targeted.has(`${r.resourceType}/${r.id}`), `${r.resourceType}/${r.id} has a Provenance`).toBe(true);
    }
  });
});
