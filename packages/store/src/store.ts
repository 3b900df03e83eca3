import type {
  ApplyResult,
  BatchResource,
  DeadLetter,
  DeadLetterInput,
  IdentityLookup,
  IngestBatch,
  LocalIdentifier,
  PersonDemographics,
  PersonRecord,
  ResourceLike,
  Sink,
} from '@openidcr/model';
import type { Db, Engine } from './db/db.js';
import type { PgliteInstance } from './db/pglite.js';
import { fromPglite, openPglite } from './db/pglite.js';
import { openPostgres } from './db/postgres.js';
import { StoreError } from './errors.js';
import type { AuditEntryInput, AuditLink, AuditQuery, AuditRow, LegitimateRelationship, LegitimateRelationshipInput, StoredConsent } from './governance/governance.js';
import * as governance from './governance/governance.js';
import type { BreakGlassGrantInput, PrivacyAlert, PrivacyAlertInput, PrivacyReviewOutcome, StoredBreakGlassGrant } from './break-glass/break-glass.js';
import * as breakGlass from './break-glass/break-glass.js';
import type { PersonLink } from './identity/mpi.js';
import * as mpi from './identity/mpi.js';
import type { ApplyHooks, DeadLetterQuery, MessageLogQuery, StoredMessage } from './ingest/ingest.js';
import * as ingest from './ingest/ingest.js';
import { checkBatchResources } from './ingest/batch-schema.js';
import type { InitialLoadItem, InitialLoadOptions, InitialLoadResult } from './ingest/initial-load.js';
import { initialLoad } from './ingest/initial-load.js';
import type { Page } from './paging/cursor.js';
import type { CurrentAdmission, PatientSearch, ResourceQuery, StoredResource } from './resources/read.js';
import * as read from './resources/read.js';
import { writeResources } from './resources/write.js';
import type { RecordForView, RecordForViewOptions } from './resources/view.js';
import { readRecordForView } from './resources/view.js';
import type { MigrationReport } from './schema/migrate.js';
import { migrate } from './schema/migrate.js';
import { SCHEMA_VERSION } from './schema/migrations.js';
import { parseStoreUrl } from './url.js';

/** Options for `openStore`. */
export interface OpenStoreOptions {
  /** PostgreSQL schema for the store's tables (default `idcr`); lower-case letters, digits, `_`. */
  schema?: string | undefined;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number | undefined;
}

/** What `bulkLoad` did. */
export interface BulkLoadResult {
  resourcesWritten: number;
  resourcesSkippedAsStale: number;
  batches: number;
}

/** Options for `bulkLoad`. */
export interface BulkLoadOptions {
  /** Resources per transaction (default 2000). */
  batchSize?: number | undefined;
  /**
   * Transactions in flight at once (default 2 on PostgreSQL, so preparing one batch overlaps writing the other;
   * 1 on PGlite, which has one connection). Batches that fail are not retried, and batches already committed stay.
   */
  concurrency?: number | undefined;
}

/** The record store: one API over PGlite and PostgreSQL. It is the `Sink` and `IdentityLookup` of integration. */
export interface RecordStore extends Sink, IdentityLookup {
  readonly engine: Engine;
  readonly schema: string;
  /** The migrations applied when this store was opened. */
  readonly migration: MigrationReport;

