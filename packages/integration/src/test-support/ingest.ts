/* eslint-disable @typescript-eslint/no-explicit-any -- mapping tests probe FHIR JSON by path; a wrong path fails the assertion */
import { parseResource, type ResourceLike } from '@openidcr/model';
import { expect } from 'vitest';
import { harness } from './harness.js';

/** A mapped resource as a test reads it. */
export type TestResource = ResourceLike & { id: string } & Record<string, any>;

/** A segment from its fields by number, so a test cannot miscount pipes: `segment('PV1', { 2: 'I', 19: 'V1' })`. */
export function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

/**
 * Ingests messages written for a test (each a list of segment lines) into a fresh in-memory store, one after another
 * on one channel; checks every stored resource against the model's FHIR schemas and every message for problems.
 */
export async function ingestChecked(messages: string[] | string[][], channel = 'acute-pas') {
  const { store, ingestor } = harness();
  const list = (Array.isArray(messages[0]) ? messages : [messages]) as string[][];
  const results = [];
  for (const m of list) results.push((await ingestor.ingest(m.join('\r') + '\r', channel))[0]!);
  const resources = [...store.resources.values()].map((r) => r.resource as TestResource);
  for (const resource of resources) {
    const parsed = parseResource(resource);
    expect(parsed.ok ? [] : parsed.issues, `${resource.resourceType}/${resource.id}`).toEqual([]);
  }
  for (const r of results) expect(r.problems, r.controlId).toEqual([]);
  const of = (type: string) => resources.filter((r) => r.resourceType === type);
  return { store, result: results.at(-1)!, results, resources, of };
}
