import { createHash, randomUUID } from 'node:crypto';
import type { DeadLetter, IdentityChange, IdentityLookup, IngestBatch, IngestRelationship, MessageLogEntry, Sink } from '@openidcr/model';
import { localIdentifierSystem } from '@openidcr/model';
import { buildAck, type Ack, type AckOptions } from '../hl7/ack.js';
import { parseUnit, type Hl7Header, type Hl7Message, type ParseOutcome } from '../hl7/message.js';
import { businessError, Hl7ErrorCodes, type Hl7Problem } from '../hl7/problems.js';
import { splitMessages, type MessageUnit } from '../hl7/split.js';
import type { MappedResource, MappingContext } from '../mapping/context.js';
import { finishResources, prepareMessage, sourceOfMessage, type PreparedMessage } from '../mapping/index.js';
import { REFERENCE_DATA_TYPES } from '../mapping/participants.js';
import { patientElementsNotCarried, patientResource } from '../mapping/patient.js';
import { MasterPatientIndex, type MpiOptions } from '../mpi/mpi.js';
import { ShippedProfiles } from '../profiles/shipped.js';
import type { SourceProfile } from '../profiles/profile.js';
import { ingestFhirBundle, type BundleIngestResult } from './fhir-bundle.js';
import { KeyedLock } from './keyed-lock.js';
import { DEFAULT_RELATIONSHIP_RULES, relationshipsFrom, type RelationshipRules } from './relationships.js';

/** A named feed and the profile its messages are read with. */
export interface Channel {
  name: string;
  profile: SourceProfile;
  /**
   * The sender's own additions to the mapping, such as its Z-segments: called after the built-in mapping of every
   * message type that has one, with the same context, and returns more resources for the same atomic batch. Put
   * problems with the input in `ctx.problems` (the message is answered AE and dead-lettered, naming the field); a
   * throw is treated as a mapping bug the same way. Must be pure, like the built-in mappers.
   */
  mapExtra?: ((ctx: MappingContext, mapped: readonly MappedResource[]) => MappedResource[]) | undefined;
}

/** What happened to one inbound message. */
export interface IngestResult {
  /** `accepted` (AA/CA), `duplicate` (the original ACK again), `error` (AE/CE), `rejected` (AR/CR). */
  outcome: 'accepted' | 'duplicate' | 'error' | 'rejected';
  /** The ACK to send back (undefined when MSH-15/16 ask for none). */
  ack: string | undefined;
  ackCode: string;
  messageType: string;
  controlId: string | undefined;
  sender: string | undefined;
  channel: string;
  problems: Hl7Problem[];
  warnings: string[];
  personId?: string | undefined;
  resourcesWritten?: number | undefined;
  resourcesSkippedAsStale?: number | undefined;
  deadLetterId?: string | undefined;
  /** True when the failure was ours (sink down): the sender should resend, nothing was dead-lettered. */
  transient?: boolean | undefined;
}

export interface IngestorOptions {
  sink: Sink;
  lookup: IdentityLookup;
  /** Channels by name; a name that is not here but is a shipped profile id uses that profile. */
  channels?: Record<string, SourceProfile | Channel> | undefined;
  mpi?: MpiOptions | undefined;
  /** ACK MSH-3/MSH-4. */
  application?: string | undefined;
  facility?: string | undefined;
  /**
   * Legitimate relationships from feeds (an admission, an open episode, a referral received), stored with the
   * message: how long they last after the care ends. `false`: none are recorded (the policy then relies on
   * registration and relationships entered elsewhere).
   */
  relationships?: Partial<RelationshipRules> | false | undefined;
  /** Clock and id generator (tests and golden files). */
  now?: (() => Date) | undefined;
  newId?: (() => string) | undefined;
}

/** Reads a message to a sink: parse, validate, identify, map, then one atomic batch; ACK only after commit. */
export class Ingestor {
  readonly mpi: MasterPatientIndex;
  private readonly lock = new KeyedLock();
  private readonly now: () => Date;
  private readonly newId: () => string;
  /** Recently seen control ids per sender, to flag a reused id with different content. */
  private readonly recent = new Map<string, string>();

