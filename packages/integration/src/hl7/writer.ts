import { encodingCharacters, STANDARD_DELIMITERS, type Delimiters } from './delimiters.js';
import { escapeHl7 } from './escape.js';

/** A leaf value. `null` writes the HL7 null `""`; a Date writes an HL7 timestamp (UTC, `YYYYMMDDHHMMSS+0000`). */
export type Hl7Leaf = string | number | Date | null | undefined;
/** A component: a leaf, or its subcomponents. */
export type Hl7Component = Hl7Leaf | Hl7Leaf[];
/** A field: a leaf, its components, or several repetitions. */
export type Hl7FieldValue = Hl7Leaf | Hl7Component[] | { repetitions: Array<Hl7Leaf | Hl7Component[]> };

/** A segment to write: its name and its fields from field 1 (for MSH, from MSH-3: MSH-1 and MSH-2 come from the delimiters). */
export interface Hl7SegmentValue {
  name: string;
  fields: Hl7FieldValue[];
}

/** HL7 DTM in UTC: `20260122133000+0000`. */
export function formatHl7Timestamp(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}+0000`
  );
}

function writeLeaf(v: Hl7Leaf, d: Delimiters): string {
  if (v === null) return '""';
  if (v === undefined) return '';
  if (v instanceof Date) return formatHl7Timestamp(v);
  return escapeHl7(String(v), d);
}

function writeComponent(c: Hl7Component, d: Delimiters): string {
  return Array.isArray(c) ? trimJoin(c.map((s) => writeLeaf(s, d)), d.subcomponent) : writeLeaf(c, d);
}

function writeRepetition(r: Hl7Leaf | Hl7Component[], d: Delimiters): string {
  return Array.isArray(r) ? trimJoin(r.map((c) => writeComponent(c, d)), d.component) : writeLeaf(r, d);
}

function writeField(f: Hl7FieldValue, d: Delimiters): string {
  if (f !== null && typeof f === 'object' && !(f instanceof Date) && !Array.isArray(f)) {
    return f.repetitions.map((r) => writeRepetition(r, d)).join(d.repetition);
  }
  return writeRepetition(f, d);
}

/** Joins parts, dropping empty trailing ones (HL7 lets trailing delimiters be omitted). */
function trimJoin(parts: string[], sep: string): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end).join(sep);
}

/**
 * Writes a segment with our own escaping: every delimiter character inside a value is escaped, so what a reader
 * unescapes is exactly what was written. (hl7-standard's `build()` does no escaping, and its `set()` with a Date
 * shifts the fields after it, so ACKs and outbound messages never go through it.)
 */
export function writeSegment(segment: Hl7SegmentValue, d: Delimiters = STANDARD_DELIMITERS): string {
  const fields = trimJoin(segment.fields.map((f) => writeField(f, d)), d.field);
  if (segment.name === 'MSH') return `MSH${d.field}${encodingCharacters(d)}${d.field}${fields}`;
  return fields.length > 0 ? `${segment.name}${d.field}${fields}` : segment.name;
}

/** Writes a message with CR segment terminators. */
export function writeMessage(segments: Hl7SegmentValue[], d: Delimiters = STANDARD_DELIMITERS): string {
  return segments.map((s) => writeSegment(s, d)).join('\r') + '\r';
}
