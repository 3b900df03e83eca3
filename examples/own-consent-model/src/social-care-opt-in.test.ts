import { describe, expect, it } from 'vitest';
import {
  buildExampleIsa,
  createLocalityPolicy,
  decide,
  impliedOptOutModel,
  type ConsentModel,
  type ConsentRecord,
  type Decision,
  type DecisionUser,
  type OrganisationKind,
  type Relationship,
} from '@openidcr/governance';
import { SOCIAL_CARE_OPT_IN_MISSING, socialCareOptInModel } from './social-care-opt-in.js';

// A small locality of its own, so these tests read without the synthetic one: a practice, a trust, a council.
const organisations: Array<{ ods: string; name: string; kind: OrganisationKind }> = [
  { ods: 'Y90001', name: 'Church Lane Practice', kind: 'gp-practice' },
  { ods: 'X9A', name: 'Wells Hospitals', kind: 'acute-trust' },
  { ods: 'X9L', name: 'Somerset Adult Social Care', kind: 'local-authority' },
];
const isa = buildExampleIsa(organisations);
const policyWith = (consentModel: ConsentModel) => {
  const made = createLocalityPolicy({ isa, consentModel });
  if (!made.ok) throw new Error(made.issues.map((i) => i.message).join('\n'));
  return made.policy;
};
const implied = policyWith(impliedOptOutModel());
const ours = policyWith(socialCareOptInModel());

const NOW = '2026-11-22T10:00:00Z';
const person = 'person-1';
const gp: DecisionUser = { id: 'dr-gp', name: 'Dr Andrew Hill', roleId: 'gp', sdsRoleCode: 'R8000', organisation: { ods: 'Y90001', kind: 'gp-practice' }, activityCodes: [] };
const clinician: DecisionUser = { id: 'dr-ae', name: 'Dr Chen Li', roleId: 'hospital-clinician', sdsRoleCode: 'R8000', organisation: { ods: 'X9A', kind: 'acute-trust' }, activityCodes: [] };
const socialWorker: DecisionUser = { id: 'sw-1', name: 'Sam Patel', roleId: 'social-worker', sdsRoleCode: 'R8014', organisation: { ods: 'X9L', kind: 'local-authority' }, activityCodes: [] };
const careTeam: Relationship[] = organisations.map((o) => ({ id: `ct-${o.ods}`, personId: person, kind: 'care-team', organisation: o.ods, start: '2026-01-01T00:00:00Z' }));

const consent = (action: ConsentRecord['action'], decision: ConsentRecord['decision'], organisation: string | undefined, dateTime: string): ConsentRecord => ({
  id: `${action}-${decision}-${organisation ?? 'all'}-${dateTime}`,
  personId: person,
  status: 'active',
  action,
  decision,
  organisation,
  dateTime,
});
const optIn = consent('disclose', 'permit', 'X9L', '2026-06-01T09:00:00Z');

function decideUnder(policy: typeof ours, user: DecisionUser, consents: ConsentRecord[] = []): Decision {
  return decide({ user, purposeOfUse: 'TREAT', patient: { personId: person, registeredGpOds: 'Y90001' }, policy, consents, relationships: careTeam, now: NOW });
}
/** Each source's effect and, when denied, its reason code. */
function bySource(decision: Decision): Record<string, string> {
  return Object.fromEntries(decision.sources.map((s) => [s.ods, s.effect === 'permit' ? 'permit' : `deny ${s.reasons.map((r) => r.code).join(',')}`]));
}

describe('social care opt-in: where it differs from implied consent', () => {
  // #region test
  it('a GP does not see the council\'s social care records until the person opts in', () => {
    expect(bySource(decideUnder(implied, gp))).toMatchObject({ Y90001: 'permit', X9A: 'permit', X9L: 'permit' });
    const decision = decideUnder(ours, gp);
    expect(decision.effect).toBe('permit');
    expect(bySource(decision)).toMatchObject({ Y90001: 'permit', X9A: 'permit', X9L: `deny ${SOCIAL_CARE_OPT_IN_MISSING}` });
    expect(decision.sources.find((s) => s.ods === 'X9L')!.headings).toEqual([]);
    expect(decision.context.consentModel).toBe('social-care-opt-in');
  });
  // #endregion test

  it('a hospital clinician is health staff too', () => {
    expect(bySource(decideUnder(implied, clinician)).X9L).toBe('permit');
    expect(bySource(decideUnder(ours, clinician)).X9L).toBe(`deny ${SOCIAL_CARE_OPT_IN_MISSING}`);
  });

  it('the reason names the council and says what is missing', () => {
    const reason = decideUnder(ours, gp).sources.find((s) => s.ods === 'X9L')!.reasons[0]!;
    expect(reason.text).toBe('Somerset Adult Social Care shares social care records with health staff only when the person has agreed to it, and they have not.');
  });
});

describe('social care opt-in: where it agrees with implied consent', () => {
  it('after the opt-in, a GP sees what implied consent shows', () => {
    expect(bySource(decideUnder(ours, gp, [optIn]))).toEqual(bySource(decideUnder(implied, gp, [optIn])));
    expect(decideUnder(ours, gp, [optIn]).visibleHeadings).toEqual(decideUnder(implied, gp).visibleHeadings);
  });

  it('a later withdrawal of the opt-in closes the council\'s records again', () => {
    const withdrawn = consent('disclose', 'deny', 'X9L', '2026-09-01T09:00:00Z');
    expect(bySource(decideUnder(ours, gp, [optIn, withdrawn])).X9L).toBe(`deny ${SOCIAL_CARE_OPT_IN_MISSING}`);
  });

  it('an opt-in recorded by another organisation does not count', () => {
    expect(bySource(decideUnder(ours, gp, [consent('disclose', 'permit', 'Y90001', '2026-06-01T09:00:00Z')])).X9L).toBe(`deny ${SOCIAL_CARE_OPT_IN_MISSING}`);
  });

  it('social care staff see health records as under implied consent', () => {
    expect(bySource(decideUnder(ours, socialWorker))).toEqual(bySource(decideUnder(implied, socialWorker)));
    expect(decideUnder(ours, socialWorker).effect).toBe('permit');
  });

  it('an objection to the whole record stops both models alike, opt-in or not', () => {
    const objection = consent('share', 'deny', undefined, '2026-10-01T09:00:00Z');
    for (const policy of [implied, ours]) {
      const decision = decideUnder(policy, gp, [optIn, objection]);
      expect(decision.effect).toBe('deny');
      expect(decision.reasons.map((r) => r.code)).toEqual(['objection']);
      expect(decision.breakGlassAvailable).toBe(true);
    }
  });

  it('an objection to the council\'s sharing wins over the opt-in', () => {
    const objection = consent('share', 'deny', 'X9L', '2026-10-01T09:00:00Z');
    expect(bySource(decideUnder(ours, gp, [optIn, objection])).X9L).toBe('deny source-objection');
    expect(bySource(decideUnder(implied, gp, [optIn, objection])).X9L).toBe('deny source-objection');
  });
});
