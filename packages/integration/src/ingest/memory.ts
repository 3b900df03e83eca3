import { randomUUID } from 'node:crypto';
import type {
  ApplyResult,
  DeadLetter,
  DeadLetterInput,
  IdentityLookup,
  IngestBatch,
  LocalIdentifier,
  MessageLogEntry,
  PersonDemographics,
  PersonRecord,
  ResourceLike,
  Sink,
} from '@openidcr/model';
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
  readonly persons = new Map<string, PersonRecord>();
  readonly reviewQueue: { personId: string; candidatePersonId: string; score: number; status: string; explanation: string[] }[] = [];
  private readonly messageKeys = new Map<string, MessageLogEntry>();
  private readonly merges = new Map<string, string[]>();
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
    // Stage everything, then commit in one step: an exception above leaves nothing half-applied.
    const persons = new Map(this.persons);
    const merges = new Map(this.merges);
    const review = [...this.reviewQueue];
    const resources = new Map(this.resources);
    for (const change of batch.identity) {
      switch (change.kind) {
        case 'upsert-person': {
          const before = persons.get(change.person.personId);
          persons.set(change.person.personId, { ...change.person, localIds: before?.localIds ?? [], mergedInto: before?.mergedInto });
          break;
        }
        case 'add-local-identifier': {
          const p = persons.get(change.personId);
          if (!p) throw new Error(`add-local-identifier: unknown person ${change.personId}`);
          if (!p.localIds.some((l) => sameId(l, change.identifier))) persons.set(p.personId, { ...p, localIds: [...p.localIds, change.identifier] });
          break;
        }
        case 'link-candidate':
          review.push({ personId: change.personId, candidatePersonId: change.candidatePersonId, score: change.score, status: change.status, explanation: change.explanation });
          break;
        case 'merge': {
          const merged = persons.get(change.mergedId);
          if (!merged) throw new Error(`merge: unknown person ${change.mergedId}`);
          persons.set(merged.personId, { ...merged, mergedInto: change.survivorId });
          const moved: string[] = [];
          for (const [k, r] of resources) {
            if (r.patientKey === change.mergedId) {
              resources.set(k, { ...r, patientKey: change.survivorId });
              moved.push(k);
            }
          }
          merges.set(`${change.survivorId}|${change.mergedId}`, moved);
          break;
        }
        case 'unmerge': {
          const merged = persons.get(change.mergedId);
          const moved = merges.get(`${change.survivorId}|${change.mergedId}`);
          if (!merged || !moved) throw new Error(`unmerge: no merge of ${change.mergedId} into ${change.survivorId}`);
          persons.set(merged.personId, { ...merged, mergedInto: undefined });
          for (const k of moved) {
            const r = resources.get(k);
            if (r) resources.set(k, { ...r, patientKey: change.mergedId });
          }
          merges.delete(`${change.survivorId}|${change.mergedId}`);
          break;
        }
      }
    }
    let written = 0;
    let stale = 0;
    for (const item of batch.resources) {
      const k = `${item.resource.resourceType}/${item.resource.id}`;
      const before = resources.get(k);
      if (before?.sourceTime && item.sourceTime && Date.parse(before.sourceTime) > Date.parse(item.sourceTime)) {
        stale++;
        continue;
      }
      resources.set(k, { patientKey: item.patientKey, resource: structuredClone(item.resource), sourceTime: item.sourceTime ?? before?.sourceTime, version: (before?.version ?? 0) + 1 });
      written++;
    }
    this.persons.clear();
    for (const [k, v] of persons) this.persons.set(k, v);
    this.merges.clear();
    for (const [k, v] of merges) this.merges.set(k, v);
    this.reviewQueue.splice(0, this.reviewQueue.length, ...review);
    this.resources.clear();
    for (const [k, v] of resources) this.resources.set(k, v);
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
    for (const p of this.persons.values()) if (p.nhsNumber === nhsNumber && !p.mergedInto) return p;
    for (const p of this.persons.values()) if (p.nhsNumber === nhsNumber) return p;
    return undefined;
  }

  async findPersonByLocalIdentifier(identifier: LocalIdentifier): Promise<PersonRecord | undefined> {
    for (const p of this.persons.values()) if (p.localIds.some((l) => sameId(l, identifier))) return p;
    return undefined;
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

  get(type: string, id: string): (ResourceLike & { id: string }) | undefined {
    return this.resources.get(`${type}/${id}`)?.resource;
  }
}

function sameId(a: LocalIdentifier, b: LocalIdentifier): boolean {
  return a.assigningAuthority.toUpperCase() === b.assigningAuthority.toUpperCase() && a.value === b.value;
}
