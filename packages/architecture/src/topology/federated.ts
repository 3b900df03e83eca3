import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { NHS_NUMBER_SYSTEM, headingOf, type ResourceLike } from '@openidcr/model';
import { effectiveDateOf, fhirDateToInstant } from '@openidcr/store';
import type { FederatedSource, Organisation } from '../locality/locality.js';
import { SourceInputError, type LocatedResource, type RecordSource, type ResultPage, type SourceResult, type UnavailableSource } from './source.js';

export interface FederatedOptions {
  sources: readonly FederatedSource[];
  /** For the names of the sources in warnings. */
  organisations: readonly Pick<Organisation, 'ods' | 'name'>[];
  logger: Logger;
  fetch?: typeof fetch;
  /** Most pages of one `$everything` followed per source (default 20). */
  maxPages?: number;
}

type Json = Record<string, unknown>;
type Resource = ResourceLike & { id: string };

/** A counting semaphore: at most `limit` requests to one source in flight, across all users. */
class Limiter {
  #active = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.#active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          const index = this.#waiting.indexOf(go);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(signal.reason);
        };
        this.#waiting.push(go);
        signal.addEventListener('abort', abort, { once: true });
      });
    }
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

class SourceFailure extends Error {
  constructor(
    readonly reason: 'timeout' | 'error',
    message: string,
  ) {
    super(message);
  }
}

interface Endpoint {
  config: FederatedSource;
  name: string;
  base: string;
  limiter: Limiter;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function nhsNumberOf(patient: unknown): string | undefined {
  const identifiers = (patient as { identifier?: unknown }).identifier;
  if (!Array.isArray(identifiers)) return undefined;
  for (const identifier of identifiers as Json[]) {
    if (identifier?.system === NHS_NUMBER_SYSTEM && typeof identifier.value === 'string') return identifier.value.replace(/\s/g, '');
  }
  return undefined;
}

function patientReferenceOf(resource: Json): string | undefined {
  for (const element of ['subject', 'patient']) {
    const reference = (resource[element] as { reference?: unknown } | undefined)?.reference;
    if (typeof reference === 'string') {
      const match = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
      if (match) return match[1];
    }
  }
  return undefined;
}

/** The first instant after a FHIR date's precision (`2024-03` → 2024-04-01T00:00:00Z), for inclusive upper bounds. */
function endOf(value: string): number | undefined {
  const partial = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(value);
  if (partial) {
    const [, y, m, d] = partial;
    const year = Number(y);
    return d !== undefined ? Date.UTC(year, Number(m) - 1, Number(d) + 1) : m !== undefined ? Date.UTC(year, Number(m), 1) : Date.UTC(year + 1, 0, 1);
  }
  const instant = fhirDateToInstant(value);
  return instant === undefined ? undefined : Date.parse(instant) + 1;
}

function encodeCursor(key: string[], fingerprint: string): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, k: key })).toString('base64url');
}

function decodeCursor(token: string, fingerprint: string): string[] {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { f?: unknown; k?: unknown };
    if (parsed.f !== fingerprint) throw new Error('other query');
    if (!Array.isArray(parsed.k) || parsed.k.length !== 3 || !parsed.k.every((p) => typeof p === 'string')) throw new Error('shape');
    return parsed.k as string[];
  } catch {
    throw new SourceInputError('_cursor', '_cursor: not a cursor token for this search; start again without one');
  }
}

/**
 * The federated ("portal") topology: nothing pooled. Each view fans out to the sources' FHIR R4 endpoints, each with
 * its own timeout and concurrency limit, and merges what answered in time. People are matched across sources by NHS
 * number, which is the patient key here; resource ids are the sources' own (the first source in configuration order
 * wins if two sources use the same id).
 */
