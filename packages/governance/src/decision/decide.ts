import type { HeadingId } from '@openidcr/model';
import { headingIds } from '@openidcr/model';
import { compilePolicy } from '../locality/policy.js';
import { roleQualifies, type RoleDefinition } from '../roles/roles.js';
import { findRelationship } from '../relationship/relationship.js';
import { breakGlassGrantValid } from '../break-glass/break-glass.js';
import type { ConsentFinding } from '../consent/models.js';
import type { Decision, DecisionContext, DecisionRequest, Obligation, Reason, RedactionRules, SourcePermission } from './types.js';

const NO_REDACTION_CLEARANCE: RedactionRules['clearedSensitivities'] = [];

/**
 * The policy decision point: a pure, deterministic function of the request (no I/O, no clock).
 *
 * Order (governance.md §3): role and qualification → purpose and ISA → viewer party → sealed/restricted →
 * break-glass → consent model (objection, share-in, consent-to-view) → legitimate relationship → per-source ISA and
 * consent → role view. Break-glass sets aside only objection, missing relationship and missing consent-to-view or
 * share-in; never the ISA, a source's share-out, a sealed or restricted record, or item-level redaction.
 */
export function decide(request: DecisionRequest): Decision {
  const { user, patient, purposeOfUse, policy } = request;
  const now = Date.parse(request.now);
  const compiled = compilePolicy(policy);
  const role = compiled.roles.get(user.roleId);
  const context: DecisionContext = {
    userId: user.id,
    userName: user.name,
    roleId: user.roleId,
    sdsRoleCode: user.sdsRoleCode,
    organisation: user.organisation,
    purposeOfUse,
    personId: patient.personId,
    policyRef: compiled.policyRef,
    consentModel: policy.consentModel.kind,
    decidedAt: request.now,
  };
  const redaction: RedactionRules = {
    viewerOds: user.organisation.ods,
    clearedSensitivities: role?.clearedSensitivities ?? NO_REDACTION_CLEARANCE,
    maxConfidentiality: role?.maxConfidentiality ?? 'N',
    requireShareOutFlag: false,
  };
  const deny = (reasons: Reason[], breakGlassAvailable = false, extra: Obligation[] = []): Decision => ({
    effect: 'deny',
    reasons,
    visibleHeadings: [],
    sources: [],
    redaction,
    breakGlassAvailable,
    breakGlassUsed: false,
    obligations: [{ kind: 'audit', flagged: false }, ...extra],
    context,
  });

  if (Number.isNaN(now)) return deny([{ code: 'isa-not-in-force', text: 'The decision time is not a valid date-time.' }]);
  if (!role) return deny([{ code: 'role-unknown', text: `The role "${user.roleId}" is not defined in this locality.` }]);
  if (!roleQualifies(role, user))
    return deny([{ code: 'role-not-qualified', text: `${role.title}: the user's NHS role (${user.sdsRoleCode ?? 'none'}) and activity codes do not qualify for this role.` }]);
  if (!role.clinicalAccess) return deny([{ code: 'role-no-clinical-access', text: `${role.title}s see the audit log and alerts, not patient records.` }]);

  const purpose = compiled.purposeFor(purposeOfUse);
  if (!purpose) return deny([{ code: 'purpose-not-covered', text: `The sharing agreement does not cover the purpose ${purposeOfUse}.` }]);
  if (!purpose.direct && patient.nationalDataOptOut)
    return deny([{ code: 'national-data-opt-out', text: 'The person has registered a National Data Opt-out, which applies to this purpose (not direct care).' }]);
  if (!compiled.isaInForce(now)) return deny([{ code: 'isa-not-in-force', text: 'The information sharing agreement is not in force at this time.' }]);

  const viewer = compiled.parties.get(user.organisation.ods);
  if (!viewer) return deny([{ code: 'viewer-not-party', text: `${user.organisation.ods} is not a party to the information sharing agreement.` }]);
  if (!viewer.active) return deny([{ code: 'viewer-party-not-active', text: `${viewer.party.name} is ${viewer.party.status} under the agreement, not active.` }]);

  if (patient.sealed) return deny([{ code: 'patient-sealed', text: 'This record is sealed and is never shared.' }]);
  if (patient.restricted) return deny([{ code: 'patient-restricted', text: 'This record is restricted and is never shared.' }]);

  // Break-glass: purpose BTG needs a valid grant for this user, person and organisation.
  let breakGlassUsed = false;
  if (purposeOfUse === 'BTG') {
    const grant = request.breakGlass;
    if (!role.mayBreakGlass) return deny([{ code: 'break-glass-grant-invalid', text: `${role.title}s may not use break-glass.` }]);
    if (!grant || !breakGlassGrantValid(grant, user, patient.personId, now))
      return deny([{ code: 'break-glass-grant-invalid', text: 'There is no valid break-glass grant for this user and person (missing, expired or for someone else).' }], true);
    breakGlassUsed = true;
    context.breakGlass = { grantId: grant.id, reasonCode: grant.reasonCode, reasonText: grant.reasonText };
  }

  const assessment = policy.consentModel.assess({
    userId: user.id,
    viewer: viewer.consentParty,
    purposeOfUse,
    patient,
    consents: request.consents,
    consentToView: request.consentToView,
    now,
  });

  const blocking: ConsentFinding[] = [...assessment.blocks];
  let relationshipSelfDeclared = false;
  if (role.requiresLegitimateRelationship) {
    const relationship = findRelationship(request.relationships, user, patient, now, { acceptSelfDeclared: role.mayDeclareRelationship });
    if (relationship) {
      context.relationship = relationship;
      relationshipSelfDeclared = relationship.kind === 'self-declared';
    } else {
      blocking.push({ code: 'no-legitimate-relationship', text: 'There is no current legitimate relationship (registration, encounter, episode, care team or referral) between you and this person.', breakGlassOverrides: true });
    }
  }
  const hard = blocking.filter((f) => !f.breakGlassOverrides);
  if (hard.length > 0) return deny(hard.map(toReason));
  if (blocking.length > 0 && !breakGlassUsed) {
    const obligations: Obligation[] = assessment.obligations.filter((o) => o.kind === 'prompt-consent-to-view');
    return deny(blocking.map(toReason), role.mayBreakGlass, obligations);
  }

  // Per source organisation: the ISA view (party status, sharing rules, role) is memoised; consent is applied on top.
  const view = compiled.view(user.organisation, role, purpose);
  let sources = view.sources;
  let visibleHeadings = view.visibleHeadings;
  let anySourceDenied = view.anyDenied;
  let changed: SourcePermission[] | undefined;
  for (const index of view.consentChecked) {
    const permission = sources[index]!;
    const party = compiled.parties.get(permission.ods)!;
    const finding = assessment.sourceFinding(party.consentParty);
    if (!finding || (finding.breakGlassOverrides && breakGlassUsed)) continue;
    changed ??= [...view.sources];
    changed[index] = deniedBy(finding, permission);
  }
  if (changed) {
    sources = changed;
    anySourceDenied = true;
    visibleHeadings = headingsOf(changed);
  }
  if (visibleHeadings.length === 0) return deny([{ code: 'no-visible-heading', text: `${role.title}s may see no heading of this record.` }]);

  const reasons: Reason[] = [{ code: 'shared-under-isa', text: `Permitted for ${purpose.title.toLowerCase()} under the sharing agreement ${compiled.policyRef}.` }];
  const obligations: Obligation[] = [{ kind: 'audit', flagged: breakGlassUsed || relationshipSelfDeclared }];
  if (context.relationship)
    reasons.push(
      relationshipSelfDeclared
        ? { code: 'self-declared-relationship', text: 'You declared a legitimate relationship with this person; this access will be reviewed.' }
        : { code: 'legitimate-relationship', text: `Legitimate relationship: ${context.relationship.kind}.` },
    );
  if (breakGlassUsed) {
    reasons.push({ code: 'break-glass', text: `Break-glass access: ${context.breakGlass?.reasonText ?? ''}`.trim() });
    for (const finding of blocking) reasons.push({ code: finding.code, text: `Set aside by break-glass: ${finding.text}` });
    obligations.push({ kind: 'alert-privacy-officer', reason: 'break-glass', text: `Break-glass access by ${user.name} (${role.title}, ${viewer.party.name}).` });
  }
  if (relationshipSelfDeclared)
    obligations.push({ kind: 'alert-privacy-officer', reason: 'self-declared-relationship', text: `Self-declared relationship used by ${user.name} (${role.title}, ${viewer.party.name}).` });
  reasons.push(...assessment.reasons);
  for (const obligation of assessment.obligations) if (obligation.kind !== 'prompt-consent-to-view') obligations.push(obligation);
  if (anySourceDenied)
    obligations.push({ kind: 'show-withheld-notice', text: 'Some organisations\' records are not shown to you. The person\'s care may depend on information you cannot see.' });

  return {
    effect: 'permit',
    reasons,
    visibleHeadings,
    sources,
    redaction: { ...redaction, requireShareOutFlag: assessment.requireItemShareOut },
    breakGlassAvailable: false,
    breakGlassUsed,
    obligations,
    context,
  };
}

