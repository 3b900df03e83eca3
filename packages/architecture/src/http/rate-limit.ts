import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { HttpProblem, sendProblem } from './outcome.js';

/**
 * How many requests one client may make per window. Authenticated requests count against the user (the token's
 * issuer and subject), so a whole hospital behind one NAT address is not throttled as one client; requests without a
 * token count against the IP address; sign-in routes have their own, lower, per-address limit; and tokens that fail
 * verification count against the address too, so forging subjects buys no fresh allowance.
 */
export const RateLimitsSchema = z.object({
  /** Off only where a load generator must not be throttled (benchmarks), never to "fix" a busy locality. */
  enabled: z.boolean().default(true).describe('Rate limiting on (default). Off only where a load generator must not be throttled, such as a benchmark.'),
  windowSeconds: z.number().int().min(1).max(3600).default(60).describe('The window the limits count over, in seconds.'),
  /** Per IP address per window: sign-in (`/dev/token`, `/dev/authorize`, `/dev/launch`). */
  signIn: z.number().int().min(1).max(100_000).default(30).describe('Requests per window from one IP address to the sign-in routes (`/dev/token`, `/dev/authorize`, `/dev/launch`).'),
  /** Per IP address per window: requests without a bearer token (capability, notice, web app files, SMART discovery). */
  public: z.number().int().min(1).max(1_000_000).default(600).describe('Requests per window from one IP address without a bearer token (web app files, capability statement, notice, SMART discovery).'),
  /** Per signed-in user per window: every request with a bearer token. */
  user: z.number().int().min(1).max(1_000_000).default(1200).describe('Requests per window from one signed-in user (the token\'s issuer and subject), wherever they come from.'),
  /** Per IP address per window: requests refused because the bearer token did not verify (401). */
  badToken: z.number().int().min(1).max(1_000_000).default(120).describe('Requests per window from one IP address whose bearer token fails verification (401). A token seen to verify is never held back by it.'),
});
export type RateLimits = z.output<typeof RateLimitsSchema>;
export type RateLimitsInput = z.input<typeof RateLimitsSchema>;

/** Paths a health checker or orchestrator polls: never throttled. */
const UNTHROTTLED = new Set(['/healthz', '/readyz']);
const SIGN_IN = new Set(['/dev/token', '/dev/authorize', '/dev/launch']);
const BEARER = /^Bearer\s+(\S+)$/i;

const addressOf = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/** The user a bearer token names, read without verifying it: a forged subject fails verification (401) and is not counted. */
function userKeyOf(req: Request): string {
  const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
  if (token) {
    try {
      const { iss, sub } = decodeJwt(token);
      if (typeof sub === 'string' && sub.length > 0 && sub.length <= 256) return `user:${typeof iss === 'string' ? iss.slice(0, 256) : ''}|${sub}`;
    } catch {
      // Not a JWT: it will be refused; count it against the address.
    }
  }
  return `ip:${addressOf(req)}`;
}

/**
 * Rate limiting for an OpenIDCR server (express-rate-limit, in-memory counters per process): 429 with `Retry-After`
 * and an OperationOutcome (`throttled`) naming the limit. `/healthz` and `/readyz` are never limited.
 */
export function rateLimiting(config: RateLimitsInput = {}): RequestHandler {
  const limits = RateLimitsSchema.parse(config);
  if (!limits.enabled) return (_req, _res, next) => next();
  const windowMs = limits.windowSeconds * 1000;
  const refuse = (who: string) => (req: Request, res: Response, _next: unknown, options: Options) => {
    const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const seconds = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000));
    const limit = typeof options.limit === 'number' ? options.limit : undefined;
    sendProblem(
      res,
      new HttpProblem(429, 'throttled', `Too many requests ${who}${limit ? `: at most ${limit} in ${limits.windowSeconds} seconds` : ''}. Try again in ${seconds} seconds.`, {
        headers: { 'Retry-After': String(seconds) },
      }),
    );
  };
  const common = { windowMs, standardHeaders: 'draft-7' as const, legacyHeaders: false };
  const signIn = rateLimit({ ...common, limit: limits.signIn, keyGenerator: (req) => `sign-in:${addressOf(req)}`, handler: refuse('to sign in from this address') });
  const open = rateLimit({ ...common, limit: limits.public, keyGenerator: (req) => `public:${addressOf(req)}`, handler: refuse('from this address') });
  const user = rateLimit({
    ...common,
    limit: limits.user,
    keyGenerator: userKeyOf,
    // A request whose token failed verification is not charged to the user it names.
    skipFailedRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: refuse('for this user'),
  });
  // Tokens seen to verify (`authenticate` put their user on the response): they skip the per-address bad-token limit, so someone flooding bad tokens from a shared
  // address (a hospital's NAT) does not lock out the signed-in users behind it. Bounded; oldest forgotten first.
  const verified = new Map<string, true>();
  const digestOf = (req: Request) => createHash('sha256').update(req.headers.authorization ?? '').digest('base64url');
  const badToken = rateLimit({
    ...common,
    limit: limits.badToken,
    keyGenerator: (req) => `bad-token:${addressOf(req)}`,
    skip: (req) => verified.has(digestOf(req)),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: refuse('with tokens that do not verify from this address'),
  });
  return (req, res, next) => {
    if (UNTHROTTLED.has(req.path)) return next();
    if (SIGN_IN.has(req.path)) return signIn(req, res, next);
    if (!BEARER.test(req.headers.authorization ?? '')) return open(req, res, next);
    res.once('finish', () => {
      // Only a token `authenticate` verified (it set the user) counts as verified.
      if ((res.locals as { user?: unknown }).user === undefined) return;
      const digest = digestOf(req);
      if (verified.has(digest)) return;
      if (verified.size >= 50_000) verified.delete(verified.keys().next().value!);
      verified.set(digest, true);
    });
    badToken(req, res, (error?: unknown) => (error ? next(error) : user(req, res, next)));
  };
}
