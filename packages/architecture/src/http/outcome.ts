import { gzip, gzipSync } from 'node:zlib';
import type { Response } from 'express';
import type { OperationOutcome, OperationOutcomeIssue } from '@openidcr/model';

/** OpenIDCR's policy code system, read by the viewer in `OperationOutcome.issue.details.coding`. */
export const POLICY_CODE_SYSTEM = 'https://openidcr.org/CodeSystem/policy';

/** The policy codes this server puts in `issue.details.coding`. */
export const PolicyCodes = {
  breakGlassAvailable: 'break-glass-available',
  withheld: 'withheld',
  sourceUnavailable: 'source-unavailable',
  notInRolloutStage: 'not-in-rollout-stage',
} as const;

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

type IssueCode = 'invalid' | 'required' | 'value' | 'not-found' | 'not-supported' | 'login' | 'forbidden' | 'suppressed' | 'exception' | 'incomplete' | 'timeout' | 'conflict' | 'too-costly' | 'informational' | 'security' | 'throttled' | 'processing' | 'transient';

/** A one-issue (or more) OperationOutcome. */
export function outcome(...issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues } as OperationOutcome;
}

export function issue(severity: OperationOutcomeIssue['severity'], code: IssueCode, diagnostics: string, expression?: string): OperationOutcomeIssue {
  return { severity, code, diagnostics, ...(expression ? { expression: [expression] } : {}) };
}

/**
 * An error a client can cause, answered as an OperationOutcome with this HTTP status. `expression` names the
 * parameter or field at fault.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  readonly headers: Record<string, string>;
  constructor(status: number, code: IssueCode, diagnostics: string, options: { expression?: string; headers?: Record<string, string>; outcome?: OperationOutcome } = {}) {
    super(diagnostics);
    this.name = 'HttpProblem';
    this.status = status;
    this.outcome = options.outcome ?? outcome(issue(status >= 500 ? 'fatal' : 'error', code, diagnostics, options.expression));
    this.headers = options.headers ?? {};
  }
}

/**
 * The store could not be reached (PostgreSQL restarting, a disk full: `StoreError` code `unavailable`), so nothing
 * was returned: 503 with `Retry-After`, a `transient` issue, and no detail of the infrastructure. Undefined for any
 * other error.
 */
export function storeUnavailable(error: unknown): HttpProblem | undefined {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name !== 'StoreError' || code !== 'unavailable') return undefined;
  return new HttpProblem(503, 'transient', 'The record store is unavailable for a moment, so nothing is returned. Try again shortly.', { headers: { 'Retry-After': '5' } });
}

export function badParameter(parameter: string, message: string): HttpProblem {
  return new HttpProblem(400, 'invalid', `${parameter}: ${message}`, { expression: parameter });
}

/** A response body already serialised as JSON: `sendFhir` writes its text as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Bodies smaller than this are sent as they are: gzip would save little (the `compression` middleware's default). */
const GZIP_THRESHOLD = 1024;
/**
 * Bodies up to this size are gzipped on the event loop: a whole record of about 18 kB takes some 70 µs, less than
 * handing it to libuv's thread pool and back (two thread wake-ups; measured on the $everything bench, 1,480 against
 * 1,690 views a second). Larger ones go to the thread pool so that one big bundle never stalls other requests.
 */
const GZIP_INLINE_LIMIT = 128 * 1024;

/**
 * Sends a FHIR resource as `application/fhir+json`. Written with `res.end`, not `res.send`: express would hash every
 * body for an ETag, which costs CPU on every search and means nothing for a searchset made fresh each time. Reads set
 * their own version ETag. `Cache-Control: no-store` unless the route set its own.
 *
 * A body of 1 kB or more goes gzipped (level 1) to a client that accepts gzip, compressed in one call: far cheaper than
 * the `compression` middleware's stream, which then leaves the response alone (it is already encoded). Other clients
 * get it as it is, or as `compression` encodes it for them.
 */
export function sendFhir(res: Response, status: number, body: unknown): void {
  const text = body instanceof JsonText ? body.text : JSON.stringify(body);
  res.status(status);
  res.setHeader('Content-Type', FHIR_JSON);
  // Patient data must not be kept by a browser on a shared ward computer, nor by a proxy.
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  const req = res.req as Response['req'] | undefined;
  if (text.length < GZIP_THRESHOLD || !req || req.method === 'HEAD' || req.acceptsEncodings('gzip', 'identity') !== 'gzip') {
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
    return;
  }
  res.vary('Accept-Encoding');
  const sendZipped = (zipped: Buffer): void => {
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', zipped.length);
    res.end(zipped);
  };
  if (text.length <= GZIP_INLINE_LIMIT) return sendZipped(gzipSync(text, GZIP_OPTIONS));
  gzip(text, GZIP_OPTIONS, (error, zipped) => {
    if (res.destroyed) return;
    if (!error) return sendZipped(zipped);
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  });
}

/** Level 1: a record's JSON shrinks about 7-fold (8-fold at the default 6) for about 20% less CPU. */
const GZIP_OPTIONS = { level: 1 } as const;

export function sendProblem(res: Response, problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  sendFhir(res, problem.status, problem.outcome);
}
