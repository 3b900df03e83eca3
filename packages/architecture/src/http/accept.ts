import type { RequestHandler, Response } from 'express';
import Negotiator from 'negotiator';
import { HttpProblem, sendProblem } from './outcome.js';

/** The media types the FHIR API serves: FHIR JSON (`application/fhir+json`), plain JSON, and the DSTU2-era name some clients still send. */
const JSON_TYPES = [
  ['application', 'fhir+json'],
  ['application', 'json'],
  ['application', 'json+fhir'],
] as const;
/** `_format` values meaning JSON (FHIR R4 3.1.0.1.10: `json`, or a JSON mime type, parameters aside), as the search parameters read them. */
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

/**
 * Whether an `Accept` header admits one of the JSON types, as HTTP content negotiation reads it (`negotiator`, the
 * library express itself uses): the most specific range matching a type decides its quality
 * (`application/fhir+json;q=0, *\/*` refuses FHIR JSON), and any quality above 0 admits it. Media type parameters
 * other than `q` (`fhirVersion=4.0`, `charset=utf-8`) do not change the answer.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  // Negotiator matches media type parameters too; FHIR's (`fhirVersion=4.0`) name the version, not another type, so
  // only `q` is kept.
  const ranges = accept
    .split(',')
    .map((part) => {
      const [range = '', ...params] = part.split(';');
      const q = params.find((p) => /^\s*q\s*=/i.test(p));
      return q === undefined ? range : `${range};${q}`;
    })
    .join(',');
  return new Negotiator({ headers: { accept: ranges } }).mediaTypes(JSON_TYPES.map(([type, subtype]) => `${type}/${subtype}`)).length > 0;
}

const ONLY_JSON = 'only JSON is served (application/fhir+json); this server has no XML, Turtle or HTML representation';

/**
 * Content negotiation for the FHIR API, mounted before its routes (and before authentication): a request that accepts
 * no JSON — `Accept: application/fhir+xml`, `application/xml`, `text/xml`, `text/html` alone — or asks for another
 * format with `_format` (which overrides `Accept`) gets 406 and a JSON OperationOutcome naming `Accept` or `_format`.
 * Absent `Accept`, `*\/*`, `application/json` and `application/fhir+json` (with parameters such as `fhirVersion=4.0`)
 * are served as JSON.
 */
export function acceptJsonOnly(): RequestHandler {
  return (req, res, next) => {
    const query = req.originalUrl.indexOf('?');
    const formats = query === -1 ? [] : new URLSearchParams(req.originalUrl.slice(query + 1)).getAll('_format');
    if (formats.length > 0) {
      const wanted = formats.find((f) => !JSON_FORMATS.has(f.split(';')[0]!.trim()));
      if (wanted === undefined) return next();
      const shown = JSON.stringify(wanted.length > 80 ? `${wanted.slice(0, 80)}…` : wanted);
      return sendProblem(res as Response, new HttpProblem(406, 'not-supported', `_format: ${shown} asked for; ${ONLY_JSON}. Use _format=json or leave it out.`, { expression: '_format' }));
    }
    if (acceptsJson(req.headers.accept)) return next();
    sendProblem(
      res as Response,
      new HttpProblem(406, 'not-supported', `Accept: ${ONLY_JSON}. Send Accept: application/fhir+json (or application/json, or */*).`, { expression: 'Accept' }),
    );
  };
}