  // --- ingest ---
  /**
   * Applies an ingest batch atomically; resolves only after the transaction holding it committed. Batches that
   * arrive while one is being applied are committed together in the next transaction (group commit), each with its
   * own result, as applying them one after the other would give; a failing batch fails alone.
   */
  applyBatch(batch: IngestBatch): Promise<ApplyResult>;
  recordDeadLetter(letter: DeadLetterInput): Promise<DeadLetter>;
  listDeadLetters(query?: DeadLetterQuery): Promise<Page<DeadLetter>>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  markDeadLetterReplayed(id: string, at?: string): Promise<DeadLetter | undefined>;
  listMessages(query?: MessageLogQuery): Promise<Page<StoredMessage>>;
  /**
   * Initial load of a locality: resources written as new versions in multi-row batches, one transaction per batch,
   * with no message log. Not atomic as a whole: on failure, the batches already committed stay (loading again is
   * safe: it writes new versions).
   */
  bulkLoad(resources: Iterable<BatchResource> | AsyncIterable<BatchResource>, options?: BulkLoadOptions): Promise<BulkLoadResult>;
  /**
   * The first load of a locality into an empty store (`invalid-input` otherwise): resources and master patient index
   * persons, each once, written as version 1. On PostgreSQL it COPYs with the secondary indexes dropped and builds
   * them once at the end, many times faster than `bulkLoad`. One transaction: all of it lands, or none.
   */
  initialLoad(items: Iterable<InitialLoadItem> | AsyncIterable<InitialLoadItem>, options?: InitialLoadOptions): Promise<InitialLoadResult>;

  // --- resources ---
  read(resourceType: string, id: string): Promise<StoredResource | undefined>;
  readVersion(resourceType: string, id: string, version: number): Promise<StoredResource | undefined>;
  history(resourceType: string, id: string): Promise<StoredResource[]>;
  listResources(query: ResourceQuery): Promise<Page<StoredResource>>;
  /**
   * Every current resource of a patient, in one query (`Patient/$everything`), in no particular order. A merged
   * person's key has no rows left, so for it a second query follows the merge to the survivor.
   */
  everything(patientKey: string): Promise<ResourceLike[]>;
  /**
   * A person's whole record with their consents and the legitimate relationships in force at `at`, found by the id
   * of one of their Patient resources, in one query (what a policy-checked `$everything` reads). Undefined when no
   * Patient has this id.
   */
  recordForView(patientId: string, at: string, options?: RecordForViewOptions): Promise<RecordForView | undefined>;
  findPatientsByNhsNumber(nhsNumber: string): Promise<StoredResource[]>;
  findPatientsByLocalIdentifier(identifier: LocalIdentifier): Promise<StoredResource[]>;
  findPatientsByIdentifier(system: string, value: string): Promise<StoredResource[]>;
  searchPatients(search: PatientSearch): Promise<Page<StoredResource>>;
  /** The virtual ward of a GP practice: its registered patients who are in hospital now. */
  currentAdmissions(practiceOdsCode: string): Promise<CurrentAdmission[]>;

