import { GENESIS_HASH, hashAuditEvent, verifyChain, type AuditEvent, type ChainVerification, type ChainedAuditEvent } from '@openidcr/governance';
import type { AuditLink, AuditRow, RecordStore } from '@openidcr/store';

/** Where the policy point writes its audit events. Appends must be atomic and hash-chained. */
export interface AuditSink {
  append(event: AuditEvent, patientKey: string): Promise<void>;
}

/**
 * The chain as governance defines it (`seq` from 0, `prevHash` of the first event the genesis hash), kept in the
 * store's append-only audit table (`seq` from 1, no previous hash on the first row). The event is stored as it is;
 * the hash covers it with its chain position, so deleting, inserting, reordering or editing a row breaks the chain.
 */
function linkOf(link: Pick<AuditLink, 'seq' | 'prevHash'>): { seq: number; prevHash: string } {
  return { seq: link.seq - 1, prevHash: link.prevHash ?? GENESIS_HASH };
}

/** The chained governance event a store audit row holds. */
export function chainedEventOf(row: AuditRow): ChainedAuditEvent {
  return { ...(row.event as unknown as AuditEvent), ...linkOf(row), hash: row.hash };
}

/**
 * An `AuditSink` over the store's audit table, hashing with governance's `hashAuditEvent`. Appends from this process
 * go one at a time: the chain is serialised by the store's lock anyway, and queueing here keeps waiting requests from
 * holding database connections the reads need.
 */
export function storeAuditSink(store: Pick<RecordStore, 'appendAudit'>): AuditSink {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    append(event, patientKey) {
      const run = tail.then(() =>
        store.appendAudit({ event: event as unknown as Record<string, unknown>, patientKey, userId: event.user.id, recordedAt: event.recorded }, (link) => {
          const position = linkOf(link);
          return hashAuditEvent(position.prevHash, { ...(link.event as unknown as AuditEvent), ...position });
        }),
      );
      tail = run.catch(() => undefined);
      return run.then(() => undefined);
    },
  };
}

/** Reads the whole audit chain from the store, in order. */
export async function readAuditChain(store: Pick<RecordStore, 'readAudit'>): Promise<ChainedAuditEvent[]> {
  const events: ChainedAuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.readAudit({ limit: 5000, cursor });
    events.push(...page.items.map(chainedEventOf));
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

/** Reads and verifies the store's audit chain with governance's `verifyChain`. */
export async function verifyStoreAudit(store: Pick<RecordStore, 'readAudit'>): Promise<ChainVerification> {
  return verifyChain(await readAuditChain(store));
}
