import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import compression from 'compression';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const REQUEST_ID = /^[A-Za-z0-9\-_.:]{1,128}$/;

/** The request id: the caller's `X-Request-Id` when it is sane, else a new UUID; echoed back in the response. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The HTTP hygiene every OpenIDCR server wears: security headers (`helmet`; an API needs no scripts, so the CSP
 * is `default-src 'none'`), gzip (`compression`), and one structured log line per request with its request id
 * (`pino-http`; the Authorization header is never logged).
 */
export function httpHygiene(logger: Logger, options: { contentSecurityPolicy?: boolean } = {}): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: options.contentSecurityPolicy === false ? false : { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }),
    compression() as RequestHandler,
    pinoHttp({
      logger,
      genReqId: requestIdOf,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }) as unknown as RequestHandler,
  ];
}
