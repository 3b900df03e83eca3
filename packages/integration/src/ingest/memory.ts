import { randomUUID } from 'node:crypto';
import type {
  ApplyResult,
  DeadLetter,
  DeadLetterInput,
  IdentityLookup,
  IngestBatch,
  IngestRelationship,
  LocalIdentifier,
  MessageLogEntry,
  PersonDemographics,
  PersonRecord,
  ResourceLike,
  Sink,
} from '@openidcr/model';
import { keepAbsentElements } from '@openidcr/model';
import { soundex } from '../mpi/matching.js';

interface StoredResource {
  patientKey: string | undefined;
  resource: ResourceLike & { id: string };
  sourceTime: string | undefined;
  version: number;
}

/**
 * A `Sink` and `IdentityLookup` held in memory, with the same semantics a durable store must have: a batch applies
 * whole or not at all, a repeated message key returns the stored ACK, an older update never overwrites a newer one,
 * merges move everything and can be undone. For tests, demos and the `pglite:memory`-free path.
 */
export class MemoryStore implements Sink, IdentityLookup {
  readonly resources = new Map<string, StoredResource>();
  readonly messages: MessageLogEntry[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /** Legitimate relationships learnt from messages, by patient key and id (replaced by a later version). */
  readonly relationships = new Map<string, Omit<IngestRelationship, 'from'>>();
  readonly persons = new Map<string, PersonRecord>();
  readonly reviewQueue: { personId: string; candidatePersonId: string; score: number; status: string; explanation: string[] }[] = [];
  private readonly messageKeys = new Map<string, MessageLogEntry>();
  private readonly merges = new Map<string, string[]>();
  private readonly byNhs = new Map<string, string>();
  private readonly byLocal = new Map<string, string>();
  /** Make the next `applyBatch` calls fail (crash tests). */
  failNext = 0;

  private key(m: Pick<MessageLogEntry, 'sender' | 'controlId' | 'contentHash'>): string {
    return `${m.sender}\u001f${m.controlId}\u001f${m.contentHash}`;
  }

  async applyBatch(batch: IngestBatch): Promise<ApplyResult> {
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('simulated sink failure');
    }
    const existing = this.messageKeys.get(this.key(batch.message));
    if (existing) return { status: 'duplicate', ack: existing.ack, outcome: existing.outcome };
    // Stage everything in overlays, then commit in one step: an exception before the end leaves nothing applied.
    const persons = new Map<string, PersonRecord>();
    const person = (id: string) => persons.get(id) ?? this.persons.get(id);
    const merges = new Map<string, string[] | undefined>();
    const review: typeof this.reviewQueue = [];
    const resources = new Map<string, StoredResource>();
    const resource = (k: string) => resources.get(k) ?? this.resources.get(k);
    for (const change of batch.identity) {
      switch (change.kind) {
        case 'upsert-person': {
          const before = person(change.person.personId);
          persons.set(change.person.personId, { ...change.person, localIds: before?.localIds ?? [], mergedInto: before?.mergedInto });
          break;
        }
        case 'add-local-identifier': {
          const p = person(change.personId);
          if (!p) throw new Error(`add-local-identifier: unknown person ${change.personId}`);
          if (!p.localIds.some((l) => sameId(l, change.identifier))) persons.set(p.personId, { ...p, localIds: [...p.localIds, change.identifier] });
          break;
        }
        case 'link-candidate':
          review.push({ personId: change.personId, candidatePersonId: change.candidatePersonId, score: change.score, status: change.status, explanation: change.explanation });
          break;
        case 'merge': {
          const merged = person(change.mergedId);
          if (!merged) throw new Error(`merge: unknown person ${change.mergedId}`);
          persons.set(merged.personId, { ...merged, mergedInto: change.survivorId });
          const moved: string[] = [];
          for (const k of new Set([...this.resources.keys(), ...resources.keys()])) {
            const r = resource(k)!;
            if (r.patientKey === change.mergedId) {
              resources.set(k, { ...r, patientKey: change.survivorId });
              moved.push(k);
            }
          }
          merges.set(`${change.survivorId}|${change.mergedId}`, moved);
          break;
        }
        case 'unmerge': {
          const key = `${change.survivorId}|${change.mergedId}`;
          const merged = person(change.mergedId);
          const moved = merges.has(key) ? merges.get(key) : this.merges.get(key);
          if (!merged || !moved) throw new Error(`unmerge: no merge of ${change.mergedId} into ${change.survivorId}`);
          persons.set(merged.personId, { ...merged, mergedInto: undefined });
          for (const k of moved) {
            const r = resource(k);
            if (r) resources.set(k, { ...r, patientKey: change.mergedId });
          }
          merges.set(key, undefined);
          break;
        }
      }
    }
    let written = 0;
    let stale = 0;
    const staleKeys = new Set<string>();
    for (const item of batch.resources) {
      const k = `${item.resource.resourceType}/${item.resource.id}`;
      const before = resource(k);
      if (before?.sourceTime && item.sourceTime && Date.parse(before.sourceTime) > Date.parse(item.sourceTime)) {
        stale++;
        staleKeys.add(k);
        continue;
      }
      const content = keepAbsentElements(item.resource, item.keepIfAbsent, before?.resource) as StoredResource['resource'];
      resources.set(k, { patientKey: item.patientKey, resource: content, sourceTime: item.sourceTime ?? before?.sourceTime, version: (before?.version ?? 0) + 1 });
      written++;
    }
    const links = new Map<string, Omit<IngestRelationship, 'from'>>();
    for (const { from, ...link } of batch.relationships ?? []) {
      if (from && staleKeys.has(`${from.resourceType}/${from.id}`)) continue;
      links.set(`${link.patientKey}\u001f${link.id}`, link);
    }
    for (const [k, v] of persons) {
      this.persons.set(k, v);
      if (v.nhsNumber) this.byNhs.set(v.nhsNumber, k);
      for (const l of v.localIds) this.byLocal.set(localKey(l), k);
    }
    for (const [k, v] of merges) {
      if (v) this.merges.set(k, v);
      else this.merges.delete(k);
    }
    this.reviewQueue.push(...review);
    for (const [k, v] of resources) this.resources.set(k, v);
    for (const [k, v] of links) this.relationships.set(k, v);
    this.messages.push(batch.message);
    this.messageKeys.set(this.key(batch.message), batch.message);
    return { status: 'applied', resourcesWritten: written, resourcesSkippedAsStale: stale };
  }

