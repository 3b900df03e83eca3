import { describe, expect, it } from 'vitest';
import type { HeadingId } from '@openidcr/model';
import { decide } from './decide.js';
import { filterRecord } from '../record/filter.js';
import type { DecisionRequest, Obligation } from './types.js';
import { requestBreakGlass, type BreakGlassGrant } from '../break-glass/break-glass.js';
import {
  ACUTE, COMMUNITY, COUNCIL, GP_A, GP_B, MENTAL_HEALTH, NOW, PERSON, RECORD, TYPICAL_RELATIONSHIPS, USERS,
  basePolicy, consent, policyWith, relationship, request,
} from './scenarios.fixtures.js';

function grant(user: { id: string; organisation: { ods: string } }, extra: Partial<BreakGlassGrant> = {}): BreakGlassGrant {
  const result = requestBreakGlass({
    id: 'bg-1', userId: user.id, personId: PERSON, organisation: user.organisation.ods, reasonCode: 'emergency-care',
    reasonText: 'Unconscious in resus, need medication history', now: '2026-11-22T09:30:00Z',
  });
  if (!result.ok) throw new Error(result.error.message);
  return { ...result.grant, ...extra };
}

const explicitPolicy = policyWith((isa) => { isa.consentModel = { kind: 'explicit-share' }; });
const explicitItemPolicy = policyWith((isa) => { isa.consentModel = { kind: 'explicit-share', itemShareOutRequired: true }; });
const activationPolicy = policyWith((isa) => {
  isa.consentModel = { kind: 'practice-activation' };
  const gpB = isa.parties.find((p) => p.ods === GP_B)!;
  delete gpB.activation;
});
const ctvPolicy = policyWith((isa) => { isa.consentModel = { kind: 'consent-to-view', maxMinutes: 480 }; });
const ctv = (answer: 'granted' | 'denied' | 'unable' | 'extended', extra: Record<string, string> = {}) => ({
  id: 'ctv-1', personId: PERSON, organisation: ACUTE, userId: USERS.ae.id, answer, recordedAt: '2026-11-22T09:00:00Z', expiresAt: '2026-11-22T13:00:00Z', ...extra,
});
const ALL: HeadingId[] = ['demographics', 'care-team', 'alerts', 'problems', 'medications', 'allergies', 'immunisations', 'results', 'encounters', 'appointments', 'referrals', 'documents', 'social-care'];

interface Expect {
  effect: 'permit' | 'deny';
  reasons?: string[];
  breakGlassAvailable?: boolean;
  headings?: HeadingId[];
  sources?: Record<string, string>;
  kept?: string[];
  hidden?: string[];
  obligations?: Obligation['kind'][];
  flagged?: boolean;
}
interface Scenario {
  name: string;
  req: DecisionRequest;
  expect: Expect;
}

