import { completeNhsNumber, isValidNhsNumber } from '@openidcr/model';

/**
 * Index-addressable NHS numbers from the test range (999 000 0000 - 999 999 9999).
 *
 * The nine-digit stems 999xxxxxy fall into 100,000 groups (99,999 used) of ten (one per xxxxx). Within a group the check
 * sums of consecutive y differ by 2 modulo 11, so at most one of the ten has no check digit: every group holds
 * at least nine valid numbers. Patient i takes the (i mod 9)-th valid stem of group floor(i / 9), after the
 * groups are shuffled by a seeded affine permutation. So the number depends only on (seed, i), is computed in
 * O(1), and is unique for every i below MAX_PATIENTS.
 */
/** Group 99999 is left out: it holds 9999999999, which is ten identical digits and so not a valid NHS number. */
export const GROUPS = 99_999;
export const PER_GROUP = 9;
/** How many patients can have distinct test-range NHS numbers. */
export const MAX_PATIENTS = GROUPS * PER_GROUP;

const MULTIPLIERS = [7_919, 13_337, 27_185, 31_417, 48_611, 57_131, 69_313, 88_883];

function permuteGroup(seed: number, group: number): number {
  // Multipliers are coprime with 99,999 (= 3^2 x 41 x 271), so the map is a bijection on [0, 99,999).
  const a = MULTIPLIERS[seed % MULTIPLIERS.length] as number;
  const b = Math.imul(seed >>> 0, 2_654_435_761) >>> 0;
  return (a * group + (b % GROUPS)) % GROUPS;
}

/** The NHS number of patient `index` in the population of `seed`. */
export function nhsNumberFor(seed: number, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_PATIENTS) {
    throw new RangeError(`patient index ${index} outside 0..${MAX_PATIENTS - 1}: the test range holds no more distinct NHS numbers`);
  }
  const group = permuteGroup(seed >>> 0, Math.floor(index / PER_GROUP));
  let wanted = index % PER_GROUP;
  const prefix = `999${String(group).padStart(5, '0')}`;
  for (let last = 0; last < 10; last++) {
    const full = completeNhsNumber(`${prefix}${last}`);
    if (full === undefined || !isValidNhsNumber(full)) continue;
    if (wanted === 0) return full;
    wanted--;
  }
  throw new Error(`unreachable: group ${prefix} has fewer than ${PER_GROUP} valid NHS numbers`);
}
