import type { ResourceLike } from '@openidcr/model';

/** A resource with what the API needs beside it: the person it belongs to, and its version for ETags. */
export interface LocatedResource {
  resource: ResourceLike & { id: string };
  /** The person (patient key) the resource belongs to; undefined for reference data (Organization, Practitioner). */
  patientKey: string | undefined;
  version?: string | undefined;
  lastUpdated?: string | undefined;
}

/** A source system that did not answer (federated topology). */
export interface UnavailableSource {
  organisation: string;
  name: string;
  reason: 'timeout' | 'error';
  message: string;
}

/** A value, and the sources that did not contribute to it. */
export interface SourceResult<T> {
  value: T;
  unavailable: UnavailableSource[];
}

export interface ResultPage<T> {
  items: T[];
  nextCursor?: string | undefined;
}

/** Patients to find: by one identifier, or by demographics (prefix match on names and postcode). */
export interface PatientCriteria {
  identifier?: { system: string; value: string } | undefined;
  family?: string | undefined;
  given?: string | undefined;
  /** YYYY-MM-DD */
  birthDate?: string | undefined;
  postcode?: string | undefined;
  gender?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** One person's resources of some types, by date. */
export interface ListQuery {
  patientKey: string;
  resourceTypes: string[];
  /** FHIR date or dateTime, inclusive. */
  from?: string | undefined;
  /** FHIR date or dateTime, inclusive of its whole precision (a day, a month). */
  to?: string | undefined;
  sort: 'date-asc' | 'date-desc';
  limit: number;
  cursor?: string | undefined;
}

/** An open inpatient stay of a person registered with a practice. */
export interface CurrentAdmission {
  patientKey: string;
  encounter: ResourceLike & { id: string };
}

/**
 * Where the API reads the record from: the pooled store, or the sources' own FHIR endpoints at view time. The API,
 * the policy point and the audit are the same over both.
 */
export interface RecordSource {
  readonly topology: 'pooled' | 'federated';
  read(resourceType: string, id: string): Promise<SourceResult<LocatedResource | undefined>>;
  readVersion(resourceType: string, id: string, version: string): Promise<SourceResult<LocatedResource | undefined>>;
  /** Every version of a resource, newest first (`_history`); absent when the topology keeps no versions (federated). */
  history?(resourceType: string, id: string): Promise<SourceResult<LocatedResource[]>>;
  searchPatients(criteria: PatientCriteria): Promise<SourceResult<ResultPage<LocatedResource>>>;
  /** Every Patient resource of a person (one per source that knows them): the policy reads the registered GP from them. */
  patientsOf(patientKey: string): Promise<SourceResult<ResourceLike[]>>;
  /** Every resource of a person: `Patient/$everything`. */
  everything(patientKey: string): Promise<SourceResult<ResourceLike[]>>;
  list(query: ListQuery): Promise<SourceResult<ResultPage<LocatedResource>>>;
  /**
   * The virtual ward: open inpatient Encounters of the people registered with a GP practice (ODS code), oldest
   * admission first. Absent when the topology cannot answer it (federated sources are asked one person at a time).
   */
  currentAdmissions?(practiceOds: string): Promise<SourceResult<CurrentAdmission[]>>;
  /** True when the source can serve (database reachable; for federated, always: sources may come and go). */
  ready(): Promise<boolean>;
}

/** Thrown by a record source for a bad cursor or a bad query value, naming the parameter. */
export class SourceInputError extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'SourceInputError';
    this.parameter = parameter;
  }
}
