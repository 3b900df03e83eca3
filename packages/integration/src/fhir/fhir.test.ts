import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseResource } from '@openidcr/model';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../ingest/memory.js';
import { fixture, harness } from '../test-support/harness.js';
import { Ingestor } from '../ingest/ingestor.js';
import { FhirHttpSink } from './http-sink.js';

const bundle = {
  resourceType: 'Bundle',
  id: 'community-2026-01-20-001',
  type: 'collection',
  timestamp: '2026-01-20T10:00:00Z',
  entry: [
    {
      fullUrl: 'urn:uuid:0c3b1f5e-0000-4000-8000-000000000001',
      resource: {
        resourceType: 'Patient',
        id: 'cp-123',
        identifier: [
          { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990000018' },
          { system: 'https://community.example.org/Id/patient', value: 'CP123' },
        ],
        name: [{ family: 'Jones', given: ['Sarah'] }],
        birthDate: '1960-03-12',
        gender: 'female',
      },
    },
    {
      fullUrl: 'urn:uuid:0c3b1f5e-0000-4000-8000-000000000002',
      resource: {
        resourceType: 'Condition',
        id: 'cond-9',
        subject: { reference: 'urn:uuid:0c3b1f5e-0000-4000-8000-000000000001' },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '58214004', display: 'Schizophrenia' }] },
      },
    },
    {
      resource: {
        resourceType: 'Observation',
        id: 'obs-1',
        status: 'final',
        subject: { reference: 'Patient/cp-123' },
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
        valueQuantity: { value: 72, unit: 'beats/minute' },
      },
    },
  ],
};

