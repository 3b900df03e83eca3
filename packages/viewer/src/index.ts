// Public surface of @openidcr/viewer: the FHIR client, SMART launch, view-models, clinical formatting and types.
// Components are in '@openidcr/viewer/components/*' (classes) and '@openidcr/viewer/define/*' (registration).
export { FhirClient, clientFor } from './fhir-client/client.js';
export type { FhirClientOptions, FhirError, FhirErrorCode, FhirResult, RequestOptions, SearchParams } from './fhir-client/client.js';
export { smartLaunch, completeSmartLaunch, discoverSmartConfiguration, buildAuthorizeUrl, codeChallenge, randomToken, base64Url } from './fhir-client/smart.js';
export type { SmartLaunchInput, SmartSession, SmartConfiguration, SmartError, SmartErrorCode, SmartResult, TokenResponse, AuthorizeUrlInput, LaunchStorage } from './fhir-client/smart.js';

export * from './format/clinical.js';

export { readRecordBundle, readRecordBundles, resourcesOfHeading, resolveReference } from './view-models/record-bundle.js';
export type { AnyResource, RecordContent } from './view-models/record-bundle.js';
export * from './view-models/outcome.js';
export { sourceOf, summariseSources, referenceName } from './view-models/source.js';
export type { SourceLabel, SourceSummary } from './view-models/source.js';
export { toBannerView, nhsNumberOf } from './view-models/banner.js';
export type { BannerView } from './view-models/banner.js';
export { toAllergiesView, isNoKnownAllergy, NO_KNOWN_ALLERGY_CODES } from './view-models/allergies.js';
export type { AllergiesView, AllergyRow, AllergyState } from './view-models/allergies.js';
export { toMedicationsView, doseText } from './view-models/medications.js';
export type { MedicationRow, MedicationsView } from './view-models/medications.js';
export { toProblemRows } from './view-models/problems.js';
export type { ProblemRow } from './view-models/problems.js';
export { toImmunisationRows } from './view-models/immunisations.js';
export type { ImmunisationRow } from './view-models/immunisations.js';
export { toAlertRows } from './view-models/alerts.js';
export type { AlertRow } from './view-models/alerts.js';
export { toResultRows, toResultSeries } from './view-models/results.js';
export type { ResultFlag, ResultRow, ResultSeries } from './view-models/results.js';
export { toTimeline, TIMELINE_KINDS } from './view-models/timeline.js';
export type { TimelineItem, TimelineKind } from './view-models/timeline.js';
export { toDocumentRows, attachmentKind, decodeText, sandboxedHtml } from './view-models/documents.js';
export type { AttachmentKind, AttachmentView, DocumentRow } from './view-models/documents.js';
export { toCareTeamRows, INVOLVEMENT_TITLES } from './view-models/care-team.js';
export type { CareTeamRow, Involvement } from './view-models/care-team.js';
export { toWardRows } from './view-models/virtual-ward.js';
export type { WardRow } from './view-models/virtual-ward.js';
export { recordTabs, DEFAULT_RECORD_HEADINGS, HEADING_ELEMENTS } from './view-models/record-headings.js';
export type { RecordTab } from './view-models/record-headings.js';

export type {
  AccessDeniedDetail,
  BreakGlassGrantedDetail,
  BreakGlassRequestDetail,
  PatientSearchDetail,
  PatientSelectedDetail,
  RecordLoadedDetail,
} from './events.js';
export type { HeadingProblem, HeadingStatus } from './components/heading/heading-element.js';
export { birthDateProblem } from './view-models/patient-search.js';
