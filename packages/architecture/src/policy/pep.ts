import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ODS_CODE_SYSTEM, type ResourceLike } from '@openidcr/model';
import {
  RelationshipSchema,
  auditEventFor,
  consentFromFhir,
  decide,
  filterRecord,
  type BreakGlassGrant,
  type ConsentRecord,
  type Decision,
  type DecisionUser,
  type FilteredRecord,
  type LocalityPolicy,
  type Obligation,
  type Relationship,
} from '@openidcr/governance';
import type { LegitimateRelationship, RecordStore, StoredConsent } from '@openidcr/store';
import type { AuthenticatedUser } from '../auth/tokens.js';
import type { AuditSink } from './audit.js';

/** The governance data the policy point reads: a person's consents and the legitimate relationships with them. */
export type GovernanceReader = Pick<RecordStore, 'listConsents' | 'findRelationships'>;

/** Break-glass grants in force. In memory by default: a grant lasts hours at most, and a restart asks again. */
export interface BreakGlassGrants {
  put(grant: BreakGlassGrant): Promise<void>;
  /** The grant in force for this user and person at `now` (epoch ms), if any. */
  find(userId: string, personId: string, now: number): Promise<BreakGlassGrant | undefined>;
}

export function inMemoryGrants(): BreakGlassGrants {
  const grants = new Map<string, BreakGlassGrant>();
  return {
    async put(grant) {
      grants.set(`${grant.userId}\u0000${grant.personId}`, grant);
    },
    async find(userId, personId, now) {
      const key = `${userId}\u0000${personId}`;
      const grant = grants.get(key);
      if (!grant) return undefined;
      if (Date.parse(grant.expiresAt) <= now) {
        grants.delete(key);
        return undefined;
      }
      return grant;
    },
  };
}

/** A privacy-officer alert raised by a decision (break-glass, self-declared relationship). */
export interface PolicyAlert {
  reason: string;
  text: string;
  userId: string;
  personId: string;
  at: string;
}

export interface PolicyPointDeps {
  policy: LocalityPolicy;
  governance: GovernanceReader;
  audit: AuditSink;
  grants: BreakGlassGrants;
  clock: () => Date;
  logger: Logger;
  onAlert?: ((alert: PolicyAlert) => void) | undefined;
}

/** A person's consents and legitimate relationships, as the policy reads them. */
export interface PolicyInputs {
  patientKey: string;
  consents: ConsentRecord[];
  relationships: Relationship[];
}

/** The person a request is about, as the record source knows them. */
export interface PatientScope {
  patientKey: string;
  /** The person's Patient resources (one per source): the registered GP is read from them. */
  patients: readonly ResourceLike[];
}

const REFERENCE_ODS = /^Organization\/([A-Z0-9]{3,6})$/;

/** The registered GP practice (ODS) of a person, from the `generalPractitioner` of their Patient resources. */
export function registeredGpOf(patients: readonly ResourceLike[]): string | undefined {
  for (const patient of patients) {
    const gps = Array.isArray(patient.generalPractitioner) ? (patient.generalPractitioner as Array<Record<string, unknown>>) : [];
    for (const gp of gps) {
      const identifier = gp?.identifier as { system?: unknown; value?: unknown } | undefined;
      if (identifier?.system === ODS_CODE_SYSTEM && typeof identifier.value === 'string') return identifier.value;
      const reference = typeof gp?.reference === 'string' ? REFERENCE_ODS.exec(gp.reference) : null;
      if (reference) return reference[1];
    }
  }
  return undefined;
}

/** The decision's user, from the token. */
export function decisionUserOf(user: AuthenticatedUser): DecisionUser {
  if (!user.organisation) throw new Error('a professional user has an organisation');
  return {
    id: user.id,
    name: user.name,
    roleId: user.roleId,
    sdsRoleCode: user.sdsRoleCode,
    organisation: user.organisation,
    activityCodes: user.activityCodes,
  };
}

/**
 * The policy enforcement point's core: gathers what `decide` needs (consents, relationships, a break-glass grant in
 * force) for one user and one person, decides, filters, and writes the audit event. HTTP lives elsewhere.
 */
export class PolicyPoint {
  readonly #deps: PolicyPointDeps;

  constructor(deps: PolicyPointDeps) {
    this.#deps = deps;
  }

  get clock(): () => Date {
    return this.#deps.clock;
  }

