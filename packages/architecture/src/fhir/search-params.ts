import { HEADINGS, ODS_CODE_SYSTEM } from '@openidcr/model';
import { HttpProblem, badParameter } from '../http/outcome.js';
import { STANDARD_TOKENS, SUMMARY_ELEMENTS } from './summary-elements.js';

/** A search parameter the API supports, as the CapabilityStatement lists it. */
export interface SearchParamSpec {
  name: string;
  type: 'token' | 'date' | 'reference' | 'string' | 'number' | 'special';
  documentation: string;
}

/** A token parameter matched against CodeableConcepts (or plain codes) at these element paths. */
interface TokenParam {
  paths: string[];
  documentation: string;
}

/** What one record resource type supports beyond `patient`, `date`, `_count`, `_sort`, `_cursor`. */
export interface ResourceTypeSpec {
  type: string;
  tokens: Record<string, TokenParam>;
  /** `_include` parameter name → element paths holding references to Practitioner or Organization. */
  includes: Record<string, string[]>;
}

const t = (paths: string[], documentation: string): TokenParam => ({ paths, documentation });

const SPECS: Record<string, Omit<ResourceTypeSpec, 'type'>> = {
  Observation: { tokens: { category: t(['category'], 'Observation category, e.g. laboratory'), code: t(['code'], 'Test code (LOINC, SNOMED CT)') }, includes: { performer: ['performer'] } },
  DiagnosticReport: { tokens: { category: t(['category'], 'Report category'), code: t(['code'], 'Report code') }, includes: { performer: ['performer'] } },
  Condition: { tokens: { category: t(['category'], 'problem-list-item or encounter-diagnosis'), code: t(['code'], 'Diagnosis code (SNOMED CT, ICD-10)') }, includes: { asserter: ['asserter'], recorder: ['recorder'] } },
  AllergyIntolerance: { tokens: { category: t(['category'], 'food, medication, environment, biologic'), code: t(['code'], 'Substance code') }, includes: { asserter: ['asserter'], recorder: ['recorder'] } },
  MedicationStatement: { tokens: { category: t(['category'], 'Medication usage category'), code: t(['medicationCodeableConcept'], 'Medicine code (dm+d)') }, includes: { source: ['informationSource'] } },
  MedicationRequest: { tokens: { category: t(['category'], 'Prescription category'), code: t(['medicationCodeableConcept'], 'Medicine code (dm+d)') }, includes: { requester: ['requester'] } },
  Immunization: { tokens: { 'vaccine-code': t(['vaccineCode'], 'Vaccine code') }, includes: { performer: ['performer.actor'] } },
  Encounter: { tokens: { class: t(['class'], 'Encounter class (IMP, EMER, AMB)'), type: t(['type'], 'Encounter type') }, includes: { 'service-provider': ['serviceProvider'], participant: ['participant.individual'], location: ['location.location'] } },
  EpisodeOfCare: { tokens: { type: t(['type'], 'Service type') }, includes: { organization: ['managingOrganization'], 'care-manager': ['careManager'] } },
  CareTeam: { tokens: { category: t(['category'], 'Care team category') }, includes: { participant: ['participant.member'], organization: ['managingOrganization'] } },
  PractitionerRole: { tokens: { role: t(['code'], 'Role of the professional') }, includes: { practitioner: ['practitioner'], organization: ['organization'] } },
  Flag: { tokens: { category: t(['category'], 'Alert category'), code: t(['code'], 'Alert code') }, includes: { author: ['author'] } },
  Appointment: { tokens: { 'service-type': t(['serviceType'], 'Service booked') }, includes: { actor: ['participant.actor'] } },
  ServiceRequest: { tokens: { category: t(['category'], 'Referral category'), code: t(['code'], 'What is requested') }, includes: { requester: ['requester'], performer: ['performer'] } },
  DocumentReference: { tokens: { category: t(['category'], 'Document class'), type: t(['type'], 'Document type (letter, discharge summary)') }, includes: { author: ['author'], custodian: ['custodian'] } },
};

/**
 * The standard FHIR R4 token parameters of a type (those whose expression is a plain element path), with ours on top:
 * `status`, `clinical-status`, `identifier`, `verification-status`, ... as HAPI FHIR or Medplum serve them.
 */
function standardTokens(type: string): Record<string, TokenParam> {
  return Object.fromEntries(Object.entries(STANDARD_TOKENS[type] ?? {}).map(([name, paths]) => [name, t([...paths], `FHIR R4 ${type} ${name} (${paths.join(' or ')})`)]));
}

