import { describe, expect, it } from 'vitest';
import { HEADINGS, HEADING_IDS, MAX_HEADINGS, getHeading, headingIds, headingOf, headingTag, isHeadingId, orderHeadings, registerHeading, type HeadingDefinition } from './headings.js';

declare module './headings.js' {
  interface CustomHeadings {
    'advance-care-plans': true;
  }
}

// This file registers headings: vitest runs each test file in its own module graph, so other files see the built-ins only.
const advanceCarePlans: HeadingDefinition = {
  id: 'advance-care-plans',
  title: 'Advance care plans and ReSPECT',
  description: 'ReSPECT forms, advance decisions to refuse treatment and end-of-life care plans.',
  resourceTypes: ['DocumentReference'],
  dateElement: 'date',
  columns: [
    { id: 'type', title: 'Plan', path: 'DocumentReference.type' },
    { id: 'date', title: 'Date', path: 'DocumentReference.date' },
  ],
};

describe('registering a heading', () => {
  it('refuses a bad definition, naming each field', () => {
    const result = registerHeading({ ...advanceCarePlans, id: 'Advance Care', description: 'plans', resourceTypes: ['CarePlan'], columns: [] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(['id', 'description', 'resourceTypes.0', 'columns']);
    expect(result.issues[2]!.message).toBe('"CarePlan" is not a FHIR resource type the model knows');
    expect(isHeadingId('Advance Care')).toBe(false);
    expect(headingIds()).toEqual(HEADING_IDS);
  });

  it('adds it after the built-in headings, where every reader of the registry finds it', () => {
    const result = registerHeading(advanceCarePlans);
    expect(result).toMatchObject({ ok: true, heading: { id: 'advance-care-plans', order: HEADING_IDS.length } });
    expect(headingIds()).toEqual([...HEADING_IDS, 'advance-care-plans']);
    expect(HEADINGS.map((h) => h.id)).toEqual([...HEADING_IDS, 'advance-care-plans']);
    expect(isHeadingId('advance-care-plans')).toBe(true);
    expect(getHeading('advance-care-plans').dateElement).toBe('date');
    expect(orderHeadings(['advance-care-plans', 'alerts']).map((h) => h.id)).toEqual(['advance-care-plans', 'alerts']);
  });

  it('takes tagged resources; untagged ones of its type stay with the heading that claimed the type first', () => {
    expect(headingOf({ resourceType: 'DocumentReference', meta: { tag: [headingTag('advance-care-plans')] } })).toBe('advance-care-plans');
    expect(headingOf({ resourceType: 'DocumentReference' })).toBe('documents');
  });

  it('is idempotent for the same definition and refuses another one under a known id', () => {
    expect(registerHeading(advanceCarePlans).ok).toBe(true);
    expect(headingIds().filter((id) => id === 'advance-care-plans')).toHaveLength(1);
    expect(registerHeading({ ...advanceCarePlans, title: 'Care plans' })).toEqual({ ok: false, issues: [{ path: 'id', message: 'heading "advance-care-plans" is already registered with another definition' }] });
    const { order: _order, ...builtIn } = getHeading('documents');
    expect(registerHeading({ ...builtIn, columns: [...builtIn.columns], resourceTypes: [...builtIn.resourceTypes] })).toMatchObject({ ok: false, issues: [{ message: 'heading "documents" is already registered (built in)' }] });
  });

  it(`holds at most ${MAX_HEADINGS} headings`, () => {
    for (let i = headingIds().length; i < MAX_HEADINGS; i++) expect(registerHeading({ ...advanceCarePlans, id: `local-${i}` }).ok).toBe(true);
    expect(headingIds()).toHaveLength(MAX_HEADINGS);
    expect(registerHeading({ ...advanceCarePlans, id: 'one-too-many' })).toMatchObject({ ok: false, issues: [{ path: 'id' }] });
  });
});