  async recordDeadLetter(letter: DeadLetterInput): Promise<DeadLetter> {
    const stored: DeadLetter = { ...letter, id: randomUUID(), attempts: 1 };
    this.deadLetters.push(stored);
    return stored;
  }

  async getPerson(personId: string): Promise<PersonRecord | undefined> {
    return this.persons.get(personId);
  }

  async findPersonByNhsNumber(nhsNumber: string): Promise<PersonRecord | undefined> {
    const id = this.byNhs.get(nhsNumber);
    return id ? this.persons.get(id) : undefined;
  }

  async findPersonByLocalIdentifier(identifier: LocalIdentifier): Promise<PersonRecord | undefined> {
    const id = this.byLocal.get(localKey(identifier));
    return id ? this.persons.get(id) : undefined;
  }

  async findCandidates(d: PersonDemographics, limit: number): Promise<PersonRecord[]> {
    const out: PersonRecord[] = [];
    const code = d.family ? soundex(d.family) : '';
    for (const p of this.persons.values()) {
      if (p.mergedInto) continue;
      if ((d.birthDate && p.demographics.birthDate === d.birthDate) || (code && p.demographics.family && soundex(p.demographics.family) === code)) out.push(p);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Resources of one person (reads follow nothing: the patient key is what the store holds). */
  resourcesOf(personId: string): (ResourceLike & { id: string })[] {
    return [...this.resources.values()].filter((r) => r.patientKey === personId).map((r) => r.resource);
  }

  /** Relationships of a person (following merges to the survivor, like the store), in force at `at` when given. */
  relationshipsOf(personId: string, at?: string): Omit<IngestRelationship, 'from'>[] {
    const keys = new Set([personId, ...[...this.persons.values()].filter((p) => p.mergedInto === personId).map((p) => p.personId)]);
    const time = at === undefined ? undefined : Date.parse(at);
    return [...this.relationships.values()].filter(
      (r) => keys.has(r.patientKey) && (time === undefined || (Date.parse(r.startedAt) <= time && (r.endedAt === undefined || Date.parse(r.endedAt) > time))),
    );
  }

  get(type: string, id: string): (ResourceLike & { id: string }) | undefined {
    return this.resources.get(`${type}/${id}`)?.resource;
  }
}

function localKey(l: LocalIdentifier): string {
  return `${l.assigningAuthority.toUpperCase()}\u001f${l.value}`;
}

function sameId(a: LocalIdentifier, b: LocalIdentifier): boolean {
  return a.assigningAuthority.toUpperCase() === b.assigningAuthority.toUpperCase() && a.value === b.value;
}
