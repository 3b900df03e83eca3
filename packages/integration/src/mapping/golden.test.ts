import { parseResource } from '@openidcr/model';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames, harness } from '../test-support/harness.js';

const CHANNEL_FOR: Record<string, string> = { 'ppr-pc1.hl7': 'mental-health', 'oru-r01.hl7': 'lims', 'oru-r01-culture.hl7': 'lims', 'oru-r01-values.hl7': 'lims' };

describe('HL7 v2 → FHIR golden files [REQ-INT-005]', () => {
  for (const name of fixtureNames()) {
    it(`${name} maps as reviewed`, async () => {
      const { store, ingestor } = harness();
      const [result] = await ingestor.ingest(fixture(name), CHANNEL_FOR[name] ?? 'acute-pas');
      expect(result?.problems).toEqual([]);
      expect(result?.outcome).toBe('accepted');
      const resources = [...store.resources.values()].map((r) => ({ patientKey: r.patientKey, sourceTime: r.sourceTime, resource: r.resource }));
      for (const { resource } of resources) {
        const parsed = parseResource(resource);
        expect(parsed.ok ? [] : parsed.issues, `${resource.resourceType}/${resource.id}`).toEqual([]);
        expect(resource.meta?.source).toMatch(/^urn:ods:[A-Z0-9]{3,6}$/);
      }
      // Legitimate relationships the message gives (admissions, episodes, referrals): reviewed with the mapping.
      const relationships = [...store.relationships.values()];
      const golden = { ack: result?.ack?.split('\r'), warnings: result?.warnings, identity: store.persons.size, resources, ...(relationships.length ? { relationships } : {}) };
      await expect(JSON.stringify(golden, null, 2) + '\n').toMatchFileSnapshot(`../../fixtures/golden/${name.replace('.hl7', '.json')}`);
    });
  }
});
