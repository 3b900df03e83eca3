import type { Hl7Segment } from '../hl7/message.js';
import { businessError, Hl7ErrorCodes, type Hl7Problem } from '../hl7/problems.js';
import { codeSystemUri, localCodeSystem, type SourceProfile } from '../profiles/profile.js';
import { tableCode } from './tables.js';

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

/** An HL7 v2 table a coded field is drawn from: its FHIR system and its codes with their displays. */
export interface Hl7Table {
  system: string;
  codes: Readonly<Record<string, string>>;
}

const offsetCache = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** The UTC offset (minutes) of a time zone at a wall-clock time, e.g. 60 for Europe/London in July. */
export function zoneOffsetMinutes(timeZone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  // Offsets change on the hour in every zone that matters here; Intl is slow, so remember each hour asked about.
  if (timeZone === 'Europe/London') return londonOffset(y, mo, d, h);
  const key = `${timeZone}|${y}|${mo}|${d}|${h}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  if (offsets.size > 50_000) offsets.clear();
  const value = computeOffset(timeZone, y, mo, d, h, mi);
  offsets.set(key, value);
  return value;
}

/** Last Sunday of a month, as a day number. */
function lastSunday(y: number, mo: number): number {
  const last = new Date(Date.UTC(y, mo, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/**
 * UK time without Intl (the hot path of every feed): BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on
 * the last Sunday of October (since 1996). Local 01:00–01:59 on the March change does not exist and is read as GMT;
 * the repeated hour in October is read as BST (the earlier one), like the Intl path.
 */
function londonOffset(y: number, mo: number, d: number, h: number): number {
  if (y < 1996) return computeOffset('Europe/London', y, mo, d, h, 0);
  if (mo < 3 || mo > 10) return 0;
  if (mo > 3 && mo < 10) return 60;
  const change = lastSunday(y, mo);
  if (mo === 3) return d > change || (d === change && h >= 2) ? 60 : 0;
  return d < change || (d === change && h < 2) ? 60 : 0;
}

function computeOffset(timeZone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  let fmt = offsetCache.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    offsetCache.set(timeZone, fmt);
  }
  // Treat the wall time as UTC, see what the zone shows at that instant, and correct once (exact outside the
  // ambiguous hour at a clock change, where the earlier offset is used).
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const shown = (t: number) => {
    const p = Object.fromEntries(fmt!.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  };
  const first = shown(guess) - guess;
  const second = shown(guess - first) - (guess - first);
  return Math.round(second / 60000);
}

function pad(n: number, w = 2): string {
  return String(Math.abs(n)).padStart(w, '0');
}

function validDay(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const DTM = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,4}))?)?([+-]\d{4})?$/;

/**
 * HL7 DTM (`YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]`) → FHIR date or dateTime. A time without an offset is read in
 * the sender's time zone. Returns `undefined` for an empty value, `null` for a value that is not a DTM.
 */
export function hl7DateTime(value: string, timeZone: string): string | undefined | null {
  const v = value.trim();
  if (v === '') return undefined;
  const m = DTM.exec(v);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, tz] = m;
  const y = Number(ys);
  if (!mos) return ys!;
  const mo = Number(mos);
  if (mo < 1 || mo > 12) return null;
  if (!ds) return `${ys}-${mos}`;
  const d = Number(ds);
  if (!validDay(y, mo, d)) return null;
  if (!hs) return `${ys}-${mos}-${ds}`;
  const h = Number(hs);
  const mi = Number(mis ?? '0');
  const s = Number(ss ?? '0');
  if (h > 23 || mi > 59 || s > 60) return null;
  let offset: string;
  if (tz) {
    const sign = tz[0]!;
    const oh = Number(tz.slice(1, 3));
    const om = Number(tz.slice(3, 5));
    if (oh > 14 || om > 59) return null;
    offset = oh === 0 && om === 0 ? 'Z' : `${sign}${pad(oh)}:${pad(om)}`;
  } else {
    let minutes: number;
    try {
      minutes = zoneOffsetMinutes(timeZone, y, mo, d, h, mi);
    } catch {
      return null;
    }
    offset = minutes === 0 ? 'Z' : `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
  }
  const fraction = frac ? `.${frac}` : '';
  return `${ys}-${mos}-${ds}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction}${offset}`;
}

/** A FHIR date (YYYY-MM-DD, YYYY-MM, YYYY) from an HL7 date or DTM, dropping any time. */
export function hl7Date(value: string): string | undefined | null {
  const v = value.trim();
  if (v === '') return undefined;
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{0,6}(\.\d+)?([+-]\d{4})?)$/.exec(v);
  if (!m) return null;
  const [, ys, mos, ds] = m;
  if (!mos) return ys!;
  if (Number(mos) < 1 || Number(mos) > 12) return null;
  if (!ds) return `${ys}-${mos}`;
  if (!validDay(Number(ys), Number(mos), Number(ds))) return null;
  return `${ys}-${mos}-${ds}`;
}

