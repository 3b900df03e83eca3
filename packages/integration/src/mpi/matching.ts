import type { PersonDemographics } from '@openidcr/model';

/** Soundex: names that sound alike share a code (SMITH, SMYTH → S530). */
export function soundex(name: string): string {
  const s = name.toUpperCase().replace(/[^A-Z]/g, '');
  if (!s) return '';
  const codes: Record<string, string> = { B: '1', F: '1', P: '1', V: '1', C: '2', G: '2', J: '2', K: '2', Q: '2', S: '2', X: '2', Z: '2', D: '3', T: '3', L: '4', M: '5', N: '5', R: '6' };
  let out = s[0]!;
  let last = codes[s[0]!] ?? '';
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const c = s[i]!;
    const code = codes[c] ?? '';
    if (code && code !== last) out += code;
    // H and W do not separate letters with the same code; vowels do.
    if (c !== 'H' && c !== 'W') last = code;
  }
  return out.padEnd(4, '0');
}

function norm(s: string | undefined): string {
  return (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The score of one candidate, with one line per field saying what it contributed. */
export interface MatchScore {
  score: number;
  explanation: string[];
}

/** Weights: a full agreement on family, given, birth date, sex and postcode scores 1.0. */
export const MATCH_WEIGHTS = {
  familyExact: 0.3,
  familyPhonetic: 0.2,
  familyDiffers: -0.2,
  givenExact: 0.15,
  givenPartial: 0.08,
  givenDiffers: -0.1,
  birthDateExact: 0.3,
  birthDateNear: 0.1,
  birthDateDiffers: -0.4,
  genderSame: 0.05,
  genderDiffers: -0.15,
  postcodeExact: 0.2,
  postcodeDistrict: 0.1,
} as const;

function near(a: string, b: string): boolean {
  // Day and month swapped, or one digit keyed wrong.
  const [ay, am, ad] = a.split('-');
  const [by, bm, bd] = b.split('-');
  if (ay === by && am === bd && ad === bm) return true;
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  return diff === 1;
}

const sign = (n: number) => (n >= 0 ? `+${n.toFixed(2)}` : n.toFixed(2));

/**
 * Scores how likely two sets of demographics are the same person, field by field. Fields either side leaves out
 * contribute nothing. The explanation is for the reviewer in the MPI review queue.
 */
export function scoreMatch(a: PersonDemographics, b: PersonDemographics): MatchScore {
  const w = MATCH_WEIGHTS;
  const explanation: string[] = [];
  let score = 0;
  const add = (n: number, line: string) => {
    score += n;
    explanation.push(`${line} (${sign(n)})`);
  };
  const fa = norm(a.family);
  const fb = norm(b.family);
  if (fa && fb) {
    if (fa === fb) add(w.familyExact, `family name ${fa} = ${fb}`);
    else if (soundex(fa) === soundex(fb)) add(w.familyPhonetic, `family name ${fa} sounds like ${fb} (${soundex(fa)})`);
    else add(w.familyDiffers, `family name ${fa} ≠ ${fb}`);
  }
  const ga = norm(a.given);
  const gb = norm(b.given);
  if (ga && gb) {
    if (ga === gb) add(w.givenExact, `given name ${ga} = ${gb}`);
    else if (ga.startsWith(gb) || gb.startsWith(ga) || soundex(ga) === soundex(gb)) add(w.givenPartial, `given name ${ga} ~ ${gb}`);
    else add(w.givenDiffers, `given name ${ga} ≠ ${gb}`);
  }
  if (a.birthDate && b.birthDate) {
    if (a.birthDate === b.birthDate) add(w.birthDateExact, `birth date ${a.birthDate} = ${b.birthDate}`);
    else if (near(a.birthDate, b.birthDate)) add(w.birthDateNear, `birth date ${a.birthDate} ~ ${b.birthDate} (typo or day/month swap)`);
    else add(w.birthDateDiffers, `birth date ${a.birthDate} ≠ ${b.birthDate}`);
  }
  const known = (g: string | undefined) => g === 'male' || g === 'female';
  if (known(a.gender) && known(b.gender)) {
    if (a.gender === b.gender) add(w.genderSame, `sex ${a.gender} = ${b.gender}`);
    else add(w.genderDiffers, `sex ${a.gender} ≠ ${b.gender}`);
  }
  const pa = norm(a.postcode);
  const pb = norm(b.postcode);
  if (pa && pb) {
    if (pa === pb) add(w.postcodeExact, `postcode ${pa} = ${pb}`);
    else if (pa.slice(0, -3) === pb.slice(0, -3)) add(w.postcodeDistrict, `postcode district ${pa.slice(0, -3)} = ${pb.slice(0, -3)}`);
    else explanation.push(`postcode ${pa} ≠ ${pb} (+0.00)`);
  }
  const clamped = Math.max(0, Math.min(1, Math.round(score * 1000) / 1000));
  explanation.push(`total ${clamped.toFixed(2)}`);
  return { score: clamped, explanation };
}
