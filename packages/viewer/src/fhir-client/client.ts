import { NHS_NUMBER_SYSTEM, isValidNhsNumber, normaliseNhsNumber, nhsNumberProblem, type Bundle, type OperationOutcome, type Patient } from '@openidcr/model';
import { breakGlassAvailable, outcomeMessages } from '../view-models/outcome.js';
import { ResourceEnvelope, asBundle, asOutcome, describeProblem } from './envelope.js';
import * as z from 'zod/mini';

/** Why a request did not give what was asked. Errors are values: nothing here throws for a server's answer. */
export type FhirErrorCode =
  | 'invalid-input'
  | 'network'
  | 'aborted'
  | 'unauthorised'
  | 'denied'
  | 'not-found'
  | 'not-supported'
  | 'server'
  | 'invalid-response';

export interface FhirError {
  code: FhirErrorCode;
  /** Plain words for the person reading the screen. */
  message: string;
  status?: number;
  /** The server's OperationOutcome, when it sent one. */
  outcome?: OperationOutcome;
  /** The server said this denial can be overridden by break-glass. */
  breakGlassAvailable: boolean;
}

export type FhirResult<T> = { ok: true; value: T } | { ok: false; error: FhirError };

export interface FhirClientOptions {
  /** The FHIR R4 base, e.g. `https://fhir.example.org/R4`. */
  baseUrl: string;
  /** A bearer token, or a function that returns the current one (refreshing as it likes). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  fetch?: typeof fetch;
  /** At most this many pages are followed per search (default 50). */
  maxPages?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** Search parameters; arrays repeat the parameter. */
export type SearchParams = Record<string, string | number | readonly (string | number)[] | undefined>;

const fail = (code: FhirErrorCode, message: string, extra: Partial<FhirError> = {}): { ok: false; error: FhirError } => ({
  ok: false,
  error: { code, message, breakGlassAvailable: false, ...extra },
});

function messageForStatus(status: number): { code: FhirErrorCode; message: string } {
  if (status === 401) return { code: 'unauthorised', message: 'You are not signed in to the record service, or your session has ended.' };
  if (status === 403) return { code: 'denied', message: 'You do not have access to this record.' };
  if (status === 404 || status === 410) return { code: 'not-found', message: 'The record service has no such record.' };
  if (status === 400 || status === 405 || status === 501)
    return { code: 'not-supported', message: `The record service did not accept this request (HTTP ${status}).` };
  return { code: 'server', message: `The record service had a problem (HTTP ${status}).` };
}

/**
 * A small typed FHIR R4 client over fetch: bearer token, `Accept: application/fhir+json`, paging through
 * `link[next]` (same origin only, so the token never leaves the server it was issued for), `$everything`, search by
 * NHS number, aborts, and errors as values carrying the OperationOutcome. Works against any FHIR R4 server.
 */
export class FhirClient {
  readonly baseUrl: string;
  readonly #token: FhirClientOptions['token'];
  readonly #fetch: typeof fetch;
  readonly #maxPages: number;

  constructor(options: FhirClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    // Called through a closure, never as a method of this object: browsers throw "Illegal invocation" when the
    // native fetch is called with another `this`.
    const given = options.fetch;
    this.#fetch = given ? (input, init) => given(input, init) : (input, init) => globalThis.fetch(input, init);
    this.#maxPages = options.maxPages ?? 50;
  }

  /** The absolute URL of a path relative to the base (`Patient/1`), or the URL itself when absolute. */
  url(path: string, params?: SearchParams): string {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${this.baseUrl}/${path.replace(/^\/+/, '')}`);
    for (const [key, value] of Object.entries(params ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    return url.toString();
  }

  async #headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const token = typeof this.#token === 'function' ? await this.#token() : this.#token;
    return { Accept: 'application/fhir+json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...extra };
  }

  /** One request, JSON in and out, errors as values. */
  async request(method: 'GET' | 'POST', path: string, options: RequestOptions & { body?: unknown; params?: SearchParams } = {}): Promise<FhirResult<unknown>> {
    let response: Response;
    try {
      const headers = await this.#headers(options.body !== undefined ? { 'Content-Type': 'application/json' } : {});
      response = await this.#fetch(this.url(path, options.params), {
        method,
        headers,
        signal: options.signal,
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
    } catch (error) {
      if (options.signal?.aborted || (error instanceof DOMException && error.name === 'AbortError')) return fail('aborted', 'The request was cancelled.');
      return fail('network', 'The record service could not be reached.');
    }
    let json: unknown = undefined;
    const text = await response.text().catch(() => '');
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        if (response.ok) return fail('invalid-response', 'The record service answered with something that is not FHIR JSON.', { status: response.status });
      }
    }
    if (!response.ok) {
      const outcome = asOutcome(json);
      const { code, message } = messageForStatus(response.status);
      const said = outcomeMessages(outcome);
      return fail(code, said.length > 0 ? said.join(' ') : message, {
        status: response.status,
        ...(outcome ? { outcome } : {}),
        breakGlassAvailable: response.status === 403 && breakGlassAvailable(outcome),
      });
    }
    return { ok: true, value: json };
  }

  /** Reads one resource. */
  async read<T = { resourceType: string }>(type: string, id: string, options: RequestOptions = {}): Promise<FhirResult<T>> {
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) return fail('invalid-input', `id: "${id}" is not a FHIR id`);
    const result = await this.request('GET', `${type}/${encodeURIComponent(id)}`, options);
    if (!result.ok) return result;
    const parsed = z.safeParse(ResourceEnvelope, result.value);
    if (!parsed.success) return fail('invalid-response', `${type}: ${describeProblem(parsed.error)}`);
    if (parsed.data.resourceType !== type) return fail('invalid-response', `${type}: the server answered with a ${parsed.data.resourceType}`);
    return { ok: true, value: parsed.data as T };
  }

  /** Follows `next` links from a first page, merging every page into one searchset Bundle. */
  async #pages(first: FhirResult<unknown>, options: RequestOptions): Promise<FhirResult<Bundle>> {
    if (!first.ok) return first;
    const firstBundle = asBundle(first.value);
    if (!firstBundle.ok) return fail('invalid-response', firstBundle.message);
    const merged: Bundle = { ...firstBundle.bundle, entry: [...(firstBundle.bundle.entry ?? [])] };
    let current = firstBundle.bundle;
    const origin = new URL(this.baseUrl).origin;
    for (let page = 1; page < this.#maxPages; page++) {
      const next = current.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      const nextUrl = new URL(next, `${this.baseUrl}/`);
      if (nextUrl.origin !== origin) return fail('invalid-response', `Bundle.link[next]: ${nextUrl.origin} is not the record service's own address`);
      const result = await this.request('GET', nextUrl.toString(), options);
      if (!result.ok) return result;
      const bundle = asBundle(result.value);
      if (!bundle.ok) return fail('invalid-response', bundle.message);
      merged.entry!.push(...(bundle.bundle.entry ?? []));
      current = bundle.bundle;
    }
    merged.link = (merged.link ?? []).filter((l) => l.relation !== 'next');
    return { ok: true, value: merged };
  }

