import { describe, expect, it } from 'vitest';
import { HEADING_IDS } from '@openidcr/model';
import { toRecordHeadings } from './summary.js';
import { odsOfSource } from './source.js';
import { whatMattersObservation } from '../what-matters/what-matters.js';

describe('toRecordHeadings', () => {
  it('lists every heading in registry order, fills each from the resources, newest first, and names the source', () => {
    const headings = toRecordHeadings(
      [
        { resourceType: 'Condition', id: 'c1', meta: { source: 'urn:ods:Y90001:GPSYS' }, code: { coding: [{ display: 'Asthma' }] }, clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: '2019-01-01' },
        { resourceType: 'Condition', id: 'c2', code: { text: 'Eczema' }, onsetDateTime: '2021-05-01' },
        { resourceType: 'MedicationStatement', id: 'm1', medicationCodeableConcept: { text: 'Salbutamol inhaler' }, dosage: [{ text: 'Two puffs when needed' }], status: 'active', effectivePeriod: { start: '2020-02-02' } },
        { resourceType: 'Observation', id: 'o1', code: { text: 'HbA1c' }, valueQuantity: { value: 48, unit: 'mmol/mol' }, status: 'final', effectiveDateTime: '2026-01-01' },
        { resourceType: 'Consent', id: 'x' },
        whatMattersObservation({ personId: 'p', statements: ['Gardening'], author: { kind: 'self', nhsNumber: '9434765919', name: 'A' }, now: new Date() }),
      ],
      { organisationName: (ods) => (ods === 'Y90001' ? 'Riverside Surgery' : undefined) },
    );
    expect(headings.map((h) => h.id)).toEqual([...HEADING_IDS]);
    const problems = headings.find((h) => h.id === 'problems')!;
    expect(problems.items.map((i) => i.text)).toEqual(['Eczema', 'Asthma']);
    expect(problems.items[1]).toMatchObject({ source: 'Riverside Surgery', status: 'Current', date: '2019-01-01' });
    expect(headings.find((h) => h.id === 'medications')!.items[0]).toMatchObject({ text: 'Salbutamol inhaler', detail: 'Two puffs when needed', date: '2020-02-02' });
    expect(headings.find((h) => h.id === 'results')!.items).toEqual([expect.objectContaining({ text: 'HbA1c', detail: '48 mmol/mol', status: 'Final' })]);
    // Neither the Consent nor the patient-authored statements are record headings' content.
    expect(headings.flatMap((h) => h.items).map((i) => i.id)).toEqual(expect.not.arrayContaining(['x', 'what-matters-p']));
  });

  it('shows only the headings a proxy may see', () => {
    expect(toRecordHeadings([], { headings: new Set(['medications', 'allergies'] as const) }).map((h) => h.id)).toEqual(['medications', 'allergies']);
  });
});

describe('odsOfSource', () => {
  it('reads the source organisation in each form OpenIDCR meets', () => {
    expect(odsOfSource('https://fhir.nhs.uk/Id/ods-organization-code|Y90001')).toBe('Y90001');
    expect(odsOfSource('urn:ods:rfm:LIMS')).toBe('RFM');
    expect(odsOfSource('X9A')).toBe('X9A');
    expect(odsOfSource('https://example.org/other|X9A')).toBeUndefined();
    expect(odsOfSource(42)).toBeUndefined();
  });
});
