import type { Consent, Observation, Provenance, ResourceLike } from '@openidcr/model';
import type { ProxyAuthority } from '../proxy/proxy.js';

/** A person as the citizen API knows them: the patient key every stored row carries, and who they are. */
export interface CitizenPerson {
  /** The patient key (master patient index person id); FHIR references use `Patient/<personId>`. */
  personId: string;
  nhsNumber: string;
  /** Full name as the record holds it, for receipts and the access log. */
  name: string;
  /** YYYY-MM-DD, when known: proxy rules for parents use the child's age. */
  birthDate?: string | undefined;
}

/** A stored version of the person's "what matters to me" statements. */
export interface StoredWhatMatters {
  observation: Observation;
  provenance: Provenance | undefined;
  version: number;
}

/**
 * Where the citizen API reads and writes a person's data. The only writes are the person's own consent choices and
 * "what matters to me" statements (the record itself is changed only at source). Implementations: the in-memory
 * `InMemoryCitizenRecords`, and `@openidcr/citizen/store-adapter` over `@openidcr/store`.
 */
export interface CitizenRecordSource {
  /** The person with this NHS number (10 digits, no spaces), or undefined when the record holds nobody with it. */
  findPerson(nhsNumber: string): Promise<CitizenPerson | undefined>;
  /** Every current resource held about the person (their Patient first, if held). */
  recordOf(personId: string): Promise<ResourceLike[]>;
  /** The person's FHIR Consents (choices about sharing), in any order. */
  consentsOf(personId: string): Promise<Consent[]>;
  saveConsent(personId: string, consent: Consent): Promise<void>;
  /** The person's statements, every version, newest first (empty when they have written none). */
  whatMattersHistory(personId: string): Promise<StoredWhatMatters[]>;
  /**
   * Writes a new version of the statements with its Provenance, atomically. `expectedVersion` is the version the
   * writer read (0 for none); the write is refused (`conflict`) when another version was written in between.
   */
  saveWhatMatters(personId: string, write: { observation: Observation; provenance: Provenance; expectedVersion: number }): Promise<{ ok: true; version: number } | { ok: false; code: 'conflict' }>;
  /** Recorded authorities for `proxyNhsNumber` to act for the person `subjectPersonId` (any status; rules decide). */
  proxyAuthorities(proxyNhsNumber: string, subjectPersonId: string): Promise<ProxyAuthority[]>;
}
