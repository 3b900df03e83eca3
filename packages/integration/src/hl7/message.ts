import HL7 from 'hl7-standard';
import { isStandard, readDelimiters, STANDARD_DELIMITERS, type Delimiters } from './delimiters.js';
import { unescapeHl7 } from './escape.js';
import { Hl7ErrorCodes, reject, type Hl7Problem } from './problems.js';
import { splitMessages, type MessageUnit } from './split.js';

/** One field: repetitions → components → subcomponents, unescaped. */
export type Hl7Field = string[][][];

/** One segment in message order. Field numbers are HL7's: `PID.3` is `get(3)`; for MSH, field 1 is the separator. */
export class Hl7Segment {
  constructor(
    readonly name: string,
    /** `fields[n]` is field n; `fields[0]` is empty. */
    readonly fields: Hl7Field[],
    /** 1-based occurrence of this segment name in the message (for ERR locations). */
    readonly sequence: number,
    private readonly delimiters: Delimiters,
  ) {}

  /** One leaf value, `''` when absent; the HL7 null `""` reads as `''` too (see `isNull`). */
  get(field: number, component = 1, subcomponent = 1, repetition = 0): string {
    const v = this.fields[field]?.[repetition]?.[component - 1]?.[subcomponent - 1] ?? '';
    return v === '""' ? '' : v;
  }

  /**
   * A component as text, its subcomponents joined again with the subcomponent character the sender used: an
   * unescaped `&` in free text (`Collect & send`, `4.50&5.90`) reads back whole.
   */
  text(field: number, component = 1, repetition = 0): string {
    const subs = this.fields[field]?.[repetition]?.[component - 1];
    if (!subs) return '';
    const v = subs.length === 1 ? subs[0]! : subs.join(this.delimiters.subcomponent);
    return v === '""' ? '' : v;
  }

  /** A whole repetition as text (components joined by the sender's component character), for free-text fields. */
  fieldText(field: number, repetition = 0): string {
    const rep = this.fields[field]?.[repetition];
    if (!rep) return '';
    const v = rep.map((subs) => subs.join(this.delimiters.subcomponent)).join(this.delimiters.component);
    return v === '""' ? '' : v;
  }

  /** Repetitions of a field (empty repetitions included, so positions stay meaningful). */
  repetitions(field: number): string[][][] {
    return this.fields[field] ?? [];
  }

  /** Number of repetitions holding any text. */
  count(field: number): number {
    return this.repetitions(field).filter((rep) => rep.some((c) => c.some((s) => s !== ''))).length;
  }

  /** The field is the HL7 null `""` (the sender says: delete this value). */
  isNull(field: number): boolean {
    const reps = this.fields[field];
    return reps?.length === 1 && reps[0]!.length === 1 && reps[0]![0]!.length === 1 && reps[0]![0]![0] === '""';
  }
}

/** The parts of MSH every layer needs. */
export interface Hl7Header {
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** MSH-7 as written. */
  dateTime: string;
  messageCode: string;
  triggerEvent: string;
  messageStructure: string;
  controlId: string;
  processingId: string;
  version: string;
  /** MSH-15 accept acknowledgement type (AL, NE, ER, SU) — empty in original mode. */
  acceptAckType: string;
  /** MSH-16 application acknowledgement type. */
  applicationAckType: string;
  /** MSH-18 character set. */
  characterSet: string;
}

/** A parsed message: the raw text (source of truth), its delimiters, its segments in message order. */
export class Hl7Message {
  readonly header: Hl7Header;
  constructor(
    readonly raw: string,
    /** Segment lines after normalisation, in the sender's delimiters. */
    readonly lines: readonly string[],
    readonly delimiters: Delimiters,
    readonly segments: readonly Hl7Segment[],
  ) {
    this.header = headerOf(segments[0]!);
  }

  /** The n-th (0-based) segment with this name. */
  segment(name: string, occurrence = 0): Hl7Segment | undefined {
    let seen = 0;
    for (const s of this.segments) if (s.name === name && seen++ === occurrence) return s;
    return undefined;
  }

