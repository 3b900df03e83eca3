import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpProblem, sendProblem } from './outcome.js';

/**
 * The last error handler of an OpenIDCR server: every error becomes an OperationOutcome, never express's HTML page
 * (which shows a stack trace outside production). Body parser failures keep their status: bad JSON 400, too large
 * 413; anything unexpected is logged and answered 500 with the request id only.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpProblem) return sendProblem(res, error);
    const { type, status } = (error ?? {}) as { type?: string; status?: number };
    if (type === 'entity.parse.failed')
      return sendProblem(res, new HttpProblem(400, 'invalid', /NUL/.test((error as Error).message) ? 'body: a string contains a NUL character' : 'body: not valid JSON', { expression: 'body' }));
    if (type === 'entity.too.large') return sendProblem(res, new HttpProblem(413, 'too-costly', 'body: too large for this route'));
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendProblem(res, new HttpProblem(415, 'not-supported', 'body: encoding or charset not supported'));
    if (typeof status === 'number' && status >= 400 && status < 500) return sendProblem(res, new HttpProblem(status, 'invalid', `request: refused (${status})`));
    logger.error({ err: error, path: req.path }, 'unexpected error');
    sendProblem(res, new HttpProblem(500, 'exception', `An unexpected error happened (request ${String(res.getHeader('X-Request-Id') ?? 'unknown')}).`));
  };
}

/** Answers any path no route took with a 404 OperationOutcome (instead of express's HTML "Cannot GET"). */
export function notFoundHandler(): RequestHandler {
  return (req, res) => sendProblem(res, new HttpProblem(404, 'not-found', `${req.method} ${req.path}: no such page or route`));
}