/** The record resource types (every heading's types, Patient aside), each with its search parameters. */
export const RECORD_TYPES: readonly ResourceTypeSpec[] = [...new Set(HEADINGS.flatMap((h) => h.resourceTypes))]
  .filter((type) => type !== 'Patient')
  .map((type) => {
    const own = SPECS[type] ?? { tokens: {}, includes: {} };
    return { type, tokens: { ...standardTokens(type), ...own.tokens }, includes: own.includes };
  });

export const PATIENT_INCLUDES: Record<string, string[]> = { 'general-practitioner': ['generalPractitioner'], organization: ['managingOrganization'] };

/** `_count` as a search takes it: a page size from `min` to `max`, `fallback` when absent. */
export const countParam = (max: number, fallback: number, min = 1): SearchParamSpec => ({
  name: '_count',
  type: 'number',
  documentation: `Page size, ${min} to ${max} (default ${fallback})${min === 0 ? '; 0 gives the total only' : ''}`,
});
export const CURSOR_PARAM: SearchParamSpec = { name: '_cursor', type: 'special', documentation: 'Opaque paging token from a next link' };
/** `_summary` without `count` (a read, or a search that does not count). */
export const SUMMARY_PARAM: SearchParamSpec = { name: '_summary', type: 'special', documentation: 'true, text, data or false' };
export const ELEMENTS_PARAM: SearchParamSpec = { name: '_elements', type: 'special', documentation: 'Top-level elements to return, comma-separated (the result is marked SUBSETTED)' };

/** Parameters every record search takes. */
export const COMMON_SEARCH_PARAMS: readonly SearchParamSpec[] = [
  { name: '_id', type: 'token', documentation: 'Logical ids, comma-separated' },
  { name: '_lastUpdated', type: 'date', documentation: 'When the shared record last changed the item: eq, ge, le, gt, lt, sa, eb' },
  countParam(1000, 50, 0),
  { name: '_total', type: 'special', documentation: 'none (default), estimate or accurate: the number of matches you may see' },
  CURSOR_PARAM,
  { name: '_include', type: 'special', documentation: 'Practitioner, Organization, Location and Patient resources referenced by the results (Type:param, Type:param:Target, Type:* or *)' },
  { name: '_revinclude', type: 'special', documentation: 'Provenance:target: where each item came from (the message or bundle it arrived in)' },
  { ...SUMMARY_PARAM, documentation: 'true, text, data, count or false' },
  ELEMENTS_PARAM,
];

/** Parameters any FHIR request may carry (formatting and result shaping), beside a route's own. */
const ALWAYS_ALLOWED = ['_format', '_pretty'];

/** Modifiers a token parameter takes: `code:text` (words in the text or display), `status:not`. */
export const TOKEN_MODIFIERS = ['text', 'not'] as const;

/** How a request asks unknown parameters to be treated: refused (FHIR's default, strict) or ignored and reported. */
export interface QueryOptions {
  /** `Prefer: handling=lenient`: unknown parameters are ignored (and named in the outcome) instead of refused. */
  lenient?: boolean | undefined;
}

/** `Prefer: handling=lenient` (RFC 7240, FHIR search): true when the client asks for unknown parameters to be ignored. */
export function preferLenient(prefer: string | undefined): boolean {
  return (prefer ?? '').split(/[,;]/).some((part) => part.trim().toLowerCase() === 'handling=lenient');
}

/** The query of one request: every value of every parameter, checked against what the route accepts. */
export class Query {
  readonly #params: URLSearchParams;
  /** Parameters ignored under `Prefer: handling=lenient`. */
  readonly ignored: string[] = [];