  all(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  /** `ADT^A01` */
  get type(): string {
    return this.header.triggerEvent ? `${this.header.messageCode}^${this.header.triggerEvent}` : this.header.messageCode;
  }

  /** The message with CR segment ends: the canonical text for hashing and storage. */
  normalised(): string {
    return this.lines.join('\r');
  }
}

function headerOf(msh: Hl7Segment): Hl7Header {
  return {
    sendingApplication: msh.get(3),
    sendingFacility: msh.get(4),
    receivingApplication: msh.get(5),
    receivingFacility: msh.get(6),
    dateTime: msh.get(7),
    messageCode: msh.get(9, 1),
    triggerEvent: msh.get(9, 2),
    messageStructure: msh.get(9, 3),
    controlId: msh.get(10),
    processingId: msh.get(11),
    version: msh.get(12),
    acceptAckType: msh.get(15),
    applicationAckType: msh.get(16),
    characterSet: msh.get(18),
  };
}

export type ParseOutcome =
  | { ok: true; message: Hl7Message }
  | { ok: false; raw: string; problems: Hl7Problem[]; header?: Partial<Hl7Header> | undefined };

const CANONICAL = new Set(['|', '^', '~', '\\', '&']);

/**
 * Rewrites a line from the sender's delimiters into `|^~\&`, the only ones hl7-standard splits on (it ignores
 * MSH-1/MSH-2). A literal character that is a standard delimiter but not one of the sender's is hex-escaped, so it
 * survives the split and comes back as itself when unescaped.
 */
function toCanonical(line: string, d: Delimiters, isHeader: boolean): string {
  const map = new Map<string, string>([
    [d.field, '|'],
    [d.component, '^'],
    [d.repetition, '~'],
    [d.escape, '\\'],
    [d.subcomponent, '&'],
  ]);
  const body = isHeader ? line.slice(4 + 4 + (d.truncation ? 1 : 0)) : line.slice(3);
  let out = isHeader ? 'MSH|^~\\&' : line.slice(0, 3);
  for (const c of body) {
    const mapped = map.get(c);
    if (mapped !== undefined) out += mapped;
    else if (CANONICAL.has(c)) out += `\\X${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}\\`;
    else out += c;
  }
  return out;
}

function leaf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function toComponents(value: unknown): string[][] {
  if (typeof value === 'string') return [[value]];
  if (Array.isArray(value)) return [value.map(leaf)];
  if (value && typeof value === 'object') {
    return Object.values(value as Record<string, unknown>).map((c) => (Array.isArray(c) ? c.map(leaf) : [leaf(c)]));
  }
  return [['']];
}

/** hl7-standard's field shapes (string, subcomponent array, component object, array of repetitions) → ours. */
function toField(value: unknown, d: Delimiters, esc: string): Hl7Field {
  let reps: string[][][];
  if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null) {
    reps = value.map(toComponents);
  } else {
    reps = [toComponents(value)];
  }
  for (const rep of reps) for (const comp of rep) for (let i = 0; i < comp.length; i++) comp[i] = unescapeHl7(comp[i]!, d, esc);
  return reps;
}

/** Best-effort read of MSH fields from an unparseable message, so its AR can still name the control id. */
export function peekHeader(lines: readonly string[]): Partial<Hl7Header> | undefined {
  const msh = lines.find((l) => l.startsWith('MSH'));
  if (!msh || msh.length < 4) return undefined;
  const f = msh.split(msh.charAt(3));
  const comp = (f[1] ?? '').charAt(0) || '^';
  const part = (n: number): string => f[n - 1] ?? '';
  const [code = '', trigger = '', structure = ''] = part(9).split(comp);
  return {
    sendingApplication: part(3).split(comp)[0] ?? '',
    sendingFacility: part(4).split(comp)[0] ?? '',
    receivingApplication: part(5).split(comp)[0] ?? '',
    receivingFacility: part(6).split(comp)[0] ?? '',
    dateTime: part(7),
    messageCode: code,
    triggerEvent: trigger,
    messageStructure: structure,
    controlId: part(10),
    processingId: part(11).split(comp)[0] ?? '',
    version: part(12).split(comp)[0] ?? '',
    acceptAckType: part(15),
    applicationAckType: part(16),
  };
}

