import { describe, expect, it } from 'vitest';
import { Rng } from './prng.js';
import { ageAt, fhirDate, fhirDateTime, hl7Date, hl7DateTime, parseIsoDate } from './time.js';

describe('time formatting', () => {
  it('agrees with Date.toISOString from 1900 to 2100, before and after the epoch', () => {
    const rng = new Rng(5);
    const from = Date.UTC(1900, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const ms = from + Math.floor((rng.next() * (to - from)) / 1000) * 1000;
      const iso = new Date(ms).toISOString();
      const ok =
        fhirDateTime(ms) === `${iso.slice(0, 19)}Z` &&
        fhirDate(ms) === iso.slice(0, 10) &&
        hl7DateTime(ms) === iso.slice(0, 19).replace(/[-:T]/g, '') &&
        hl7Date(ms) === iso.slice(0, 10).replace(/-/g, '');
      if (!ok) mismatches.push(iso);
    }
    expect(mismatches).toEqual([]);
    expect(fhirDateTime(Date.UTC(2024, 1, 29, 23, 59, 59))).toBe('2024-02-29T23:59:59Z');
  }, 30_000);

  it('computes whole years of age', () => {
    expect(ageAt(parseIsoDate('1960-03-12'), parseIsoDate('2026-03-11'))).toBe(65);
    expect(ageAt(parseIsoDate('1960-03-12'), parseIsoDate('2026-03-12'))).toBe(66);
    expect(() => parseIsoDate('2026-02-xx')).toThrow(RangeError);
  });
});