  /** Reads what a decision about this person needs from the store: their consents and legitimate relationships. */
  async inputs(patientKey: string): Promise<PolicyInputs> {
    const now = this.#deps.clock().toISOString();
    const [stored, links] = await Promise.all([
      this.#deps.governance.listConsents(patientKey),
      this.#deps.governance.findRelationships({ patientKey, at: now }),
    ]);
    return this.inputsFrom(patientKey, stored, links);
  }

  /**
   * The decision inputs from a person's stored consents and the legitimate relationships in force now, read by the
   * caller (e.g. with the record, in one query); what the policy cannot understand is logged and ignored.
   */
  inputsFrom(patientKey: string, stored: readonly StoredConsent[], links: readonly LegitimateRelationship[]): PolicyInputs {
    const consents: ConsentRecord[] = [];
    for (const item of stored) {
      const parsed = consentFromFhir(item.consent);
      // The store keys consents by person; the FHIR reference may name one of the person's Patient resources.
      if (parsed.ok) consents.push({ ...parsed.consent, personId: patientKey });
      else this.#deps.logger.warn({ consent: item.id, issues: parsed.issues }, 'stored Consent not understood by the policy; ignored');
    }
    const relationships: Relationship[] = [];
    for (const link of links) {
      const parsed = RelationshipSchema.safeParse({
        id: link.id,
        personId: patientKey,
        kind: link.kind,
        organisation: link.organisation,
        userId: link.userId === '*' || link.userId === '' ? undefined : link.userId,
        start: link.startedAt,
        end: link.endedAt,
        reason: link.kind === 'self-declared' ? (link.source ?? 'declared') : undefined,
      });
      if (parsed.success) relationships.push(parsed.data);
      else this.#deps.logger.warn({ relationship: link.id }, 'stored relationship not understood by the policy; ignored');
    }
    return { patientKey, consents, relationships };
  }

  /**
   * Decides for this user and person. When the decision is a deny that break-glass would open and the user holds a
   * grant in force for this person, decides again with purpose BTG and the grant (flagged and alerted).
   * `breakGlass` forces a decision with that grant (the `$break-glass` operation).
   */
  async decide(user: AuthenticatedUser, scope: PatientScope, options: { breakGlass?: BreakGlassGrant; inputs?: PolicyInputs } = {}): Promise<Decision> {
    const now = this.#deps.clock().toISOString();
    const { consents, relationships } = options.inputs && options.inputs.patientKey === scope.patientKey ? options.inputs : await this.inputs(scope.patientKey);
    const base = {
      user: decisionUserOf(user),
      patient: { personId: scope.patientKey, registeredGpOds: registeredGpOf(scope.patients) },
      policy: this.#deps.policy,
      consents,
      relationships,
      now,
    };
    if (options.breakGlass) return decide({ ...base, purposeOfUse: 'BTG', breakGlass: options.breakGlass });
    const first = decide({ ...base, purposeOfUse: user.purposeOfUse });
    if (first.effect === 'permit' || !first.breakGlassAvailable) return first;
    const grant = await this.#deps.grants.find(user.id, scope.patientKey, Date.parse(now));
    if (!grant) return first;
    const second = decide({ ...base, purposeOfUse: 'BTG', breakGlass: grant });
    return second.effect === 'permit' ? second : first;
  }

  filter<T extends ResourceLike>(resources: readonly T[], decision: Decision): FilteredRecord<T> {
    return filterRecord(resources, decision);
  }

  /** Writes the one audit event of an access, and raises its alerts. Throws when the audit cannot be written. */
  async audit(decision: Decision, scope: PatientScope, options: { action: 'read' | 'search'; query: string; withheld?: FilteredRecord<unknown>['withheld'] }): Promise<void> {
    const event = auditEventFor(decision, { id: randomUUID(), action: options.action, query: options.query, withheld: options.withheld });
    await this.#deps.audit.append(event, scope.patientKey);
    for (const obligation of decision.obligations) this.#alert(obligation, decision);
  }

  async grant(grant: BreakGlassGrant): Promise<void> {
    await this.#deps.grants.put(grant);
  }

  #alert(obligation: Obligation, decision: Decision): void {
    if (obligation.kind !== 'alert-privacy-officer') return;
    const alert: PolicyAlert = { reason: obligation.reason, text: obligation.text, userId: decision.context.userId, personId: decision.context.personId, at: decision.context.decidedAt };
    this.#deps.logger.warn({ alert }, 'privacy officer alert');
    this.#deps.onAlert?.(alert);
  }
}
