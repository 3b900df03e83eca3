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
} from './locality/locality.js';
export { loadLocalityConfig, CONFIG_FILE_NAMES } from './locality/load.js';
export { createTokenVerifier, authenticate, userOf, remoteKeySet } from './auth/tokens.js';
export type { AuthenticatedUser, TokenVerifier, TokenVerifierOptions, TokenProblem } from './auth/tokens.js';
export { createDevIssuer } from './auth/dev-issuer.js';
export type { DevIssuer, DevIssuerOptions, IssueOptions } from './auth/dev-issuer.js';
export { smartConfiguration, smartRouter } from './auth/smart.js';
export type { SmartConfigurationOptions } from './auth/smart.js';
export { HttpProblem, POLICY_CODE_SYSTEM, PolicyCodes, outcome, issue } from './http/outcome.js';
