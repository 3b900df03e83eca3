import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Delimiters } from './delimiters.js';
import { Hl7Message, Hl7Segment, parseUnit, type ParseOutcome } from './message.js';
import type { SerialisedOutcome } from './parse-worker.js';
import { splitMessages } from './split.js';

export function rehydrate(o: SerialisedOutcome): ParseOutcome {
  if (!o.ok) return o;
  const d: Delimiters = o.delimiters;
  return { ok: true, message: new Hl7Message(o.raw, o.lines, d, o.segments.map((s) => new Hl7Segment(s.name, s.fields, s.sequence, d))) };
}

/**
 * Parses large inputs on a worker thread so a listener's event loop keeps answering other connections while a
 * 100 000-message file is read. Falls back to parsing in-thread when the compiled worker is not available (running
 * from TypeScript sources), and says which it used.
 */
export class ParsePool {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (o: SerialisedOutcome[]) => void; reject: (e: Error) => void }>();
  readonly mode: 'worker' | 'inline';

  constructor(workerUrl: URL = new URL('./parse-worker.js', import.meta.url)) {
    this.mode = workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl)) ? 'worker' : 'inline';
    if (this.mode === 'worker') {
      this.worker = new Worker(workerUrl);
      this.worker.unref();
      this.worker.on('message', (msg: { id: number; outcomes?: SerialisedOutcome[]; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.outcomes) p.resolve(msg.outcomes);
        else p.reject(new Error(msg.error ?? 'worker failed'));
      });
      this.worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
    }
  }

  async parse(text: string): Promise<ParseOutcome[]> {
    if (!this.worker) return splitMessages(text).messages.map(parseUnit);
    const id = this.nextId++;
    this.worker.ref();
    try {
      const outcomes = await new Promise<SerialisedOutcome[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker!.postMessage({ id, text });
      });
      return outcomes.map(rehydrate);
    } finally {
      if (this.pending.size === 0) this.worker?.unref();
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
