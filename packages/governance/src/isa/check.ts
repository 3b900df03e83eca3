import type { Isa } from './schema.js';
import type { RoleDefinition } from '../roles/roles.js';

/** A contradiction or gap in an ISA. Errors block enforcement-as-intended; warnings need a person to look. */
export interface IsaIssue {
  severity: 'error' | 'warning';
  code: IsaIssueCode;
  /** Where in the ISA, e.g. `sharing[2].legalBases`. */
  path: string;
  message: string;
}

export type IsaIssueCode =
  | 'duplicate-party'
  | 'duplicate-id'
  | 'sharing-unknown-party'
  | 'sharing-without-legal-basis'
  | 'sharing-unknown-legal-basis'
  | 'sharing-unknown-purpose'
  | 'sharing-no-recipients'
  | 'sharing-unknown-role'
  | 'sharing-party-not-active'
  | 'party-shares-nothing'
  | 'active-party-not-signed'
  | 'active-party-without-activation'
  | 'activation-in-future'
  | 'no-direct-care-basis'
  | 'indirect-purpose-without-opt-out'
  | 'direct-purpose-without-objection'
  | 'review-date-passed'
  | 'agreement-expired'
  | 'agreement-not-yet-valid'
  | 'valid-to-before-valid-from'
  | 'no-active-parties'
  | 'audit-retention-short'
  | 'breach-notification-late'
  | 'no-security-measures'
  | 'no-fair-processing-commitments';

/**
 * Find contradictions and gaps in an ISA at `now` (ISO date-time). Pass the locality's roles to check role names in
 * recipient groups. Pure.
 */
