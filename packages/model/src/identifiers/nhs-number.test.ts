import { describe, expect, it } from 'vitest';
import {
  completeNhsNumber,
  formatNhsNumber,
  isTestRangeNhsNumber,
  isValidNhsNumber,
  nhsCheckDigit,
  nhsNumberProblem,
  NHS_NUMBER_SYSTEM,
  normaliseNhsNumber,
  UNVERIFIED_NHS_NUMBER_SYSTEM,
} from './nhs-number.js';

describe('NHS number', () => {
  // Check digits worked by hand: 943476591 -> 299 mod 11 = 2 -> 11 - 2 = 9; 401023213 -> 92 mod 11 = 4 -> 7.
  it.each(['9434765919', '4010232137', '943 476 5919', '943-476-5919'])('accepts the valid number %s', (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
    expect(nhsNumberProblem(n)).toBeUndefined();
  });

  it.each([
    ['9434765918', 'NHS number check digit is wrong'],
    ['9434765910', 'NHS number check digit is wrong'],
    ['943476591', 'NHS number must have 10 digits, found 9'],
    ['94347659190', 'NHS number must have 10 digits, found 11'],
    ['94347A5919', 'NHS number must contain only digits'],
    ['', 'NHS number is empty'],
    // 123456789 sums to 210, 210 mod 11 = 1, so the check digit would be 10: no number starts with these nine digits.
    ['1234567890', 'NHS number has no valid check digit for its first nine digits'],
    // All-same digits pass the modulus 11 arithmetic (0000000000 and 1111111111 do) but are never issued.
    ['0000000000', 'NHS number cannot be ten identical digits'],
    ['1111111111', 'NHS number cannot be ten identical digits'],
    ['9999999999', 'NHS number cannot be ten identical digits'],
  ])('rejects %s: %s', (n, problem) => {
    expect(isValidNhsNumber(n)).toBe(false);
    expect(nhsNumberProblem(n)).toBe(problem);
  });

  it('keeps an unverified number apart from the NHS number system', () => {
    expect(UNVERIFIED_NHS_NUMBER_SYSTEM).not.toBe(NHS_NUMBER_SYSTEM);
    expect(UNVERIFIED_NHS_NUMBER_SYSTEM.startsWith(NHS_NUMBER_SYSTEM)).toBe(false);
  });

  it('says why spaced or dashed input fails, counting digits only', () => {
    expect(nhsNumberProblem('943 476 591')).toBe('NHS number must have 10 digits, found 9');
    expect(nhsNumberProblem('   ')).toBe('NHS number is empty');
  });

  it('computes check digits, including the 11 -> 0 case', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(nhsCheckDigit('123456789')).toBeUndefined();
    expect(nhsCheckDigit('12345')).toBeUndefined();
    // 000000001 sums to 2 -> 11 - 2 = 9; 000000011 sums to 2 + 3 = 5 -> 6. Sum 0 gives 11 -> 0.
    expect(nhsCheckDigit('000000001')).toBe(9);
    expect(nhsCheckDigit('000000011')).toBe(6);
    expect(nhsCheckDigit('000000000')).toBe(0);
  });

  it('formats as 3-3-4 for reading aloud and copying, leaving other input alone', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber(' 943-476 5919 ')).toBe('943 476 5919');
    expect(formatNhsNumber('12345')).toBe('12345');
    expect(normaliseNhsNumber('943 476-5919')).toBe('9434765919');
  });

  it('completes stems and recognises the 999 test range', () => {
    const made = completeNhsNumber('999000001');
    expect(made).toBeDefined();
    expect(isValidNhsNumber(made!)).toBe(true);
    expect(isTestRangeNhsNumber(made!)).toBe(true);
    expect(isTestRangeNhsNumber('9434765919')).toBe(false);
  });
});