describe('FHIR bundle ingest [REQ-INT-008]', () => {
  it('identifies the patient with the MPI, rewrites references, labels and adds Provenance', async () => {
    const { store, ingestor } = harness();
    await ingestor.ingest(fixture('adt-a01.hl7'));
    const personId = [...store.persons.keys()][0]!;
    const result = await ingestor.ingestBundle(bundle, { name: 'community', profile: { ...(await import('../profiles/shipped.js')).ShippedProfiles.generic, odsCode: 'RY6' } });
    expect(result.outcome).toBe('accepted');
    expect(result.persons).toEqual({ 'Patient/cp-123': personId, 'urn:uuid:0c3b1f5e-0000-4000-8000-000000000001': personId });
    const mine = store.resourcesOf(personId);
    const condition = mine.find((r) => r.resourceType === 'Condition' && r.meta?.source === 'urn:ods:RY6')!;
    expect(condition.subject).toEqual({ reference: `Patient/${personId}` });
    expect(condition.meta?.security?.map((s) => s.code)).toEqual(['PSY']);
    expect(mine.find((r) => r.resourceType === 'Observation')?.subject).toEqual({ reference: `Patient/${personId}` });
    for (const r of mine) expect(parseResource(r).ok, `${r.resourceType}/${r.id}`).toBe(true);
    expect(store.persons.get(personId)?.localIds).toContainEqual({ assigningAuthority: 'https://community.example.org/Id/patient', value: 'CP123' });
    expect((await ingestor.ingestBundle(bundle, 'generic')).outcome).toBe('accepted');
  });

  it('an open EpisodeOfCare in a bundle records a relationship for the organisation managing it [REQ-GOV-011]', async () => {
    const { store, ingestor } = harness();
    const episode = {
      fullUrl: 'urn:uuid:0c3b1f5e-0000-4000-8000-000000000009',
      resource: {
        resourceType: 'EpisodeOfCare',
        id: 'dn-caseload-1',
        status: 'active',
        patient: { reference: 'Patient/cp-123' },
        managingOrganization: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RY6' } },
        period: { start: '2026-01-15T09:00:00Z' },
      },
    };
    const result = await ingestor.ingestBundle({ ...bundle, entry: [bundle.entry[0], episode] }, { name: 'community', profile: { ...(await import('../profiles/shipped.js')).ShippedProfiles.generic, odsCode: 'RY6' } });
    expect(result.outcome).toBe('accepted');
    const personId = result.persons['Patient/cp-123']!;
    expect(store.relationshipsOf(personId, '2026-02-01T00:00:00Z')).toEqual([
      expect.objectContaining({ kind: 'episode', organisation: 'RY6', userId: '*', startedAt: '2026-01-15T09:00:00.000Z', endedAt: undefined }),
    ]);
  });

  it('rejects an invalid bundle naming the element, and a reference to a patient not in the bundle', async () => {
    const { store, ingestor } = harness();
    const bad = await ingestor.ingestBundle({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', code: { text: 'x' } } }] });
    expect(bad.outcome).toBe('rejected');
    expect(bad.issues).toContain('Bundle.entry[0].resource.status: is required');
    const dangling = await ingestor.ingestBundle({ resourceType: 'Bundle', type: 'collection', entry: [bundle.entry[2]] });
    expect(dangling.issues[0]).toMatch(/refers to Patient\/cp-123, which is not a Patient in this bundle/);
    expect(store.deadLetters).toHaveLength(2);
  });
});

describe('FHIR HTTP sink [REQ-INT-008]', () => {
  it('posts one transaction Bundle per message, PUT by stable id, and surfaces server errors as resend', async () => {
    const received: { url: string; body: { type: string; entry: { request: { method: string; url: string } }[] } }[] = [];
    let fail = false;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.method === 'GET') {
          // Reads before an update that keeps elements (a Patient without PD1): this server knows no one.
          res.writeHead(404, { 'content-type': 'application/fhir+json' });
          res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
          return;
        }
        received.push({ url: req.url ?? '', body: JSON.parse(body) });
        res.writeHead(fail ? 500 : 200, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const lookup = new MemoryStore();
    const sink = new FhirHttpSink({ baseUrl: `http://127.0.0.1:${port}/fhir` });
    const ingestor = new Ingestor({ sink, lookup });
    const [ok] = await ingestor.ingest(fixture('oru-r01.hl7'), 'lims');
    expect(ok!.outcome).toBe('accepted');
    expect(received[0]!.url).toBe('/fhir');
    expect(received[0]!.body.type).toBe('transaction');
    expect(received[0]!.body.entry.every((e) => e.request.method === 'PUT')).toBe(true);
    expect(received[0]!.body.entry.map((e) => e.request.url.split('/')[0])).toContain('DiagnosticReport');
    fail = true;
    const [down] = await ingestor.ingest(fixture('adt-a04.hl7'));
    expect(down).toMatchObject({ outcome: 'rejected', ackCode: 'AR', transient: true });
    const [bad] = await ingestor.ingest('garbage');
    expect(bad!.outcome).toBe('rejected');
    expect(sink.deadLetters).toHaveLength(1);
    await new Promise((r) => server.close(r));
  });

  it('sends back the elements a message does not carry, read from the server, on condition of that version', async () => {
    const stored = { resourceType: 'Patient', id: 'X', meta: { versionId: '7' }, generalPractitioner: [{ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'Y90001' } }] };
    const requests: { method: string; url: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(req.method === 'GET' ? { ...stored, id: decodeURIComponent((req.url ?? '').split('/').pop() ?? '') } : { resourceType: 'Bundle', type: 'transaction-response' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const lookup = new MemoryStore();
    const ingestor = new Ingestor({ sink: new FhirHttpSink({ baseUrl: `http://127.0.0.1:${port}/fhir` }), lookup });
    const [ok] = await ingestor.ingest(fixture('oru-r01.hl7'), 'lims');
    expect(ok!.outcome).toBe('accepted');
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(requests[0]!.url).toBe(`/fhir/Patient/${ok!.personId}`);
    const entry = (JSON.parse(requests[1]!.body) as { entry: Array<{ resource: Record<string, unknown>; request: { url: string; ifMatch?: string } }> }).entry.find((e) => e.resource.resourceType === 'Patient')!;
    expect(entry.resource.generalPractitioner).toEqual(stored.generalPractitioner);
    expect(entry.request.ifMatch).toBe('W/"7"');
    await new Promise((r) => server.close(r));
  });
});
