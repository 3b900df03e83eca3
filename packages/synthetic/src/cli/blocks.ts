import { Worker } from 'node:worker_threads';
import { generateLocality } from '../locality/locality.js';
import type { SyntheticLocality } from '../locality/locality.js';
import { generatePatients } from '../population/population.js';
import type { ResolvedOptions } from '../population/options.js';
import { toFhirBundle } from '../fhir/bundle.js';
import type { Hl7Stream } from '../hl7/messages.js';

/** A run of consecutive patients already rendered to output text, with what it holds. */
export interface Block {
  start: number;
  patients: number;
  resources: number;
  messages: number;
  faults: number;
  /** fhir: one NDJSON line (a Bundle) per patient, in order. */
  lines: string[];
  /** hl7: the messages of the block per source stream, and how many each holds. */
  streams: Partial<Record<Hl7Stream, { text: string; count: number }>>;
}

export type OutputFormat = 'fhir' | 'hl7';

const localities = new Map<number, SyntheticLocality>();

function localityOf(seed: number): SyntheticLocality {
  let locality = localities.get(seed);
  if (!locality) {
    locality = generateLocality({ seed });
    localities.set(seed, locality);
  }
  return locality;
}

/** Renders patients [start, start + count): the same bytes whichever thread does it. */
export function renderBlock(options: ResolvedOptions, format: OutputFormat, start: number, count: number): Block {
  const block: Block = { start, patients: 0, resources: 0, messages: 0, faults: 0, lines: [], streams: {} };
  const parts = new Map<Hl7Stream, string[]>();
  for (const record of generatePatients({ ...options, offset: start, patients: count }, localityOf(options.seed))) {
    block.patients++;
    block.resources += record.resources.length;
    block.messages += record.messages.length;
    for (const message of record.messages) {
      if (message.fault !== undefined) block.faults++;
      if (format === 'hl7') {
        const list = parts.get(message.stream) ?? [];
        list.push(message.text);
        parts.set(message.stream, list);
      }
    }
    if (format === 'fhir') block.lines.push(`${JSON.stringify(toFhirBundle(record))}\n`);
  }
  for (const [stream, texts] of parts) block.streams[stream] = { text: texts.join(''), count: texts.length };
  return block;
}

/** The blocks of a whole run, in order, made on this thread. */
export async function* blocksInline(options: ResolvedOptions, format: OutputFormat, blockSize: number): AsyncGenerator<Block> {
  for (let start = options.offset; start < options.offset + options.patients; start += blockSize) {
    yield renderBlock(options, format, start, Math.min(blockSize, options.offset + options.patients - start));
  }
}

/**
 * The blocks of a whole run, in order, made by a pool of worker threads. Each patient depends only on (seed,
 * index), so any thread can make any block; at most two blocks per worker are in flight, which bounds memory.
 */
export async function* blocksInWorkers(options: ResolvedOptions, format: OutputFormat, blockSize: number, workers: number): AsyncGenerator<Block> {
  const end = options.offset + options.patients;
  const starts: number[] = [];
  for (let start = options.offset; start < end; start += blockSize) starts.push(start);
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./worker.js', import.meta.url), { workerData: { options, format } }));
  const pending = new Map<number, Promise<Block>>();
  let nextToSend = 0;
  let nextWorker = 0;
  const send = (): void => {
    const start = starts[nextToSend++];
    if (start === undefined) return;
    const worker = pool[nextWorker++ % pool.length] as Worker;
    pending.set(
      start,
      new Promise<Block>((resolve, reject) => {
        const onMessage = (block: Block): void => {
          if (block.start !== start) return;
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve(block);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        worker.postMessage({ start, count: Math.min(blockSize, end - start) });
      }),
    );
  };
  try {
    for (let i = 0; i < workers * 2; i++) send();
    for (const start of starts) {
      const block = await (pending.get(start) as Promise<Block>);
      pending.delete(start);
      send();
      yield block;
    }
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}
