import { createHash } from 'node:crypto';
import { z } from 'zod';
import { StoreError } from '../errors.js';

/** One page of results and, when there are more, the opaque token that fetches the next page. */
export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` with the same filters to get the next page; absent on the last page. */
  nextCursor?: string | undefined;
}

const payload = z.object({
  v: z.literal(1),
  /** Which listing and which filters the cursor belongs to. */
  q: z.string().length(16),
  /** The sort key of the last row of the page, as strings (null for a missing date). */
  k: z.array(z.string().nullable()).min(1).max(6),
});

/** A fingerprint of a listing's name and filters: a cursor only continues the listing it came from. */
export function queryFingerprint(listing: string, filters: unknown): string {
  return createHash('sha256').update(`${listing}\n${JSON.stringify(filters)}`).digest('hex').slice(0, 16);
}

/** Encodes the last row's sort key as an opaque token. */
export function encodeCursor(fingerprint: string, key: ReadonlyArray<string | null>): string {
  return Buffer.from(JSON.stringify({ v: 1, q: fingerprint, k: key }), 'utf8').toString('base64url');
}

/**
 * Decodes a token made by `encodeCursor` for the same listing and filters, checking its shape and the number of
 * key parts. A token that was altered, or that belongs to other filters, is an `invalid-cursor` error.
 */
export function decodeCursor(token: string, fingerprint: string, parts: number): Array<string | null> {
  const invalid = (why: string): StoreError => new StoreError('invalid-cursor', `cursor: ${why}`, 'cursor');
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw invalid('not a cursor token from this store');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor token from this store');
  }
  const parsed = payload.safeParse(json);
  if (!parsed.success) throw invalid('not a cursor token from this store');
  if (parsed.data.q !== fingerprint) throw invalid('belongs to a different query; start again without a cursor');
  if (parsed.data.k.length !== parts) throw invalid('not a cursor token for this listing');
  return parsed.data.k;
}

/** Checks a page size: an integer from 1 to `max`, `fallback` when absent. */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new StoreError('invalid-input', `limit: must be an integer from 1 to ${max}, got ${limit}`, 'limit');
  }
  return limit;
}

/** Checks an optional date-time filter and returns it as an ISO instant (null when absent). */
export function instantParam(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new StoreError('invalid-input', `${field}: not a date-time: ${JSON.stringify(value)}`, field);
  return new Date(time).toISOString();
}