const scenarios: Scenario[] = [
  {
    name: 'GP at the registered practice, implied model → permitted, sees every heading and its own sensitive items [REQ-GOV-011, REQ-GOV-012]',
    req: request(USERS.gpA),
    expect: { effect: 'permit', reasons: ['legitimate-relationship'], headings: ALL, kept: ['gp-hiv', 'gp-std-labelled', 'gp-private-letter', 'gp-very-restricted', 'acute-ae', 'council-adult-social-care'] },
  },
  {
    name: 'A&E clinician with an open A&E encounter, implied model → permitted; GP\'s HIV diagnosis withheld as sensitive [REQ-GOV-011, REQ-GOV-012]',
    req: request(USERS.ae),
    expect: { effect: 'permit', kept: ['gp-diabetes', 'gp-metformin', 'acute-ae', 'acute-troponin'], hidden: ['gp-hiv', 'gp-std-labelled', 'gp-private-letter', 'gp-very-restricted'] },
  },
  {
    name: 'A&E clinician with no legitimate relationship → denied, break-glass offered [REQ-GOV-011, REQ-GOV-017]',
    req: request(USERS.ae, { relationships: [] }),
    expect: { effect: 'deny', reasons: ['no-legitimate-relationship'], breakGlassAvailable: true, hidden: ['gp-diabetes', 'acute-ae'] },
  },
  {
    name: 'A&E clinician with no relationship uses break-glass with a reason → permitted, privacy officer alerted, audit flagged [REQ-GOV-013]',
    req: request(USERS.ae, { relationships: [], breakGlass: grant(USERS.ae) }, 'BTG'),
    expect: { effect: 'permit', reasons: ['break-glass', 'no-legitimate-relationship'], obligations: ['audit', 'alert-privacy-officer'], flagged: true, kept: ['gp-metformin'], hidden: ['gp-hiv'] },
  },
  {
    name: 'break-glass with an expired grant → denied [REQ-GOV-013]',
    req: request(USERS.ae, { relationships: [], breakGlass: grant(USERS.ae, { expiresAt: '2026-11-22T09:59:00Z' }) }, 'BTG'),
    expect: { effect: 'deny', reasons: ['break-glass-grant-invalid'], breakGlassAvailable: true },
  },
  {
    name: 'break-glass grant for a different person → denied [REQ-GOV-013]',
    req: request(USERS.ae, { relationships: [], breakGlass: grant(USERS.ae, { personId: 'someone-else' }) }, 'BTG'),
    expect: { effect: 'deny', reasons: ['break-glass-grant-invalid'] },
  },
  {
    name: 'break-glass grant used by a colleague it was not issued to → denied [REQ-GOV-013]',
    req: request({ ...USERS.ae, id: 'u-ae-colleague' }, { relationships: [], breakGlass: grant(USERS.ae) }, 'BTG'),
    expect: { effect: 'deny', reasons: ['break-glass-grant-invalid'] },
  },
  {
    name: 'receptionist tries break-glass → denied, break-glass not available to the role [REQ-GOV-013]',
    req: request(USERS.gpReceptionist, { breakGlass: grant(USERS.gpReceptionist) }, 'BTG'),
    expect: { effect: 'deny', reasons: ['break-glass-grant-invalid'], breakGlassAvailable: false },
  },
  {
    name: 'opted-out person, A&E clinician, implied model → denied, only break-glass can open it [REQ-GOV-005, REQ-GOV-017]',
    req: request(USERS.ae, { consents: [consent('share', 'deny')] }),
    expect: { effect: 'deny', reasons: ['objection'], breakGlassAvailable: true, hidden: ['acute-ae', 'gp-diabetes'] },
  },
  {
    name: 'opted-out person, safeguarding break-glass by A&E clinician → permitted with alert [REQ-GOV-005, REQ-GOV-013]',
    req: request(USERS.ae, { consents: [consent('share', 'deny')], breakGlass: grant(USERS.ae, { reasonCode: 'safeguarding' }) }, 'BTG'),
    expect: { effect: 'permit', reasons: ['break-glass', 'objection'], obligations: ['audit', 'alert-privacy-officer'], flagged: true },
  },
  {
    name: 'person opted out and later opted back in → the latest choice wins, permitted [REQ-GOV-005]',
    req: request(USERS.ae, { consents: [consent('share', 'deny', { dateTime: '2026-01-01T00:00:00Z' }), consent('share', 'permit', { dateTime: '2026-06-01T00:00:00Z' })] }),
    expect: { effect: 'permit' },
  },
  {
    name: 'objection recorded in error → ignored, permitted [REQ-GOV-005]',
    req: request(USERS.ae, { consents: [consent('share', 'deny', { status: 'entered-in-error' })] }),
    expect: { effect: 'permit' },
  },
  {
    name: 'objection to the GP practice sharing only → GP data withheld from A&E, hospital data shown, notice shown [REQ-GOV-005, REQ-GOV-012]',
    req: request(USERS.ae, { consents: [consent('share', 'deny', { organisation: GP_A })] }),
    expect: { effect: 'permit', sources: { [GP_A]: 'source-objection', [ACUTE]: 'permit', [COUNCIL]: 'permit' }, obligations: ['audit', 'show-withheld-notice'], kept: ['acute-ae'], hidden: ['gp-diabetes'] },
  },
  {
    name: 'A&E clinician, explicit model, GP did not share out → GP data denied with reason [REQ-GOV-006]',
    req: request(USERS.ae, { policy: explicitPolicy }),
    expect: { effect: 'permit', sources: { [GP_A]: 'share-out-missing', [ACUTE]: 'permit' }, hidden: ['gp-diabetes', 'gp-metformin'], kept: ['acute-ae'] },
  },
  {
    name: 'A&E clinician, explicit model, share-in consent given at A&E but GP did not share out → still denied (the GP owns the data) [REQ-GOV-006]',
    req: request(USERS.ae, { policy: explicitPolicy, consents: [consent('access', 'permit', { organisation: ACUTE })] }),
    expect: { effect: 'permit', sources: { [GP_A]: 'share-out-missing' }, hidden: ['gp-diabetes'] },
  },
  {
    name: 'A&E clinician, explicit model, GP shared out but no share-in at A&E → GP data denied until share-in is recorded [REQ-GOV-006]',
    req: request(USERS.ae, { policy: explicitPolicy, consents: [consent('disclose', 'permit', { organisation: GP_A })] }),
    expect: { effect: 'permit', sources: { [GP_A]: 'share-in-missing' }, hidden: ['gp-diabetes'] },
  },
  {
    name: 'A&E clinician, explicit model, GP shared out and share-in recorded at A&E → GP data shown [REQ-GOV-006]',
    req: request(USERS.ae, { policy: explicitPolicy, consents: [consent('disclose', 'permit', { organisation: GP_A }), consent('access', 'permit', { organisation: ACUTE })] }),
    expect: { effect: 'permit', sources: { [GP_A]: 'permit' }, kept: ['gp-diabetes', 'gp-metformin'], hidden: ['gp-private-letter'] },
  },
  {
    name: 'A&E clinician, explicit model, GP shared out, no share-in, break-glass → GP data shown (break-glass stands in for share-in) [REQ-GOV-006, REQ-GOV-013]',
    req: request(USERS.ae, { policy: explicitPolicy, consents: [consent('disclose', 'permit', { organisation: GP_A })], breakGlass: grant(USERS.ae) }, 'BTG'),
    expect: { effect: 'permit', sources: { [GP_A]: 'permit' }, kept: ['gp-diabetes'] },
  },
  {
    name: 'explicit model, break-glass does not override a missing share-out [REQ-GOV-006, REQ-GOV-013]',
    req: request(USERS.ae, { policy: explicitPolicy, breakGlass: grant(USERS.ae) }, 'BTG'),
    expect: { effect: 'permit', sources: { [GP_A]: 'share-out-missing' }, hidden: ['gp-diabetes'] },
  },
  {
    name: 'explicit model with item share-out required: community nurse sees only items flagged share-out by other organisations [REQ-GOV-006]',
    req: request(USERS.careCoordinator, {
      policy: explicitItemPolicy,
      consents: [consent('disclose', 'permit', { organisation: GP_A }), consent('access', 'permit', { organisation: COMMUNITY })],
    }),
    expect: { effect: 'permit', kept: ['community-dressing', 'community-visit'], hidden: ['gp-diabetes', 'gp-metformin'] },
  },
  {
    name: 'an item marked private by the GP is never shared, even with consent [REQ-GOV-006]',
    req: request(USERS.ae, { policy: explicitPolicy, consents: [consent('disclose', 'permit', { organisation: GP_A }), consent('access', 'permit', { organisation: ACUTE })] }),
    expect: { effect: 'permit', hidden: ['gp-private-letter'] },
  },
  {
    name: 'practice activation: a practice that has not activated shares nothing [REQ-GOV-007, REQ-REQ-003]',
    req: request(USERS.ae, { policy: activationPolicy }),
    expect: { effect: 'permit', sources: { [GP_A]: 'permit', [GP_B]: 'practice-not-activated' } },
  },
  {
    name: 'practice activation: a practice that has not activated sees nothing shared either [REQ-GOV-007]',
    req: request(USERS.gpB, { policy: activationPolicy, relationships: [relationship('care-team', GP_B)] }),
    expect: { effect: 'deny', reasons: ['viewer-not-activated'], breakGlassAvailable: false },
  },
  {
    name: 'practice activation: activated practice GP sees hospital data [REQ-GOV-007]',
    req: request(USERS.gpA, { policy: activationPolicy }),
    expect: { effect: 'permit', kept: ['acute-ae', 'acute-discharge'] },
  },
  {
    name: 'consent to view: nothing recorded yet → denied with a prompt to ask the person [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy }),
    expect: { effect: 'deny', reasons: ['consent-to-view-required'], breakGlassAvailable: true, obligations: ['audit', 'prompt-consent-to-view'] },
  },
  {
    name: 'consent to view granted at A&E this morning → permitted [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy, consentToView: ctv('granted') }),
    expect: { effect: 'permit', reasons: ['consent-to-view-granted'], kept: ['gp-diabetes'] },
  },
  {
    name: 'consent to view granted but expired → denied, ask again [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy, consentToView: ctv('granted', { expiresAt: '2026-11-22T09:30:00Z' }) }),
    expect: { effect: 'deny', reasons: ['consent-to-view-required'] },
  },
  {
    name: 'consent to view refused → denied, only break-glass [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy, consentToView: ctv('denied') }),
    expect: { effect: 'deny', reasons: ['consent-to-view-refused'], breakGlassAvailable: true },
  },
  {
    name: 'consent to view: person unconscious (unable), emergency treatment → permitted with alert [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy, consentToView: ctv('unable') }, 'ETREAT'),
    expect: { effect: 'permit', reasons: ['consent-to-view-emergency'], obligations: ['audit', 'alert-privacy-officer'] },
  },
  {
    name: 'consent to view: unable to ask, routine treatment → denied [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy, consentToView: ctv('unable') }),
    expect: { effect: 'deny', reasons: ['consent-to-view-required'] },
  },
  {
    name: 'consent to view recorded at another organisation does not count at A&E [REQ-GOV-008]',
    req: request(USERS.ae, { policy: ctvPolicy, consentToView: ctv('granted', { organisation: COMMUNITY }) }),
    expect: { effect: 'deny', reasons: ['consent-to-view-required'] },
  },
  {
    name: 'hospital pharmacist sees medications, allergies, problems and results only (with demographics to identify) [REQ-GOV-010]',
    req: request(USERS.hospitalPharmacist),
    expect: { effect: 'permit', headings: ['demographics', 'problems', 'medications', 'allergies', 'results'], kept: ['gp-metformin', 'gp-penicillin', 'gp-hba1c', 'gp-diabetes'], hidden: ['acute-ae', 'acute-discharge', 'gp-flu', 'council-adult-social-care'] },
  },
  {
    name: 'social worker sees social care involvement, medications and allergies but not results [REQ-GOV-010]',
    req: request(USERS.socialWorker),
    expect: { effect: 'permit', headings: ['demographics', 'care-team', 'alerts', 'problems', 'medications', 'allergies', 'immunisations', 'social-care'], kept: ['council-adult-social-care', 'gp-metformin', 'gp-penicillin'], hidden: ['gp-hba1c', 'acute-troponin', 'acute-ae'] },
  },
  {
    name: 'social worker (cleared for safeguarding) sees the GP\'s safeguarding alert [REQ-GOV-012]',
    req: request(USERS.socialWorker),
    expect: { effect: 'permit', kept: ['gp-safeguarding'] },
  },
  {
    name: 'A&E clinician does not see the GP\'s safeguarding alert (sensitive, not cleared) [REQ-GOV-012]',
    req: request(USERS.ae),
    expect: { effect: 'permit', hidden: ['gp-safeguarding'] },
  },
  {
    name: 'GP receptionist sees demographics, care team and appointments only [REQ-GOV-010]',
    req: request(USERS.gpReceptionist),
    expect: { effect: 'permit', headings: ['demographics', 'care-team', 'appointments'], kept: ['patient-gp', 'gp-review', 'community-visit'], hidden: ['gp-diabetes', 'gp-metformin'] },
  },
  {
    name: 'privacy officer opens a patient record → denied, audit only, no break-glass [REQ-GOV-010]',
    req: request(USERS.privacyOfficer),
    expect: { effect: 'deny', reasons: ['role-no-clinical-access'], breakGlassAvailable: false },
  },
  {
    name: 'care coordinator on the community caseload sees referrals, appointments and problems but not results or letters [REQ-GOV-010]',
    req: request(USERS.careCoordinator),
    expect: { effect: 'permit', kept: ['community-visit', 'gp-diabetes', 'acute-ae'], hidden: ['gp-hba1c', 'acute-discharge'] },
  },
  {
    name: 'mental health clinician sees the GP-recorded depression (cleared for PSY); A&E would not [REQ-GOV-012]',
    req: request(USERS.mentalHealth),
    expect: { effect: 'permit', kept: ['gp-depression', 'mh-schizophrenia'], hidden: ['gp-hiv'] },
  },
  {
    name: 'A&E clinician does not see mental health diagnoses from the mental health trust (PSY) [REQ-GOV-012]',
    req: request(USERS.ae),
    expect: { effect: 'permit', kept: ['mh-contact'], hidden: ['mh-schizophrenia', 'gp-depression'] },
  },
  {
    name: 'suspended party\'s data is never shown [REQ-GOV-004, REQ-REQ-003]',
    req: request(USERS.gpA, { policy: policyWith((isa) => { isa.parties.find((p) => p.ods === MENTAL_HEALTH)!.status = 'suspended'; }) }),
    expect: { effect: 'permit', sources: { [MENTAL_HEALTH]: 'source-party-not-active' }, hidden: ['mh-contact', 'mh-schizophrenia'], obligations: ['audit', 'show-withheld-notice'] },
  },
  {
    name: 'user at a suspended party sees nothing [REQ-GOV-004]',
    req: request(USERS.mentalHealth, { policy: policyWith((isa) => { isa.parties.find((p) => p.ods === MENTAL_HEALTH)!.status = 'suspended'; }) }),
    expect: { effect: 'deny', reasons: ['viewer-party-not-active'], breakGlassAvailable: false },
  },
  {
    name: 'organisation outside the agreement → denied [REQ-GOV-004]',
    req: request({ ...USERS.ae, organisation: { ods: 'R1H', kind: 'acute-trust' } }),
    expect: { effect: 'deny', reasons: ['viewer-not-party'] },
  },
  {
    name: 'sealed record → denied to everyone, even with break-glass [REQ-GOV-009]',
    req: request(USERS.ae, { patient: { personId: PERSON, registeredGpOds: GP_A, sealed: true }, breakGlass: grant(USERS.ae) }, 'BTG'),
    expect: { effect: 'deny', reasons: ['patient-sealed'], breakGlassAvailable: false },
  },
  {
    name: 'restricted record → denied, even to the registered GP through the shared record [REQ-GOV-009]',
    req: request(USERS.gpA, { patient: { personId: PERSON, registeredGpOds: GP_A, restricted: true } }),
    expect: { effect: 'deny', reasons: ['patient-restricted'] },
  },
  {
    name: 'sensitive item hidden from everyone but its originating organisation: GP at another practice does not see the HIV diagnosis [REQ-GOV-012]',
    req: request(USERS.gpB, { relationships: [relationship('care-team', GP_B)] }),
    expect: { effect: 'permit', kept: ['gp-diabetes'], hidden: ['gp-hiv', 'gp-std-labelled'] },
  },
  {
    name: 'IVF, termination of pregnancy and gender reassignment recorded by the GP are hidden from the hospital [REQ-GOV-012]',
    req: request(USERS.ae),
    expect: { effect: 'permit', kept: ['gp-diabetes'], hidden: ['gp-ivf', 'gp-termination', 'gp-gender'] },
  },
  {
    name: 'the same sexual health items stay visible to the practice that recorded them [REQ-GOV-012]',
    req: request(USERS.gpA),
    expect: { effect: 'permit', kept: ['gp-ivf', 'gp-termination', 'gp-gender'] },
  },
  {
    name: 'very restricted (V) item is shown only at source [REQ-GOV-012]',
    req: request(USERS.mentalHealth),
    expect: { effect: 'permit', hidden: ['gp-very-restricted'] },
  },
  {
    name: 'National Data Opt-out does not affect direct care → permitted [REQ-GOV-009]',
    req: request(USERS.ae, { patient: { personId: PERSON, registeredGpOds: GP_A, nationalDataOptOut: true } }),
    expect: { effect: 'permit' },
  },
  {
    name: 'National Data Opt-out applies to planning use covered by the agreement → denied [REQ-GOV-009]',
    req: request(USERS.ae, {
      patient: { personId: PERSON, registeredGpOds: GP_A, nationalDataOptOut: true },
      policy: policyWith((isa) => {
        isa.purposes.push({ id: 'planning', title: 'Planning', description: 'Service planning.', direct: false, purposesOfUse: ['HOPERAT'], optOut: 'national-data-opt-out' });
      }),
    }, 'HOPERAT'),
    expect: { effect: 'deny', reasons: ['national-data-opt-out'], breakGlassAvailable: false },
  },
  {
    name: 'research purpose not covered by a direct care agreement → denied [REQ-GOV-004]',
    req: request(USERS.ae, {}, 'HRESCH'),
    expect: { effect: 'deny', reasons: ['purpose-not-covered'] },
  },
  {
    name: 'agreement past its end date → denied [REQ-GOV-004]',
    req: request(USERS.ae, { policy: policyWith((isa) => { isa.validTo = '2026-10-31'; }) }),
    expect: { effect: 'deny', reasons: ['isa-not-in-force'] },
  },
  {
    name: 'agreement suspended → denied [REQ-GOV-004]',
    req: request(USERS.gpA, { policy: policyWith((isa) => { isa.status = 'suspended'; }) }),
    expect: { effect: 'deny', reasons: ['isa-not-in-force'] },
  },
  {
    name: 'community nurse declares a relationship with a reason → permitted, reviewed by the privacy officer [REQ-GOV-011]',
    req: request(USERS.communityNurse, {
      relationships: [relationship('self-declared', COMMUNITY, { userId: USERS.communityNurse.id, reason: 'Unplanned home visit requested by family', end: '2026-11-22T18:00:00Z' })],
    }),
    expect: { effect: 'permit', reasons: ['self-declared-relationship'], obligations: ['audit', 'alert-privacy-officer'], flagged: true },
  },
  {
    name: 'a pharmacist cannot declare a relationship: the declared one is ignored [REQ-GOV-011]',
    req: request(USERS.hospitalPharmacist, {
      relationships: [relationship('self-declared', ACUTE, { userId: USERS.hospitalPharmacist.id, reason: 'Asked to check discharge medicines', end: '2026-11-22T18:00:00Z' })],
    }),
    expect: { effect: 'deny', reasons: ['no-legitimate-relationship'], breakGlassAvailable: false },
  },
  {
    name: 'a declared relationship that has expired gives no access [REQ-GOV-011]',
    req: request(USERS.communityNurse, {
      relationships: [relationship('self-declared', COMMUNITY, { userId: USERS.communityNurse.id, reason: 'Unplanned home visit requested by family', end: '2026-11-21T18:00:00Z' })],
    }),
    expect: { effect: 'deny', reasons: ['no-legitimate-relationship'], breakGlassAvailable: true },
  },
  {
    name: 'an A&E encounter gives A&E a relationship, not the community nurse [REQ-GOV-011]',
    req: request(USERS.communityNurse, { relationships: [relationship('encounter', ACUTE)] }),
    expect: { effect: 'deny', reasons: ['no-legitimate-relationship'] },
  },
  {
    name: 'a closed hospital episode gives no relationship [REQ-GOV-011]',
    req: request(USERS.ae, { relationships: [relationship('encounter', ACUTE, { start: '2026-10-01T08:00:00Z', end: '2026-10-03T08:00:00Z' })] }),
    expect: { effect: 'deny', reasons: ['no-legitimate-relationship'] },
  },
  {
    name: 'receptionist claiming the GP role without a clinical SDS role → denied [REQ-GOV-018]',
    req: request({ ...USERS.gpReceptionist, roleId: 'gp' }),
    expect: { effect: 'deny', reasons: ['role-not-qualified'] },
  },
  {
    name: 'role the locality has not defined → denied [REQ-GOV-010]',
    req: request({ ...USERS.ae, roleId: 'porter' }),
    expect: { effect: 'deny', reasons: ['role-unknown'] },
  },
  {
    name: 'council staff in a role the agreement does not name → no health data, council data only [REQ-GOV-004]',
    req: request({ ...USERS.socialWorker, id: 'u-council-nurse', roleId: 'nurse', sdsRoleCode: 'R8001' }),
    expect: { effect: 'permit', sources: { [GP_A]: 'isa-no-sharing-rule', [ACUTE]: 'isa-no-sharing-rule', [COUNCIL]: 'permit' }, kept: ['council-adult-social-care'], hidden: ['gp-diabetes'] },
  },
  {
    name: 'an item whose source organisation cannot be told is withheld [REQ-GOV-004]',
    req: request(USERS.gpA),
    expect: { effect: 'permit', hidden: ['no-source', 'consent-resource'], kept: ['org-acute'] },
  },
  {
    name: 'hospital data reaches the council social worker only for headings the agreement lets the hospital share [REQ-GOV-004]',
    req: request(USERS.socialWorker),
    expect: { effect: 'permit', sources: { [ACUTE]: 'permit' }, hidden: ['acute-ae', 'acute-discharge'] },
  },
];

