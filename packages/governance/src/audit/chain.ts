import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';
import type { AuditEvent, ChainedAuditEvent } from './event.js';

/** The `prevHash` of the first event in a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The event's content as hashed: everything but `hash` itself (so `seq` and `prevHash` are covered). */
function hashedContent(event: AuditEvent | ChainedAuditEvent): Record<string, unknown> {
  const { hash: _hash, ...rest } = event as ChainedAuditEvent;
  return rest;
}

/**
 * `sha256(prevHash + canonicalJson(event))`, hex. Pure: the same on any store or machine. Any `hash` member of the
 * event is ignored; `prevHash` and `seq` members, if present, are included.
 */
export function hashAuditEvent(prevHash: string, event: AuditEvent | ChainedAuditEvent): string {
  return sha256Hex(prevHash + canonicalJson(hashedContent(event)));
}

/** Link an event onto a chain whose last event is `last` (undefined for an empty chain). */
export function chainAuditEvent(event: AuditEvent, last: Pick<ChainedAuditEvent, 'seq' | 'hash'> | undefined): ChainedAuditEvent {
  const seq = last ? last.seq + 1 : 0;
  const prevHash = last ? last.hash : GENESIS_HASH;
  const linked = { ...event, seq, prevHash };
  return { ...linked, hash: hashAuditEvent(prevHash, linked) };
}

export type ChainVerification =
  | { ok: true; length: number }
  | { ok: false; index: number; field: 'seq' | 'prevHash' | 'hash'; expected: string; found: string };

/**
 * Walk a chain from the start and report the first broken link: a changed field (its hash no longer matches), a
 * deleted, inserted or reordered row (`seq` or `prevHash` no longer follows).
 */
export function verifyChain(events: readonly ChainedAuditEvent[]): ChainVerification {
  let prevHash = GENESIS_HASH;
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (event.seq !== index) return { ok: false, index, field: 'seq', expected: String(index), found: String(event.seq) };
    if (event.prevHash !== prevHash) return { ok: false, index, field: 'prevHash', expected: prevHash, found: String(event.prevHash) };
    const expected = hashAuditEvent(prevHash, event);
    if (event.hash !== expected) return { ok: false, index, field: 'hash', expected, found: String(event.hash) };
    prevHash = event.hash;
  }
  return { ok: true, length: events.length };
}
