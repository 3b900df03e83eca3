import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, harness } from '../test-support/harness.js';
import { asksForResend, MllpClient } from './client.js';
import { frame, MllpDecoder } from './framing.js';
import { createMllpServer, ingestHandler, MllpPartialFrameError, type MllpServer } from './server.js';

const msa = (ack: string) => /MSA\|(\w+)(?:\|([^|\r]*))?/.exec(ack)?.slice(1, 3);
const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the peer receives on `socket`, decoded into frames. */
function replies(socket: Socket): string[] {
  const out: string[] = [];
  const decoder = new MllpDecoder();
  socket.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) if (f.kind === 'message') out.push(f.payload.toString());
  });
  return out;
}

describe('MLLP peer disconnecting mid-frame [REQ-INT-002]', () => {
  let server: MllpServer | undefined;
  const extra: Array<Server | Socket> = [];
  afterEach(async () => {
    for (const e of extra.splice(0)) {
      if ('destroy' in e) e.destroy();
      else e.close();
    }
    await server?.close();
    server = undefined;
  });

  async function start() {
    const h = harness();
    const errors: Error[] = [];
    server = createMllpServer({ handler: ingestHandler(h.ingestor), onError: (err) => errors.push(err) });
    const { port } = await server.listen(0);
    return { ...h, port, errors };
  }

  it('discards the partial frame, logs it, stores and ACKs nothing, and keeps serving other peers', async () => {
    const { port, store, errors } = await start();
    const message = frame(fixture('adt-a04.hl7'));
    const other = await open(port);
    const otherReplies = replies(other);
    const dying = await open(port);
    const dyingReplies = replies(dying);
    // Half a message, then the peer goes away (its process died, a firewall cut it).
    dying.write(message.subarray(0, Math.floor(message.length / 2)));
    await new Promise((r) => setTimeout(r, 20));
    dying.destroy();
    await until(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(MllpPartialFrameError);
    expect(errors[0]!.message).toMatch(/disconnected mid-frame: \d+ bytes of an unfinished message discarded; nothing stored or acknowledged/);
    expect((errors[0] as MllpPartialFrameError).bytes).toBe(Math.floor(message.length / 2) - 1);
    expect(store.messages).toHaveLength(0);
    expect(store.deadLetters).toHaveLength(0);
    expect(dyingReplies).toEqual([]);
    // The connection that stayed, and a new one, are served as if nothing happened.
    other.write(frame(fixture('adt-a28.hl7')));
    await until(() => otherReplies.length === 1);
    expect(msa(otherReplies[0]!)?.[0]).toBe('AA');
    const fresh = await open(port);
    const freshReplies = replies(fresh);
    fresh.write(message);
    await until(() => freshReplies.length === 1);
    expect(msa(freshReplies[0]!)).toEqual(['AA', 'PAS000104']);
    expect(store.messages.map((m) => m.controlId).sort()).toEqual(['PAS000104', expect.any(String)].sort());
    other.destroy();
    fresh.destroy();
  });

  it('takes the whole frames before the cut and nothing of the one cut in half', async () => {
    const { port, store, errors } = await start();
    const first = frame(fixture('adt-a04.hl7'));
    const second = frame(fixture('adt-a28.hl7'));
    const peer = await open(port);
    const got = replies(peer);
    peer.write(Buffer.concat([first, second.subarray(0, 40)]));
    await until(() => got.length === 1);
    peer.destroy();
    await until(() => errors.length === 1);
    expect(msa(got[0]!)).toEqual(['AA', 'PAS000104']);
    expect(store.messages.map((m) => m.controlId)).toEqual(['PAS000104']);
  });

  it('the client resends a message whose connection was cut mid-frame, and it is stored once', async () => {
    const { port, store, errors } = await start();
    // A network element between sender and listener that cuts the first connection after 60 bytes.
    let connections = 0;
    const cutter = createServer((inbound) => {
      const outbound = connect({ port, host: '127.0.0.1' });
      const index = connections++;
      let forwarded = 0;
      inbound.on('data', (chunk: Buffer) => {
        if (index > 0) return void outbound.write(chunk);
        const room = 60 - forwarded;
        outbound.write(chunk.subarray(0, room));
        forwarded += Math.min(room, chunk.length);
        if (forwarded >= 60) {
          setTimeout(() => {
            inbound.destroy();
            outbound.destroy();
          }, 20);
        }
      });
      outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
      inbound.on('close', () => outbound.destroy());
    });
    extra.push(cutter);
    await new Promise<void>((resolve) => cutter.listen(0, '127.0.0.1', () => resolve()));
    const client = new MllpClient({ port: (cutter.address() as { port: number }).port, backoffMs: 20, attempts: 4, ackTimeoutMs: 2000 });
    const ack = await client.send(fixture('adt-a04.hl7'));
    client.close();
    expect(msa(ack)).toEqual(['AA', 'PAS000104']);
    expect(connections).toBe(2);
    expect(store.messages.filter((m) => m.controlId === 'PAS000104')).toHaveLength(1);
    await until(() => errors.some((e) => e instanceof MllpPartialFrameError));
  });
});

describe('MLLP client and a receiver whose store is down', () => {
  it('resends on a NAK that asks for a resend, until the store takes it: stored once', async () => {
    const h = harness();
    h.store.failNext = 2;
    const server = createMllpServer({ handler: ingestHandler(h.ingestor) });
    const { port } = await server.listen(0);
    try {
      const client = new MllpClient({ port, backoffMs: 10, attempts: 5 });
      const ack = await client.send(fixture('adt-a04.hl7'));
      client.close();
      expect(msa(ack)).toEqual(['AA', 'PAS000104']);
      expect(h.store.messages).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('returns the NAK after the last attempt, and never resends a message rejected for its content', async () => {
    const h = harness();
    h.store.failNext = 10;
    const server = createMllpServer({ handler: ingestHandler(h.ingestor) });
    const { port } = await server.listen(0);
    let handled = 0;
    const counting = createMllpServer({
      handler: async (payload) => {
        handled++;
        return ingestHandler(harness().ingestor)(payload);
      },
    });
    const other = await counting.listen(0);
    try {
      const client = new MllpClient({ port, backoffMs: 5, attempts: 3 });
      const nak = await client.send(fixture('adt-a04.hl7'));
      client.close();
      expect(msa(nak)?.[0]).toBe('AR');
      expect(nak).toMatch(/record store did not commit .*resend later/);
      expect(asksForResend(nak)).toBe(true);
      expect(h.store.messages).toHaveLength(0);
      const bad = new MllpClient({ port: other.port, backoffMs: 5, attempts: 3 });
      const rejected = await bad.send('MSH|^~\\&|LAB|RAE|IDCR|LOC|20260101||ORU^R01|BAD1|P|2.4\rPID|1');
      bad.close();
      expect(msa(rejected)?.[0]).toMatch(/^A[ER]$/);
      expect(asksForResend(rejected)).toBe(false);
      expect(handled).toBe(1);
    } finally {
      await server.close();
      await counting.close();
    }
  });
});
