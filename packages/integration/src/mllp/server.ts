import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { buildAck } from '../hl7/ack.js';
import { peekHeader } from '../hl7/message.js';
import { Hl7ErrorCodes, reject } from '../hl7/problems.js';
import type { Channel, IngestResult, Ingestor } from '../ingest/ingestor.js';
import { decodeHl7Bytes } from '../ingest/ingestor.js';
import { frame, MllpDecoder } from './framing.js';

/** Turns one framed payload into the reply to send (undefined: send nothing). Must not throw for bad input. */
export type MllpHandler = (payload: Buffer) => Promise<string | undefined>;

export interface MllpServerOptions {
  handler: MllpHandler;
  /** Largest message accepted; bigger frames get AR without being buffered. Default 10 MiB. */
  maxMessageBytes?: number;
  /** Close a connection idle this long. Default 5 minutes; 0 disables. */
  idleTimeoutMs?: number;
  /** Connection errors, handler failures, and peers that disconnected mid-frame (`MllpPartialFrameError`). */
  onError?: (err: Error, socket: Socket) => void;
}

/**
 * A peer closed its connection in the middle of a frame: the bytes of the unfinished message were discarded, nothing
 * was stored or acknowledged (the sender's resend is the retry). Reported through `onError`.
 */
export class MllpPartialFrameError extends Error {
  constructor(
    readonly bytes: number,
    readonly remote: string,
  ) {
    super(`MLLP peer ${remote} disconnected mid-frame: ${bytes} bytes of an unfinished message discarded; nothing stored or acknowledged`);
    this.name = 'MllpPartialFrameError';
  }
}

export interface MllpServer {
  server: Server;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
  /** Open connections. */
  readonly connections: number;
}

function rejectionFor(head: Buffer, message: string): string {
  const lines = decodeHl7Bytes(head).split(/\r\n|\r|\n/);
  const header = peekHeader(lines);
  return buildAck(header, 'rejected', [reject('message-too-large', message, Hl7ErrorCodes.applicationInternalError)]).text ?? '';
}

/**
 * An MLLP listener. Each connection is read frame by frame (split and joined frames both work) and answered in
 * order; connections are independent, so a bad or slow sender never holds up the others.
 */
export function createMllpServer(options: MllpServerOptions): MllpServer {
  const max = options.maxMessageBytes ?? 10 * 1024 * 1024;
  const idle = options.idleTimeoutMs ?? 5 * 60 * 1000;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (idle > 0) {
      socket.setTimeout(idle);
      socket.on('timeout', () => socket.destroy());
    }
    socket.on('error', (err) => options.onError?.(err, socket));
    const decoder = new MllpDecoder(max);
    const remote = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? '?'}`;
    socket.on('close', () => {
      if (decoder.pending > 0) options.onError?.(new MllpPartialFrameError(decoder.pending, remote), socket);
    });
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        chain = chain.then(async () => {
          let reply: string | undefined;
          if (f.kind === 'message') {
            try {
              reply = await options.handler(f.payload);
            } catch (err) {
              options.onError?.(err instanceof Error ? err : new Error(String(err)), socket);
              reply = rejectionFor(f.payload.subarray(0, 4096), 'the listener failed to process the message; resend');
            }
          } else if (f.kind === 'oversize') {
            reply = rejectionFor(f.head, `message of ${f.size} bytes is larger than the ${max}-byte limit`);
          }
          if (reply && !socket.destroyed) socket.write(frame(reply));
        });
      }
    });
  });
  return {
    server,
    get connections() {
      return sockets.size;
    },
    listen(port = 2575, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The usual handler: ingest the payload on a channel and reply with its ACK(s). */
export function ingestHandler(ingestor: Ingestor, channel?: string | Channel, onResult?: (r: IngestResult) => void): MllpHandler {
  return async (payload) => {
    const results = await ingestor.ingest(payload, channel);
    for (const r of results) onResult?.(r);
    const acks = results.map((r) => r.ack).filter((a): a is string => Boolean(a));
    return acks.length ? acks.join('') : undefined;
  };
}