/** True when a FHIR dateTime has a time (so it is also a valid instant once seconds are present). */
export function isFullDateTime(value: string | undefined): value is string {
  return value !== undefined && /T\d{2}:\d{2}:\d{2}/.test(value);
}

/**
 * A value written in DTM's alphabet (digits, `.`, an offset) that is still not a date — month 13, a digit too many:
 * a slip in the value, told apart from text such as `Aug 15, 1942`, which is the wrong data type and an error.
 */
function impossibleDate(raw: string): boolean {
  return /^\d{4,}(\.\d+)?([+-]\d{4})?$/.test(raw.trim());
}

/** Reads field values of one segment, collecting problems that name the field. */
export class FieldReader {
  constructor(
    readonly segment: Hl7Segment,
    private readonly profile: SourceProfile,
    private readonly ods: string,
    private readonly problems: Hl7Problem[],
    private readonly warnings: string[],
  ) {}

  private loc(field: number) {
    return { segment: this.segment.name, sequence: this.segment.sequence, field };
  }
  private name(field: number): string {
    return `${this.segment.name}.${field}`;
  }

  /** A DTM field as FHIR dateTime. `required` turns an absent value into a problem; a bad value always is one. */
  dateTime(field: number, opts: { required?: boolean; component?: number; repetition?: number } = {}): string | undefined {
    const raw = this.segment.get(field, opts.component ?? 1, 1, opts.repetition ?? 0);
    const v = hl7DateTime(raw, this.profile.timeZone);
    if (v === null && !opts.required && impossibleDate(raw)) {
      this.warnings.push(`${this.name(field)}: ${JSON.stringify(raw)} is not a possible date/time; left out`);
      return undefined;
    }
    if (v === null) {
      this.problems.push(businessError('field-invalid', `${this.name(field)}: ${JSON.stringify(raw)} is not an HL7 date/time`, Hl7ErrorCodes.dataTypeError, this.loc(field)));
      return undefined;
    }
    if (v === undefined && opts.required) {
      this.problems.push(businessError('field-missing', `${this.name(field)}: required date/time is missing`, Hl7ErrorCodes.requiredFieldMissing, this.loc(field)));
    }
    return v;
  }

  /** A DTM field as FHIR date. */
  date(field: number): string | undefined {
    const raw = this.segment.get(field);
    const v = hl7Date(raw);
    if (v === null && impossibleDate(raw)) {
      this.warnings.push(`${this.name(field)}: ${JSON.stringify(raw)} is not a possible date; left out`);
      return undefined;
    }
    if (v === null) {
      this.problems.push(businessError('field-invalid', `${this.name(field)}: ${JSON.stringify(raw)} is not an HL7 date`, Hl7ErrorCodes.dataTypeError, this.loc(field)));
      return undefined;
    }
    return v;
  }

  /** A dateTime that is optional context: a bad value is a warning, not an error. */
  softDateTime(field: number, component = 1): string | undefined {
    const raw = this.segment.get(field, component);
    const v = hl7DateTime(raw, this.profile.timeZone);
    if (v === null) {
      this.warnings.push(`${this.name(field)}: ${JSON.stringify(raw)} is not an HL7 date/time; left out`);
      return undefined;
    }
    return v;
  }

  /** A required text value. */
  required(field: number, what: string, component = 1): string | undefined {
    const v = this.segment.get(field, component).trim();
    if (!v) this.problems.push(businessError('field-missing', `${this.name(field)}: ${what} is missing`, Hl7ErrorCodes.requiredFieldMissing, this.loc(field)));
    return v || undefined;
  }

  /**
   * CE/CWE at a field (optionally starting at a component offset, for coded elements nested in other types). With
   * `table`, a code sent without a coding system (an IS/ID field, or a CWE whose CWE-3 is empty) is read against that
   * HL7 table, or kept under the sender's own system named after the field: a code always carries a system.
   */
  coded(field: number, repetition = 0, first = 1, table?: Hl7Table): CodeableConcept | undefined {
    return codedFrom(this.segment, field, repetition, first, this.profile, this.ods, table ?? undefined);
  }

  codedAll(field: number): CodeableConcept[] {
    const out: CodeableConcept[] = [];
    for (let r = 0; r < this.segment.repetitions(field).length; r++) {
      const c = this.coded(field, r);
      if (c) out.push(c);
    }
    return out;
  }
}

