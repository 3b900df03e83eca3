export { openStore, openStoreOnPglite, openDb, createRecordStore, SCHEMA_VERSION } from './store.js';
export type { PgliteInstance, PgliteLike } from './db/pglite.js';
export type { RecordStore, OpenStoreOptions, BulkLoadOptions, BulkLoadResult } from './store.js';
export type { RecordForView, RecordForViewOptions } from './resources/view.js';
export type { InitialLoadItem, InitialLoadOptions, InitialLoadResult } from './ingest/initial-load.js';
export { parseStoreUrl, DEFAULT_SCHEMA } from './url.js';
export type { StoreLocation } from './url.js';
export { StoreError, isStoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export type { Db, Engine, Queryable, QueryResult, TransactionOptions } from './db/db.js';
export { isValidSchemaName } from './db/db.js';
export { migrate } from './schema/migrate.js';
export type { MigrationReport } from './schema/migrate.js';
export { MIGRATIONS } from './schema/migrations.js';
export type { Migration } from './schema/migrations.js';
export type { Page } from './paging/cursor.js';
export type { StoredResource, ResourceQuery, PatientSearch, CurrentAdmission } from './resources/read.js';
export {
  indexColumnsOf,
  effectiveDateOf,
  sourceOrgOf,
  securityLabelsOf,
  fhirDateToInstant,
  SOURCE_ORGANISATION_EXTENSION,
} from './resources/extract.js';
export type { IndexColumns } from './resources/extract.js';
export type { PersonLink, MergeMoved } from './identity/mpi.js';
export type { StoredMessage, MessageLogQuery, DeadLetterQuery, ApplyHooks } from './ingest/ingest.js';
export type {
  StoredConsent,
  LegitimateRelationship,
  LegitimateRelationshipInput,
  AuditEntryInput,
  AuditLink,
  AuditRow,
  AuditQuery,
} from './governance/governance.js';
export { PRIVACY_REVIEW_OUTCOMES } from './break-glass/break-glass.js';
export type { StoredBreakGlassGrant, BreakGlassGrantInput, PrivacyAlert, PrivacyAlertInput, PrivacyReviewOutcome } from './break-glass/break-glass.js';
