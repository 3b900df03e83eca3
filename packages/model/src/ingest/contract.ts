/**
 * The contract between whatever feeds the record (integration) and whatever keeps it (a store, or any FHIR server).
 * It lives in the model so that neither side imports the other: `@openidcr/store` implements `Sink` and
 * `IdentityLookup`; `@openidcr/integration` produces `IngestBatch`es and calls them.
 */

/** The least a FHIR resource has: a type and (once stored) an id. Everything else is preserved as it came. */
export interface ResourceLike {
  resourceType: string;
  id?: string | undefined;
  meta?: {
    versionId?: string | undefined;
    lastUpdated?: string | undefined;
    source?: string | undefined;
    security?: Array<{ system?: string | undefined; code?: string | undefined; display?: string | undefined }> | undefined;
    tag?: Array<{ system?: string | undefined; code?: string | undefined; display?: string | undefined }> | undefined;
    [key: string]: unknown;
  } | undefined;
  [key: string]: unknown;
}

/** Demographics used by the master patient index to match a person without an NHS number. */
export interface PersonDemographics {
  family?: string | undefined;
  given?: string | undefined;
  /** YYYY-MM-DD */
  birthDate?: string | undefined;
  gender?: 'male' | 'female' | 'other' | 'unknown' | undefined;
  postcode?: string | undefined;
}

/** A local identifier issued by an assigning authority (a hospital MRN, a council case number). */
export interface LocalIdentifier {
  assigningAuthority: string;
  value: string;
}

/** One person in the master patient index. `personId` is the patient key every stored row carries. */
export interface PersonRecord {
  personId: string;
  nhsNumber?: string | undefined;
  demographics: PersonDemographics;
  localIds: LocalIdentifier[];
  /** `provisional`: created without a verified NHS number and awaiting confirmation. */
  status: 'confirmed' | 'provisional';
  /** Set when this person was merged into another (A40); reads should follow it. */
  mergedInto?: string | undefined;
}

/** A change to the master patient index, applied in the same transaction as the message that caused it. */
export type IdentityChange =
  | { kind: 'upsert-person'; person: Omit<PersonRecord, 'localIds' | 'mergedInto'> }
  | { kind: 'add-local-identifier'; personId: string; identifier: LocalIdentifier }
  | {
      kind: 'link-candidate';
      personId: string;
      candidatePersonId: string;
      score: number;
      /** `review`: waits for a human in the MPI review queue; `linked` and `rejected` are decisions. */
      status: 'review' | 'linked' | 'rejected';
      /** Why the score is what it is, field by field, so a reviewer can judge it. */
      explanation: string[];
    }
  | { kind: 'merge'; survivorId: string; mergedId: string; reason: string }
  | { kind: 'unmerge'; survivorId: string; mergedId: string; reason: string };

/** A resource to store, with the patient key it belongs to (undefined only for reference data such as Organization). */
export interface BatchResource {
  patientKey?: string | undefined;
  resource: ResourceLike & { id: string };
  /**
   * When the source says this version is from (EVN-2 or MSH-7). A store must not let an older update overwrite a
   * newer one: a resource whose stored `sourceTime` is later than this one is left as it is.
   */
  sourceTime?: string | undefined;
  /**
   * Top-level elements the message did not carry (an HL7 v2 field left empty means "not sent", not "delete"; a PID
   * without PD1 says nothing about the registered GP). A sink keeps the stored values of these elements when the
   * incoming resource has none, instead of replacing the whole resource. An element the message cleared explicitly
   * (`""`) is not listed, so it is cleared.
   */
  keepIfAbsent?: string[] | undefined;
}

/**
 * A legitimate relationship learnt from a message (an admission, a referral received, an open episode of care),
 * stored in the same transaction as the message. The same id replaces the earlier version (discharge ends it).
 */
