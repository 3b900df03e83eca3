import { GENESIS_HASH, hashAuditEvent, verifyChain, type AuditEvent, type ChainVerification, type ChainedAuditEvent } from '@openidcr/governance';
import type { AuditEntryInput, AuditLink, AuditRow, RecordStore } from '@openidcr/store';

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

/** The most events one group commit writes; more waiting go in the next. */
const MAX_GROUP = 500;

interface Waiting {
  entry: AuditEntryInput;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Governance's hash of a store audit row, at its place in the chain. */
const hashOfLink = (link: AuditLink): string => {
  const position = linkOf(link);
  return hashAuditEvent(position.prevHash, { ...(link.event as unknown as AuditEvent), ...position });
};

/**
 * An `AuditSink` over the store's audit table, hashing with governance's `hashAuditEvent`, with group commit: while
 * one write is in flight, the events that arrive wait together and go in the next write, one transaction under the
 * chain's lock (`appendAuditBatch`). So a busy server pays one lock, one round of statements and one fsync per
 * group instead of per view, and waiting requests hold no database connection. Each `append` still resolves only
 * when its own row is committed (the policy point sends nothing before that), and rejects when its group failed.
 * A store without `appendAuditBatch` gets one `appendAudit` per event, in order.
 */
export function storeAuditSink(store: Pick<RecordStore, 'appendAudit'> & Partial<Pick<RecordStore, 'appendAuditBatch'>>): AuditSink & { readonly waiting: number } {
  const waiting: Waiting[] = [];
  let writing = false;
  const write = async (group: Waiting[]): Promise<void> => {
    const entries = group.map((w) => w.entry);
    if (store.appendAuditBatch) {
      await store.appendAuditBatch(entries, hashOfLink);
      return;
    }
    for (const entry of entries) await store.appendAudit(entry, hashOfLink);
  };
  const drain = async (): Promise<void> => {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.splice(0, MAX_GROUP);
      try {
        await write(group);
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    writing = false;
  };
  return {
    /** Events waiting for the next group (not counting the group being written). */
    get waiting() {
      return waiting.length;
    },
    append(event, patientKey) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ entry: { event: event as unknown as Record<string, unknown>, patientKey, userId: event.user.id, recordedAt: event.recorded }, resolve, reject });
        if (!writing) void drain();
      });
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
