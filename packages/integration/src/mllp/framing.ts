/** MLLP framing: every message is sent as 0x0B <message> 0x1C 0x0D. */
export const START_BLOCK = 0x0b;
export const END_BLOCK = 0x1c;
export const CARRIAGE_RETURN = 0x0d;

export function frame(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return Buffer.concat([Buffer.from([START_BLOCK]), body, Buffer.from([END_BLOCK, CARRIAGE_RETURN])]);
}

export type DecodedFrame =
  | { kind: 'message'; payload: Buffer }
  /** A frame larger than the limit: its first bytes are kept so the reply can still name the control id. */
  | { kind: 'oversize'; head: Buffer; size: number }
  /** Bytes outside any frame (noise before a start block). */
  | { kind: 'noise'; size: number };

/**
 * Reassembles frames from TCP chunks: a frame may arrive split across chunks, and one chunk may hold several frames.
 * Memory is bounded by `maxMessageBytes`: an oversize frame is skipped to its end block, not buffered.
 */
export class MllpDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private oversize = false;
  private skipped = 0;
  private head: Buffer = Buffer.alloc(0);
  private pendingEnd = false;

  constructor(private readonly maxMessageBytes = 10 * 1024 * 1024) {}

  push(chunk: Buffer): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(START_BLOCK, i);
        const noise = (start === -1 ? chunk.length : start) - i;
        // A lone CR or LF between frames is common and harmless.
        const meaningful = chunk.subarray(i, start === -1 ? chunk.length : start).some((b) => b !== 0x0d && b !== 0x0a);
        if (noise > 0 && meaningful) out.push({ kind: 'noise', size: noise });
        if (start === -1) return out;
        this.inFrame = true;
        i = start + 1;
        continue;
      }
      if (this.pendingEnd) {
        // Previous chunk ended with 0x1C: a frame end only if this byte is CR.
        this.pendingEnd = false;
        if (chunk[i] === CARRIAGE_RETURN) {
          out.push(this.finish());
          i++;
          continue;
        }
        this.append(Buffer.from([END_BLOCK]));
      }
      const end = chunk.indexOf(END_BLOCK, i);
      if (end === -1) {
        this.append(chunk.subarray(i));
        return out;
      }
      this.append(chunk.subarray(i, end));
      if (end + 1 >= chunk.length) {
        this.pendingEnd = true;
        return out;
      }
      if (chunk[end + 1] === CARRIAGE_RETURN) {
        out.push(this.finish());
        i = end + 2;
      } else {
        this.append(Buffer.from([END_BLOCK]));
        i = end + 1;
      }
    }
    return out;
  }

  private append(b: Buffer): void {
    if (b.length === 0) return;
    if (this.oversize) {
      this.skipped += b.length;
      return;
    }
    if (this.size + b.length > this.maxMessageBytes) {
      this.oversize = true;
      this.head = Buffer.concat([...this.parts, b]).subarray(0, 4096);
      this.skipped = this.size + b.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(b);
    this.size += b.length;
  }

  private finish(): DecodedFrame {
    const result: DecodedFrame = this.oversize
      ? { kind: 'oversize', head: Buffer.from(this.head), size: this.skipped }
      : { kind: 'message', payload: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts) };
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    this.oversize = false;
    this.skipped = 0;
    this.head = Buffer.alloc(0);
    return result;
  }

  /** Bytes of an unfinished frame (a sender that died mid-message). */
  get pending(): number {
    return this.inFrame ? this.size + this.skipped : 0;
  }
}
