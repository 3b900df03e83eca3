import type { TestProject } from 'vitest/node';
import { startTestFhirServer } from './fhir-server.js';
import { PATIENT_ID, recordResources, unansweredOutcome, withheldOutcome } from '../fixtures/record.js';

declare module 'vitest' {
  export interface ProvidedContext {
    fhirBaseUrl: string;
    plainFhirBaseUrl: string;
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
  project.provide('fhirBaseUrl', policy.url);
  project.provide('plainFhirBaseUrl', plain.url);
  return async () => {
    await policy.close();
    await plain.close();
  };
}