/** Parses one message cut by `splitMessages`. Problems found while cutting make it unparseable: nothing is guessed. */
export function parseUnit(unit: MessageUnit): ParseOutcome {
  const fail = (problems: Hl7Problem[]): ParseOutcome => ({ ok: false, raw: unit.raw, problems, header: peekHeader(unit.lines) });
  if (unit.problems.length > 0) return fail(unit.problems);
  const first = unit.lines[0];
  if (!first?.startsWith('MSH')) {
    return fail([reject('missing-msh', 'MSH: the message does not start with an MSH segment', Hl7ErrorCodes.segmentSequence, { segment: 'MSH' })]);
  }
  const read = readDelimiters(first);
  if (!read.ok) return fail([read.problem]);
  const d = read.delimiters;
  const standard = isStandard(d) && !d.truncation;

  // hl7-standard drops lines without a field separator; give each bare segment id one so indexes stay aligned.
  const canonical = unit.lines.map((line, i) => {
    const l = standard ? line : toCanonical(line, d, i === 0);
    return l.length === 3 ? `${l}|` : l;
  });
  const esc = standard ? d.escape : '\\';
  // A trailing CR: hl7-standard refuses text without any line ending (a message of one segment).
  const parser = new HL7(`${canonical.join('\r')}\r`, { lineEndings: '\r' });
  let failure: Error | undefined;
  try {
    parser.transform((err) => {
      if (err) failure = err;
    }, true);
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  if (failure) {
    return fail([reject('parse-failed', `hl7-standard could not parse the message: ${failure.message}`, Hl7ErrorCodes.applicationInternalError)]);
  }

  // hl7-standard groups segments by name; put them back in message order.
  const byIndex: { name: string; index: number; data: Record<string, unknown> }[] = [];
  for (const [name, list] of Object.entries(parser.transformed)) for (const s of list) byIndex.push({ name, index: s.index, data: s.data });
  byIndex.sort((a, b) => a.index - b.index);
  if (byIndex.length !== unit.lines.length) {
    return fail([reject('parse-failed', `hl7-standard returned ${byIndex.length} segments for ${unit.lines.length} lines`, Hl7ErrorCodes.applicationInternalError)]);
  }

  const seen = new Map<string, number>();
  const segments = byIndex.map(({ name, data }) => {
    const sequence = (seen.get(name) ?? 0) + 1;
    seen.set(name, sequence);
    const fields: Hl7Field[] = [[]];
    const isMsh = name === 'MSH';
    if (isMsh) {
      fields[1] = [[[d.field]]];
      fields[2] = [[[`${d.component}${d.repetition}${d.escape}${d.subcomponent}${d.truncation ?? ''}`]]];
    }
    // hl7-standard writes fields in order from field 1 (MSH from field 2), one key each.
    let n = isMsh ? 2 : 1;
    for (const key in data) {
      if (!(isMsh && n <= 2)) fields[n] = toField(data[key], d, esc);
      n++;
    }
    for (let i = 1; i < fields.length; i++) fields[i] ??= [[['']]];
    return new Hl7Segment(name, fields, sequence, d);
  });
  const message = new Hl7Message(unit.raw, unit.lines, d, segments);
  const problems = checkHeader(message);
  if (problems.length > 0) return fail(problems);
  return { ok: true, message };
}

function checkHeader(message: Hl7Message): Hl7Problem[] {
  const h = message.header;
  const loc = (field: number) => ({ segment: 'MSH', sequence: 1, field });
  const problems: Hl7Problem[] = [];
  if (!h.messageCode) problems.push(reject('field-missing', 'MSH.9: message type is missing', Hl7ErrorCodes.requiredFieldMissing, loc(9)));
  if (!/^2\.\d/.test(h.version)) {
    problems.push(reject('unsupported-version', `MSH.12: version ${JSON.stringify(h.version)} is not HL7 v2`, Hl7ErrorCodes.unsupportedVersionId, loc(12)));
  }
  return problems;
}

/** Parses input expected to hold exactly one message (an MLLP frame, an HTTP body of one message). */
export function parseHl7(input: string): ParseOutcome[] {
  return splitMessages(input).messages.map(parseUnit);
}

export { STANDARD_DELIMITERS };