export function federatedSource(options: FederatedOptions): RecordSource {
  const doFetch = options.fetch ?? ((input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init));
  const names = new Map(options.organisations.map((o) => [o.ods, o.name]));
  const endpoints: Endpoint[] = options.sources.map((config) => ({
    config,
    name: names.get(config.organisation) ?? config.organisation,
    base: config.baseUrl.replace(/\/+$/, ''),
    limiter: new Limiter(config.concurrency),
  }));
  const maxPages = options.maxPages ?? 20;

  async function get(endpoint: Endpoint, url: string, signal: AbortSignal): Promise<{ status: number; body: Json | undefined }> {
    const absolute = url.startsWith('http') ? url : `${endpoint.base}/${url}`;
    if (!absolute.startsWith(`${endpoint.base}/`)) throw new SourceFailure('error', `a link left the source's base URL`);
    try {
      return await endpoint.limiter.run(async () => {
        const response = await doFetch(absolute, { headers: { Accept: 'application/fhir+json', ...endpoint.config.headers }, signal });
        const text = await response.text();
        let body: Json | undefined;
        try {
          body = text ? (JSON.parse(text) as Json) : undefined;
        } catch {
          throw new SourceFailure('error', `HTTP ${response.status} with a body that is not JSON`);
        }
        return { status: response.status, body };
      }, signal);
    } catch (error) {
      if (error instanceof SourceFailure) throw error;
      if (signal.aborted) throw new SourceFailure('timeout', `no answer within ${endpoint.config.timeoutMs} ms`);
      throw new SourceFailure('error', (error as Error).message);
    }
  }

  /** Runs `work` against every source at once, each under its own timeout; returns what came back and who did not. */
  async function fanOut<T>(work: (endpoint: Endpoint, signal: AbortSignal) => Promise<T>): Promise<{ results: Array<{ endpoint: Endpoint; value: T }>; unavailable: UnavailableSource[] }> {
    const settled = await Promise.all(
      endpoints.map(async (endpoint) => {
        const signal = AbortSignal.timeout(endpoint.config.timeoutMs);
        try {
          return { endpoint, value: await work(endpoint, signal), failure: undefined };
        } catch (error) {
          const failure = error instanceof SourceFailure ? error : new SourceFailure(signal.aborted ? 'timeout' : 'error', (error as Error).message);
          options.logger.warn({ source: endpoint.config.organisation, reason: failure.reason, message: failure.message }, 'federated source did not answer');
          return { endpoint, failure: { organisation: endpoint.config.organisation, name: endpoint.name, reason: failure.reason, message: failure.message } satisfies UnavailableSource };
        }
      }),
    );
    const results: Array<{ endpoint: Endpoint; value: T }> = [];
    const unavailable: UnavailableSource[] = [];
    for (const s of settled) {
      if (s.failure !== undefined) unavailable.push(s.failure);
      else results.push({ endpoint: s.endpoint, value: s.value as T });
    }
    return { results, unavailable };
  }

  function expectOk(status: number, what: string): void {
    if (status < 200 || status >= 300) throw new SourceFailure('error', `${what}: HTTP ${status}`);
  }

  function entriesOf(bundle: Json | undefined): Resource[] {
    const entries = Array.isArray(bundle?.entry) ? (bundle.entry as Json[]) : [];
    return entries.flatMap((e) => {
      const resource = e?.resource as Resource | undefined;
      const mode = (e?.search as { mode?: unknown } | undefined)?.mode;
      return resource && typeof resource.resourceType === 'string' && typeof resource.id === 'string' && mode !== 'outcome' && resource.resourceType !== 'OperationOutcome' ? [resource] : [];
    });
  }

  async function patientKeyOf(endpoint: Endpoint, resource: Resource, signal: AbortSignal): Promise<string | undefined> {
    if (resource.resourceType === 'Patient') return nhsNumberOf(resource);
    const patientId = patientReferenceOf(resource);
    if (!patientId) return undefined;
    const { status, body } = await get(endpoint, `Patient/${patientId}`, signal);
    return status === 200 ? nhsNumberOf(body) : undefined;
  }

  function locate(resource: Resource, patientKey: string | undefined): LocatedResource {
    const meta = resource.meta as { versionId?: unknown; lastUpdated?: unknown } | undefined;
    return {
      resource,
      patientKey,
      version: typeof meta?.versionId === 'string' ? meta.versionId : undefined,
      lastUpdated: typeof meta?.lastUpdated === 'string' ? meta.lastUpdated : undefined,
    };
  }

  async function readAt(path: string, type: string): Promise<SourceResult<LocatedResource | undefined>> {
    const { results, unavailable } = await fanOut(async (endpoint, signal) => {
      const { status, body } = await get(endpoint, path, signal);
      if (status === 404 || status === 410) return undefined;
      expectOk(status, path);
      const resource = body as Resource | undefined;
      if (!resource || resource.resourceType !== type) return undefined;
      return locate(resource, await patientKeyOf(endpoint, resource, signal));
    });
    const found = results.find((r) => r.value !== undefined)?.value;
    return { value: found, unavailable: found ? [] : unavailable };
  }

  async function patientsByNhs(nhs: string): Promise<{ results: Array<{ endpoint: Endpoint; value: Resource[] }>; unavailable: UnavailableSource[] }> {
    return fanOut(async (endpoint, signal) => {
      const { status, body } = await get(endpoint, `Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${nhs}`)}`, signal);
      expectOk(status, 'Patient search');
      return entriesOf(body).filter((r) => r.resourceType === 'Patient' && nhsNumberOf(r) === nhs);
    });
  }

  async function everything(nhs: string): Promise<SourceResult<Resource[]>> {
    const { results, unavailable } = await fanOut(async (endpoint, signal) => {
      const { status, body } = await get(endpoint, `Patient?identifier=${encodeURIComponent(`${NHS_NUMBER_SYSTEM}|${nhs}`)}`, signal);
      expectOk(status, 'Patient search');
      const patients = entriesOf(body).filter((r) => r.resourceType === 'Patient' && nhsNumberOf(r) === nhs);
      const out: Resource[] = [];
      for (const patient of patients) {
        let next: string | undefined = `Patient/${patient.id}/$everything`;
        for (let page = 0; next && page < maxPages; page++) {
          const answer = await get(endpoint, next, signal);
          expectOk(answer.status, 'Patient/$everything');
          out.push(...entriesOf(answer.body));
          const link = Array.isArray(answer.body?.link) ? (answer.body.link as Array<{ relation?: unknown; url?: unknown }>).find((l) => l.relation === 'next') : undefined;
          next = typeof link?.url === 'string' ? link.url : undefined;
        }
        if (!out.some((r) => r.resourceType === 'Patient' && r.id === patient.id)) out.push(patient);
      }
      return out;
    });
    const seen = new Set<string>();
    const merged: Resource[] = [];
    for (const { value } of results) {
      for (const resource of value) {
        const key = `${resource.resourceType}/${resource.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        merged.push(resource);
      }
    }
    return { value: merged, unavailable };
  }

  return {
    topology: 'federated',
    read(type, id) {
      if (!FHIR_ID.test(id)) return Promise.resolve({ value: undefined, unavailable: [] });
      return readAt(`${type}/${id}`, type);
    },
    readVersion(type, id, version) {
      if (!FHIR_ID.test(id) || !/^[A-Za-z0-9\-.]{1,64}$/.test(version)) return Promise.resolve({ value: undefined, unavailable: [] });
      return readAt(`${type}/${id}/_history/${version}`, type);
    },
    async searchPatients(criteria) {
      if (criteria.cursor !== undefined) throw new SourceInputError('_cursor', '_cursor: patient search is not paged in the federated topology; narrow the search instead');
      const params = new URLSearchParams();
      if (criteria.identifier) params.set('identifier', `${criteria.identifier.system}|${criteria.identifier.value}`);
      if (criteria.family) params.set('family', criteria.family);
      if (criteria.given) params.set('given', criteria.given);
      if (criteria.birthDate) params.set('birthdate', criteria.birthDate);
      if (criteria.postcode) params.set('address-postalcode', criteria.postcode);
      if (criteria.gender) params.set('gender', criteria.gender);
      params.set('_count', String(criteria.limit));
      const { results, unavailable } = await fanOut(async (endpoint, signal) => {
        const { status, body } = await get(endpoint, `Patient?${params.toString()}`, signal);
        expectOk(status, 'Patient search');
        return entriesOf(body).filter((r) => r.resourceType === 'Patient');
      });
      const items = results.flatMap((r) => r.value.map((patient) => locate(patient, nhsNumberOf(patient)))).slice(0, criteria.limit * endpoints.length);
      return { value: { items }, unavailable };
    },
    async patientsOf(nhs) {
      const { results, unavailable } = await patientsByNhs(nhs);
      return { value: results.flatMap((r) => r.value), unavailable };
    },
    everything,
    async list(query) {
      const fingerprint = JSON.stringify([query.patientKey, query.resourceTypes, query.from ?? null, query.to ?? null, query.sort]);
      const fingerprintHash = createHash('sha256').update(fingerprint).digest('base64url').slice(0, 16);
      const after = query.cursor !== undefined ? decodeCursor(query.cursor, fingerprintHash) : undefined;
      const from = query.from !== undefined ? fhirDateToInstant(query.from) : undefined;
      if (query.from !== undefined && from === undefined) throw new SourceInputError('date', `date: not a FHIR date: ${query.from}`);
      const to = query.to !== undefined ? endOf(query.to) : undefined;
      if (query.to !== undefined && to === undefined) throw new SourceInputError('date', `date: not a FHIR date: ${query.to}`);
      const record = await everything(query.patientKey);
      const types = new Set(query.resourceTypes);
      const rows = record.value
        .filter((r) => types.has(r.resourceType))
        .map((resource) => {
          const effective = effectiveDateOf(resource, headingOf(resource));
          return { resource, effective, key: [effective ?? '', resource.resourceType, resource.id] as [string, string, string] };
        })
        .filter((row) => {
          if (from === undefined && to === undefined) return true;
          if (row.effective === undefined) return false;
          const t = Date.parse(row.effective);
          return (from === undefined || t >= Date.parse(from)) && (to === undefined || t < to);
        });
      const compare = (a: readonly string[], b: readonly string[]) => {
        for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
        return 0;
      };
      const direction = query.sort === 'date-asc' ? 1 : -1;
      rows.sort((a, b) => direction * compare(a.key, b.key));
      const remaining = after ? rows.filter((row) => direction * compare(row.key, after) > 0) : rows;
      const page = remaining.slice(0, query.limit);
      const last = page.at(-1);
      const value: ResultPage<LocatedResource> = {
        items: page.map((row) => locate(row.resource, query.patientKey)),
        nextCursor: remaining.length > query.limit && last ? encodeCursor(last.key, fingerprintHash) : undefined,
      };
      return { value, unavailable: record.unavailable };
    },
    async ready() {
      return true;
    },
  };
}
