import { Hl7ErrorCodes, reject, type Hl7Problem } from './problems.js';

/** The five encoding characters of one message, read from MSH-1 and MSH-2 (or FHS/BHS). */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (5th character of MSH-2), kept as literal text. */
  truncation?: string | undefined;
}

export const STANDARD_DELIMITERS: Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

export function isStandard(d: Delimiters): boolean {
  return (
    d.field === '|' && d.component === '^' && d.repetition === '~' && d.escape === '\\' && d.subcomponent === '&'
  );
}

const forbidden = /[A-Za-z0-9\s]/;

/**
 * Reads the delimiters of a header segment line (`MSH|^~\&|...`, `FHS...`, `BHS...`). Every character must be
 * present, distinct, and not a letter, digit or white space: a broken MSH-2 is rejected, never guessed.
 */
export function readDelimiters(headerLine: string): { ok: true; delimiters: Delimiters } | { ok: false; problem: Hl7Problem } {
  const name = headerLine.slice(0, 3);
  const field = headerLine.charAt(3);
  const loc = { segment: name, sequence: 1, field: 2 };
  if (field === '' || forbidden.test(field)) {
    return {
      ok: false,
      problem: reject('msh-field-separator', `${name}.1: field separator ${JSON.stringify(field)} is missing or not a delimiter`, Hl7ErrorCodes.requiredFieldMissing, { segment: name, sequence: 1, field: 1 }),
    };
  }
  const end = headerLine.indexOf(field, 4);
  const encoding = end === -1 ? headerLine.slice(4) : headerLine.slice(4, end);
  if (encoding.length !== 4 && encoding.length !== 5) {
    return {
      ok: false,
      problem: reject('msh-encoding-characters', `${name}.2: encoding characters ${JSON.stringify(encoding)} must be 4 characters (component, repetition, escape, subcomponent), found ${encoding.length}`, Hl7ErrorCodes.dataTypeError, loc),
    };
  }
  const chars = [field, ...encoding];
  if (new Set(chars).size !== chars.length) {
    return {
      ok: false,
      problem: reject('msh-encoding-characters', `${name}.2: encoding characters ${JSON.stringify(encoding)} repeat a character`, Hl7ErrorCodes.dataTypeError, loc),
    };
  }
  for (const c of encoding) {
    if (forbidden.test(c)) {
      return {
        ok: false,
        problem: reject('msh-encoding-characters', `${name}.2: encoding characters ${JSON.stringify(encoding)} contain ${JSON.stringify(c)}, which cannot be a delimiter`, Hl7ErrorCodes.dataTypeError, loc),
      };
    }
  }
  return {
    ok: true,
    delimiters: {
      field,
      component: encoding[0]!,
      repetition: encoding[1]!,
      escape: encoding[2]!,
      subcomponent: encoding[3]!,
      truncation: encoding[4],
    },
  };
}

/** The MSH-2 text for a delimiter set. */
export function encodingCharacters(d: Delimiters): string {
  return `${d.component}${d.repetition}${d.escape}${d.subcomponent}${d.truncation ?? ''}`;
}
