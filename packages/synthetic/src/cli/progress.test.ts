import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function fakeStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  let out = '';
  pass.on('data', (c: Buffer) => (out += c.toString()));
  return { stream: Object.assign(pass, { isTTY: tty }) as unknown as NodeJS.WriteStream, text: () => out };
}

describe('createProgress', () => {
  it('redraws one line with \\r on a terminal', async () => {
    const { stream, text } = fakeStream(true);
    let t = 0;
    const progress = createProgress(1000, stream, 0, () => (t += 200));
    for (let done = 100; done <= 1000; done += 100) progress.update(done);
    progress.finish();
    await new Promise((r) => setImmediate(r));
    expect(text().split('\r').length).toBeGreaterThan(5);
    expect(text().split('\n')).toHaveLength(2);
    expect(text()).toContain('100.0% 1000/1000 patients');
  });

  it('prints a line every 10% when not a terminal', async () => {
    const { stream, text } = fakeStream(false);
    const progress = createProgress(1000, stream, 0, () => 1000);
    for (let done = 1; done <= 1000; done++) progress.update(done);
    progress.finish();
    await new Promise((r) => setImmediate(r));
    const lines = text().trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(text()).not.toContain('\r');
    expect(lines.at(-1)).toContain('1000/1000 patients, 1000/s');
  });
});
