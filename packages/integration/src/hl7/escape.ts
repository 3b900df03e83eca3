import type { Delimiters } from './delimiters.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeHex(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes = Buffer.from(hex, 'hex');
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** The text one escape sequence (without its escape characters) stands for, or `undefined` if it is not one. */
function expand(seq: string, d: Delimiters): string | undefined {
  switch (seq) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'P':
      return d.truncation ?? undefined;
    case 'H':
    case 'N':
      // Highlight on / normal text: formatting only, no characters.
      return '';
    case '.br':
    case '.ce':
      return '\n';
    case '.fi':
    case '.nf':
      return '';
  }
  const first = seq.charAt(0);
  if (first === 'X') return decodeHex(seq.slice(1));
  if (first === 'C' || first === 'M') return /^[CM][0-9A-Fa-f]{4,6}$/.test(seq) ? '' : undefined;
  if (seq.startsWith('.sp')) {
    const n = seq.length === 3 ? 1 : Number(seq.slice(3).trim());
    return Number.isInteger(n) && n >= 0 && n < 100 ? '\n'.repeat(Math.max(n, 1)) : undefined;
  }
  if (seq.startsWith('.sk')) {
    const n = Number(seq.slice(3).trim());
    return Number.isInteger(n) && n >= 0 && n < 100 ? ' '.repeat(n) : undefined;
  }
  if (seq.startsWith('.in') || seq.startsWith('.ti')) return /^\.(in|ti)\s*[+-]?\d+$/.test(seq) ? '' : undefined;
  return undefined;
}

/**
 * Replaces HL7 escape sequences (`\F\ \S\ \T\ \R\ \E\ \Xhh..\ \.br\ \.spN\ \H\ \N\ ...`) with the text they stand for.
 * `\F\` and friends mean the message's own delimiters. An unknown or unterminated sequence is kept as written:
 * nothing is dropped on a guess. `esc` is the escape character as it appears in `value` (the parser rewrites a
 * custom escape character to `\` before splitting, while `\E\` still means the sender's one).
 */
export function unescapeHl7(value: string, d: Delimiters, esc: string = d.escape): string {
  if (value.indexOf(esc) === -1) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    if (start === -1) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const end = value.indexOf(esc, start + 1);
    if (end === -1) {
      // Kept as written means with the sender's escape character, not the `\` the parser rewrote it to.
      out += d.escape + value.slice(start + 1);
      break;
    }
    const seq = value.slice(start + 1, end);
    const text = seq.length > 0 ? expand(seq, d) : undefined;
    if (text === undefined) {
      // Not a sequence we understand: keep the (sender's) escape character and carry on from the next character.
      out += d.escape;
      i = start + 1;
    } else {
      out += text;
      i = end + 1;
    }
  }
  return out;
}

/** Escapes text for one leaf of a message written with the given delimiters. CR and LF become `\X0D\` / `\X0A\`. */
export function escapeHl7(value: string, d: Delimiters): string {
  let out = '';
  for (const c of value) {
    if (c === d.escape) out += `${d.escape}E${d.escape}`;
    else if (c === d.field) out += `${d.escape}F${d.escape}`;
    else if (c === d.component) out += `${d.escape}S${d.escape}`;
    else if (c === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (c === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (c === '\r') out += `${d.escape}X0D${d.escape}`;
    else if (c === '\n') out += `${d.escape}X0A${d.escape}`;
    else out += c;
  }
  return out;
}