  // --- master patient index ---
  getPerson(personId: string): Promise<PersonRecord | undefined>;
  findPersonByNhsNumber(nhsNumber: string): Promise<PersonRecord | undefined>;
  findPersonByLocalIdentifier(identifier: LocalIdentifier): Promise<PersonRecord | undefined>;
  findCandidates(demographics: PersonDemographics, limit: number): Promise<PersonRecord[]>;
  listReviewQueue(options?: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<PersonLink>>;
  decideLink(decision: { personId: string; candidatePersonId: string; decision: 'linked' | 'rejected'; decidedBy: string }): Promise<PersonLink | undefined>;

  // --- governance ---
  putConsent(patientKey: string, consent: ResourceLike): Promise<StoredConsent>;
  listConsents(patientKey: string): Promise<StoredConsent[]>;
  putRelationship(relationship: LegitimateRelationshipInput): Promise<LegitimateRelationship>;
  findRelationships(query: { patientKey?: string | undefined; userId?: string | undefined; at?: string | undefined }): Promise<LegitimateRelationship[]>;
  appendAudit(entry: AuditEntryInput, computeHash: (link: AuditLink) => string | Promise<string>): Promise<AuditRow>;
  /**
   * Appends several audit rows in the order given, in one transaction under one lock (group commit): `computeHash`
   * is called for each in chain order. All land or none. Returns the rows in chain order.
   */
  appendAuditBatch(entries: readonly AuditEntryInput[], computeHash: (link: AuditLink) => string | Promise<string>): Promise<AuditRow[]>;
  readAudit(query?: AuditQuery): Promise<Page<AuditRow>>;

  // --- break-glass and privacy-officer alerts (shared by every process) ---
  putBreakGlassGrant(grant: BreakGlassGrantInput): Promise<StoredBreakGlassGrant>;
  /** The grant in force for this user and person at `at`: not revoked, not expired. */
  findBreakGlassGrant(query: { userId: string; patientKey: string; at: string }): Promise<StoredBreakGlassGrant | undefined>;
  getBreakGlassGrant(patientKey: string, id: string): Promise<StoredBreakGlassGrant | undefined>;
  revokeBreakGlassGrant(revocation: { patientKey: string; id: string; revokedBy: string; reason: string; at: string }): Promise<StoredBreakGlassGrant | undefined>;
  raisePrivacyAlert(alert: PrivacyAlertInput): Promise<PrivacyAlert>;
  listPrivacyAlerts(query?: { status?: 'open' | 'reviewed' | 'all' | undefined; limit?: number | undefined }): Promise<PrivacyAlert[]>;
  getPrivacyAlert(patientKey: string, id: string): Promise<PrivacyAlert | undefined>;
  reviewPrivacyAlert(review: { patientKey: string; id: string; outcome: PrivacyReviewOutcome; note: string; reviewedBy: string; at: string }): Promise<{ reviewed: boolean; alert: PrivacyAlert } | undefined>;

  close(): Promise<void>;
}

/** Builds the store API over an open, migrated database. */
export function createRecordStore(db: Db, migration: MigrationReport, hooks: ApplyHooks = {}): RecordStore {
  let closed = false;
  const applyBatch = ingest.createBatchApplier(db, hooks);
  return {
    engine: db.engine,
    schema: db.schema,
    migration,
    applyBatch,
    recordDeadLetter: (letter) => ingest.recordDeadLetter(db, letter),
    listDeadLetters: (query) => ingest.listDeadLetters(db, query),
    getDeadLetter: (id) => ingest.getDeadLetter(db, id),
    markDeadLetterReplayed: (id, at) => ingest.markDeadLetterReplayed(db, id, at),
    listMessages: (query) => ingest.listMessages(db, query),
    async bulkLoad(resources, options = {}) {
      const batchSize = options.batchSize ?? 2000;
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) {
        throw new StoreError('invalid-input', 'batchSize: must be an integer from 1 to 50000', 'batchSize');
      }
      const concurrency = options.concurrency ?? (db.engine === 'postgres' ? 2 : 1);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
        throw new StoreError('invalid-input', 'concurrency: must be an integer from 1 to 16', 'concurrency');
      }
      const result: BulkLoadResult = { resourcesWritten: 0, resourcesSkippedAsStale: 0, batches: 0 };
      let offset = 0;
      const write = async (chunk: BatchResource[], first: number): Promise<void> => {
        checkBatchResources(chunk, 'resources', first);
        const now = new Date().toISOString();
        const outcome = await db.transaction((tx) => writeResources(tx, chunk, now)).catch(async (error: unknown) => {
          // Two batches in flight that both create the same resource collide on its key; the loser runs again
          // alone, after the winner committed, and so writes the next version.
          if (concurrency > 1 && (error as { code?: string }).code === '23505') {
            return db.transaction((tx) => writeResources(tx, chunk, new Date().toISOString()));
          }
          throw error;
        });
        result.resourcesWritten += outcome.written;
        result.resourcesSkippedAsStale += outcome.skippedAsStale;
        result.batches++;
      };
      const inFlight = new Set<Promise<void>>();
      let failure: unknown;
      const launch = (chunk: BatchResource[]): void => {
        const task: Promise<void> = write(chunk, offset)
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => inFlight.delete(task));
        offset += chunk.length;
        inFlight.add(task);
      };
      let chunk: BatchResource[] = [];
      for await (const item of resources) {
        chunk.push(item);
        if (chunk.length >= batchSize) {
          launch(chunk);
          chunk = [];
          while (inFlight.size >= concurrency) await Promise.race(inFlight);
          if (failure !== undefined) break;
        }
      }
      if (failure === undefined && chunk.length > 0) launch(chunk);
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      return result;
    },
    initialLoad: (items, options) => initialLoad(db, items, options),
    read: (type, id) => read.readResource(db, type, id),
    readVersion: (type, id, version) => read.readResourceVersion(db, type, id, version),
    history: (type, id) => read.resourceHistory(db, type, id),
    listResources: (query) => read.listResources(db, query),
    everything: (patientKey) => read.readEverything(db, patientKey),
    recordForView: (patientId, at, options) => readRecordForView(db, patientId, at, options),
    findPatientsByNhsNumber: (nhsNumber) => read.findPatientsByNhsNumber(db, nhsNumber),
    findPatientsByLocalIdentifier: (identifier) => read.findPatientsByLocalIdentifier(db, identifier),
    findPatientsByIdentifier: (system, value) => read.findPatientsByIdentifier(db, system, value),
    searchPatients: (search) => read.searchPatients(db, search),
    currentAdmissions: (ods) => read.currentAdmissions(db, ods),
    getPerson: (id) => mpi.getPerson(db, id),
    findPersonByNhsNumber: (nhsNumber) => mpi.findPersonByNhsNumber(db, nhsNumber),
    findPersonByLocalIdentifier: (identifier) => mpi.findPersonByLocalIdentifier(db, identifier),
    findCandidates: (demographics, limit) => mpi.findCandidates(db, demographics, limit),
    listReviewQueue: (options) => mpi.listReviewQueue(db, options),
    decideLink: (decision) => mpi.decideLink(db, decision, new Date().toISOString()),
    putConsent: (patientKey, consent) => governance.putConsent(db, patientKey, consent),
    listConsents: (patientKey) => governance.listConsents(db, patientKey),
    putRelationship: (relationship) => governance.putRelationship(db, relationship),
    findRelationships: (query) => governance.findRelationships(db, query),
    appendAudit: (entry, computeHash) => governance.appendAudit(db, entry, computeHash),
    appendAuditBatch: (entries, computeHash) => governance.appendAuditBatch(db, entries, computeHash),
    readAudit: (query) => governance.readAudit(db, query),
    putBreakGlassGrant: (grant) => breakGlass.putBreakGlassGrant(db, grant),
    findBreakGlassGrant: (query) => breakGlass.findBreakGlassGrant(db, query),
    getBreakGlassGrant: (patientKey, id) => breakGlass.getBreakGlassGrant(db, patientKey, id),
    revokeBreakGlassGrant: (revocation) => breakGlass.revokeBreakGlassGrant(db, revocation),
    raisePrivacyAlert: (alert) => breakGlass.raisePrivacyAlert(db, alert),
    listPrivacyAlerts: (query) => breakGlass.listPrivacyAlerts(db, query),
    getPrivacyAlert: (patientKey, id) => breakGlass.getPrivacyAlert(db, patientKey, id),
    reviewPrivacyAlert: (review) => breakGlass.reviewPrivacyAlert(db, review),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}

/** Opens the database behind a store URL, without migrating it. */
export async function openDb(url: string, options: OpenStoreOptions = {}): Promise<Db> {
  const location = parseStoreUrl(url, options.schema);
  return location.engine === 'pglite'
    ? openPglite(location.dataDir, location.schema)
    : openPostgres(location.connectionString, location.schema, { maxConnections: options.maxConnections });
}

/**
 * Opens a record store on a PGlite instance you made (e.g. with extensions or options of your own). The store
 * owns it from then on: `close()` closes it.
 */
export async function openStoreOnPglite(pg: PgliteInstance, options: { schema?: string | undefined } = {}): Promise<RecordStore> {
  const location = parseStoreUrl('pglite:memory', options.schema);
  const db = await fromPglite(pg, location.schema);
  return createRecordStore(db, await migrate(db));
}

/**
 * Opens a record store: `pglite:memory`, `pglite:./data/idcr` (a folder, created when missing) or
 * `postgres://user@host:5432/db[?schema=name]`. Applies pending migrations before returning; refuses a database
 * whose schema is newer than this package (`schema-too-new`).
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<RecordStore> {
  const db = await openDb(url, options);
  try {
    const report = await migrate(db);
    return createRecordStore(db, report);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

export { SCHEMA_VERSION };