export function checkIsa(isa: Isa, now: string, options: { roles?: readonly RoleDefinition[] } = {}): IsaIssue[] {
  const issues: IsaIssue[] = [];
  const add = (severity: IsaIssue['severity'], code: IsaIssueCode, path: string, message: string): void => {
    issues.push({ severity, code, path, message: `${path}: ${message}` });
  };
  const at = Date.parse(now);
  const today = Number.isNaN(at) ? '' : new Date(at).toISOString().slice(0, 10);

  const partyByOds = new Map<string, Isa['parties'][number]>();
  isa.parties.forEach((party, i) => {
    if (partyByOds.has(party.ods)) add('error', 'duplicate-party', `parties[${i}].ods`, `${party.ods} is listed more than once`);
    partyByOds.set(party.ods, party);
    if (party.status === 'active' && !party.signatory?.signedOn)
      add('error', 'active-party-not-signed', `parties[${i}].signatory`, `${party.name} is active but has no signatory with a signing date`);
    if (party.status === 'active' && isa.consentModel.kind === 'practice-activation' && !party.activation)
      add('warning', 'active-party-without-activation', `parties[${i}].activation`, `${party.name} is active but has not activated sharing in its system, so under practice activation its data does not flow`);
    if (party.activation && Date.parse(party.activation.at) > at)
      add('warning', 'activation-in-future', `parties[${i}].activation.at`, `${party.name} activates on ${party.activation.at}, after today`);
  });
  if (!isa.parties.some((p) => p.status === 'active')) add('warning', 'no-active-parties', 'parties', 'no party is active, so nothing is shared');

  for (const [list, name] of [
    [isa.purposes, 'purposes'],
    [isa.legalBases, 'legalBases'],
    [isa.sharing, 'sharing'],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) add('error', 'duplicate-id', `${name}[${i}].id`, `"${item.id}" is used twice`);
      seen.add(item.id);
    });
  }

  const legalBasisIds = new Set(isa.legalBases.map((b) => b.id));
  const purposeById = new Map(isa.purposes.map((p) => [p.id, p]));
  const roleIds = options.roles ? new Set(options.roles.map((r) => r.id)) : undefined;
  const sharingParties = new Set<string>();
  isa.sharing.forEach((rule, i) => {
    const path = `sharing[${i}]`;
    rule.from.forEach((ods, j) => {
      const party = partyByOds.get(ods);
      sharingParties.add(ods);
      if (!party) add('error', 'sharing-unknown-party', `${path}.from[${j}]`, `${ods} shares data but is not a party to the agreement`);
      else if (party.status !== 'active')
        add('warning', 'sharing-party-not-active', `${path}.from[${j}]`, `${party.name} is named as sharing but is ${party.status}, so its data does not flow`);
    });
    if (rule.legalBases.length === 0)
      add('error', 'sharing-without-legal-basis', `${path}.legalBases`, `${rule.headings.join(', ')} shared with no legal basis; this rule is not enforced`);
    rule.legalBases.forEach((id, j) => {
      if (!legalBasisIds.has(id)) add('error', 'sharing-unknown-legal-basis', `${path}.legalBases[${j}]`, `"${id}" is not one of the agreement's legal bases`);
    });
    rule.purposes.forEach((id, j) => {
      if (!purposeById.has(id)) add('error', 'sharing-unknown-purpose', `${path}.purposes[${j}]`, `"${id}" is not one of the agreement's purposes`);
    });
    if (rule.to.length === 0) add('error', 'sharing-no-recipients', `${path}.to`, 'shares with nobody');
    if (roleIds)
      rule.to.forEach((recipient, j) =>
        recipient.roles?.forEach((role, k) => {
          if (!roleIds.has(role)) add('error', 'sharing-unknown-role', `${path}.to[${j}].roles[${k}]`, `"${role}" is not a role in this locality`);
        }),
      );
  });
  isa.parties.forEach((party, i) => {
    if (party.status === 'active' && !sharingParties.has(party.ods))
      add('warning', 'party-shares-nothing', `parties[${i}]`, `${party.name} is active but no sharing rule lists it as a source`);
  });

  const kinds = new Set(isa.legalBases.map((b) => b.kind));
  isa.purposes.forEach((purpose, i) => {
    if (purpose.direct) {
      if (!kinds.has('uk-gdpr-6-1-e') || !kinds.has('uk-gdpr-9-2-h'))
        add('error', 'no-direct-care-basis', `purposes[${i}]`, 'direct care needs UK GDPR Article 6(1)(e) and Article 9(2)(h) among the legal bases');
      if (purpose.optOut === 'none')
        add('warning', 'direct-purpose-without-objection', `purposes[${i}].optOut`, 'people should be able to object to sharing for direct care (local objection)');
    } else if (purpose.optOut !== 'national-data-opt-out') {
      add('error', 'indirect-purpose-without-opt-out', `purposes[${i}].optOut`, `"${purpose.title}" is not direct care, so the National Data Opt-out must be applied`);
    }
  });

  if (isa.validTo && isa.validTo < isa.validFrom) add('error', 'valid-to-before-valid-from', 'validTo', `${isa.validTo} is before validFrom ${isa.validFrom}`);
  if (today && isa.validTo && isa.validTo < today) add('error', 'agreement-expired', 'validTo', `the agreement ended on ${isa.validTo}`);
  if (today && isa.validFrom > today) add('warning', 'agreement-not-yet-valid', 'validFrom', `the agreement starts on ${isa.validFrom}`);
  if (today && isa.reviewDate < today) add('warning', 'review-date-passed', 'reviewDate', `the review was due on ${isa.reviewDate}`);
  if (isa.retention.auditLogYears < 3) add('warning', 'audit-retention-short', 'retention.auditLogYears', 'keep access logs for at least 3 years');
  if (isa.breachNotificationHours > 72) add('warning', 'breach-notification-late', 'breachNotificationHours', 'the ICO must be told of a reportable breach within 72 hours');
  if (isa.security.measures.length === 0) add('error', 'no-security-measures', 'security.measures', 'list the security measures every partner keeps');
  if (isa.fairProcessing.commitments.length === 0) add('warning', 'no-fair-processing-commitments', 'fairProcessing.commitments', 'say how people will be told about the sharing');
  return issues;
}