  /**
   * `allowed` names the parameters (with a modifier when only that one is taken: `code:text`); a name ending in
   * `:*` takes the parameter with any of TOKEN_MODIFIERS.
   */
  constructor(url: string, allowed: readonly string[], options: QueryOptions = {}) {
    this.#params = new URL(url, 'http://localhost').searchParams;
    const known = new Set([...allowed, ...ALWAYS_ALLOWED]);
    const modifiable = new Set(allowed.filter((a) => a.endsWith(':*')).map((a) => a.slice(0, -2)));
    for (const name of new Set(this.#params.keys())) {
      if (known.has(name)) continue;
      const [base, modifier, ...rest] = name.split(':');
      if (rest.length === 0 && modifier !== undefined && modifiable.has(base!) && (TOKEN_MODIFIERS as readonly string[]).includes(modifier)) continue;
      if (options.lenient) {
        this.ignored.push(name);
        this.#params.delete(name);
        continue;
      }
      const supported = allowed.map((a) => (a.endsWith(':*') ? a.slice(0, -2) : a));
      if (modifier !== undefined && (known.has(base!) || modifiable.has(base!)))
        throw badParameter(name, `modifier :${modifier} is not supported for ${base}${modifiable.has(base!) ? ` (supported: ${TOKEN_MODIFIERS.map((m) => `:${m}`).join(', ')})` : ''}`);
      throw badParameter(name, `not supported here (supported: ${supported.length > 0 ? supported.join(', ') : 'none'}); send Prefer: handling=lenient to have unknown parameters ignored`);
    }
    const format = this.#params.get('_format');
    if (format !== null && !['json', 'application/json', 'application/fhir+json'].includes(format.split(';')[0]!.trim()))
      throw new HttpProblem(406, 'not-supported', `_format: ${JSON.stringify(format)} is not served; this server answers JSON only (application/fhir+json)`, { expression: '_format' });
  }

  all(name: string): string[] {
    return this.#params.getAll(name);
  }

  one(name: string): string | undefined {
    const values = this.#params.getAll(name);
    if (values.length > 1) throw badParameter(name, 'give it once');
    const value = values[0];
    if (value === '') throw badParameter(name, 'empty value');
    return value;
  }

  has(name: string): boolean {
    return this.#params.has(name);
  }

  /** The parameter names given (after lenient handling dropped the unknown ones). */
  names(): string[] {
    return [...new Set(this.#params.keys())];
  }

  /** The query with `_cursor` replaced, for a next link. */
  withCursor(cursor: string): string {
    const next = new URLSearchParams(this.#params);
    next.set('_cursor', cursor);
    return next.toString();
  }

  toString(): string {
    return this.#params.toString();
  }
}

/** `_count`: the page size, from `min` (0: the total only) to `max`. */
export function countOf(query: Query, fallback: number, max: number, min = 1): number {
  const raw = query.one('_count');
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw badParameter('_count', `an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** `_total`: whether the Bundle says how many matches there are (`accurate` and `estimate` both count them). */
export function totalOf(query: Query): boolean {
  const raw = query.one('_total');
  if (raw === undefined || raw === 'none') return false;
  if (raw === 'accurate' || raw === 'estimate') return true;
  throw badParameter('_total', `none, estimate or accurate, got ${JSON.stringify(raw)}`);
}

export function sortOf(query: Query): 'date-asc' | 'date-desc' {
  const raw = query.one('_sort');
  if (raw === undefined || raw === '-date') return 'date-desc';
  if (raw === 'date') return 'date-asc';
  throw badParameter('_sort', `date or -date, got ${JSON.stringify(raw)}`);
}

const FHIR_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** The instants a FHIR date or dateTime covers: `2024-03` → [2024-03-01T00:00Z, 2024-04-01T00:00Z). UTC for partial dates. */
function spanOf(value: string): { start: number; end: number } | undefined {
  if (!FHIR_DATE.test(value)) return undefined;
  const partial = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(value);
  if (partial) {
    const y = Number(partial[1]);
    const m = partial[2] === undefined ? undefined : Number(partial[2]) - 1;
    const d = partial[3] === undefined ? undefined : Number(partial[3]);
    if ((m !== undefined && m > 11) || (d !== undefined && (d < 1 || d > 31))) return undefined;
    const start = Date.UTC(y, m ?? 0, d ?? 1);
    const end = d !== undefined ? Date.UTC(y, m!, d + 1) : m !== undefined ? Date.UTC(y, m + 1, 1) : Date.UTC(y + 1, 0, 1);
    return { start, end };
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  // An instant given to the second covers that second; to the millisecond, that millisecond.
  const seconds = /T\d{2}:\d{2}:\d{2}(Z|[+-])/.test(value);
  const minutes = /T\d{2}:\d{2}(Z|[+-])/.test(value);
  return { start: at, end: at + (minutes ? 60_000 : seconds ? 1000 : 1) };
}

/** The span of a parameter's date value (no prefix), or a 400 naming the parameter. */
export function spanOfParam(name: string, value: string): { start: number; end: number } {
  const span = spanOf(value);
  if (!span) throw badParameter(name, `${JSON.stringify(value)} is not a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD or an instant)`);
  return span;
}

/** An inclusive lower and exclusive upper bound (epoch ms) of a date parameter. */
export interface DateBounds {
  from?: number;
  toExclusive?: number;
}

const DATE_PREFIXES = ['eq', 'ge', 'le', 'gt', 'lt', 'sa', 'eb'];

/**
 * A date parameter's values as bounds: `ge`, `le`, `eq` (or none), `gt`, `lt`, and `sa` / `eb` (starts after, ends
 * before: for the point in time a record item is dated, the same as gt / lt). `ne` and `ap` are refused.
 */
export function dateBoundsOf(query: Query, name: string): DateBounds {
  const bounds: DateBounds = {};
  for (const raw of query.all(name)) {
    const match = /^(ge|le|eq|gt|lt|ne|sa|eb|ap)?(.*)$/.exec(raw)!;
    const prefix = match[1] ?? 'eq';
    const value = match[2]!;
    const span = spanOf(value);
    if (!span) throw badParameter(name, `${JSON.stringify(value)} is not a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD or an instant)`);
    if (!DATE_PREFIXES.includes(prefix)) throw badParameter(name, `prefix ${prefix} is not supported (supported: ${DATE_PREFIXES.join(', ')}, or none for eq)`);
    const lower = prefix === 'ge' || prefix === 'eq' ? span.start : prefix === 'gt' || prefix === 'sa' ? span.end : undefined;
    const upper = prefix === 'le' || prefix === 'eq' ? span.end : prefix === 'lt' || prefix === 'eb' ? span.start : undefined;
    if (lower !== undefined) {
      if (bounds.from !== undefined) throw badParameter(name, 'only one lower bound (ge, gt, sa or eq)');
      bounds.from = lower;
    }
    if (upper !== undefined) {
      if (bounds.toExclusive !== undefined) throw badParameter(name, 'only one upper bound (le, lt, eb or eq)');
      bounds.toExclusive = upper;
    }
  }
  if (bounds.from !== undefined && bounds.toExclusive !== undefined && bounds.from >= bounds.toExclusive) throw badParameter(name, 'the range is empty: the lower bound is not before the upper bound');
  return bounds;
}

/** True when the instant (ISO) is within the bounds; an absent instant matches only when there are no bounds. */
export function withinBounds(instant: string | undefined, bounds: DateBounds): boolean {
  if (bounds.from === undefined && bounds.toExclusive === undefined) return true;
  const at = instant === undefined ? Number.NaN : Date.parse(instant);
  if (Number.isNaN(at)) return false;
  return (bounds.from === undefined || at >= bounds.from) && (bounds.toExclusive === undefined || at < bounds.toExclusive);
}

/** `date=ge2024-01-01&date=lt2025`, or `date=2024-03` (that month): the range the store lists, as instants. */
export function dateRangeOf(query: Query, name = 'date'): { from?: string; to?: string } {
  const bounds = dateBoundsOf(query, name);
  return {
    ...(bounds.from !== undefined ? { from: new Date(bounds.from).toISOString() } : {}),
    // The store's upper bound includes the whole precision of what it is given: the last millisecond before the bound.
    ...(bounds.toExclusive !== undefined ? { to: new Date(bounds.toExclusive - 1).toISOString() } : {}),
  };
}

/** A token search value: `system|code`, `code`, `|code` (no system) or `system|` (any code of the system). */
export interface TokenValue {
  system: string | undefined;
  code: string | undefined;
  /** `|code`: the coding must have no system. */
  noSystem: boolean;
}

/** The values of a token parameter (comma means OR). */
export function tokensOf(query: Query, name: string): TokenValue[] | undefined {
  const raw = query.one(name);
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => {
    if (part.length === 0) throw badParameter(name, 'empty token');
    const bar = part.indexOf('|');
    if (bar < 0) return { system: undefined, code: part, noSystem: false };
    const system = part.slice(0, bar);
    const code = part.slice(bar + 1);
    if (system === '' && code === '') throw badParameter(name, 'empty token');
    return { system: system === '' ? undefined : system, code: code === '' ? undefined : code, noSystem: system === '' };
  });
}

/** The words a CodeableConcept, Coding or Identifier is known by: its text and displays. */
function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  const out: string[] = [];
  if (typeof v.text === 'string') out.push(v.text);
  if (typeof v.display === 'string') out.push(v.display);
  if (Array.isArray(v.coding)) for (const c of v.coding as Array<{ display?: unknown }>) if (typeof c.display === 'string') out.push(c.display);
  return out;
}

/** One token parameter of a search as a test of a resource: `code=a,b`, `code:text=diabetes`, `status:not=entered-in-error`. */
export interface TokenFilter {
  name: string;
  test(resource: unknown): boolean;
}

/** The token filters of a query for the parameters given (name → element paths); undefined parts were not asked for. */
export function tokenFiltersOf(query: Query, params: Record<string, { paths: readonly string[] }>): TokenFilter[] {
  const filters: TokenFilter[] = [];
  for (const [name, { paths }] of Object.entries(params)) {
    const values = tokensOf(query, name);
    if (values) filters.push({ name, test: (r) => matchesToken(r, paths, values) });
    const not = tokensOf(query, `${name}:not`);
    if (not) filters.push({ name: `${name}:not`, test: (r) => !matchesToken(r, paths, not) });
    const text = query.one(`${name}:text`);
    if (text !== undefined) {
      const words = text.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
      if (words.length === 0) throw badParameter(`${name}:text`, 'give the words to look for');
      // FHIR :text is a string match on the text and displays: here "starts a word of", any case.
      const startsAWord = (haystack: string, word: string) => haystack === word || haystack.startsWith(word) || haystack.includes(` ${word}`) || haystack.includes(`(${word}`);
      filters.push({
        name: `${name}:text`,
        test: (r) => paths.some((path) => valuesAt(r, path).some((v) => textsOf(v).some((t) => words.some((w) => startsAWord(t.toLowerCase(), w))))),
      });
    }
  }
  return filters;
}

type Json = Record<string, unknown>;

/** Every value at a dotted path, flattening arrays on the way. */
export function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const step of path.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== 'object') continue;
      const child = (item as Json)[step];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined) next.push(child);
    }
    current = next;
  }
  return current;
}

/** True when the resource has a coding (or plain code) at one of the paths matching one of the tokens. */
export function matchesToken(resource: unknown, paths: readonly string[], tokens: readonly TokenValue[]): boolean {
  for (const path of paths) {
    for (const value of valuesAt(resource, path)) {
      const codings: Array<{ system?: unknown; code?: unknown }> =
        typeof value === 'string' || typeof value === 'boolean'
          ? [{ code: String(value) }]
          : value && typeof value === 'object'
            ? Array.isArray((value as Json).coding)
              ? ((value as Json).coding as Array<{ system?: unknown; code?: unknown }>)
              : 'code' in (value as Json)
                ? [value as { system?: unknown; code?: unknown }]
                : 'value' in (value as Json)
                  ? [{ system: (value as Json).system, code: (value as Json).value }] // an Identifier: system|value
                  : []
            : [];
      for (const coding of codings) {
        for (const token of tokens) {
          if (token.noSystem && coding.system !== undefined) continue;
          if (token.system !== undefined && coding.system !== token.system) continue;
          if (token.code !== undefined && coding.code !== token.code) continue;
          return true;
        }
      }
    }
  }
  return false;
}

const REFERENCE = /^(Practitioner|Organization|Location|Patient)\/([A-Za-z0-9\-.]{1,64})$/;
const INCLUDE_TARGETS = ['Practitioner', 'Organization', 'Location', 'Patient'];

/** An `_include` asked for: the element paths of the type's include parameter, and the target type if one was named. */
export interface IncludeSpec {
  paths: string[];
  target: string | undefined;
}

/**
 * `_include=Type:param[:Target]`, `Type:*` or `*` (every include parameter of the type), checked against the type's
 * include parameters.
 */
export function includesOf(query: Query, type: string, table: Record<string, string[]>): IncludeSpec[] {
  const supported = () => `supported: ${[...Object.keys(table).map((p) => `${type}:${p}`), `${type}:*`, '*'].join(', ')}`;
  return query.all('_include').flatMap((raw): IncludeSpec[] => {
    if (raw === '*' || raw === `${type}:*`) return Object.values(table).map((paths) => ({ paths, target: undefined }));
    const [source, param, target, ...rest] = raw.split(':');
    if (rest.length > 0 || source !== type || param === undefined || !Object.hasOwn(table, param)) throw badParameter('_include', `${JSON.stringify(raw)} is not supported for ${type} (${supported()})`);
    if (target !== undefined && !INCLUDE_TARGETS.includes(target)) throw badParameter('_include', `target ${target}: only ${INCLUDE_TARGETS.join(', ')} are included`);
    return [{ paths: table[param]!, target }];
  });
}

/**
 * The resources (`Type/id`) referenced at the include paths: literal references, and an organisation named by its
 * ODS code only (a logical reference, as HL7 v2 feeds name them), which is the locality's `Organization/<ODS>`.
 */
export function referencesAt(resources: readonly unknown[], includes: readonly IncludeSpec[]): Array<{ type: string; id: string }> {
  const found = new Map<string, { type: string; id: string }>();
  for (const resource of resources) {
    for (const include of includes) {
      for (const path of include.paths) {
        for (const value of valuesAt(resource, path)) {
          if (!value || typeof value !== 'object') continue;
          const ref = value as { reference?: unknown; type?: unknown; identifier?: { system?: unknown; value?: unknown } };
          let type: string | undefined;
          let id: string | undefined;
          const match = typeof ref.reference === 'string' ? REFERENCE.exec(ref.reference) : null;
          if (match) [type, id] = [match[1]!, match[2]!];
          else if (ref.reference === undefined && ref.identifier?.system === ODS_CODE_SYSTEM && typeof ref.identifier.value === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(ref.identifier.value) && (ref.type === undefined || ref.type === 'Organization'))
            [type, id] = ['Organization', ref.identifier.value];
          if (!type || !id || (include.target !== undefined && include.target !== type)) continue;
          found.set(`${type}/${id}`, { type, id });
        }
      }
    }
  }
  return [...found.values()];
}

/** How a request asks resources to be cut down: `_summary` and `_elements`. */
export type Shape = { kind: 'whole' } | { kind: 'count' } | { kind: 'summary' | 'text' | 'data' } | { kind: 'elements'; elements: string[] };

/** `_summary` (true, text, data, count, false) and `_elements`, which may not be combined. */
export function shapeOf(query: Query): Shape {
  const summary = query.one('_summary');
  const elements = query.all('_elements');
  if (summary !== undefined && elements.length > 0) throw badParameter('_elements', 'give _summary or _elements, not both');
  if (elements.length > 0) {
    const names = elements.flatMap((e) => e.split(',')).map((e) => e.trim());
    for (const name of names) if (!/^[a-z][A-Za-z0-9]*$/.test(name)) throw badParameter('_elements', `${JSON.stringify(name)} is not a top-level element name (e.g. code,status)`);
    return { kind: 'elements', elements: names };
  }
  switch (summary) {
    case undefined:
    case 'false':
      return { kind: 'whole' };
    case 'true':
      return { kind: 'summary' };
    case 'text':
    case 'data':
    case 'count':
      return { kind: summary };
    default:
      throw badParameter('_summary', `true, text, data, count or false, got ${JSON.stringify(summary)}`);
  }
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

/** The element a top-level key belongs to: `valueQuantity` → `value` (a choice element). */
function elementOf(key: string, known: ReadonlySet<string>): string {
  if (known.has(key)) return key;
  const choice = /^([a-z][A-Za-z]*?)[A-Z][A-Za-z]*$/.exec(key);
  return choice && known.has(choice[1]!) ? choice[1]! : key;
}

/**
 * A resource cut down as `_summary` / `_elements` ask (FHIR search 3.1.1.5.x), marked SUBSETTED in meta.tag; a copy:
 * the resource given is not changed. Mandatory elements always stay, so the result is still valid.
 */
export function shapeResource<T extends Record<string, unknown>>(resource: T, shape: Shape): T {
  if (shape.kind === 'whole' || shape.kind === 'count') return resource;
  const table = SUMMARY_ELEMENTS[String(resource.resourceType)];
  const mandatory = new Set(table?.mandatory ?? []);
  const summary = new Set(table?.summary ?? []);
  const keep = (key: string): boolean => {
    if (key === 'resourceType' || key === 'id' || key === 'meta') return true;
    const element = elementOf(key, new Set([...summary, ...mandatory]));
    switch (shape.kind) {
      case 'summary':
        return summary.has(element) || mandatory.has(element);
      case 'text':
        return key === 'text' || mandatory.has(element);
      case 'data':
        return key !== 'text';
      case 'elements':
        return mandatory.has(element) || shape.elements.includes(key) || shape.elements.includes(element);
    }
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) if (keep(key)) out[key] = value;
  const meta = (resource.meta ?? {}) as { tag?: unknown[] };
  out.meta = { ...meta, tag: [...(Array.isArray(meta.tag) ? meta.tag : []), SUBSETTED] };
  return out as T;
}