function cleanCode(code: string): string | undefined {
  const c = code.trim().replace(/\s+/g, ' ');
  return c === '' ? undefined : c;
}

/**
 * CE/CWE (code^text^system^alt code^alt text^alt system^v^alt v^original text^second alt code^text^system) →
 * CodeableConcept with up to three codings, as the IG's CWE[CodeableConcept] map says: CWE.9 (original text) is the
 * concept's text; when the sender gives none, the first display (UK practice: a viewer needs words).
 */
export function codedFrom(segment: Hl7Segment, field: number, repetition: number, first: number, profile: SourceProfile, ods: string, table?: Hl7Table): CodeableConcept | undefined {
  const part = (n: number) => segment.text(field, first + n - 1, repetition).trim();
  const codings: Coding[] = [];
  for (const base of [1, 4, 10]) {
    const code = cleanCode(part(base));
    let display = part(base + 1);
    if (!code) continue;
    const coding: Coding = { code };
    let system = codeSystemUri(profile, part(base + 2), ods);
    if (!system && table) {
      const known = tableCode(table, code);
      if (known !== undefined) {
        system = table.system;
        coding.code = known;
        display ||= table.codes[known]!;
      } else {
        system = localCodeSystem(ods, `${segment.name}-${field}`);
      }
    }
    if (system) coding.system = system;
    if (display) coding.display = display;
    codings.push(coding);
  }
  const text = part(9) || part(2) || part(5) || (first === 1 ? part(11) : '') || undefined;
  if (codings.length === 0 && !text) return undefined;
  const cc: CodeableConcept = {};
  if (codings.length > 0) cc.coding = codings;
  if (text) cc.text = text;
  else if (codings.length > 0) cc.text = codings[0]!.display || codings[0]!.code!;
  return cc;
}

/**
 * `Dr Ravi Patel` from an XCN (id^family^given^middle^suffix^prefix). The family name is an FN whose first
 * subcomponent is the whole surname (`van der Berg&van der&Berg`): only that is read, so no `&` leaks.
 */
export function personName(segment: Hl7Segment, field: number, repetition = 0): string | undefined {
  const s = (n: number) => segment.text(field, n, repetition).trim();
  const family = segment.get(field, 2, 1, repetition).trim();
  const name = [s(6), s(3), s(4), family].filter(Boolean).join(' ');
  return name || s(1) || undefined;
}

/** The system a sender's own staff numbers get until `resolveParticipants` puts the sender's ODS code in it. */
export const SENDER_PRACTITIONER_ID = 'urn:openidcr:sender-practitioner-id';

/** National registers of UK professionals, by the XCN-9 assigning authority a sender writes. */
const PROFESSIONAL_REGISTERS: Readonly<Record<string, string>> = {
  GMC: 'https://fhir.hl7.org.uk/Id/gmc-number',
  NMC: 'https://fhir.hl7.org.uk/Id/nmc-number',
  GDC: 'https://fhir.hl7.org.uk/Id/gdc-number',
  HCPC: 'https://fhir.hl7.org.uk/Id/hcpc-number',
  GPHC: 'https://fhir.hl7.org.uk/Id/gphc-number',
};

/**
 * A reference to a person named in an XCN field: their name, and their number on a national register (GMC, NMC,
 * ...) or the sender's own staff number. `resolveParticipants` turns it into a `Practitioner` the reference points at.
 */
export function practitionerRef(segment: Hl7Segment, field: number, repetition = 0): { type: 'Practitioner'; display?: string; identifier?: { system: string; value: string } } | undefined {
  const display = personName(segment, field, repetition);
  const id = segment.text(field, 1, repetition).trim();
  const authority = segment.text(field, 9, repetition).trim().toUpperCase();
  if (!display && !id) return undefined;
  const ref: { type: 'Practitioner'; display?: string; identifier?: { system: string; value: string } } = { type: 'Practitioner' };
  if (display) ref.display = display;
  if (id) ref.identifier = { system: PROFESSIONAL_REGISTERS[authority] ?? SENDER_PRACTITIONER_ID, value: id };
  return ref;
}

export function notEmpty<T>(values: (T | undefined | null)[]): T[] {
  return values.filter((v): v is T => v !== undefined && v !== null);
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

/** Removes keys whose value is undefined, empty string or empty array, recursively (FHIR forbids empty elements). */
export function prune<T>(value: T): T {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const p = v !== null && typeof v === 'object' ? prune(v) : v;
      if (!isEmpty(p)) out.push(p);
    }
    return out as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const src = value as Record<string, unknown>;
    for (const k in src) {
      const v = src[k];
      const p = v !== null && typeof v === 'object' ? prune(v) : v;
      if (!isEmpty(p)) out[k] = p;
    }
    return out as T;
  }
  return value;
}
