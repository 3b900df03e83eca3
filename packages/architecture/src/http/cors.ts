import cors from 'cors';
import type { RequestHandler } from 'express';
import { z } from 'zod';

/**
 * One origin a browser app may call the API from: `scheme://host[:port]` exactly as the browser sends it in `Origin`
 * (lower case, no default port, no path, no trailing slash). No wildcard: every calling system is named.
 */
export const CorsOriginSchema = z.string().superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // Reported below.
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || value.includes('*')) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not an origin: write scheme://host[:port], for example "https://gp-system.example.nhs.uk" (no wildcard)` });
    return;
  }
  if (url.origin !== value)
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not an origin as a browser sends it: write ${JSON.stringify(url.origin)} (no path, query, trailing slash or default port; lower case)` });
});

/**
 * Cross-origin access for browser apps (SMART apps, other vendors' pages embedding the viewer): the origins allowed to
 * call the FHIR API, SMART discovery and the token endpoint from a browser. Bearer tokens only, so credentials
 * (cookies) are never allowed.
 */
export const CorsSchema = z.strictObject({
  origins: z.array(CorsOriginSchema).max(200).default([]).describe('The origins (scheme://host[:port]) whose pages may call the API from a browser, e.g. "https://gp-system.example.nhs.uk". No wildcard, no path.'),
  maxAgeSeconds: z.number().int().min(0).max(86_400).default(600).describe('How long a browser may cache a preflight answer (Access-Control-Max-Age), in seconds.'),
});
export type CorsConfig = z.output<typeof CorsSchema>;
export type CorsInput = z.input<typeof CorsSchema>;

/**
 * The paths a browser app calls cross-origin: the FHIR API, discovery documents (`/.well-known/*`, `/fhir/.well-known/*`),
 * and the development issuer's token endpoint, keys and OpenID configuration (`/dev/token`, `/dev/.well-known/*`).
 * Not `/dev/authorize` or `/dev/launch`, which a browser navigates to, and not the web apps' own routes.
 */
export const CORS_PATHS = /^\/(?:fhir(?:\/|$)|\.well-known\/|dev\/token$|dev\/\.well-known\/)/;

export const CORS_ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Prefer', 'If-None-Match', 'If-Modified-Since', 'X-Request-Id'] as const;
export const CORS_EXPOSED_HEADERS = ['ETag', 'Last-Modified', 'Location', 'Content-Location', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'] as const;

/** True when the configuration lets at least one origin in. */
export function corsEnabled(config: CorsInput | undefined): boolean {
  return (config?.origins?.length ?? 0) > 0;
}

/**
 * CORS for the API paths (`CORS_PATHS`), from the locality's `cors`; mount it before authentication and rate limiting.
 * A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered 204 at once, without a token. An allowed
 * `Origin` gets `Access-Control-Allow-Origin` naming it, on every answer including errors (401, 403, 404, 429, 500
 * OperationOutcomes), so a browser app can read why; any other origin gets none, and the browser keeps the answer
 * from the page. `Vary: Origin` is always set on those paths. Never `Access-Control-Allow-Credentials`.
 *
 * No configuration, or no origins: a no-op, and no CORS header is ever sent.
 */
export function corsPolicy(config: CorsInput | undefined): RequestHandler {
  if (!corsEnabled(config)) return (_req, _res, next) => next();
  const { origins, maxAgeSeconds } = CorsSchema.parse(config);
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: [...CORS_ALLOWED_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    credentials: false,
    maxAge: maxAgeSeconds,
    preflightContinue: false,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    if (!CORS_PATHS.test(req.path)) return next();
    res.vary('Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin !== undefined && allowed.has(origin)) return handler(req, res, next);
    // Not an allowed origin: no CORS header. A preflight is still answered here (204, nothing allowed), so it never
    // reaches authentication or a route; the browser then refuses the real request.
    if (preflight) {
      res.statusCode = 204;
      res.setHeader('Content-Length', '0');
      return res.end();
    }
    next();
  };
}
