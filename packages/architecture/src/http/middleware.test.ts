import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './listen.fixtures.js';
import { httpHygiene } from './middleware.js';

describe('request logging: one line per request, no header ever', () => {
  const lines: Array<Record<string, unknown>> = [];
  let server: Awaited<ReturnType<typeof listen>>;
  let release: () => void = () => undefined;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const app = express();
    for (const middleware of httpHygiene(pino({ level: 'info' }, sink))) app.use(middleware);
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    app.get('/missing', (_req, res) => void res.status(404).json({ missing: true }));
    app.get('/broken', () => {
      throw new Error('boom');
    });
    app.get('/slow', (_req, res) => {
      release = () => void res.end('late');
    });
    server = await listen(app);
  });
  afterAll(() => server.close());

  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('logs method, URL, status, time and the request id it echoes, at a level that follows the status', async () => {
    const ok = await fetch(`${server.url}/ok?family=smith`, { headers: { authorization: 'Bearer SECRET-TOKEN', cookie: 'session=SECRET-COOKIE', 'x-request-id': 'req-42' } });
    expect(ok.headers.get('x-request-id')).toBe('req-42');
    await fetch(`${server.url}/missing`);
    await fetch(`${server.url}/broken`);
    await settle();
    const [first, second, third] = lines.splice(0);
    expect(first).toMatchObject({ level: 30, msg: 'request completed', reqId: 'req-42', req: { method: 'GET', url: '/ok?family=smith' }, res: { statusCode: 200 } });
    expect(typeof first!.responseTime).toBe('number');
    expect(second).toMatchObject({ level: 40, res: { statusCode: 404 } });
    expect(third).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 500 } });
    expect(JSON.stringify([first, second, third])).not.toMatch(/SECRET|authorization|cookie/i);
  });

  it('logs a request the client abandoned, once', async () => {
    const controller = new AbortController();
    const abandoned = fetch(`${server.url}/slow`, { signal: controller.signal }).catch(() => undefined);
    await settle();
    controller.abort();
    await abandoned;
    await settle();
    release();
    await settle();
    expect(lines.splice(0)).toEqual([expect.objectContaining({ level: 40, msg: 'request aborted', req: expect.objectContaining({ url: '/slow' }) })]);
  });
});
