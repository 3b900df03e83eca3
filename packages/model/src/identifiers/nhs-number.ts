/**
 * NHS number handling: the 10-digit identifier of a person in England, Wales and the Isle of Man.
 * The tenth digit is a modulus 11 check digit over the first nine (weights 10..2).
 */

/** FHIR identifier system for the NHS number (UK Core). */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/**
 * Identifier system for a number a sender marked as an NHS number that fails validation (`nhsNumberProblem`): kept so
 * the record still shows what was sent, never under `NHS_NUMBER_SYSTEM`, which readers take as verified, and never
 * used to match a person. `type.text` says why it failed.
 */
export const UNVERIFIED_NHS_NUMBER_SYSTEM = 'https://openidcr.org/Id/unverified-nhs-number';

/** Strips the spaces and dashes people type between the groups of an NHS number. */
export function normaliseNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/**
 * The check digit for the first nine digits, or `undefined` when no valid check digit exists
 * (the modulus 11 result is 10, so no NHS number can start with these nine digits).
 */
export function nhsCheckDigit(firstNine: string): number | undefined {
  if (!/^\d{9}$/.test(firstNine)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

/** Why a string is not a valid NHS number, or `undefined` when it is one. */
export function nhsNumberProblem(input: string): string | undefined {
  const digits = normaliseNhsNumber(input);
  if (digits.length === 0) return 'NHS number is empty';
  if (!/^\d+$/.test(digits)) return 'NHS number must contain only digits';
  if (digits.length !== 10) return `NHS number must have 10 digits, found ${digits.length}`;
  if (/^(\d)\1{9}$/.test(digits)) return 'NHS number cannot be ten identical digits';
  const expected = nhsCheckDigit(digits.slice(0, 9));
  if (expected === undefined) return 'NHS number has no valid check digit for its first nine digits';
  if (expected !== Number(digits[9])) return 'NHS number check digit is wrong';
  return undefined;
}

/** True when the input (spaces allowed) is a valid NHS number: 10 digits, modulus 11 check digit, not all the same digit. */
export function isValidNhsNumber(input: string): boolean {
  return nhsNumberProblem(input) === undefined;
}

/** Formats an NHS number in the 3-3-4 grouping users read aloud: `943 476 5919`. Leaves other input as it was. */
export function formatNhsNumber(input: string): string {
  const digits = normaliseNhsNumber(input);
  if (!/^\d{10}$/.test(digits)) return input;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

/**
 * Makes a valid NHS number from a 9-digit stem by appending its check digit.
 * Returns `undefined` for stems that have no valid check digit.
 */
export function completeNhsNumber(firstNine: string): string | undefined {
  const check = nhsCheckDigit(firstNine);
  return check === undefined ? undefined : `${firstNine}${check}`;
}

/** NHS numbers starting 999 are never issued to real people and are reserved for testing. */
export function isTestRangeNhsNumber(input: string): boolean {
  const digits = normaliseNhsNumber(input);
  return isValidNhsNumber(digits) && digits.startsWith('999');
}