function sourceOutcome(decision: ReturnType<typeof decide>, ods: string): string | undefined {
  const s = decision.sources.find((x) => x.ods === ods);
  if (!s) return undefined;
  return s.effect === 'permit' ? 'permit' : s.reasons[0]?.code;
}

describe('decision table: real-practice scenarios [REQ-GOV-017]', () => {
  it('has at least 40 named scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(40);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    const decision = decide(scenario.req);
    const e = scenario.expect;
    expect(decision.effect).toBe(e.effect);
    expect(decision.reasons.length).toBeGreaterThan(0);
    for (const reason of decision.reasons) expect(reason.text.length).toBeGreaterThan(10);
    const codes = decision.reasons.map((r) => r.code);
    for (const code of e.reasons ?? []) expect(codes).toContain(code);
    if (e.breakGlassAvailable !== undefined) expect(decision.breakGlassAvailable).toBe(e.breakGlassAvailable);
    if (e.headings) expect(decision.visibleHeadings).toEqual(e.headings);
    for (const [ods, outcome] of Object.entries(e.sources ?? {})) expect(`${ods}:${sourceOutcome(decision, ods)}`).toBe(`${ods}:${outcome}`);
    if (e.obligations) expect(decision.obligations.map((o) => o.kind)).toEqual(e.obligations);
    if (e.flagged !== undefined) expect(decision.obligations.find((o) => o.kind === 'audit')).toEqual({ kind: 'audit', flagged: e.flagged });
    if (e.effect === 'deny') {
      expect(decision.visibleHeadings).toEqual([]);
      expect(decision.sources).toEqual([]);
    }
    const { kept, withheldTotal } = filterRecord(RECORD, decision);
    const keptIds = new Set(kept.map((r) => r.id));
    for (const id of e.kept ?? []) expect(`${id}:${keptIds.has(id)}`).toBe(`${id}:true`);
    for (const id of e.hidden ?? []) expect(`${id}:${keptIds.has(id)}`).toBe(`${id}:false`);
    expect(kept.length + withheldTotal).toBe(RECORD.length);
    if (e.effect === 'deny') expect(kept).toEqual([]);
  });
});

