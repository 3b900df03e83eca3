import type { HeadingId, PurposeOfUseCode, SensitivityCode } from '@openidcr/model';
import type { OrganisationKind, RoleDefinition } from '../roles/roles.js';
import type { Isa } from '../isa/schema.js';
import type { ConsentRecord, ConsentToView } from '../consent/records.js';
import type { Relationship, RelationshipKind } from '../relationship/relationship.js';
import type { BreakGlassGrant } from '../break-glass/break-glass.js';
import type { ConsentModel } from '../consent/models.js';

/** Why a decision came out as it did. Codes are stable; texts are plain English for the viewer and the audit. */
export const REASON_CODES = [
  'role-unknown',
  'role-not-qualified',
  'role-no-clinical-access',
  'purpose-not-covered',
  'national-data-opt-out',
  'isa-not-in-force',
  'viewer-not-party',
  'viewer-party-not-active',
  'viewer-not-activated',
  'patient-sealed',
  'patient-restricted',
  'objection',
  'no-legitimate-relationship',
  'consent-to-view-required',
  'consent-to-view-refused',
  'break-glass-grant-invalid',
  'source-objection',
  'share-out-missing',
  'share-in-missing',
  'source-party-not-active',
  'practice-not-activated',
  'isa-no-sharing-rule',
  'no-visible-heading',
  'own-organisation',
  'shared-under-isa',
  'legitimate-relationship',
  'self-declared-relationship',
  'break-glass',
  'consent-to-view-granted',
  'consent-to-view-emergency',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
/** A reason code: one of ours, or a locality's own prefixed `custom:` (from its own `ConsentModel`). */
export type AnyReasonCode = ReasonCode | `custom:${string}`;

export interface Reason {
  code: AnyReasonCode;
  text: string;
  /** The source organisation (ODS) the reason is about, where it is about one. */
  organisation?: string;
}

/** What the caller must do with a decision. */
export type Obligation =
  | { kind: 'audit'; flagged: boolean }
  | { kind: 'alert-privacy-officer'; reason: AnyReasonCode; text: string }
  | { kind: 'show-withheld-notice'; text: string }
  | { kind: 'prompt-consent-to-view'; text: string };

/** The user asking, as the bearer token (CIS2 `nhsid_nrbac_roles` or a local IdP) and the directory say. */
export interface DecisionUser {
  id: string;
  name: string;
  /** The locality role id (e.g. `gp`, `pharmacist`). */
  roleId: string;
  /** NHS SDS role code, `S8000:G8000:R8000` or `R8000`. */
  sdsRoleCode?: string | undefined;
  organisation: { ods: string; kind: OrganisationKind };
  activityCodes: readonly string[];
}

/** The person whose record is asked for. */
export interface DecisionPatient {
  personId: string;
  registeredGpOds?: string | undefined;
  /** PDS sealed: never shared. */
  sealed?: boolean | undefined;
  /** Restricted (e.g. PDS sensitive flag or a locality's restriction): never shared. */
  restricted?: boolean | undefined;
  /** National Data Opt-out: honoured for indirect purposes only. */
  nationalDataOptOut?: boolean | undefined;
}

/** A locality's policy: its ISA, consent model (one implementation of `ConsentModel`) and roles. */
export interface LocalityPolicy {
  isa: Isa;
  consentModel: ConsentModel;
  roles: readonly RoleDefinition[];
}

/** Everything `decide` needs, passed in: no I/O, no clock. */
export interface DecisionRequest {
  user: DecisionUser;
  purposeOfUse: PurposeOfUseCode;
  patient: DecisionPatient;
  policy: LocalityPolicy;
  consents: readonly ConsentRecord[];
  relationships: readonly Relationship[];
  breakGlass?: BreakGlassGrant | undefined;
  consentToView?: ConsentToView | undefined;
  /** The instant of the decision, ISO 8601. */
  now: string;
}

/** What the viewer may see from one source organisation. */
export interface SourcePermission {
  ods: string;
  name: string;
  effect: 'permit' | 'deny';
  headings: readonly HeadingId[];
  reasons: readonly Reason[];
}

/** Item-level rules `filterRecord` applies on top of headings and sources. */
export interface RedactionRules {
  /** Items recorded by this organisation are never redacted for its own users. */
  viewerOds: string;
  /** Sensitivity labels the viewer's role may see on other organisations' items. */
  clearedSensitivities: readonly SensitivityCode[];
  /** Highest confidentiality of another organisation's item the viewer may see. */
  maxConfidentiality: 'N' | 'R';
  /** Items from other organisations must carry the share-out flag (explicit model). */
  requireShareOutFlag: boolean;
}

export interface DecisionContext {
  userId: string;
  userName: string;
  roleId: string;
  sdsRoleCode?: string | undefined;
  organisation: { ods: string; kind: OrganisationKind };
  purposeOfUse: PurposeOfUseCode;
  personId: string;
  /** `isa.id|isa.version`, recorded in the audit as the policy applied. */
  policyRef: string;
  consentModel: string;
  relationship?: { kind: RelationshipKind; id: string } | undefined;
  breakGlass?: { grantId: string; reasonCode: string; reasonText: string } | undefined;
  decidedAt: string;
}

/** The answer of the policy decision point. */
export interface Decision {
  effect: 'permit' | 'deny';
  reasons: Reason[];
  /** Headings the viewer may see, in registry order. Empty when denied. Shared and frozen: do not mutate. */
  visibleHeadings: readonly HeadingId[];
  /** Per source organisation (every ISA party), what may be seen. Empty when denied. Shared and frozen: do not mutate. */
  sources: readonly SourcePermission[];
  redaction: RedactionRules;
  /** Denied, but break-glass would open the record for this user. */
  breakGlassAvailable: boolean;
  breakGlassUsed: boolean;
  obligations: Obligation[];
  context: DecisionContext;
}
