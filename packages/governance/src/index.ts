// Roles and role-based views
export {
  ORGANISATION_KINDS,
  ORGANISATION_KIND_TITLES,
  OrganisationKindSchema,
  HeadingIdSchema,
  SensitivityCodeSchema,
  RoleDefinitionSchema,
  DEFAULT_ROLES,
  parseRoles,
  roleQualifies,
  jobRoleCodeOf,
} from './roles/roles.js';
export type { OrganisationKind, RoleDefinition, RoleDefinitionInput, ConfigIssue } from './roles/roles.js';

// Information Sharing Agreement
export {
  IsaSchema,
  IsaPartySchema,
  IsaPurposeSchema,
  IsaLegalBasisSchema,
  IsaSharingRuleSchema,
  IsaRecipientSchema,
  ConsentModelConfigSchema,
  PurposeOfUseCodeSchema,
  OdsCodeSchema,
  LEGAL_BASIS_KINDS,
  parseIsa,
} from './isa/schema.js';
export type { Isa, IsaInput, IsaParty, IsaPurpose, IsaSharingRule, IsaLegalBasis, ConsentModelConfig } from './isa/schema.js';
export { renderIsa, escapeHtml, escapeMarkdown, LEGAL_BASIS_TEXT } from './isa/render.js';
export { checkIsa } from './isa/check.js';
export type { IsaIssue, IsaIssueCode } from './isa/check.js';
export { exampleIsa, buildExampleIsa, EXAMPLE_ORGANISATIONS } from './isa/example.js';

// Consent
export { ConsentRecordSchema, ConsentToViewSchema, consentInEffect, latestConsent, consentFromFhir } from './consent/records.js';
export type { ConsentRecord, ConsentToView } from './consent/records.js';
export { CONSENT_CATEGORY_SYSTEM, CONSENT_TO_VIEW_ANSWER_EXTENSION, CONSENT_TO_VIEW_CODE, consentToViewFromFhir, consentToViewToFhir, currentConsentToView, isConsentToViewFhir, isItemConsentFhir, itemShareOutFromFhir, itemShareOutToFhir, sharedOutItems, shareConsentToFhir } from './consent/capture.js';
export {
  impliedOptOutModel,
  explicitShareModel,
  practiceActivationModel,
  consentToViewModel,
  createConsentModel,
  InMemoryConsentSource,
} from './consent/models.js';
export type { ConsentModel, ConsentInput, ConsentAssessment, ConsentFinding, ConsentParty, ConsentSource } from './consent/models.js';

// Legitimate relationship
export {
  RELATIONSHIP_KINDS,
  RelationshipSchema,
  SELF_DECLARED_RELATIONSHIP,
  declareRelationship,
  findRelationship,
  InMemoryRelationshipSource,
} from './relationship/relationship.js';
export type { Relationship, RelationshipKind, RelationshipSource, DeclareRelationshipInput } from './relationship/relationship.js';

// Break-glass
export { BREAK_GLASS_REASONS, BREAK_GLASS_LIMITS, BreakGlassGrantSchema, requestBreakGlass, breakGlassGrantValid } from './break-glass/break-glass.js';
export type { BreakGlassGrant, BreakGlassReasonCode, BreakGlassRequest, BreakGlassError } from './break-glass/break-glass.js';

// Decisions
export { createLocalityPolicy, compilePolicy } from './locality/policy.js';
export { decide, roleSeesHeading } from './decision/decide.js';
export { REASON_CODES } from './decision/types.js';
export { DecisionUserSchema, DecisionPatientSchema } from './decision/schemas.js';
export type {
  Decision,
  DecisionRequest,
  DecisionUser,
  DecisionPatient,
  DecisionContext,
  LocalityPolicy,
  SourcePermission,
  RedactionRules,
  Reason,
  ReasonCode,
  AnyReasonCode,
  Obligation,
} from './decision/types.js';

// Applying a decision to a record
export { filterRecord, filterProjection, FILTER_ELEMENTS, WITHHELD_REASONS, REFERENCE_RESOURCE_TYPES, PATIENT_AUTHORED_TAG } from './record/filter.js';
export type { FilteredRecord, WithheldCount, WithheldReason, FilterOptions } from './record/filter.js';
export { sourceOrganisationOf, sourceOfOrganisation, SOURCE_ORGANISATION_EXTENSION } from './record/source.js';
export { labelsOf, sensitiveCodeIndex, SHARING_CODES } from './record/labels.js';
export type { ItemLabels } from './record/labels.js';

// Audit
export { canonicalJson } from './audit/canonical-json.js';
export { sha256Hex } from './audit/sha256.js';
export { GENESIS_HASH, hashAuditEvent, chainAuditEvent, verifyChain } from './audit/chain.js';
export type { ChainVerification } from './audit/chain.js';
export { auditEventFor } from './audit/event.js';
export type { AuditEvent, ChainedAuditEvent, AuditEventOptions } from './audit/event.js';
export { InMemoryAuditStore, matchesAuditQuery, recordDecision, auditForPatient, auditForUser, verifyStore } from './audit/store.js';
export type { AuditStore, AuditQuery } from './audit/store.js';
export { parseAuditEvents } from './audit/parse.js';
export { toFhirAuditEvent, BALP_PROFILES, AUDIT_CHAIN_EXTENSION } from './audit/fhir.js';
export type { FhirAuditEventOptions } from './audit/fhir.js';
