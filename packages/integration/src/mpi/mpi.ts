import { randomUUID } from 'node:crypto';
import type { IdentityChange, IdentityLookup, LocalIdentifier, PersonDemographics, PersonRecord } from '@openidcr/model';
import { scoreMatch, type MatchScore } from './matching.js';

export interface MpiOptions {
  /** At or above: the same person, linked automatically. Default 0.9. */
  linkThreshold?: number;
  /** At or above (and below link): a new provisional person plus a review-queue entry. Default 0.6. */
  reviewThreshold?: number;
  /** Candidates fetched per match. Default 20. */
  candidateLimit?: number;
  /** Person id generator (tests). */
  newPersonId?: () => string;
}

/** Who the MPI says a message is about, how it decided, and what it changes. */
export interface Resolution {
  personId: string;
  /** The NHS number and local ids the person has after this message. */
  nhsNumber: string | undefined;
  localIds: LocalIdentifier[];
  decision: 'nhs-number' | 'local-identifier' | 'demographic-link' | 'new-confirmed' | 'new-provisional';
  /** Best demographic match considered, when matching ran. */
  match?: (MatchScore & { candidatePersonId: string }) | undefined;
  changes: IdentityChange[];
  warnings: string[];
}

export interface IdentityFacts {
  nhsNumber?: string | undefined;
  localIds: LocalIdentifier[];
  demographics: PersonDemographics;
}

const sameId = (a: LocalIdentifier, b: LocalIdentifier) =>
  a.assigningAuthority.toUpperCase() === b.assigningAuthority.toUpperCase() && a.value === b.value;

/** Exactly the identifier a lookup by it would match (the store compares authority and value as written). */
const holds = (person: PersonRecord, id: LocalIdentifier) => person.localIds.some((l) => l.assigningAuthority === id.assigningAuthority && l.value === id.value);

/** The demographics a write would store (a missing and an undefined element both store nothing) are those stored. */
function sameDemographics(next: PersonDemographics, stored: PersonDemographics): boolean {
  const keys = new Set([...Object.keys(next), ...Object.keys(stored)] as (keyof PersonDemographics)[]);
  for (const key of keys) if ((next[key] ?? undefined) !== (stored[key] ?? undefined)) return false;
  return true;
}

/**
 * The master patient index. NHS number first (valid check digits only reach here); then local identifiers per
 * assigning authority; then probabilistic demographic matching with two thresholds: link, review, or a new
 * provisional person. Never links silently below the link threshold. Reads through `IdentityLookup`; writes are
 * `IdentityChange`s applied by the sink in the same transaction as the message.
 */
export class MasterPatientIndex {
  readonly linkThreshold: number;
  readonly reviewThreshold: number;
  private readonly candidateLimit: number;
  private readonly newPersonId: () => string;

  constructor(
    private readonly lookup: IdentityLookup,
    options: MpiOptions = {},
  ) {
    this.linkThreshold = options.linkThreshold ?? 0.9;
    this.reviewThreshold = options.reviewThreshold ?? 0.6;
    if (!(this.reviewThreshold <= this.linkThreshold)) throw new RangeError('reviewThreshold must not exceed linkThreshold');
    this.candidateLimit = options.candidateLimit ?? 20;
    this.newPersonId = options.newPersonId ?? (() => randomUUID());
  }

  /** Follows merges to the surviving person. */
  async current(person: PersonRecord | undefined): Promise<PersonRecord | undefined> {
    let p = person;
    for (let hops = 0; p?.mergedInto && hops < 10; hops++) p = await this.lookup.getPerson(p.mergedInto);
    return p;
  }

