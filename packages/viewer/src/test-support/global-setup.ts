import type { TestProject } from 'vitest/node';
import { startTestFhirServer } from './fhir-server.js';
import { PATIENT_ID, recordResources, unansweredOutcome, withheldOutcome } from '../fixtures/record.js';
import { generateLocality, generatePatients, toFhirBundle, toLocalityBundle } from '@openidcr/synthetic';

declare module 'vitest' {
  export interface ProvidedContext {
    fhirBaseUrl: string;
    plainFhirBaseUrl: string;
    syntheticFhirBaseUrl: string;
    syntheticPatients: { id: string; nhsNumber: string; family: string }[];
  }
}

/**
 * Starts two FHIR servers on 127.0.0.1 for the browser tests: one policy-aware (token, paging, a denied patient
 * with break-glass, withheld and unanswered-source outcomes) and one plain server without `$everything`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const records = {
    [PATIENT_ID]: recordResources(),
    'pat-denied': recordResources().map((r) => (r.resourceType === 'Patient' ? { ...r, id: 'pat-denied', identifier: [] } : r)),
  };
  const policy = await startTestFhirServer({
    records,
    token: 'test-token',
    pageSize: 10,
    denied: ['pat-denied'],
    outcomes: [withheldOutcome(2), unansweredOutcome('Northfield Mental Health Trust')],
  });
  const plain = await startTestFhirServer({ records: { [PATIENT_ID]: recordResources().filter((r) => r.resourceType !== 'Organization') , orgs: recordResources().filter((r) => r.resourceType === 'Organization') }, everything: false });
  // A plain server holding records from the synthetic locality generator, as another engineer's package makes them.
  const locality = generateLocality({ seed: 7 });
  const localityResources = (toLocalityBundle(locality, 'collection').entry ?? []).map((e) => e.resource as { resourceType: string; id: string });
  const people = [...generatePatients({ seed: 7, patients: 3 }, locality)];
  const synthetic = await startTestFhirServer({
    records: Object.fromEntries(people.map((p) => [p.patient.id!, [...(toFhirBundle(p, 'collection').entry ?? []).map((e) => e.resource as { resourceType: string }), ...localityResources]])),
  });
  project.provide('syntheticFhirBaseUrl', synthetic.url);
  project.provide(
    'syntheticPatients',
    people.map((p) => ({ id: p.patient.id!, nhsNumber: p.nhsNumber, family: p.patient.name?.[0]?.family ?? '' })),
  );
  project.provide('fhirBaseUrl', policy.url);
  project.provide('plainFhirBaseUrl', plain.url);
  return async () => {
    await policy.close();
    await plain.close();
    await synthetic.close();
  };
}
