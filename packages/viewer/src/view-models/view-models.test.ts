import { describe, expect, test } from 'vitest';
import type { Patient } from '@openidcr/model';
import { allergies, deniedOutcome, FIXTURE_TODAY, medications, noKnownAllergy, organisations, patient, recordBundle, searchset, unansweredOutcome, withheldOutcome } from '../fixtures/record.js';
import { toAllergiesView } from './allergies.js';
import { toBannerView, nhsNumberOf } from './banner.js';
import { toMedicationsView, doseText } from './medications.js';
import { readRecordBundle, readRecordBundles, resolveReference, resourcesOfHeading } from './record-bundle.js';
import { breakGlassAvailable, outcomeMessages } from './outcome.js';
import { sourceOf, summariseSources } from './source.js';

const orgs = Object.values(organisations);

describe('readRecordBundle', () => {
  test('splits record content from outcome entries and indexes references', () => {
    const content = readRecordBundle(recordBundle([withheldOutcome(3), unansweredOutcome('Northfield Mental Health Trust')]));
    expect(content.resources.some((r) => r.resourceType === 'OperationOutcome')).toBe(false);
    expect(content.withheld).toEqual([{ count: 3, message: '3 items withheld by policy' }]);
    expect(content.unanswered).toEqual([{ name: 'Northfield Mental Health Trust', message: 'No answer within 3 seconds' }]);
    expect(resolveReference(content, 'Organization/org-gp')?.id).toBe('org-gp');
    expect(resolveReference(content, 'https://other.example/R4/Organization/org-gp/_history/2')?.id).toBe('org-gp');
    expect(resolveReference(content, 'Organization/nope')).toBeUndefined();
  });
  test('pages merged from several bundles keep each resource once', () => {
    const content = readRecordBundles([searchset([patient, ...allergies]), searchset([patient, ...medications])]);
    expect(content.resources.filter((r) => r.resourceType === 'Patient')).toHaveLength(1);
    expect(resourcesOfHeading(content, 'medications')).toHaveLength(4);
  });
  test('a plain FHIR server warning without our code system still counts as an unanswered source', () => {
    const content = readRecordBundle(
      searchset([], [{ resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'incomplete', diagnostics: 'Lab system timed out' }] }]),
    );
    expect(content.unanswered).toEqual([{ name: 'Lab system timed out', message: undefined }]);
  });
});

describe('outcomes', () => {
  test('break-glass availability is read from the policy coding', () => {
    expect(breakGlassAvailable(deniedOutcome(true))).toBe(true);
    expect(breakGlassAvailable(deniedOutcome(false))).toBe(false);
    expect(breakGlassAvailable(undefined)).toBe(false);
    expect(outcomeMessages(deniedOutcome(true))).toEqual(['You have no care relationship with this person.']);
  });
});

describe('sources', () => {
  test('meta.source as a reference, an ODS URN or a system|code all resolve to the organisation', () => {
    const content = readRecordBundle(recordBundle());
    const byId = (id: string) => content.resources.find((r) => r.id === id)!;
    expect(sourceOf(content, byId('c-dm'))?.name).toBe('Riverside Medical Practice');
    expect(sourceOf(content, byId('o-a1'))?.name).toBe("St Luke's Hospital NHS Trust");
    expect(sourceOf(content, byId('c-dep'))?.name).toBe('Northfield Mental Health Trust');
    expect(sourceOf(content, { resourceType: 'Condition', meta: { source: 'urn:unknown:ZZZ' } })?.name).toBe('urn:unknown:ZZZ');
    expect(sourceOf(content, { resourceType: 'Condition', recorder: { reference: 'Organization/org-council' } })?.name).toBe('Ridgeway City Council Adult Social Care');
    expect(sourceOf(content, { resourceType: 'Condition' })).toBeUndefined();
  });
  test('summarises items per source', () => {
    const summary = summariseSources(readRecordBundle(recordBundle()));
    expect(summary.map((s) => s.name)).toContain('Ridgeway City Council Adult Social Care');
    expect(summary[0]!.items).toBeGreaterThanOrEqual(summary.at(-1)!.items);
    expect(summary.reduce((n, s) => n + s.items, 0)).toBeGreaterThan(20);
  });
});