  /** Finds (or creates) the person a message is about. Pure decision + reads; nothing is written here. */
  async resolve(facts: IdentityFacts): Promise<Resolution> {
    const warnings: string[] = [];
    // The NHS number first: its holder comes back with every identifier they hold, so a local id they already hold
    // needs no query of its own (an identifier has one holder, so that query could only return this same person).
    // A known person sending what they always send is then one read, not one per identifier.
    const byNhs = facts.nhsNumber ? await this.current(await this.lookup.findPersonByNhsNumber(facts.nhsNumber)) : undefined;
    const byLocal: PersonRecord[] = [];
    for (const id of facts.localIds) {
      const p = byNhs && !byNhs.mergedInto && holds(byNhs, id) ? byNhs : await this.current(await this.lookup.findPersonByLocalIdentifier(id));
      if (p && !byLocal.some((x) => x.personId === p.personId)) byLocal.push(p);
    }
    if (byLocal.length > 1) {
      warnings.push(`local identifiers point to ${byLocal.length} different people (${byLocal.map((p) => p.personId).join(', ')}); the first is used and a review entry raised`);
    }

    if (facts.nhsNumber) {
      if (byNhs) {
        for (const other of byLocal) {
          if (other.personId !== byNhs.personId) {
            warnings.push(`local identifier already belongs to person ${other.personId}, but the NHS number is person ${byNhs.personId}; the NHS number wins and a review entry is raised`);
          }
        }
        return this.finish(byNhs, facts, 'nhs-number', warnings, byLocal.filter((p) => p.personId !== byNhs.personId));
      }
      const local = byLocal[0];
      if (local && (!local.nhsNumber || local.nhsNumber === facts.nhsNumber)) {
        // A provisional person now gets a verified NHS number: confirm them.
        return this.finish(local, facts, 'local-identifier', warnings, byLocal.slice(1));
      }
      if (local) warnings.push(`local identifier belongs to person ${local.personId} with a different NHS number; a new person is created`);
      return this.create(facts, 'new-confirmed', warnings, undefined);
    }

    if (byLocal[0]) return this.finish(byLocal[0], facts, 'local-identifier', warnings, byLocal.slice(1));

    const d = facts.demographics;
    if (!d.family || !d.birthDate) {
      warnings.push('not enough demographics to match (family name and birth date needed); new provisional person');
      return this.create(facts, 'new-provisional', warnings, undefined);
    }
    const candidates = await this.lookup.findCandidates(d, this.candidateLimit);
    let best: (MatchScore & { candidatePersonId: string }) | undefined;
    for (const c of candidates) {
      const person = await this.current(c);
      if (!person) continue;
      // A person who already has an identifier from this same authority is a different person at that source.
      if (person.localIds.some((l) => facts.localIds.some((f) => f.assigningAuthority.toUpperCase() === l.assigningAuthority.toUpperCase() && f.value !== l.value))) continue;
      const s = scoreMatch(d, person.demographics);
      if (!best || s.score > best.score) best = { ...s, candidatePersonId: person.personId };
    }
    if (best && best.score >= this.linkThreshold) {
      const person = (await this.lookup.getPerson(best.candidatePersonId))!;
      const r = await this.finish(person, facts, 'demographic-link', warnings, []);
      r.match = best;
      // The explanation goes with the message (its log row), so a linked record can be traced back and challenged.
      r.warnings.push(`linked by demographics to person ${person.personId}: ${best.explanation.join('; ')}`);
      return r;
    }
    return this.create(facts, 'new-provisional', warnings, best);
  }

  private async finish(person: PersonRecord, facts: IdentityFacts, decision: Resolution['decision'], warnings: string[], conflicts: PersonRecord[]): Promise<Resolution> {
    const changes: IdentityChange[] = [];
    const nhsNumber = person.nhsNumber ?? facts.nhsNumber;
    const status = nhsNumber ? 'confirmed' : person.status;
    const demographics = { ...person.demographics, ...facts.demographics };
    // A person already stored exactly as this message describes them is left alone: no write, no row touched.
    if (nhsNumber !== person.nhsNumber || status !== person.status || !sameDemographics(demographics, person.demographics)) {
      changes.push({ kind: 'upsert-person', person: { personId: person.personId, nhsNumber, demographics, status } });
    }
    const localIds = [...person.localIds];
    for (const id of facts.localIds) {
      if (!localIds.some((l) => sameId(l, id))) {
        localIds.push(id);
        // Only add identifiers nobody else holds; a clash is for a human.
        if (!conflicts.length) changes.push({ kind: 'add-local-identifier', personId: person.personId, identifier: id });
      }
    }
    for (const other of conflicts) {
      changes.push({ kind: 'link-candidate', personId: person.personId, candidatePersonId: other.personId, score: 1, status: 'review', explanation: ['identifiers conflict: ' + warnings.join('; ')] });
    }
    return { personId: person.personId, nhsNumber, localIds, decision, changes, warnings };
  }

  private create(facts: IdentityFacts, decision: 'new-confirmed' | 'new-provisional', warnings: string[], best: (MatchScore & { candidatePersonId: string }) | undefined): Resolution {
    const personId = this.newPersonId();
    const changes: IdentityChange[] = [
      { kind: 'upsert-person', person: { personId, nhsNumber: facts.nhsNumber, demographics: facts.demographics, status: facts.nhsNumber ? 'confirmed' : 'provisional' } },
      ...facts.localIds.map((identifier): IdentityChange => ({ kind: 'add-local-identifier', personId, identifier })),
    ];
    if (best && best.score >= this.reviewThreshold) {
      changes.push({ kind: 'link-candidate', personId, candidatePersonId: best.candidatePersonId, score: best.score, status: 'review', explanation: best.explanation });
    }
    return { personId, nhsNumber: facts.nhsNumber, localIds: [...facts.localIds], decision, match: best, changes, warnings };
  }

  /** The identity changes of an A40 merge: everything of `mergedId` moves to `survivorId`. */
  mergeChanges(survivorId: string, mergedId: string, reason: string): IdentityChange[] {
    return [{ kind: 'merge', survivorId, mergedId, reason }];
  }

  /** Undoes a merge: the store moves back what the merge moved. */
  unmergeChanges(survivorId: string, mergedId: string, reason: string): IdentityChange[] {
    return [{ kind: 'unmerge', survivorId, mergedId, reason }];
  }
}