  constructor(private readonly options: IngestorOptions) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? (() => randomUUID());
    this.mpi = new MasterPatientIndex(options.lookup, { newPersonId: this.newId, ...options.mpi });
  }

  /** The channel for a name (or the generic profile when none is given). */
  channel(channel?: string | Channel): Channel {
    if (channel && typeof channel === 'object') return channel;
    const name = channel ?? 'generic';
    const configured = this.options.channels?.[name];
    if (configured) return 'profile' in configured ? configured : { name, profile: configured };
    if (Object.hasOwn(ShippedProfiles, name)) return { name, profile: ShippedProfiles[name as keyof typeof ShippedProfiles] };
    throw new Error(`Unknown channel ${JSON.stringify(name)}: configure it in channels or use a shipped profile id (${Object.keys(ShippedProfiles).join(', ')})`);
  }

  /** Ingests every message in the input (one message, a batch, or a file of several) in order. */
  async ingest(input: string | Buffer, channel?: string | Channel): Promise<IngestResult[]> {
    const text = typeof input === 'string' ? input : decodeHl7Bytes(input);
    const units = splitMessages(text).messages;
    if (units.length === 0) {
      const ch = this.channel(channel);
      return [await this.rejectUnparseable(ch, { ok: false, raw: text, problems: [businessError('empty', 'MSH: no HL7 message in the input', Hl7ErrorCodes.segmentSequence, { segment: 'MSH' })].map((p) => ({ ...p, severity: 'reject' as const })) })];
    }
    return this.ingestParsed(units.map(parseUnit), channel);
  }

  /** Ingests messages already parsed (e.g. by the worker pool), keeping per-patient order, `concurrency` at a time. */
  async ingestParsed(outcomes: readonly ParseOutcome[], channel?: string | Channel, concurrency = 8): Promise<IngestResult[]> {
    const ch = this.channel(channel);
    const results: IngestResult[] = new Array(outcomes.length);
    let next = 0;
    const worker = async () => {
      while (next < outcomes.length) {
        const i = next++;
        results[i] = await this.ingestOutcome(outcomes[i]!, ch);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, outcomes.length)) }, worker));
    return results;
  }

  /** Ingests one parsed message. Identity keys are locked synchronously, so call order is processing order per person. */
  ingestOutcome(outcome: ParseOutcome, channel: Channel): Promise<IngestResult> {
    if (!outcome.ok) return this.rejectUnparseable(channel, outcome);
    const prepared = prepareMessage(outcome.message, channel.profile);
    const keys = identityKeys(prepared);
    const locked = this.lock.acquire(keys);
    return locked.then(async (release) => {
      try {
        return await this.process(prepared, channel);
      } finally {
        release();
      }
    });
  }

  private ackOptions(message: Hl7Message | undefined): AckOptions {
    return {
      application: this.options.application ?? 'OPENIDCR',
      facility: this.options.facility,
      controlId: this.newId(),
      now: this.now(),
      delimiters: message?.delimiters,
    };
  }

  private async rejectUnparseable(channel: Channel, outcome: Extract<ParseOutcome, { ok: false }>): Promise<IngestResult> {
    const header = outcome.header;
    const ack = buildAck(header, 'rejected', outcome.problems, this.ackOptions(undefined));
    return this.deadLetter(channel, outcome.raw, header, outcome.problems, [], ack, 'rejected', `${header?.messageCode ?? 'UNKNOWN'}${header?.triggerEvent ? `^${header.triggerEvent}` : ''}`);
  }

  private async deadLetter(
    channel: Channel,
    raw: string,
    header: Partial<Hl7Header> | undefined,
    problems: Hl7Problem[],
    warnings: string[],
    ack: Ack,
    outcome: 'rejected' | 'error',
    messageType: string,
  ): Promise<IngestResult> {
    const sender = senderOf(header, channel);
    const base = { messageType, controlId: header?.controlId || undefined, sender, channel: channel.name, problems, warnings };
    try {
      const letter = await this.options.sink.recordDeadLetter({
        sender,
        controlId: header?.controlId || undefined,
        channel: channel.name,
        raw,
        error: problems.map((p) => p.message).join('; ') || 'rejected',
        receivedAt: this.now().toISOString(),
      });
      return { ...base, outcome, ack: ack.text, ackCode: ack.code, deadLetterId: letter.id };
    } catch (err) {
      return this.transientFailure(base, header, err);
    }
  }

  /** Our side failed (the sink is down): AR with 207 so the sender resends; nothing was stored or dead-lettered. */
  private transientFailure(base: Omit<IngestResult, 'outcome' | 'ack' | 'ackCode'>, header: Partial<Hl7Header> | undefined, err: unknown): IngestResult {
    const problem = businessError('sink-unavailable', `the record store did not commit (${err instanceof Error ? err.message : String(err)}); resend later`, Hl7ErrorCodes.applicationInternalError);
    const ack = buildAck(header, 'rejected', [problem], this.ackOptions(undefined));
    return { ...base, outcome: 'rejected', ack: ack.text, ackCode: ack.code, problems: [...base.problems, problem], transient: true };
  }

  private async process(prepared: PreparedMessage, channel: Channel): Promise<IngestResult> {
    const { message } = prepared;
    const header = message.header;
    const warnings = prepared.warnings;
    const problems = prepared.problems;
    const fail = (outcome: 'rejected' | 'error', list: Hl7Problem[]) =>
      this.deadLetter(channel, message.raw, header, list, warnings, buildAck(header, outcome, list, this.ackOptions(message)), outcome, message.type);

    const rejects = problems.filter((p) => p.severity === 'reject');
    if (rejects.length > 0) return fail('rejected', rejects);
    if (problems.length > 0) return fail('error', problems);

    const contentHash = createHash('sha256').update(message.normalised()).digest('hex');
    const sender = senderOf(header, channel);
    const seenKey = `${sender}\u001f${header.controlId}`;
    const seenHash = this.recent.get(seenKey);
    if (seenHash && seenHash !== contentHash) warnings.push('control-id-reused: this sender used the same MSH-10 for different content; stored as a new message');
    this.recent.set(seenKey, contentHash);
    if (this.recent.size > 100_000) this.recent.delete(this.recent.keys().next().value!);

    const receivedAt = this.now().toISOString();
    let identity: IdentityChange[] = [];
    let resources: MappedResource[] = [];
    let relationships: IngestRelationship[] = [];
    let keepIfAbsent: string[] = [];
    let personId: string | undefined;

    if (prepared.spec && prepared.patient) {
      const resolution = await this.mpi.resolve(prepared.patient);
      personId = resolution.personId;
      identity = resolution.changes;
      warnings.push(...resolution.warnings.map((w) => `MPI: ${w}`));
      const p = prepared.patient;
      const patientSourceKey = p.localIds[0]
        ? `${p.localIds[0].assigningAuthority}|${p.localIds[0].value}`
        : p.nhsNumber
          ? `nhs|${p.nhsNumber}`
          : `demographics|${p.demographics.family}|${p.demographics.given ?? ''}|${p.demographics.birthDate}`;
      const ctx: MappingContext = {
        message,
        profile: channel.profile,
        ods: prepared.ods,
        personId,
        patientSourceKey,
        sourceTime: prepared.sourceTime,
        problems: [],
        warnings,
      };
      if (prepared.spec.merge && prepared.mergeFrom) {
        const merged = await this.findExisting(prepared.mergeFrom);
        if (!merged) warnings.push('MRG.1: no person holds the prior identifiers; nothing to merge');
        else if (merged === personId) warnings.push('MRG.1: prior identifiers already belong to the surviving person; nothing to merge');
        else identity.push(...this.mpi.mergeChanges(personId, merged, `${message.type} ${header.controlId}`));
      }
      let mapped: MappedResource[];
      try {
        mapped = prepared.spec.map(ctx);
        if (channel.mapExtra) mapped = [...mapped, ...channel.mapExtra(ctx, mapped)];
      } catch (err) {
        // A mapping bug must not take the listener down: the message goes to dead letters for replay once fixed.
        const problem = businessError('mapping-failed', `mapping ${message.type} failed: ${err instanceof Error ? err.message : String(err)}`, Hl7ErrorCodes.applicationInternalError);
        return fail('error', [problem]);
      }
      if (ctx.problems.length > 0) return fail(ctx.problems.some((p) => p.severity === 'reject') ? 'rejected' : 'error', ctx.problems);
      const patient = patientResource(personId, prepared.patient, resolution.nhsNumber, resolution.localIds, localIdentifierSystem) as MappedResource;
      // A message that does not carry an element (no PD1: no registered GP) leaves what an earlier one said.
      keepIfAbsent = patientElementsNotCarried(message, message.segment('PID')!, patient);
      resources = finishResources(sourceOfMessage(prepared), [patient, ...mapped], { receivedAt, contentHash });
      if (this.options.relationships !== false) {
        const rules = { ...DEFAULT_RELATIONSHIP_RULES, ...this.options.relationships };
        relationships = relationshipsFrom(mapped, { personId, ods: prepared.ods, messageType: message.type, sourceTime: prepared.sourceTime }, rules);
      }
    } else if (!prepared.spec) {
      warnings.push(`no mapping for ${message.type}: message logged and acknowledged, nothing mapped`);
    }

    const ack = buildAck(header, 'accepted', [], this.ackOptions(message));
    const entry: MessageLogEntry = {
      sender,
      // A store needs a key: a message without MSH-10 is keyed by its content.
      controlId: header.controlId || `no-msh10-${contentHash.slice(0, 16)}`,
      contentHash,
      messageType: message.type,
      receivedAt,
      raw: message.raw,
      ack: ack.text ?? '',
      outcome: 'accepted',
      patientKey: personId,
      warnings: warnings.length ? [...warnings] : undefined,
    };
    const batch: IngestBatch = {
      message: entry,
      identity,
      resources: resources.map((resource) => ({
        patientKey: REFERENCE_DATA_TYPES.has(resource.resourceType) ? undefined : personId,
        resource,
        sourceTime: prepared.sourceTime,
        ...(resource.resourceType === 'Patient' && keepIfAbsent.length > 0 ? { keepIfAbsent } : {}),
      })),
      ...(relationships.length > 0 ? { relationships } : {}),
    };
    const base = { messageType: message.type, controlId: header.controlId, sender, channel: channel.name, problems: [], warnings };
    let result;
    try {
      result = await this.options.sink.applyBatch(batch);
    } catch (err) {
      return this.transientFailure(base, header, err);
    }
    if (result.status === 'duplicate') {
      return { ...base, outcome: 'duplicate', ack: result.ack || undefined, ackCode: ackCodeOf(result.ack) ?? ack.code, personId };
    }
    return { ...base, outcome: 'accepted', ack: ack.text, ackCode: ack.code, personId, resourcesWritten: result.resourcesWritten, resourcesSkippedAsStale: result.resourcesSkippedAsStale };
  }

  private async findExisting(facts: NonNullable<PreparedMessage['mergeFrom']>): Promise<string | undefined> {
    const lookup = this.options.lookup;
    if (facts.nhsNumber) {
      const p = await this.mpi.current(await lookup.findPersonByNhsNumber(facts.nhsNumber));
      if (p) return p.personId;
    }
    for (const id of facts.localIds) {
      const p = await this.mpi.current(await lookup.findPersonByLocalIdentifier(id));
      if (p) return p.personId;
    }
    return undefined;
  }

  /** Ingests a FHIR R4 Bundle (a source that already speaks FHIR) as one atomic batch. */
  ingestBundle(json: unknown, channel?: string | Channel, raw?: string): Promise<BundleIngestResult> {
    const relationships = this.options.relationships === false ? false : { ...DEFAULT_RELATIONSHIP_RULES, ...this.options.relationships };
    return ingestFhirBundle({ sink: this.options.sink, mpi: this.mpi, lock: this.lock, now: this.now, relationships }, json, this.channel(channel), raw);
  }

  /** Re-ingests dead letters (after the mapping or the profile was fixed). */
  async replay(letters: readonly Pick<DeadLetter, 'raw' | 'channel'>[], channel?: string | Channel): Promise<IngestResult[]> {
    const out: IngestResult[] = [];
    for (const letter of letters) out.push(...(await this.ingest(letter.raw, channel ?? letter.channel)));
    return out;
  }

  /**
   * Merges two people on a human decision (the MPI review queue): the same identity change as an ADT A40
   * (`MasterPatientIndex.mergeChanges`), applied by the sink in one transaction with a message log row, so a
   * decided merge and a message merge are one code path and the message log shows both.
   */
  async merge(survivorId: string, mergedId: string, reason: string): Promise<void> {
    await this.applyIdentityDecision('MPI^MERGE', survivorId, mergedId, reason, this.mpi.mergeChanges(survivorId, mergedId, reason));
  }

  /** Undoes a merge (an A40, or a decided one): what moved to the survivor moves back. */
  async undoMerge(survivorId: string, mergedId: string, reason: string): Promise<void> {
    await this.applyIdentityDecision('MPI^UNMERGE', survivorId, mergedId, reason, this.mpi.unmergeChanges(survivorId, mergedId, reason));
  }

  private async applyIdentityDecision(messageType: 'MPI^MERGE' | 'MPI^UNMERGE', survivorId: string, mergedId: string, reason: string, identity: IdentityChange[]): Promise<void> {
    // Merges take the same lock key as A40 messages, so a decision and a merge message never interleave.
    const release = await this.lock.acquire(['merge', `person:${survivorId}`, `person:${mergedId}`]);
    try {
      const at = this.now().toISOString();
      const verb = messageType === 'MPI^MERGE' ? 'merge' : 'unmerge';
      const controlId = `${verb}-${this.newId()}`;
      const result = await this.options.sink.applyBatch({
        message: {
          sender: 'openidcr-mpi',
          controlId,
          contentHash: createHash('sha256').update(`${verb}|${survivorId}|${mergedId}|${at}`).digest('hex'),
          messageType,
          receivedAt: at,
          raw: `${verb} ${mergedId} ${verb === 'merge' ? 'into' : 'from'} ${survivorId}: ${reason}`,
          ack: '',
          outcome: 'accepted',
          patientKey: verb === 'merge' ? survivorId : mergedId,
        },
        resources: [],
        identity,
      });
      if (result.status !== 'applied') throw new Error(`${verb} was not applied`);
    } finally {
      release();
    }
  }
}