const deniedMemo = new WeakMap<ConsentFinding, Map<string, SourcePermission>>();
/** The denied permission for a source, built once per (finding, source) when the finding is a shared object. */
function deniedBy(finding: ConsentFinding, permission: SourcePermission): SourcePermission {
  let byOds = deniedMemo.get(finding);
  if (!byOds) deniedMemo.set(finding, (byOds = new Map()));
  let denied = byOds.get(permission.ods);
  if (!denied) {
    denied = Object.freeze({
      ods: permission.ods,
      name: permission.name,
      effect: 'deny' as const,
      headings: Object.freeze([]) as readonly HeadingId[],
      reasons: Object.freeze([Object.freeze({ code: finding.code, text: finding.text, organisation: permission.ods })]),
    });
    byOds.set(permission.ods, denied);
  }
  return denied;
}

// Bits follow the registry, which only grows (registerHeading in @openidcr/model): rebuilt when it has grown.
let bitsFor: readonly HeadingId[] = [];
let headingBit = new Map<HeadingId, number>();
let maskMemo = new WeakMap<SourcePermission, number>();
const headingsByMask = new Map<number, readonly HeadingId[]>();
/** The union of permitted sources' headings, in registry order (a bit mask per permission, memoised). */
function headingsOf(sources: readonly SourcePermission[]): readonly HeadingId[] {
  const ids = headingIds();
  if (ids !== bitsFor) {
    bitsFor = ids;
    headingBit = new Map(ids.map((h, i) => [h, 1 << i]));
    maskMemo = new WeakMap();
    headingsByMask.clear();
  }
  let mask = 0;
  for (const source of sources) {
    if (source.effect !== 'permit') continue;
    let bits = maskMemo.get(source);
    if (bits === undefined) {
      bits = 0;
      for (const h of source.headings) bits |= headingBit.get(h)!;
      maskMemo.set(source, bits);
    }
    mask |= bits;
  }
  let headings = headingsByMask.get(mask);
  if (!headings) headingsByMask.set(mask, (headings = Object.freeze(ids.filter((h) => (mask & headingBit.get(h)!) !== 0))));
  return headings;
}

function toReason(finding: ConsentFinding): Reason {
  return { code: finding.code, text: finding.text };
}

/** True when the role may see the heading at all, whatever the record holds (for menus and admin screens). */
export function roleSeesHeading(role: RoleDefinition, heading: HeadingId): boolean {
  return role.headings.includes(heading);
}