  /** Searches a resource type, following every page. */
  async search(type: string, params: SearchParams = {}, options: RequestOptions = {}): Promise<FhirResult<Bundle>> {
    return this.#pages(await this.request('GET', type, { ...options, params }), options);
  }

  /** `Patient/{id}/$everything`, every page. */
  async everything(patientId: string, options: RequestOptions = {}): Promise<FhirResult<Bundle>> {
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) return fail('invalid-input', `patient-id: "${patientId}" is not a FHIR id`);
    return this.#pages(await this.request('GET', `Patient/${encodeURIComponent(patientId)}/$everything`, options), options);
  }

  /** The patients with this NHS number (normally one), searched as `identifier=https://fhir.nhs.uk/Id/nhs-number|n`. */
  async findByNhsNumber(nhsNumber: string, options: RequestOptions = {}): Promise<FhirResult<Patient[]>> {
    if (!isValidNhsNumber(nhsNumber)) return fail('invalid-input', `nhs-number: ${nhsNumberProblem(nhsNumber)}`);
    const result = await this.search('Patient', { identifier: `${NHS_NUMBER_SYSTEM}|${normaliseNhsNumber(nhsNumber)}` }, options);
    if (!result.ok) return result;
    const patients = (result.value.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
    return { ok: true, value: patients };
  }

  /** Patients by family name and birth date. */
  async findByNameAndBirthDate(family: string, birthDate: string, options: RequestOptions = {}): Promise<FhirResult<Patient[]>> {
    if (!family.trim()) return fail('invalid-input', 'family: enter a family name');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return fail('invalid-input', 'birthdate: expected YYYY-MM-DD');
    const result = await this.search('Patient', { family: family.trim(), birthdate: birthDate }, options);
    if (!result.ok) return result;
    return { ok: true, value: (result.value.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient') };
  }

  /** Asks for emergency access: `POST {base}/Patient/{id}/$break-glass` with `{ "reason": "..." }`. */
  async breakGlass(patientId: string, reason: string, options: RequestOptions = {}): Promise<FhirResult<unknown>> {
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) return fail('invalid-input', `patient-id: "${patientId}" is not a FHIR id`);
    if (!reason.trim()) return fail('invalid-input', 'reason: say why you need access');
    return this.request('POST', `Patient/${encodeURIComponent(patientId)}/$break-glass`, { ...options, body: { reason: reason.trim() } });
  }

  /** Fetches an attachment (a `Binary` or any URL on the same server) as a Blob, with the token. */
  async attachment(url: string, options: RequestOptions = {}): Promise<FhirResult<Blob>> {
    const target = new URL(url, `${this.baseUrl}/`);
    if (target.origin !== new URL(this.baseUrl).origin) return fail('invalid-input', `url: ${target.origin} is not the record service's own address`);
    try {
      const response = await this.#fetch(target.toString(), { headers: await this.#headers({ Accept: '*/*' }), signal: options.signal });
      if (!response.ok) return fail(messageForStatus(response.status).code, messageForStatus(response.status).message, { status: response.status });
      return { ok: true, value: await response.blob() };
    } catch {
      if (options.signal?.aborted) return fail('aborted', 'The request was cancelled.');
      return fail('network', 'The record service could not be reached.');
    }
  }
}

/** The client a component should use: the one it was given, else one made from its base URL and token. */
export function clientFor(given: FhirClient | undefined, baseUrl: string | undefined, token: FhirClientOptions['token'] | undefined): FhirClient | undefined {
  if (given) return given;
  return baseUrl ? new FhirClient({ baseUrl, ...(token ? { token } : {}) }) : undefined;
}
