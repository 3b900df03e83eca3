/**
 * HL7 v2 encoding: escaping of field content and building segments from sparse field maps, so that every
 * field lands at its numbered position and every piece of free text is escaped exactly once.
 */

/** Escapes text for use inside a field, component or subcomponent (HL7 v2 section 2.7). */
const NEEDS_ESCAPE = /[\\|^&~\r\n]/;

export function escapeHl7(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  for (const ch of text) {
    switch (ch) {
      case '\\':
        out += '\\E\\';
        break;
      case '|':
        out += '\\F\\';
        break;
      case '^':
        out += '\\S\\';
        break;
      case '&':
        out += '\\T\\';
        break;
      case '~':
        out += '\\R\\';
        break;
      case '\r':
      case '\n':
        out += '\\.br\\';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** Reverses escapeHl7 (for tests and for readers of the output). */
export function unescapeHl7(text: string): string {
  return text.replace(/\\(E|F|S|T|R|\.br)\\/g, (_, code: string) => ({ E: '\\', F: '|', S: '^', T: '&', R: '~', '.br': '\r' })[code] ?? '');
}

/** A value that is already encoded (components joined by ^ and escaped) and must not be escaped again. */
export interface Encoded {
  readonly encoded: string;
}

export type Part = string | number | undefined | Encoded;

function isEncoded(part: Part): part is Encoded {
  return typeof part === 'object' && part !== null && 'encoded' in part;
}

function encodePart(part: Part): string {
  if (part === undefined) return '';
  if (isEncoded(part)) return part.encoded;
  return escapeHl7(String(part));
}

/** Components joined with ^ (trailing empty components dropped). Each text component is escaped. */
export function comp(...parts: Part[]): Encoded {
  const encoded = parts.map(encodePart);
  while (encoded.length > 0 && encoded[encoded.length - 1] === '') encoded.pop();
  return { encoded: encoded.join('^') };
}

/** Repetitions joined with ~. */
export function rep(...values: Encoded[]): Encoded {
  return { encoded: values.map((v) => v.encoded).join('~') };
}

/** A segment from its name and a map of field number to value; missing fields are empty. */
export function segment(name: string, fields: Record<number, Part>): string {
  const max = Math.max(0, ...Object.keys(fields).map(Number));
  const out: string[] = [name];
  for (let i = 1; i <= max; i++) out.push(encodePart(fields[i]));
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out.join('|');
}

/** MSH: field 1 is the separator itself and field 2 the encoding characters, so it is built by hand. */
export function mshSegment(fields: Record<number, Part>): string {
  const max = Math.max(2, ...Object.keys(fields).map(Number));
  const out: string[] = ['MSH', '^~\\&'];
  for (let i = 3; i <= max; i++) out.push(encodePart(fields[i]));
  while (out.length > 2 && out[out.length - 1] === '') out.pop();
  return out.join('|');
}