function identityKeys(prepared: PreparedMessage): string[] {
  const facts = [prepared.patient, prepared.mergeFrom].filter((f) => f !== undefined);
  const keys: string[] = [];
  for (const f of facts) {
    if (f.nhsNumber) keys.push(`nhs:${f.nhsNumber}`);
    for (const l of f.localIds) keys.push(`local:${l.assigningAuthority.toUpperCase()}|${l.value}`);
    if (!f.nhsNumber && f.localIds.length === 0) keys.push(`demographics:${f.demographics.family}|${f.demographics.birthDate}`);
  }
  // Merges touch two people at once: serialise them with everything.
  if (prepared.spec?.merge) keys.push('merge');
  return keys;
}

function senderOf(header: Partial<Hl7Header> | undefined, channel: Channel): string {
  const app = header?.sendingApplication ?? '';
  const facility = header?.sendingFacility ?? '';
  return app || facility ? `${app}^${facility}` : channel.name;
}

function ackCodeOf(ack: string): string | undefined {
  const m = /(?:^|\r)MSA.(\w{2})/.exec(ack);
  return m?.[1];
}

/** Decodes HL7 bytes: UTF-8 when valid, else ISO 8859-1 (what `8859/1` senders use); the bytes are kept by the caller. */
export function decodeHl7Bytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

export type { MessageUnit };
