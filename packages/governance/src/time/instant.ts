const cache = new Map<string, number>();
const MAX_CACHED = 10_000;

/**
 * `Date.parse`, memoised: decisions compare the same few ISO instants (relationship starts, consent dates, grant
 * expiries) over and over, and parsing dominates an otherwise allocation-free check. NaN for an invalid string.
 */
export function instant(iso: string): number {
  let at = cache.get(iso);
  if (at === undefined) {
    at = Date.parse(iso);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(iso, at);
  }
  return at;
}