describe('toAllergiesView', () => {
  test('known allergies, newest first, with reactions and criticality in words', () => {
    const view = toAllergiesView(readRecordBundle(searchset([...orgs, ...allergies])));
    expect(view.state).toBe('Known allergies');
    expect(view.rows.map((r) => r.substance)).toEqual(['Sticking plaster', 'Penicillin']);
    expect(view.rows[1]).toMatchObject({ reactions: 'Rash, Shortness of breath', severity: 'Severe', criticality: 'High risk', recorded: '09-Apr-2001', source: 'Riverside Medical Practice' });
  });
  test('four states, exactly', () => {
    expect(toAllergiesView(readRecordBundle(searchset([noKnownAllergy]))).state).toBe('No known allergies');
    expect(toAllergiesView(readRecordBundle(searchset([]))).state).toBe('Allergies not recorded');
    expect(toAllergiesView(readRecordBundle(searchset([])), false).state).toBe('Allergies unavailable');
    expect(toAllergiesView(readRecordBundle(searchset([...allergies])), false).state).toBe('Known allergies');
  });
  test('refuted and entered-in-error allergies do not count; a real allergy outranks an old NKA', () => {
    const refuted = { ...allergies[0]!, id: 'x', verificationStatus: { coding: [{ code: 'refuted' }] } };
    expect(toAllergiesView(readRecordBundle(searchset([refuted]))).state).toBe('Allergies not recorded');
    expect(toAllergiesView(readRecordBundle(searchset([noKnownAllergy, allergies[1]!]))).state).toBe('Known allergies');
  });
});

describe('toBannerView', () => {
  test('CUI banner values', () => {
    const content = readRecordBundle(searchset([patient, ...orgs]));
    expect(toBannerView(patient as Patient, { allergyState: 'Known allergies', content, on: FIXTURE_TODAY })).toEqual({
      name: 'SMITH, John Edward (Mr)',
      nhsNumber: '943 476 5919',
      nhsNumberDigits: '9434765919',
      born: '12-Mar-1960 (66y)',
      deceased: undefined,
      gender: 'Male',
      address: '12 Canal Street, Ridgeway, RG1 4AB',
      gp: 'Riverside Medical Practice',
      allergyState: 'Known allergies',
    });
  });
  test('an NHS number with a wrong check digit is not shown as one', () => {
    expect(nhsNumberOf({ identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765918' }] })).toBeUndefined();
    const view = toBannerView({ resourceType: 'Patient', identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765918' }] }, { allergyState: 'Allergies not recorded', on: FIXTURE_TODAY });
    expect(view.nhsNumber).toBe('Not known');
    expect(view.gp).toBe('Not known');
    expect(view.name).toBe('Not known');
  });
});

describe('toMedicationsView', () => {
  test('current and past by status and end date, newest first', () => {
    const view = toMedicationsView(readRecordBundle(searchset([...orgs, ...medications])), FIXTURE_TODAY);
    expect(view.current.map((m) => m.medicine)).toEqual(['Metformin 500mg tablets', 'Ramipril 5mg capsules']);
    expect(view.past.map((m) => m.medicine)).toEqual(['Amoxicillin 500mg capsules', 'Sertraline 50mg tablets']);
    expect(view.current[0]).toMatchObject({ dose: 'One tablet twice a day with meals', started: '01-Jun-2012', ended: 'Ongoing', status: 'Active', source: 'Riverside Medical Practice' });
    expect(view.past[0]).toMatchObject({ started: '03-Feb-2024', ended: '10-Feb-2024', status: 'Completed', source: "St Luke's Hospital NHS Trust" });
  });
  test('an active medicine whose end date passed is past', () => {
    const ended = { ...medications[0]!, id: 'm-x', effectivePeriod: { start: '2020-01-01', end: '2021-01-01' } };
    const view = toMedicationsView(readRecordBundle(searchset([ended])), FIXTURE_TODAY);
    expect(view.current).toHaveLength(0);
    expect(view.past).toHaveLength(1);
  });
  test('dose from structured dosage; a Medication reference is resolved', () => {
    expect(doseText([{ doseAndRate: [{ doseQuantity: { value: 2, unit: 'puffs' } }], asNeededBoolean: true }])).toBe('2 puffs when required');
    expect(doseText(undefined)).toBe('Not known');
    const med = { resourceType: 'Medication', id: 'med1', code: { text: 'Salbutamol inhaler' } };
    const stmt = { resourceType: 'MedicationStatement', id: 's', status: 'active', medicationReference: { reference: 'Medication/med1' }, subject: { reference: 'Patient/x' } };
    expect(toMedicationsView(readRecordBundle(searchset([med, stmt])), FIXTURE_TODAY).current[0]!.medicine).toBe('Salbutamol inhaler');
  });
});

describe('sources with the sending system after the ODS code', () => {
  test('urn:ods:CODE:SYSTEM resolves to the organisation with that code', () => {
    const content = readRecordBundle(searchset([{ resourceType: 'Organization', id: 'o1', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'F16021' }], name: 'Hill Surgery' }]));
    expect(sourceOf(content, { resourceType: 'Condition', meta: { source: 'urn:ods:F16021:GPSYSTEM-A' } })?.name).toBe('Hill Surgery');
  });
});
