import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { CodeSystems, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, type ResourceLike } from '@openidcr/model';
import {
  BreakGlassGrantSchema,
  RelationshipSchema,
  SHARING_CODES,
  auditEventFor,
  consentFromFhir,
  consentToViewFromFhir,
  currentConsentToView,
  decide,
  isConsentToViewFhir,
  isItemConsentFhir,
  sharedOutItems,
  sourceOrganisationOf,
  WITHHELD_REASONS,
  filterRecord,
  type BreakGlassGrant,
  type ConsentRecord,
  type ConsentToView,
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
import type { RolloutAccess } from '../locality/rollout.js';

/** The governance data the policy point reads: a person's consents and the legitimate relationships with them. */
export type GovernanceReader = Pick<RecordStore, 'listConsents' | 'findRelationships'>;

/**
 * Break-glass grants in force. With a store (the default of `fhirRouter` and `createIdcr`) they are in the database,
 * so every API process honours a grant made through another and a revocation ends it everywhere; `inMemoryGrants`
 * is for a single process without a store (tests, embedding).
 */
export interface BreakGlassGrants {
  put(grant: BreakGlassGrant): Promise<void>;
  /** The grant in force for this user and person at `now` (epoch ms), if any: not expired, not revoked. */
  find(userId: string, personId: string, now: number): Promise<BreakGlassGrant | undefined>;
}

/** Break-glass grants in the store's `break_glass_grants` table (shared by every process on the database). */
export function storeGrants(store: Pick<RecordStore, 'putBreakGlassGrant' | 'findBreakGlassGrant'>): BreakGlassGrants {
  return {
    async put(grant) {
      await store.putBreakGlassGrant({ patientKey: grant.personId, id: grant.id, userId: grant.userId, organisation: grant.organisation, reasonCode: grant.reasonCode, reasonText: grant.reasonText, grantedAt: grant.grantedAt, expiresAt: grant.expiresAt });
    },
    async find(userId, personId, now) {
      const found = await store.findBreakGlassGrant({ userId, patientKey: personId, at: new Date(now).toISOString() });
      if (!found) return undefined;
      const parsed = BreakGlassGrantSchema.safeParse({ id: found.id, userId: found.userId, personId, organisation: found.organisation, reasonCode: found.reasonCode, reasonText: found.reasonText, grantedAt: found.grantedAt, expiresAt: found.expiresAt });
      return parsed.success ? parsed.data : undefined;
    },
  };
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
  userName?: string | undefined;
  roleId?: string | undefined;
  organisation?: string | undefined;
  personId: string;
  /** The break-glass grant the access used, when it did. */
  grantId?: string | undefined;
  breakGlassReason?: string | undefined;
  at: string;
}

/** Where the privacy officers' alerts go: their review queue. */
export interface AlertSink {
  raise(alert: PolicyAlert): Promise<void>;
}

/**
 * Alerts into the store's privacy-officer review queue: one alert per break-glass grant (each further access under it
 * counted on the same alert), and one per user, person, reason and day otherwise.
 */
export function storeAlerts(store: Pick<RecordStore, 'raisePrivacyAlert'>): AlertSink {
  return {
    async raise(alert) {
      const id = alert.grantId ?? `${alert.reason}:${alert.userId}:${alert.at.slice(0, 10)}`;
      await store.raisePrivacyAlert({
        patientKey: alert.personId,
        id,
        reason: alert.reason,
        text: alert.breakGlassReason ? `${alert.text} Reason given: ${alert.breakGlassReason}` : alert.text,
        userId: alert.userId,
        userName: alert.userName,
        roleId: alert.roleId,
        organisation: alert.organisation ?? '',
        grantId: alert.grantId,
        raisedAt: alert.at,
      });
    },
  };
}

export interface PolicyPointDeps {
  policy: LocalityPolicy;
  governance: GovernanceReader;
  audit: AuditSink;
  grants: BreakGlassGrants;
  /** Staged roll-out: whether a professional is inside their organisation's current stage (default: everyone is). */
  rollout?: ((user: AuthenticatedUser) => RolloutAccess) | undefined;
  /** The privacy officers' review queue (default: alerts are only logged). */
  alerts?: AlertSink | undefined;
  /**
   * Source organisations (ODS) whose feed is still in its data-quality trial: their items are stored but withheld
   * from every view, counted under `source-in-trial` (default: none).
   */
  sourcesInTrial?: (() => ReadonlySet<string>) | undefined;
  clock: () => Date;
  logger: Logger;
  onAlert?: ((alert: PolicyAlert) => void) | undefined;
}

/** A person's consents and legitimate relationships, as the policy reads them. */
export interface PolicyInputs {
  patientKey: string;
  consents: ConsentRecord[];
  relationships: Relationship[];
  /** Consent-to-view answers recorded at the point of care (active ones); `decide` gets the viewer's current one. */
  consentsToView?: ConsentToView[] | undefined;
  /** Items (`Type/id`) their source shared out one by one (explicit model with item-level share-out). */
  sharedOutItems?: ReadonlySet<string> | undefined;
}

/** The person a request is about, as the record source knows them. */
export interface PatientScope {
  patientKey: string;
  /** The person's Patient resources (one per source): the registered GP is read from them. */
  patients: readonly ResourceLike[];
}

/** A copy of an item with the sharing `share-out` tag. */
function withShareOutTag<T extends ResourceLike>(resource: T): T {
  const meta = (resource.meta ?? {}) as { tag?: Array<Record<string, unknown>> };
  return { ...resource, meta: { ...meta, tag: [...(meta.tag ?? []), { system: CodeSystems.sharing, code: SHARING_CODES.shareOut }] } };
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
/** The NHS numbers a Patient resource carries. */
function nhsNumbersOf(patient: ResourceLike): string[] {
  const identifiers = Array.isArray(patient.identifier) ? (patient.identifier as Array<{ system?: unknown; value?: unknown }>) : [];
  return identifiers.flatMap((i) => (i.system === NHS_NUMBER_SYSTEM && typeof i.value === 'string' ? [i.value.replace(/\s+/g, '')] : []));
}

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
    const consentsToView: ConsentToView[] = [];
    const itemConsents: unknown[] = [];
    for (const item of stored) {
      if (isItemConsentFhir(item.consent)) {
        itemConsents.push(item.consent);
        continue;
      }
      if (isConsentToViewFhir(item.consent)) {
        const read = consentToViewFromFhir(item.consent, patientKey);
        if (read.ok) {
          if (read.active) consentsToView.push(read.consentToView);
        } else this.#deps.logger.warn({ consent: item.id, issues: read.issues }, 'stored consent-to-view not understood by the policy; ignored');
        continue;
      }
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
    return { patientKey, consents, relationships, consentsToView, sharedOutItems: itemConsents.length > 0 ? sharedOutItems(itemConsents) : undefined };
  }

  /**
   * Decides for this user and person. When the decision is a deny that break-glass would open and the user holds a
   * grant in force for this person, decides again with purpose BTG and the grant (flagged and alerted).
   * `breakGlass` forces a decision with that grant (the `$break-glass` operation).
   */
  async decide(user: AuthenticatedUser, scope: PatientScope, options: { breakGlass?: BreakGlassGrant; inputs?: PolicyInputs } = {}): Promise<Decision> {
    const inputs = options.inputs && options.inputs.patientKey === scope.patientKey ? options.inputs : await this.inputs(scope.patientKey);
    const decision = await this.#decide(user, scope, inputs, options.breakGlass);
    if (inputs.sharedOutItems && inputs.sharedOutItems.size > 0) this.#sharedOut.set(decision, inputs.sharedOutItems);
    return decision;
  }

  /** Items shared out one by one, by the decision they were read for (what `filter` marks as shared out). */
  readonly #sharedOut = new WeakMap<Decision, ReadonlySet<string>>();

  async #decide(user: AuthenticatedUser, scope: PatientScope, inputs: PolicyInputs, breakGlass: BreakGlassGrant | undefined): Promise<Decision> {
    const now = this.#deps.clock().toISOString();
    const { consents, relationships, consentsToView } = inputs;
    const base = {
      user: decisionUserOf(user),
      patient: { personId: scope.patientKey, registeredGpOds: registeredGpOf(scope.patients) },
      policy: this.#deps.policy,
      consents,
      relationships,
      // The answer the person gave at the point of care, at the viewer's organisation, if one is in effect.
      consentToView: user.organisation ? currentConsentToView(consentsToView ?? [], scope.patientKey, user.organisation.ods, Date.parse(now)) : undefined,
      now,
    };
    if (breakGlass) return decide({ ...base, purposeOfUse: 'BTG', breakGlass });
    const first = decide({ ...base, purposeOfUse: user.purposeOfUse });
    if (first.effect === 'permit' || !first.breakGlassAvailable) return first;
    const grant = await this.#deps.grants.find(user.id, scope.patientKey, Date.parse(now));
    if (!grant) return first;
    const second = decide({ ...base, purposeOfUse: 'BTG', breakGlass: grant });
    return second.effect === 'permit' ? second : first;
  }

  /** Staged roll-out: undefined when the user may use the record at this stage, else why not (in plain words). */
  outsideRollout(user: AuthenticatedUser): string | undefined {
    const access = this.#deps.rollout?.(user);
    return access && !access.allowed ? access.message : undefined;
  }

  filter<T extends ResourceLike>(resources: readonly T[], decision: Decision): FilteredRecord<T> {
    const trial = this.#deps.sourcesInTrial?.();
    const result = this.#filterByDecision(resources, decision);
    if (!trial || trial.size === 0) return result;
    const kept = result.kept.filter((r) => !trial.has(sourceOrganisationOf(r as Parameters<typeof sourceOrganisationOf>[0]) ?? ''));
    const held = result.kept.length - kept.length;
    if (held === 0) return result;
    return { kept, withheld: [...result.withheld, { reason: 'source-in-trial', count: held, text: WITHHELD_REASONS['source-in-trial'] }], withheldTotal: result.withheldTotal + held };
  }

  #filterByDecision<T extends ResourceLike>(resources: readonly T[], decision: Decision): FilteredRecord<T> {
    const shared = decision.redaction?.requireShareOutFlag ? this.#sharedOut.get(decision) : undefined;
    if (!shared) return filterRecord(resources, decision);
    // An item its source shared out on its own carries the share-out flag for this decision (the stored item is unchanged).
    const marked = resources.map((r) => (shared.has(`${r.resourceType}/${r.id}`) ? withShareOutTag(r) : r));
    const result = filterRecord(marked, decision);
    const original = new Map(marked.map((m, i) => [m, resources[i]!] as const));
    return { ...result, kept: result.kept.map((k) => original.get(k) ?? k) };
  }

  /**
   * Who may read a person's audit log (`AuditEvent?patient=`): a role with `auditAccess` (the privacy officer), or the
   * person themselves (a citizen token whose NHS number is one of the person's). No clinical data is disclosed
   * (no headings); the decision is audited like any other access, so reading the log is itself in the log.
   */
  auditLogDecision(user: AuthenticatedUser, scope: PatientScope): Decision {
    const policy = this.#deps.policy;
    const role = policy.roles.find((r) => r.id === user.roleId);
    const nhs = user.nhsNumber;
    const own = user.kind === 'citizen' && nhs !== undefined && scope.patients.some((p) => nhsNumbersOf(p).includes(nhs));
    const reviewer = user.kind === 'professional' && role?.auditAccess === true;
    const reason = own
      ? { code: 'audit-log-own', text: 'The person reads who has accessed their own record.' }
      : reviewer
        ? { code: 'audit-log-review', text: `${role.title}: reviews who has accessed the record.` }
        : { code: 'audit-log-refused', text: 'Only a privacy officer (a role with audit access), or the person themselves, may read who has accessed a record.' };
    return {
      effect: own || reviewer ? 'permit' : 'deny',
      reasons: [reason as Decision['reasons'][number]],
      visibleHeadings: [],
      sources: [],
      redaction: { viewerOds: user.organisation?.ods ?? '', clearedSensitivities: [], maxConfidentiality: 'N', requireShareOutFlag: false },
      breakGlassAvailable: false,
      breakGlassUsed: false,
      obligations: [],
      context: {
        // A citizen is named as the citizen service names them in the log (by NHS number).
        userId: user.kind === 'citizen' && nhs ? `nhs:${nhs}` : user.id,
        userName: user.name,
        roleId: user.roleId,
        sdsRoleCode: user.sdsRoleCode,
        organisation: user.organisation ?? ({ ods: '', kind: 'citizen' } as unknown as Decision['context']['organisation']),
        purposeOfUse: own ? 'PATRQT' : 'HOPERAT',
        personId: scope.patientKey,
        policyRef: `${policy.isa.id}|${policy.isa.version}`,
        consentModel: policy.consentModel.kind,
        decidedAt: this.#deps.clock().toISOString(),
      },
    };
  }

  /** Writes the one audit event of an access, and raises its alerts. Throws when the audit cannot be written. */
  async audit(decision: Decision, scope: PatientScope, options: { action: 'read' | 'search'; query: string; withheld?: FilteredRecord<unknown>['withheld'] }): Promise<void> {
    const event = auditEventFor(decision, { id: randomUUID(), action: options.action, query: options.query, withheld: options.withheld });
    await this.#deps.audit.append(event, scope.patientKey);
    for (const obligation of decision.obligations) await this.#alert(obligation, decision);
  }

  async grant(grant: BreakGlassGrant): Promise<void> {
    await this.#deps.grants.put(grant);
  }

  /** Logs the alert and puts it in the review queue; throws when the queue cannot take it (nothing is then sent). */
  async #alert(obligation: Obligation, decision: Decision): Promise<void> {
    if (obligation.kind !== 'alert-privacy-officer') return;
    const c = decision.context;
    const alert: PolicyAlert = {
      reason: obligation.reason,
      text: obligation.text,
      userId: c.userId,
      userName: c.userName,
      roleId: c.roleId,
      organisation: c.organisation.ods,
      personId: c.personId,
      grantId: c.breakGlass?.grantId,
      breakGlassReason: c.breakGlass?.reasonText,
      at: c.decidedAt,
    };
    this.#deps.logger.warn({ alert }, 'privacy officer alert');
    await this.#deps.alerts?.raise(alert);
    this.#deps.onAlert?.(alert);
  }
}
