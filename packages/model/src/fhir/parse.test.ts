import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from './registry.js';
import { issuesToOperationOutcome, parseResource, parseResourceOf } from './parse.js';
import { schemaCases } from './fhir.fixtures.js';

describe('parseResource', () => {
  it('has a case for every resource type the model knows', () => {
    expect(Object.keys(schemaCases).sort()).toEqual([...RESOURCE_TYPES].sort());
  });

  for (const type of RESOURCE_TYPES) {
    const cases = schemaCases[type];
    it(`${type}: accepts a valid example and keeps every element`, () => {
      const result = parseResource(cases.valid);
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.resource).toEqual(cases.valid);
    });
    cases.invalid.forEach((bad, index) => {
      it(`${type}: rejects invalid example ${index + 1} at ${bad.location}`, () => {
        const result = parseResource(bad.resource);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const match = result.issues.find((issue) => issue.location === bad.location);
        expect(match, `issues were ${JSON.stringify(result.issues)}`).toBeDefined();
        expect(match!.message).toMatch(bad.message);
      });
    });
  }

  it('keeps unknown elements (extensions, vendor fields) as they came', () => {
    const input = { resourceType: 'Organization', id: 'X1', name: 'X', _name: { extension: [{ url: 'u', valueString: 'v' }] }, vendorField: { a: 1 } };
    const result = parseResource(input);
    expect(result.ok && result.resource).toEqual(input);
  });

  it('names the resource type problem when it is missing or unknown', () => {
    expect(parseResource({ id: 'x' })).toEqual({ ok: false, issues: [{ code: 'required', location: 'resourceType', message: 'is required' }] });
    const unknown = parseResource({ resourceType: 'Spaceship' });
    expect(unknown.ok === false && unknown.issues[0]).toMatchObject({ code: 'not-supported', message: 'unsupported resource type "Spaceship"' });
  });

  it('rejects non-objects with a structure issue', () => {
    for (const value of [null, 42, 'Patient', [], undefined]) {
      const result = parseResource(value);
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.issues[0]!.code).toBe('structure');
    }
  });

  it('reports every issue of a resource, not only the first', () => {
    const result = parseResource({ resourceType: 'Observation', status: 'done', subject: 'Patient/1' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.location).sort()).toEqual(['Observation.code', 'Observation.status', 'Observation.subject']);
  });

  it('parseResourceOf insists on the expected type', () => {
    const result = parseResourceOf('Patient', schemaCases.Organization.valid);
    expect(result.ok === false && result.issues[0]!.message).toBe('expected Patient, found Organization');
    expect(parseResourceOf('Organization', schemaCases.Organization.valid).ok).toBe(true);
  });

  it('turns issues into an OperationOutcome that is itself valid', () => {
    const result = parseResource({ ...schemaCases.Patient.valid, birthDate: '1960/03/12' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const outcome = issuesToOperationOutcome(result.issues);
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'value', expression: ['Patient.birthDate'] });
    expect(outcome.issue[0]!.diagnostics).toBe('Patient.birthDate: expected YYYY-MM-DD (or YYYY-MM, YYYY)');
    expect(parseResource(outcome).ok).toBe(true);
  });
});