describe('decide is pure and deterministic [REQ-GOV-019]', () => {
  it('gives the same answer for the same request and does not change its input', () => {
    const req = request(USERS.ae, { consents: [consent('share', 'deny', { organisation: GP_A })] });
    const before = JSON.stringify(req.relationships) + JSON.stringify(req.consents) + JSON.stringify(req.policy.isa);
    const first = decide(req);
    const second = decide({ ...req, consents: structuredClone(req.consents), relationships: structuredClone(req.relationships) });
    expect(second).toEqual(first);
    expect(JSON.stringify(req.relationships) + JSON.stringify(req.consents) + JSON.stringify(req.policy.isa)).toBe(before);
  });

  it('depends on `now` only through the request', () => {
    const early = decide(request(USERS.ae, { now: '2026-11-22T08:00:00Z' }));
    const late = decide(request(USERS.ae, { now: NOW }));
    expect(early.effect).toBe('deny'); // the A&E encounter starts at 08:30
    expect(late.effect).toBe('permit');
  });

  it('an unparseable `now` is denied, not permitted', () => {
    expect(decide(request(USERS.gpA, { now: 'yesterday' })).effect).toBe('deny');
  });

  it('records the policy applied and the relationship in the context', () => {
    const decision = decide(request(USERS.ae));
    expect(decision.context.policyRef).toBe('northshire-direct-care|1.0');
    expect(decision.context.relationship?.kind).toBe('encounter');
    expect(decision.context.consentModel).toBe('implied-opt-out');
  });
});

describe('typical relationships fixture', () => {
  it('covers the four services', () => {
    expect(TYPICAL_RELATIONSHIPS.map((r) => r.organisation)).toEqual([ACUTE, MENTAL_HEALTH, COMMUNITY, COUNCIL]);
    expect(basePolicy.isa.parties).toHaveLength(8);
  });
});
