import { describe, expect, it } from 'vitest';
import { CodeSystems, headingTag } from '@openidcr/model';
import { fhirDateToInstant, indexColumnsOf, patientSearchRowsOf, sourceOrgOf, SOURCE_ORGANISATION_EXTENSION } from './extract.js';
import { endOfFhirDate, prefixUpperBound } from './read.js';

describe('index columns', () => {
  it('turns FHIR dates of any precision into instants', () => {
    expect(fhirDateToInstant('2020')).toBe('2020-01-01T00:00:00.000Z');
    expect(fhirDateToInstant('2020-03')).toBe('2020-03-01T00:00:00.000Z');
    expect(fhirDateToInstant('2020-03-12')).toBe('2020-03-12T00:00:00.000Z');
    expect(fhirDateToInstant('2020-03-12T10:15:00+01:00')).toBe('2020-03-12T09:15:00.000Z');
    expect(fhirDateToInstant('2020-13-45')).toBeUndefined();
    expect(fhirDateToInstant('12/03/2020')).toBeUndefined();
    expect(fhirDateToInstant(20200312)).toBeUndefined();
  });

  it('knows where a date-range query ends', () => {
    expect(endOfFhirDate('2020')).toBe('2021-01-01T00:00:00.000Z');
    expect(endOfFhirDate('2020-12')).toBe('2021-01-01T00:00:00.000Z');
    expect(endOfFhirDate('2020-02-29')).toBe('2020-03-01T00:00:00.000Z');
  });

  it('takes the date from the heading, then from common elements', () => {
    expect(indexColumnsOf({ resourceType: 'MedicationRequest', authoredOn: '2021-05-05' }).effectiveDate).toBe('2021-05-05T00:00:00.000Z');
    expect(indexColumnsOf({ resourceType: 'Encounter', period: { start: '2021-05-05T10:00:00Z' } })).toMatchObject({
      heading: 'encounters',
      effectiveDate: '2021-05-05T10:00:00.000Z',
    });
    const tagged = { resourceType: 'EpisodeOfCare', meta: { tag: [headingTag('social-care')] }, period: { start: '2019' } };
    expect(indexColumnsOf(tagged)).toMatchObject({ heading: 'social-care', effectiveDate: '2019-01-01T00:00:00.000Z' });
    expect(indexColumnsOf({ resourceType: 'Organization' })).toMatchObject({ heading: undefined, effectiveDate: undefined });
  });

  it('finds the source organisation in the extension or meta.source', () => {
    const extension = { url: SOURCE_ORGANISATION_EXTENSION, valueIdentifier: { value: 'RAE' } };
    expect(sourceOrgOf({ resourceType: 'Observation', extension: [extension], meta: { source: 'urn:ods:RR8' } })).toBe('RAE');
    expect(sourceOrgOf({ resourceType: 'Observation', meta: { source: 'https://fhir.nhs.uk/Id/ods-organization-code|rr8' } })).toBe('RR8');
    expect(sourceOrgOf({ resourceType: 'Observation', meta: { source: 'urn:ods:B86001' } })).toBe('B86001');
    expect(sourceOrgOf({ resourceType: 'Observation', meta: { source: 'urn:ods:D91231:GPSYSTEM-B' } })).toBe('D91231');
    expect(sourceOrgOf({ resourceType: 'Observation', meta: { source: 'https://pas.example.org/Organization/RR813' } })).toBe('RR813');
    expect(sourceOrgOf({ resourceType: 'Observation', meta: { source: 'urn:uuid:1c8e0f7e-7e53-4b1d-9b43-2a4f0d1e7f65' } })).toBe(
      'urn:uuid:1c8e0f7e-7e53-4b1d-9b43-2a4f0d1e7f65',
    );
    expect(sourceOrgOf({ resourceType: 'Observation' })).toBeUndefined();
  });

  it('keeps every security label as system|code', () => {
    const security = [{ system: CodeSystems.confidentiality, code: 'R' }, { system: CodeSystems.actCode, code: 'PSY' }, { display: 'no code' }];
    expect(indexColumnsOf({ resourceType: 'Condition', meta: { security } }).securityLabels).toEqual([
      `${CodeSystems.confidentiality}|R`,
      `${CodeSystems.actCode}|PSY`,
    ]);
  });

  it('indexes every name of a patient, case- and accent-folded', () => {
    const rows = patientSearchRowsOf({
      resourceType: 'Patient',
      name: [{ family: "O'Brien", given: ['Siobhán', 'Mary'] }, { family: 'Murphy' }],
      birthDate: '1970-07-07',
      address: [{ use: 'work', postalCode: 'bd1 1aa' }, { use: 'home', postalCode: 'ls1 4ap' }],
    });
    expect(rows).toMatchObject([
      { seq: 0, family: "o'brien", given: 'siobhan mary', postcode: 'LS14AP', birthDate: '1970-07-07' },
      { seq: 1, family: 'murphy', given: undefined },
    ]);
  });

  it('computes the upper bound of a prefix range', () => {
    expect(prefixUpperBound('smi')).toBe('smj');
    expect(prefixUpperBound('a')).toBe('b');
  });
});
