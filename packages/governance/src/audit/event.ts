import type { HeadingId } from '@openidcr/model';
import type { Decision } from '../decision/types.js';

/**
 * One audit event: one decision on one person's data (permitted or denied). Flat, JSON-safe and self-describing so
 * any store can keep it and any verifier can re-hash it. `prevHash` and `hash` make the chain.
 */
export interface AuditEvent {
  id: string;
  /** When the access happened (the decision's `now`). */
  recorded: string;
  /** `read` one resource or `search` (a query / heading view); BALP PatientRead / PatientQuery. */
  action: 'read' | 'search';
  /** What was asked, e.g. `GET /Patient/123/$everything` or `heading:medications`. */
  query?: string | undefined;
  outcome: 'permit' | 'deny';
  user: {
    id: string;
    name: string;
    roleId: string;
    sdsRoleCode?: string | undefined;
    organisation: string;
    organisationKind: string;
  };
  purposeOfUse: string;
  personId: string;
  /** Data categories (headings) disclosed; empty when denied. */
  headings: HeadingId[];
  /** Source organisations whose data could be disclosed. */
  sources: string[];
  reasons: string[];
  /** The policy applied: `isa-id|version`, and the consent model. */
  policy: string;
  consentModel: string;
  relationship?: string | undefined;
  breakGlass?: { grantId: string; reasonCode: string; reasonText: string } | undefined;
  /** Break-glass or a self-declared relationship: reviewed by a privacy officer. */
  flagged: boolean;
  /** Items withheld from what was returned, by reason (counts only). */
  withheld?: Record<string, number> | undefined;
}

/** An audit event in the chain. */
export interface ChainedAuditEvent extends AuditEvent {
  /** Position in the chain, from 0. */
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditEventOptions {
  id: string;
  action?: 'read' | 'search';
  query?: string;
  withheld?: ReadonlyArray<{ reason: string; count: number }>;
}

/** The audit event for a decision (pure): who, which person, which data categories, when, why, outcome. */
export function auditEventFor(decision: Decision, options: AuditEventOptions): AuditEvent {
  const c = decision.context;
  const flagged = decision.obligations.some((o) => o.kind === 'audit' && o.flagged);
  return {
    id: options.id,
    recorded: c.decidedAt,
    action: options.action ?? 'search',
    query: options.query,
    outcome: decision.effect,
    user: { id: c.userId, name: c.userName, roleId: c.roleId, sdsRoleCode: c.sdsRoleCode, organisation: c.organisation.ods, organisationKind: c.organisation.kind },
    purposeOfUse: c.purposeOfUse,
    personId: c.personId,
    headings: [...decision.visibleHeadings],
    sources: decision.sources.filter((s) => s.effect === 'permit').map((s) => s.ods),
    reasons: decision.reasons.map((r) => (r.organisation ? `${r.code}:${r.organisation}` : r.code)),
    policy: c.policyRef,
    consentModel: c.consentModel,
    relationship: c.relationship?.kind,
    breakGlass: c.breakGlass ? { ...c.breakGlass } : undefined,
    flagged,
    withheld: options.withheld && options.withheld.length > 0 ? Object.fromEntries(options.withheld.map((w) => [w.reason, w.count])) : undefined,
  };
}
