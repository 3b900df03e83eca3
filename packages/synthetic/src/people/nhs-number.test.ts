import { describe, expect, it } from 'vitest';
import { isTestRangeNhsNumber, isValidNhsNumber } from '@openidcr/model';
import { MAX_PATIENTS, nhsNumberFor } from './nhs-number.js';

describe('nhsNumberFor', () => {
  it('gives valid, distinct test-range numbers for the first 30,000 patients', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30_000; i++) {
      const n = nhsNumberFor(42, i);
      if (isValidNhsNumber(n) && isTestRangeNhsNumber(n)) seen.add(n);
    }
    expect(seen.size).toBe(30_000);
  }, 30_000);

  it('stays valid and distinct at the top of the range', () => {
    const seen = new Set<string>();
    for (let i = MAX_PATIENTS - 5_000; i < MAX_PATIENTS; i++) {
      const n = nhsNumberFor(7, i);
      if (isTestRangeNhsNumber(n)) seen.add(n);
    }
    expect(seen.size).toBe(5_000);
  }, 30_000);

  it('depends on the seed and refuses an index the test range cannot hold', () => {
    expect(nhsNumberFor(1, 0)).not.toBe(nhsNumberFor(2, 0));
    expect(nhsNumberFor(1, 5)).toBe(nhsNumberFor(1, 5));
    expect(() => nhsNumberFor(1, MAX_PATIENTS)).toThrow(RangeError);
    expect(() => nhsNumberFor(1, -1)).toThrow(RangeError);
  });
});
