export {
  defineLocality,
  parseLocality,
  organisationOf,
  LocalityConfigError,
  LocalitySchema,
  OrganisationSchema,
  DemoUserSchema,
  ClaimMappingSchema,
  AuthSchema,
  ChannelSchema,
  FederatedSourceSchema,
  TopologySchema,
  GO_LIVE_STAGES,
  DEFAULT_STORAGE_URL,
  UnitCostsSchema,
  BenefitsSchema,
  isProductionMode,
  productionIssues,
} from './locality/locality.js';
export type {
  Locality,
  LocalityInput,
  LocalityIssue,
  Organisation,
  DemoUser,
  ClaimMapping,
  AuthConfig,
  Channel,
  FederatedSource,
  Topology,
  GoLiveStage,
  UnitCosts,
} from './locality/locality.js';
export { loadLocalityConfig, CONFIG_FILE_NAMES } from './locality/load.js';
export { QualityGateSchema, evaluateQualityGate } from './locality/quality-gate.js';
export type { QualityGate, QualityGateInput, QualityMeasures, GateCheck, GateStatus } from './locality/quality-gate.js';
export { RolloutSchema, RolloutGroupSchema, ROLLOUT_GROUP_STAGES, rolloutAccess, rolloutSummary } from './locality/rollout.js';
export type { Rollout, RolloutGroup, RolloutAccess } from './locality/rollout.js';
export { createTokenVerifier, authenticate, userOf, remoteKeySet } from './auth/tokens.js';
export type { AuthenticatedUser, TokenVerifier, TokenVerifierOptions, TokenProblem } from './auth/tokens.js';
export { createDevIssuer, generateDevIssuerKey } from './auth/dev-issuer.js';
export type { DevIssuer, DevIssuerKey, DevIssuerOptions, IssueOptions } from './auth/dev-issuer.js';
export { smartConfiguration, smartRouter } from './auth/smart.js';
export type { SmartConfigurationOptions } from './auth/smart.js';
export { HttpProblem, POLICY_CODE_SYSTEM, PolicyCodes, outcome, issue } from './http/outcome.js';
export { fhirRouter, PEP_MARK, NOT_PATIENT_DATA } from './fhir/router.js';
export type { FhirRouterDeps } from './fhir/router.js';
export { consentCaptureRouter, consentCaptureProvides, CONSENT_CAPTURE_ROUTES } from './fhir/consent-capture.js';
export type { ConsentCaptureDeps, ConsentCaptureProvides } from './fhir/consent-capture.js';
export { ConsentCaptureSchema } from './locality/consent-capture.js';
export { runningConfiguration } from './server/running-configuration.js';
export type { ConsentCaptureConfig } from './locality/consent-capture.js';
export { capabilityStatement } from './fhir/capability.js';
export type { RouteCapability } from './fhir/capability.js';
export { RECORD_TYPES } from './fhir/search-params.js';
export type { ResourceTypeSpec, SearchParamSpec } from './fhir/search-params.js';
export { PolicyPoint, inMemoryGrants, storeGrants, storeAlerts, registeredGpOf, decisionUserOf } from './policy/pep.js';
export type { PolicyPointDeps, BreakGlassGrants, AlertSink, GovernanceReader, PatientScope, PolicyAlert } from './policy/pep.js';
export { storeAuditSink, readAuditChain, verifyStoreAudit, chainedEventOf } from './policy/audit.js';
export type { AuditSink } from './policy/audit.js';
export { pooledSource } from './topology/pooled.js';
export { SourceInputError } from './topology/source.js';
export type { RecordSource, LocatedResource, UnavailableSource, SourceResult, ResultPage, PatientCriteria, ListQuery } from './topology/source.js';
export { httpHygiene, requestIdOf, requestLogging, urlGuard, refuseNulInJson } from './http/middleware.js';
export { rateLimiting, RateLimitsSchema } from './http/rate-limit.js';
export type { RateLimits, RateLimitsInput } from './http/rate-limit.js';
export { problemHandler, notFoundHandler } from './http/errors.js';
export { publicOrigin } from './http/public-origin.js';
export { corsPolicy, corsEnabled, CorsSchema, CorsOriginSchema, CORS_PATHS, CORS_ALLOWED_METHODS, CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from './http/cors.js';
export type { CorsConfig, CorsInput } from './http/cors.js';
export { acceptJsonOnly, acceptsJson } from './http/accept.js';
export { createIdcr } from './server/create-idcr.js';
export { loadLocalityOrganisations } from './server/reference-data.js';
export type { Idcr, IdcrOptions, MllpListeners } from './server/create-idcr.js';
export { startFromConfig, applyEnvironment } from './server/start.js';
export type { StartFromConfigOptions, StartedIdcr } from './server/start.js';
export { federatedSource } from './topology/federated.js';
export type { FederatedOptions } from './topology/federated.js';
