import { MllpClient } from '@openidcr/integration';
import { generatePatients, type SyntheticLocality } from '@openidcr/synthetic';
import type { Logger } from 'pino';

export interface SeedOptions {
  seed: number;
  patients: number;
  /** The synthetic histories' end date (YYYY-MM-DD); default the generator's. */
  start?: string | undefined;
  locality: SyntheticLocality;
  /** MLLP port of each sending organisation's channel, by ODS code. */
  ports: ReadonlyMap<string, number>;
  host?: string;
  /** Patients fed at once; each patient's messages go in order on one connection per sender. */
  concurrency?: number;
  logger: Logger;
  /** Called after each patient, for progress. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  patients: number;
  messages: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  byAck: Record<string, number>;
  seconds: number;
}

const MSA = /(?:^|\r)MSA\|([A-Z]{2})\|/;

/**
 * Seeds the record by sending the synthetic locality's HL7 v2 feeds over MLLP to the app's own listeners: the same
 * path a hospital PAS or a GP system uses, so what the demo shows was parsed, matched, mapped, stored and ACKed for real.
 */
export async function seedOverMllp(options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const summary: SeedSummary = { patients: 0, messages: 0, accepted: 0, duplicates: 0, rejected: 0, byAck: {}, seconds: 0 };
  const records = generatePatients({ seed: options.seed, patients: options.patients, ...(options.start ? { start: options.start } : {}) }, options.locality);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const clients: Array<Map<number, MllpClient>> = Array.from({ length: concurrency }, () => new Map());
  const clientFor = (worker: number, port: number) => {
    let client = clients[worker]!.get(port);
    if (!client) {
      client = new MllpClient({ host: options.host ?? '127.0.0.1', port, ackTimeoutMs: 60_000, attempts: 5 });
      clients[worker]!.set(port, client);
    }
    return client;
  };
  let lastLog = 0;
  const worker = async (w: number) => {
    for (;;) {
      const next = records.next();
      if (next.done) return;
      const record = next.value;
      for (const message of record.messages) {
        const port = options.ports.get(message.sender);
        if (port === undefined) throw new Error(`seed: no MLLP channel for sender ${message.sender}`);
        const ack = await clientFor(w, port).send(message.text);
        const code = MSA.exec(ack)?.[1] ?? '??';
        summary.messages++;
        summary.byAck[code] = (summary.byAck[code] ?? 0) + 1;
        if (code === 'AA' || code === 'CA') {
          if (message.fault === 'duplicate') summary.duplicates++;
          else summary.accepted++;
        } else {
          summary.rejected++;
          options.logger.warn({ sender: message.sender, type: message.type, controlId: message.controlId, ack: ack.replace(/\r/g, ' | ') }, 'seed message not accepted');
        }
      }
      summary.patients++;
      options.onProgress?.(summary.patients, options.patients);
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        options.logger.info({ patients: summary.patients, of: options.patients, messages: summary.messages }, 'seeding the synthetic locality');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  } finally {
    for (const map of clients) for (const client of map.values()) client.close();
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
