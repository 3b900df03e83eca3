import { HEADINGS } from '@openidcr/model';
import { badParameter } from '../http/outcome.js';

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
  MedicationStatement: { tokens: { category: t(['category'], 'Medication usage category'), code: t(['medicationCodeableConcept'], 'Medicine code (dm+d)') }, includes: { 'information-source': ['informationSource'] } },
  MedicationRequest: { tokens: { category: t(['category'], 'Prescription category'), code: t(['medicationCodeableConcept'], 'Medicine code (dm+d)') }, includes: { requester: ['requester'] } },
  Immunization: { tokens: { 'vaccine-code': t(['vaccineCode'], 'Vaccine code') }, includes: { performer: ['performer.actor'] } },
  Encounter: { tokens: { class: t(['class'], 'Encounter class (IMP, EMER, AMB)'), type: t(['type'], 'Encounter type') }, includes: { 'service-provider': ['serviceProvider'], participant: ['participant.individual'] } },
  EpisodeOfCare: { tokens: { type: t(['type'], 'Service type') }, includes: { organization: ['managingOrganization'], 'care-manager': ['careManager'] } },
  CareTeam: { tokens: { category: t(['category'], 'Care team category') }, includes: { participant: ['participant.member'], organization: ['managingOrganization'] } },
  PractitionerRole: { tokens: { role: t(['code'], 'Role of the professional') }, includes: { practitioner: ['practitioner'], organization: ['organization'] } },
  Flag: { tokens: { category: t(['category'], 'Alert category'), code: t(['code'], 'Alert code') }, includes: { author: ['author'] } },
  Appointment: { tokens: { 'service-type': t(['serviceType'], 'Service booked') }, includes: { actor: ['participant.actor'] } },
  ServiceRequest: { tokens: { category: t(['category'], 'Referral category'), code: t(['code'], 'What is requested') }, includes: { requester: ['requester'], performer: ['performer'] } },
  DocumentReference: { tokens: { category: t(['category'], 'Document class'), type: t(['type'], 'Document type (letter, discharge summary)') }, includes: { author: ['author'], custodian: ['custodian'] } },
};

/** The record resource types (every heading's types, Patient aside), each with its search parameters. */
export const RECORD_TYPES: readonly ResourceTypeSpec[] = [...new Set(HEADINGS.flatMap((h) => h.resourceTypes))]
  .filter((type) => type !== 'Patient')
  .map((type) => ({ type, ...(SPECS[type] ?? { tokens: {}, includes: {} }) }));

export const PATIENT_INCLUDES: Record<string, string[]> = { 'general-practitioner': ['generalPractitioner'], organization: ['managingOrganization'] };

/** Parameters every search takes. */
export const COMMON_SEARCH_PARAMS: readonly SearchParamSpec[] = [
  { name: '_count', type: 'number', documentation: 'Page size, 1 to 1000 (default 50)' },
  { name: '_cursor', type: 'special', documentation: 'Opaque paging token from a next link' },
  { name: '_include', type: 'special', documentation: 'Practitioner and Organization resources referenced by the results' },
];

/** The query of one request: every value of every parameter, checked against what the route accepts. */
export class Query {
  readonly #params: URLSearchParams;

  constructor(url: string, allowed: readonly string[]) {
    this.#params = new URL(url, 'http://localhost').searchParams;
    const known = new Set([...allowed, '_format']);
    for (const name of new Set(this.#params.keys())) {
      if (!known.has(name)) throw badParameter(name, `not supported here (supported: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`);
    }
    const format = this.#params.get('_format');
    if (format !== null && !['json', 'application/json', 'application/fhir+json'].includes(format)) throw badParameter('_format', 'only JSON is served');
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

export function countOf(query: Query, fallback: number, max: number): number {
  const raw = query.one('_count');
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw badParameter('_count', `an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function sortOf(query: Query): 'date-asc' | 'date-desc' {
  const raw = query.one('_sort');
  if (raw === undefined || raw === '-date') return 'date-desc';
  if (raw === 'date') return 'date-asc';
  throw badParameter('_sort', `date or -date, got ${JSON.stringify(raw)}`);
}

const FHIR_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** `date=ge2024-01-01&date=le2024-12-31`, or `date=2024-03` (that month): a from/to range, both inclusive. */
export function dateRangeOf(query: Query): { from?: string; to?: string } {
  const range: { from?: string; to?: string } = {};
  for (const raw of query.all('date')) {
    const match = /^(ge|le|eq|gt|lt|ne|sa|eb|ap)?(.*)$/.exec(raw)!;
    const prefix = match[1] ?? 'eq';
    const value = match[2]!;
    if (!FHIR_DATE.test(value) || Number.isNaN(Date.parse(value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value)))
      throw badParameter('date', `${JSON.stringify(value)} is not a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD or an instant)`);
    if (prefix === 'ge' || prefix === 'eq') {
      if (range.from !== undefined) throw badParameter('date', 'only one lower bound (ge or eq)');
      range.from = value;
    }
    if (prefix === 'le' || prefix === 'eq') {
      if (range.to !== undefined) throw badParameter('date', 'only one upper bound (le or eq)');
      range.to = value;
    }
    if (!['ge', 'le', 'eq'].includes(prefix)) throw badParameter('date', `prefix ${prefix} is not supported (use ge, le or none)`);
  }
  return range;
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
        typeof value === 'string'
          ? [{ code: value }]
          : value && typeof value === 'object'
            ? Array.isArray((value as Json).coding)
              ? ((value as Json).coding as Array<{ system?: unknown; code?: unknown }>)
              : 'code' in (value as Json)
                ? [value as { system?: unknown; code?: unknown }]
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

const REFERENCE = /^(Practitioner|Organization|Location)\/([A-Za-z0-9\-.]{1,64})$/;

/** `_include=Type:param[:Target]` values, checked against the type's include parameters. */
export function includesOf(query: Query, type: string, table: Record<string, string[]>): Array<{ paths: string[]; target: string | undefined }> {
  return query.all('_include').map((raw) => {
    const [source, param, target, ...rest] = raw.split(':');
    if (rest.length > 0 || source !== type || param === undefined || !Object.hasOwn(table, param))
      throw badParameter('_include', `${JSON.stringify(raw)} is not supported for ${type} (supported: ${Object.keys(table).map((p) => `${type}:${p}`).join(', ') || 'none'})`);
    if (target !== undefined && target !== 'Practitioner' && target !== 'Organization') throw badParameter('_include', `target ${target}: only Practitioner and Organization are included`);
    return { paths: table[param]!, target };
  });
}

/** The Practitioner and Organization references (`Type/id`) at the paths of the resources. */
export function referencesAt(resources: readonly unknown[], includes: ReadonlyArray<{ paths: string[]; target: string | undefined }>): Array<{ type: string; id: string }> {
  const found = new Map<string, { type: string; id: string }>();
  for (const resource of resources) {
    for (const include of includes) {
      for (const path of include.paths) {
        for (const value of valuesAt(resource, path)) {
          const reference = value && typeof value === 'object' ? (value as Json).reference : undefined;
          const match = typeof reference === 'string' ? REFERENCE.exec(reference) : null;
          if (!match || (include.target !== undefined && include.target !== match[1])) continue;
          found.set(reference as string, { type: match[1]!, id: match[2]! });
        }
      }
    }
  }
  return [...found.values()];
}
