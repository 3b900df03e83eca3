import { describe, expect, it } from 'vitest';
import { keepAbsentElements } from './contract.js';

describe('keepAbsentElements', () => {
  const stored = { resourceType: 'Patient', id: 'p1', birthDate: '1985-07-05', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1985-07-05T22:15:00+01:00' }] }, gender: 'male' };

  it('keeps a primitive element with its extensions (birthDate with the birth time in _birthDate)', () => {
    const kept = keepAbsentElements({ resourceType: 'Patient', id: 'p1', gender: 'male' }, ['birthDate'], stored);
    expect(kept).toEqual(stored);
  });

  it('an update that carries the element replaces it, extensions and all', () => {
    const update = { resourceType: 'Patient', id: 'p1', birthDate: '1985-07-06' };
    expect(keepAbsentElements(update, ['birthDate'], stored)).toBe(update);
  });

  it('keeps nothing that was not asked for', () => {
    const update = { resourceType: 'Patient', id: 'p1' };
    expect(keepAbsentElements(update, ['address'], stored)).toEqual(update);
  });
});
