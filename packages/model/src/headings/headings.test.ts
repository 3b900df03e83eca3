import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../fhir/registry.js';
import { HEADINGS, HEADING_IDS, getHeading, headingOf, headingTag, isHeadingId, orderHeadings } from './headings.js';

describe('headings registry [REQ-REQ-001]', () => {
  it('lists every heading the design names, in default order, with unique ids', () => {
    expect(HEADINGS.map((h) => h.id)).toEqual([...HEADING_IDS]);
    expect(new Set(HEADING_IDS).size).toBe(HEADING_IDS.length);
    for (const id of ['demographics', 'care-team', 'problems', 'medications', 'allergies', 'immunisations', 'results', 'encounters', 'appointments', 'referrals', 'documents', 'social-care', 'alerts'])
      expect(isHeadingId(id)).toBe(true);
    HEADINGS.forEach((h, i) => expect(h.order).toBe(i));
  });

  it('gives every heading a plain-English description, columns and known resource types', () => {
    for (const heading of HEADINGS) {
      expect(heading.description.length).toBeGreaterThan(20);
      expect(heading.columns.length).toBeGreaterThan(0);
      for (const type of heading.resourceTypes) expect(RESOURCE_TYPES as readonly string[]).toContain(type);
    }
  });

  it('classifies resources by type, with tags deciding the ambiguous ones', () => {
    expect(headingOf({ resourceType: 'AllergyIntolerance' })).toBe('allergies');
    expect(headingOf({ resourceType: 'MedicationRequest' })).toBe('medications');
    expect(headingOf({ resourceType: 'Observation' })).toBe('results');
    expect(headingOf({ resourceType: 'EpisodeOfCare' })).toBe('care-team');
    expect(headingOf({ resourceType: 'EpisodeOfCare', meta: { tag: [headingTag('social-care')] } })).toBe('social-care');
    expect(headingOf({ resourceType: 'Observation', meta: { tag: [{ system: 'other', code: 'alerts' }] } })).toBe('results');
    expect(headingOf({ resourceType: 'Organization' })).toBeUndefined();
    expect(headingOf({ resourceType: 'AuditEvent' })).toBeUndefined();
  });

  it('orders headings for a locality and rejects unknown ids by name', () => {
    expect(orderHeadings(['allergies', 'medications']).map((h) => h.title)).toEqual(['Allergies and adverse reactions', 'Medications']);
    expect(() => orderHeadings(['allergies', 'x-rays'])).toThrow(/Unknown heading id\(s\): x-rays/);
    expect(getHeading('results').dateElement).toBe('effectiveDateTime');
  });
});
