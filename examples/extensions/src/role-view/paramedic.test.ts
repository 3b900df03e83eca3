import { describe, expect, it } from 'vitest';
import { checkIsa, declareRelationship, decide, filterRecord, sourceOfOrganisation, type DecisionRequest } from '@openidcr/governance';
import { HEADING_IDS, headingOf, headingTag, type HeadingId } from '@openidcr/model';
import { AMBULANCE_TRUST, PARAMEDIC_HEADINGS, isaWithAmbulanceService, paramedicPolicy } from './paramedic.js';

const NOW = '2026-11-22T03:10:00Z';
const PERSON = 'person-42';

/** One item of every heading, from a source that shares it, so what is kept shows exactly what the role sees. */
function oneItemPerHeading(): Array<{ resourceType: string; id: string; meta: { source: string; tag?: Array<{ system: string; code: string }> } }> {
  const from = (ods: string) => sourceOfOrganisation(ods);
  const item = (resourceType: string, id: string, ods: string, heading?: HeadingId) => ({
    resourceType,
    id,
    meta: { source: from(ods), ...(heading ? { tag: [headingTag(heading)] } : {}) },
  });
  return [
    item('Patient', 'patient', 'Y90001'),
    item('CareTeam', 'care-team', 'Y90001'),
    item('Flag', 'alert', 'X9A'),
    item('Condition', 'problem', 'Y90001'),
    item('MedicationStatement', 'medicine', 'Y90001'),
    item('AllergyIntolerance', 'allergy', 'Y90001'),
    item('Immunization', 'immunisation', 'Y90001'),
    item('Observation', 'result', 'X9A'),
    item('Encounter', 'admission', 'X9A'),
    item('Appointment', 'appointment', 'X9A'),
    item('ServiceRequest', 'referral', 'Y90001'),
    item('DocumentReference', 'letter', 'X9A'),
    item('EpisodeOfCare', 'social-care', 'X9L', 'social-care'),
  ];
}

function request(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  const declared = declareRelationship({
    id: 'call-0310',
    personId: PERSON,
    userId: 'crew-17',
    organisation: AMBULANCE_TRUST.ods,
    reason: '999 call CAD 221126-0042: collapse at home',
    now: NOW,
    hours: 6,
  });
  if (!declared.ok) throw new Error(declared.error.message);
  return {
    user: {
      id: 'crew-17',
      name: 'Sam Patel',
      roleId: 'paramedic',
      sdsRoleCode: 'S8000:G8000:R8003',
      organisation: { ods: AMBULANCE_TRUST.ods, kind: AMBULANCE_TRUST.kind },
      activityCodes: [],
    },
    purposeOfUse: 'ETREAT',
    patient: { personId: PERSON, registeredGpOds: 'Y90001' },
    policy: paramedicPolicy(),
    consents: [],
    relationships: [declared.relationship],
    now: NOW,
    ...overrides,
  };
}

describe('a paramedic role view', () => {
  it('is a valid role, and the agreement naming it has no errors', () => {
    const policy = paramedicPolicy();
    const issues = checkIsa(isaWithAmbulanceService(), NOW, { roles: policy.roles }).filter((i) => i.severity === 'error');
    expect(issues).toEqual([]);
    expect(policy.roles.find((r) => r.id === 'paramedic')?.headings).toEqual([...PARAMEDIC_HEADINGS]);
  });

  it('decide gives a paramedic exactly the paramedic headings, in registry order', () => {
    const decision = decide(request());
    expect(decision.effect).toBe('permit');
    expect(decision.visibleHeadings).toEqual(HEADING_IDS.filter((h) => (PARAMEDIC_HEADINGS as readonly string[]).includes(h)));
    // The declared call is audited, flagged and alerted.
    expect(decision.obligations).toContainEqual({ kind: 'audit', flagged: true });
    expect(decision.obligations.some((o) => o.kind === 'alert-privacy-officer')).toBe(true);
  });

  it('filterRecord keeps one item of each paramedic heading and nothing else', () => {
    const record = oneItemPerHeading();
    expect(new Set(record.map((r) => headingOf(r)))).toEqual(new Set(HEADING_IDS)); // the record covers every heading
    const { kept, withheld } = filterRecord(record, decide(request()));
    expect(kept.map((r) => headingOf(r)).sort()).toEqual([...PARAMEDIC_HEADINGS].sort());
    const hidden = HEADING_IDS.filter((h) => !(PARAMEDIC_HEADINGS as readonly string[]).includes(h));
    expect(withheld).toEqual([{ reason: 'heading-not-visible', count: hidden.length, text: expect.any(String) }]);
  });

  it('sees nothing from other organisations when the agreement does not share with ambulance services', () => {
    const policy = paramedicPolicy();
    const withoutRule = { ...policy, isa: { ...policy.isa, sharing: policy.isa.sharing.filter((rule) => rule.id !== 'emergency-response') } };
    const decision = decide(request({ policy: withoutRule }));
    // The ambulance trust's own records stay visible to its paramedics; every other source is denied by the ISA.
    const others = decision.sources.filter((s) => s.ods !== AMBULANCE_TRUST.ods);
    expect(others.map((s) => [s.effect, s.reasons[0]?.code])).toEqual(others.map(() => ['deny', 'isa-no-sharing-rule']));
    expect(filterRecord(oneItemPerHeading(), decision).kept).toEqual([]);
  });

  it('is refused to a user whose national role is not a health professional', () => {
    const decision = decide(request({ user: { ...request().user, sdsRoleCode: 'S8000:G8000:R8009' } }));
    expect(decision.effect).toBe('deny');
    expect(decision.reasons.map((r) => r.code)).toContain('role-not-qualified');
    expect(filterRecord(oneItemPerHeading(), decision).kept).toEqual([]);
  });

  it('is not the hospital clinician view: the same person sees results and letters in that role', () => {
    const decision = decide(request({ user: { ...request().user, roleId: 'hospital-clinician', organisation: { ods: 'X9A', kind: 'acute-trust' } }, relationships: [{ id: 'ed', personId: PERSON, kind: 'encounter', organisation: 'X9A', start: NOW }] }));
    expect(decision.visibleHeadings).toContain('results');
    expect(decision.visibleHeadings).toContain('documents');
  });
});
