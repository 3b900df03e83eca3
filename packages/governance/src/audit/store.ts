import type { AuditEvent, ChainedAuditEvent } from './event.js';
import { GENESIS_HASH, hashAuditEvent, verifyChain, type ChainVerification } from './chain.js';
import { auditEventFor, type AuditEventOptions } from './event.js';
import type { Decision } from '../decision/types.js';

export interface AuditQuery {
  personId?: string;
  userId?: string;
  /** ISO instants, inclusive from, exclusive to. */
  from?: string;
  to?: string;
  flaggedOnly?: boolean;
  limit?: number;
}

/**
 * Append-only storage for the audit chain. `append` must take the last event and link the new one atomically (the
 * PostgreSQL store does it in one transaction with a lock), computing the hash with `computeHash`
 * (`hashAuditEvent`) over the event with its `seq` and `prevHash` set.
 */
export interface AuditStore {
  append(event: AuditEvent, computeHash: (prevHash: string, event: AuditEvent & { seq: number; prevHash: string }) => string): Promise<ChainedAuditEvent>;
  /** Events in chain order, filtered. */
  read(query?: AuditQuery): Promise<ChainedAuditEvent[]>;
  last(): Promise<ChainedAuditEvent | undefined>;
}

/** True when an event matches a query. */
export function matchesAuditQuery(event: AuditEvent, query: AuditQuery): boolean {
  if (query.personId !== undefined && event.personId !== query.personId) return false;
  if (query.userId !== undefined && event.user.id !== query.userId) return false;
  if (query.flaggedOnly && !event.flagged) return false;
  const at = Date.parse(event.recorded);
  if (query.from !== undefined && at < Date.parse(query.from)) return false;
  if (query.to !== undefined && at >= Date.parse(query.to)) return false;
  return true;
}

/** An in-memory audit store, for tests and small localities. Appends are serialised. */
export class InMemoryAuditStore implements AuditStore {
  readonly #events: ChainedAuditEvent[] = [];

  async append(event: AuditEvent, computeHash: (prevHash: string, event: AuditEvent & { seq: number; prevHash: string }) => string = hashAuditEvent): Promise<ChainedAuditEvent> {
    const last = this.#events[this.#events.length - 1];
    const linked = { ...event, seq: last ? last.seq + 1 : 0, prevHash: last ? last.hash : GENESIS_HASH };
    const chained: ChainedAuditEvent = { ...linked, hash: computeHash(linked.prevHash, linked) };
    this.#events.push(structuredClone(chained));
    return structuredClone(chained);
  }

  async read(query: AuditQuery = {}): Promise<ChainedAuditEvent[]> {
    const out: ChainedAuditEvent[] = [];
    for (const event of this.#events) {
      if (!matchesAuditQuery(event, query)) continue;
      out.push(structuredClone(event));
      if (query.limit !== undefined && out.length >= query.limit) break;
    }
    return out;
  }

  async last(): Promise<ChainedAuditEvent | undefined> {
    const event = this.#events[this.#events.length - 1];
    return event ? structuredClone(event) : undefined;
  }
}

/** Append the audit event for a decision (the `audit` obligation). */
export function recordDecision(store: AuditStore, decision: Decision, options: AuditEventOptions): Promise<ChainedAuditEvent> {
  return store.append(auditEventFor(decision, options), hashAuditEvent);
}

/** Every access to one person's record, oldest first ("who has looked at my record"). */
export function auditForPatient(store: AuditStore, personId: string, query: Omit<AuditQuery, 'personId'> = {}): Promise<ChainedAuditEvent[]> {
  return store.read({ ...query, personId });
}

/** Every access by one user, oldest first (privacy officer review). */
export function auditForUser(store: AuditStore, userId: string, query: Omit<AuditQuery, 'userId'> = {}): Promise<ChainedAuditEvent[]> {
  return store.read({ ...query, userId });
}

/** Read the whole chain from a store and verify it. */
export async function verifyStore(store: AuditStore): Promise<ChainVerification> {
  return verifyChain(await store.read());
}
