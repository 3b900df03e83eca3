import { parentPort, workerData } from 'node:worker_threads';
import { renderBlock } from './blocks.js';
import type { OutputFormat } from './blocks.js';
import type { ResolvedOptions } from '../population/options.js';

/** A worker thread of `openidcr-synthetic --workers N`: renders the blocks it is asked for. */
const { options, format } = workerData as { options: ResolvedOptions; format: OutputFormat };
parentPort?.on('message', ({ start, count }: { start: number; count: number }) => {
  parentPort?.postMessage(renderBlock(options, format, start, count));
});
