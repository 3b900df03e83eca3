import { describe, expect, it } from 'vitest';
import { HEADING_IDS, headingOf, headingTag, registerHeading } from '@openidcr/model';
import { decide } from './decision/decide.js';
import { exampleIsa } from './isa/example.js';
import { parseIsa } from './isa/schema.js';
import { createLocalityPolicy } from './locality/policy.js';
import { filterRecord, headingOfItem } from './record/filter.js';
import { sourceOfOrganisation } from './record/source.js';
import { DEFAULT_ROLES, parseRoles } from './roles/roles.js';

declare module '@openidcr/model' {
  interface CustomHeadings {
    'advance-care-plans': true;
  }
}

// Registered before any policy is built, as a locality does at start-up. Vitest isolates this file's module graph.
const registered = registerHeading({
  id: 'advance-care-plans',
  title: 'Advance care plans and ReSPECT',
  description: 'ReSPECT forms, advance decisions to refuse treatment and end-of-life care plans.',
  resourceTypes: ['DocumentReference'],
  dateElement: 'date',
  columns: [{ id: 'type', title: 'Plan', path: 'DocumentReference.type' }],
});

const NOW = '2026-11-22T10:00:00Z';
const withPlans = (roleId: string) => DEFAULT_ROLES.map((r) => (r.id === roleId ? { ...r, headings: [...r.headings, 'advance-care-plans'] } : r));
const isa = { ...exampleIsa, sharing: [...exampleIsa.sharing, { id: 'plans', from: ['Y90001'], headings: ['advance-care-plans'], to: [{ organisationKinds: ['acute-trust'] }], purposes: ['direct-care'], legalBases: ['art-6-1-e', 'art-9-2-h'] }] };
const plan = { resourceType: 'DocumentReference', id: 'respect-1', meta: { source: sourceOfOrganisation('Y90001'), tag: [headingTag('advance-care-plans')] } };
const letter = { resourceType: 'DocumentReference', id: 'letter-1', meta: { source: sourceOfOrganisation('Y90001') } };

function decisionFor(roles: unknown) {
  const made = createLocalityPolicy({ isa, roles });
  if (!made.ok) throw new Error(made.issues.map((i) => i.message).join('; '));
  return decide({
    user: { id: 'u1', name: 'Dr A', roleId: 'hospital-clinician', sdsRoleCode: 'R8000', organisation: { ods: 'X9A', kind: 'acute-trust' }, activityCodes: [] },
    purposeOfUse: 'TREAT',
    patient: { personId: 'p1', registeredGpOds: 'Y90001' },
    policy: made.policy,
    consents: [],
    relationships: [{ id: 'enc', personId: 'p1', kind: 'encounter', organisation: 'X9A', start: NOW }],
    now: NOW,
  });
}

describe('a heading registered with @openidcr/model [REQ-GOV-010]', () => {
  it('is accepted in roles and ISA sharing rules; an unknown one is refused with the known ids listed', () => {
    expect(registered.ok).toBe(true);
    expect(parseRoles(withPlans('hospital-clinician')).ok).toBe(true);
    expect(parseIsa(isa).ok).toBe(true);
    const bad = parseRoles([{ ...DEFAULT_ROLES[0], headings: ['gossip'] }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]!.message).toBe(`roles[0].headings[0]: unknown heading "gossip"; known: ${[...HEADING_IDS, 'advance-care-plans'].join(', ')}`);
  });

  it('is visible only to a role that lists it, from a source whose ISA rule shares it, after the built-in headings', () => {
    const seeing = decisionFor(withPlans('hospital-clinician'));
    expect(seeing.visibleHeadings.at(-1)).toBe('advance-care-plans');
    expect(seeing.sources.find((s) => s.ods === 'Y90001')!.headings).toContain('advance-care-plans');
    expect(seeing.sources.find((s) => s.ods === 'Y90002')!.headings).not.toContain('advance-care-plans');
    expect(decisionFor(DEFAULT_ROLES).visibleHeadings).not.toContain('advance-care-plans');
  });

  it('filterRecord keeps tagged items for that role only; untagged items of the type stay under their own heading', () => {
    expect(headingOfItem(plan)).toBe(headingOf(plan));
    expect(headingOfItem(plan)).toBe('advance-care-plans');
    expect(headingOfItem(letter)).toBe('documents');
    const seen = filterRecord([plan, letter], decisionFor(withPlans('hospital-clinician')));
    expect(seen.kept.map((r) => r.id)).toEqual(['respect-1', 'letter-1']);
    const unseen = filterRecord([plan, letter], decisionFor(DEFAULT_ROLES));
    expect(unseen.kept.map((r) => r.id)).toEqual(['letter-1']);
    expect(unseen.withheld).toEqual([{ reason: 'heading-not-visible', count: 1, text: expect.any(String) }]);
  });
});
