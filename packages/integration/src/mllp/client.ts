import { connect, type Socket } from 'node:net';
import { frame, MllpDecoder } from './framing.js';

export interface MllpClientOptions {
  host?: string;
  port: number;
  /** Time to wait for the ACK of one message. Default 10 s. */
  ackTimeoutMs?: number;
  /** Attempts per message (connection failures and timeouts are retried). Default 5. */
  attempts?: number;
  /** First retry delay, doubled each time up to `maxBackoffMs`. Default 200 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Whether an ACK asks for the message to be sent again later (default `asksForResend`: the receiver's own side
   * failed). Such a message is resent like a lost one, within the same `attempts`; after the last attempt `send`
   * resolves with that ACK.
   */
  resendWhen?: (ack: string) => boolean;
}

/**
 * True for a negative ACK that says the receiver could not take the message for reasons of its own (its store was
 * down) and asks for it again: MSA-1 `AR` or `CR` with an ERR of HL7 error 207 (application internal error) whose
 * text says "resend", as OpenIDCR's listeners answer. A message rejected for its content is not resent.
 */
export function asksForResend(ack: string): boolean {
  const segments = ack.split(/\r\n|\r|\n/);
  const msa = segments.find((s) => s.startsWith('MSA'));
  const field = msa?.charAt(3) ?? '|';
  const code = msa?.split(field)[1];
  if (code !== 'AR' && code !== 'CR') return false;
  return segments.some((s) => s.startsWith('ERR') && /(^|\D)207(\D|$)/.test(s) && /\bresend\b/i.test(s)) || /\bresend\b/i.test(msa ?? '');
}

/**
 * An MLLP sender: one message at a time on a persistent connection, waiting for its ACK. A lost connection, a
 * missing ACK or a negative ACK asking for a resend (`resendWhen`) is retried with exponential backoff (on a new
 * connection when the old one is gone); the receiver's dedup (sender + MSH-10 + content) makes the resend safe.
 */
export class MllpClient {
  private socket: Socket | undefined;
  private decoder = new MllpDecoder();
  private waiting: { resolve: (ack: string) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: MllpClientOptions) {}

  private async connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    this.decoder = new MllpDecoder();
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.options.host ?? '127.0.0.1', port: this.options.port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk)) {
        if (f.kind === 'message' && this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w.resolve(f.payload.toString('utf8'));
        }
      }
    });
    const fail = (err: Error) => {
      if (this.socket === socket) this.socket = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before the ACK')));
    this.socket = socket;
    return socket;
  }

  private async attempt(message: string): Promise<string> {
    const socket = await this.connection();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        socket.destroy();
        reject(new Error('no ACK before the timeout'));
      }, this.options.ackTimeoutMs ?? 10_000);
      this.waiting = {
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      socket.write(frame(message));
    });
  }

  /** Sends one message and resolves with its ACK; rejects after the last attempt fails. */
  send(message: string): Promise<string> {
    const run = async () => {
      const attempts = this.options.attempts ?? 5;
      let delay = this.options.backoffMs ?? 200;
      let last: unknown;
      const resendWhen = this.options.resendWhen ?? asksForResend;
      for (let i = 0; i < attempts; i++) {
        try {
          const ack = await this.attempt(message);
          if (i + 1 >= attempts || !resendWhen(ack)) return ack;
          last = new Error(`the receiver asked for a resend: ${ack.replace(/\r/g, ' | ').slice(0, 300)}`);
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 5000);
        } catch (err) {
          last = err;
          if (i + 1 < attempts) {
            await new Promise((r) => setTimeout(r, delay));
            delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 5000);
          }
        }
      }
      throw new Error(`MLLP send failed after ${attempts} attempts: ${last instanceof Error ? last.message : String(last)}`);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
