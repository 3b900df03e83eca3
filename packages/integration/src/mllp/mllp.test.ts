import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, harness } from '../test-support/harness.js';
import { MllpClient } from './client.js';
import { frame, MllpDecoder } from './framing.js';
import { createMllpServer, ingestHandler, type MllpServer } from './server.js';

describe('MLLP framing', () => {
  it('reassembles frames split across chunks and splits joined ones', () => {
    const d = new MllpDecoder();
    const wire = Buffer.concat([frame('MSH|first'), frame('MSH|second'), frame('MSH|third')]);
    const got: string[] = [];
    // Every split point, byte by byte.
    for (let i = 0; i < wire.length; i++) for (const f of d.push(wire.subarray(i, i + 1))) if (f.kind === 'message') got.push(f.payload.toString());
    expect(got).toEqual(['MSH|first', 'MSH|second', 'MSH|third']);
    const joined = new MllpDecoder().push(wire);
    expect(joined.map((f) => (f.kind === 'message' ? f.payload.toString() : f.kind))).toEqual(['MSH|first', 'MSH|second', 'MSH|third']);
  });

  it('keeps a 0x1C not followed by CR as data, reports noise, and bounds oversize frames', () => {
    const d = new MllpDecoder(16);
    const out = d.push(Buffer.concat([Buffer.from('junk'), frame(Buffer.from([0x41, 0x1c, 0x42])), frame('x'.repeat(40))]));
    expect(out[0]).toEqual({ kind: 'noise', size: 4 });
    expect(out[1]).toEqual({ kind: 'message', payload: Buffer.from([0x41, 0x1c, 0x42]) });
    expect(out[2]).toMatchObject({ kind: 'oversize', size: 40 });
  });
});

function rawClient(port: number): Promise<{ socket: Socket; next: () => Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      const decoder = new MllpDecoder();
      const frames: string[] = [];
      const waiters: ((s: string) => void)[] = [];
      socket.on('data', (c: Buffer) => {
        for (const f of decoder.push(c)) {
          if (f.kind !== 'message') continue;
          const w = waiters.shift();
          if (w) w(f.payload.toString());
          else frames.push(f.payload.toString());
        }
      });
      resolve({ socket, next: () => new Promise((r) => (frames.length ? r(frames.shift()!) : waiters.push(r))) });
    });
  });
}

const msa = (ack: string) => /MSA\|(\w+)(?:\|([^|\r]*))?/.exec(ack)?.slice(1, 3);

describe('MLLP server [REQ-INT-001]', () => {
  let server: MllpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(opts: { maxMessageBytes?: number; idleTimeoutMs?: number } = {}) {
    const h = harness();
    server = createMllpServer({ handler: ingestHandler(h.ingestor), ...opts });
    const { port } = await server.listen(0);
    return { ...h, port };
  }

  it('answers split and joined frames in order on one connection', async () => {
    const { port, store } = await start();
    const c = await rawClient(port);
    const wire = Buffer.concat([frame(fixture('adt-a01.hl7')), frame(fixture('adt-a02.hl7'))]);
    c.socket.write(wire.subarray(0, 50));
    await new Promise((r) => setTimeout(r, 10));
    c.socket.write(wire.subarray(50));
    expect(msa(await c.next())).toEqual(['CA', 'PAS000101']);
    expect(msa(await c.next())).toEqual(['AA', 'PAS000102']);
    expect(store.messages).toHaveLength(2);
    c.socket.destroy();
  });

  it('keeps serving other connections while one sends garbage, truncated, oversize and MSH-less input', async () => {
    const { port } = await start({ maxMessageBytes: 64 * 1024 });
    const bad = await rawClient(port);
    const good = await rawClient(port);
    bad.socket.write(frame(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10])));
    bad.socket.write(frame('PID|1||123'));
    bad.socket.write(frame(fixture('adt-a01.hl7').slice(0, 120)));
    bad.socket.write(frame('MSH|^~\\&|A|B|C|D|20260101||ADT^A08|BIG1|P|2.4\rNTE|1||' + 'x'.repeat(100 * 1024)));
    good.socket.write(frame(fixture('adt-a04.hl7')));
    expect(msa(await good.next())).toEqual(['AA', 'PAS000104']);
    const replies = [await bad.next(), await bad.next(), await bad.next(), await bad.next()];
    // The truncated message asked for enhanced acknowledgement (MSH-15 AL): commit reject.
    expect(replies.map((r) => msa(r)?.[0])).toEqual(['AR', 'AR', 'CR', 'AR']);
    expect(msa(replies[3]!)?.[1]).toBe('BIG1');
    expect(replies[3]).toContain('larger than the 65536-byte limit');
    bad.socket.destroy();
    good.socket.destroy();
  });

  it('closes idle connections', async () => {
    const { port } = await start({ idleTimeoutMs: 50 });
    const c = await rawClient(port);
    const closed = await new Promise<boolean>((resolve) => {
      c.socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 2000);
    });
    expect(closed).toBe(true);
  });

  it('serves concurrent connections', async () => {
    const { port, store } = await start();
    const clients = await Promise.all([0, 1, 2, 3].map(() => new MllpClient({ port })));
    const files = ['adt-a01.hl7', 'adt-a04.hl7', 'adt-a28.hl7', 'vxu-v04.hl7'];
    const acks = await Promise.all(clients.map((c, i) => c.send(fixture(files[i]!))));
    expect(acks.map((a) => msa(a)?.[0])).toEqual(['CA', 'AA', 'AA', 'AA']);
    expect(store.messages).toHaveLength(4);
    for (const c of clients) c.close();
  });
});

describe('MLLP client', () => {
  it('retries with backoff until the listener is up, then gets the ACK', async () => {
    const h = harness();
    const probe = createMllpServer({ handler: ingestHandler(h.ingestor) });
    const { port } = await probe.listen(0);
    await probe.close();
    const client = new MllpClient({ port, backoffMs: 50, attempts: 8 });
    const sending = client.send(fixture('adt-a04.hl7'));
    await new Promise((r) => setTimeout(r, 120));
    const server = createMllpServer({ handler: ingestHandler(h.ingestor) });
    await server.listen(port);
    expect(msa(await sending)).toEqual(['AA', 'PAS000104']);
    client.close();
    await server.close();
  });

  it('gives up after the last attempt', async () => {
    const probe = createMllpServer({ handler: async () => undefined });
    const { port } = await probe.listen(0);
    await probe.close();
    const client = new MllpClient({ port, backoffMs: 5, attempts: 3 });
    await expect(client.send('MSH|^~\\&|A')).rejects.toThrow(/after 3 attempts/);
  });

  it('resends after a missing ACK and the receiver stores the message once', async () => {
    const h = harness();
    let first = true;
    const server = createMllpServer({
      handler: async (payload) => {
        const reply = await ingestHandler(h.ingestor)(payload);
        if (first) {
          first = false;
          return undefined; // committed, but the ACK is lost
        }
        return reply;
      },
    });
    const { port } = await server.listen(0);
    const client = new MllpClient({ port, ackTimeoutMs: 200, backoffMs: 10 });
    const ack = await client.send(fixture('adt-a04.hl7'));
    expect(msa(ack)).toEqual(['AA', 'PAS000104']);
    expect(h.store.messages).toHaveLength(1);
    client.close();
    await server.close();
  });
});