export interface IngestRelationship {
  patientKey: string;
  /** Stable, derived from the resource it was read from, so a re-sent or updated message replaces it. */
  id: string;
  /** `*`: every user of `organisation`. */
  userId: string;
  /** ODS code of the organisation providing the care. */
  organisation?: string | undefined;
  /** `encounter`, `episode`, `referral`, ... (the governance relationship kinds). */
  kind: string;
  /** Where it was learnt from, e.g. `ADT^A01 RAE`. */
  source?: string | undefined;
  startedAt: string;
  endedAt?: string | undefined;
  /**
   * The resource (in the same batch) it was read from: when the sink skips that resource as stale (an older
   * message arriving late), it skips the relationship too, so a late A01 cannot reopen a discharged stay.
   */
  from?: { resourceType: string; id: string } | undefined;
}

/** The outcome an inbound message was given. */
export type MessageOutcome = 'accepted' | 'rejected' | 'error';

/** The message log row: one per inbound message, unique on sender + control id + content hash. */
export interface MessageLogEntry {
  sender: string;
  controlId: string;
  /** SHA-256 (hex) of the raw message: the same control id with different content is a different message. */
  contentHash: string;
  messageType: string;
  receivedAt: string;
  raw: string;
  /** The ACK sent (or about to be sent) for this message. */
  ack: string;
  outcome: MessageOutcome;
  patientKey?: string | undefined;
  /** Flags worth a human's attention, e.g. `control-id-reused`. */
  warnings?: string[] | undefined;
}

/** Everything one inbound message changes, applied atomically by a sink. */
export interface IngestBatch {
  message: MessageLogEntry;
  resources: BatchResource[];
  identity: IdentityChange[];
  /** Legitimate relationships the message gives (optional: a sink that keeps none, e.g. a plain FHIR server, ignores them). */
  relationships?: IngestRelationship[] | undefined;
}

/** What a sink did with a batch. */
export type ApplyResult =
  | { status: 'applied'; resourcesWritten: number; resourcesSkippedAsStale: number }
  | { status: 'duplicate'; ack: string; outcome: MessageOutcome };

/** A message that could not be taken, kept whole with the reason so it can be replayed once the cause is fixed. */
export interface DeadLetterInput {
  sender?: string | undefined;
  controlId?: string | undefined;
  channel?: string | undefined;
  raw: string;
  error: string;
  receivedAt: string;
}

/** A dead letter as stored. */
export interface DeadLetter extends DeadLetterInput {
  id: string;
  attempts: number;
  replayedAt?: string | undefined;
}

/** Where integration hands its output: the store, or a FHIR server. */
export interface Sink {
  /** Applies the batch in one transaction; a repeat of a stored message key returns `duplicate` and changes nothing. */
  applyBatch(batch: IngestBatch): Promise<ApplyResult>;
  recordDeadLetter(letter: DeadLetterInput): Promise<DeadLetter>;
}

/** The master patient index reads integration needs to identify a person. */
export interface IdentityLookup {
  getPerson(personId: string): Promise<PersonRecord | undefined>;
  findPersonByNhsNumber(nhsNumber: string): Promise<PersonRecord | undefined>;
  findPersonByLocalIdentifier(identifier: LocalIdentifier): Promise<PersonRecord | undefined>;
  /** People who might be this one: a blocking query (e.g. same birth date, or same phonetic family name). */
  findCandidates(demographics: PersonDemographics, limit: number): Promise<PersonRecord[]>;
}

/**
 * The incoming resource with the elements it does not carry taken from the stored version (`keepIfAbsent`): a
 * message without PD1 must not erase the registered GP an earlier one recorded. A primitive element keeps its
 * extensions with it (`birthDate` keeps `_birthDate`, where the birth time is).
 */
export function keepAbsentElements(resource: ResourceLike, keep: readonly string[] | undefined, stored: ResourceLike | undefined): ResourceLike {
  if (!keep || keep.length === 0 || !stored) return resource;
  let merged: ResourceLike | undefined;
  for (const element of keep) {
    if (element === 'resourceType' || element === 'id' || element === 'meta') continue;
    if (resource[element] !== undefined || resource[`_${element}`] !== undefined) continue;
    for (const name of [element, `_${element}`]) {
      if (stored[name] === undefined) continue;
      merged ??= { ...resource };
      merged[name] = stored[name];
    }
  }
  return merged ?? resource;
}
