import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IdentityLookup, Sink } from '@openidcr/model';
import { Command, CommanderError } from 'commander';
import { ParsePool } from '../hl7/parse-pool.js';
import { Ingestor, decodeHl7Bytes } from '../ingest/ingestor.js';
import { MemoryStore } from '../ingest/memory.js';
import { createMllpServer, ingestHandler } from '../mllp/server.js';
import { count, emptySummary, formatSummary, progressBar, type IngestSummary } from './summary.js';

/** The part of `@openidcr/store`'s RecordStore the CLI uses. */
export interface CliStore extends Sink, IdentityLookup {
  close(): Promise<void>;
  listDeadLetters?(query?: { limit?: number; cursor?: string }): Promise<{ items: { id: string; raw: string; channel?: string | undefined; replayedAt?: string | undefined }[]; nextCursor?: string | undefined }>;
  markDeadLetterReplayed?(id: string, at?: string): Promise<unknown>;
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  openStore: (url: string) => Promise<CliStore>;
}

const INPUT = /\.(hl7|er7|txt|msg|dat|json)$/i;
/** Files above this size are parsed on a worker thread. */
const WORKER_THRESHOLD = 512 * 1024;

async function listInputs(target: string): Promise<string[]> {
  const s = await stat(target);
  if (!s.isDirectory()) return [target];
  const out: string[] = [];
  for (const entry of (await readdir(target, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(target, entry.name);
    if (entry.isDirectory()) out.push(...(await listInputs(p)));
    else if (INPUT.test(entry.name)) out.push(p);
  }
  return out;
}

export async function openDefaultStore(url: string): Promise<CliStore> {
  if (url === 'memory') {
    // No persistence at all: for dry runs and corpus checks, where a database adds nothing.
    const store = new MemoryStore();
    return Object.assign(store, { close: async () => undefined });
  }
  let mod: { openStore: (url: string) => Promise<CliStore> };
  try {
    mod = (await import('@openidcr/store')) as unknown as typeof mod;
  } catch {
    throw new Error('--store needs @openidcr/store: npm install @openidcr/store');
  }
  return mod.openStore(url);
}

async function ingestFiles(files: string[], opts: { channel?: string; store: string; json?: boolean }, io: CliIo): Promise<IngestSummary> {
  const store = await io.openStore(opts.store);
  const ingestor = new Ingestor({ sink: store, lookup: store });
  const pool = new ParsePool();
  const summary = emptySummary();
  try {
    ingestor.channel(opts.channel);
    let done = 0;
    const draw = () => io.isTTY && io.stderr(`\r${progressBar(done, files.length)} `);
    draw();
    for (const file of files) {
      const bytes = await readFile(file);
      const name = basename(file);
      if (/\.json$/i.test(file)) {
        let json: unknown;
        try {
          json = JSON.parse(bytes.toString('utf8'));
        } catch (err) {
          count(summary, name, { outcome: 'rejected', messageType: 'FHIR^Bundle', controlId: undefined, ackCode: 'AR', problems: [{ code: 'json', message: `not JSON: ${(err as Error).message}`, severity: 'reject', hl7Code: 102 }] });
          continue;
        }
        const r = await ingestor.ingestBundle(json, opts.channel, bytes.toString('utf8'));
        count(summary, name, { outcome: r.outcome, messageType: 'FHIR^Bundle', controlId: undefined, ackCode: r.outcome === 'rejected' ? 'AR' : 'AA', problems: r.issues.map((message) => ({ code: 'fhir', message, severity: 'reject', hl7Code: 102 })) });
      } else {
        const text = decodeHl7Bytes(bytes);
        const results = bytes.length > WORKER_THRESHOLD ? await ingestor.ingestParsed(await pool.parse(text), opts.channel) : await ingestor.ingest(text, opts.channel);
        for (const r of results) count(summary, name, r);
      }
      done++;
      draw();
    }
    if (io.isTTY) io.stderr('\n');
    return summary;
  } finally {
    await pool.close();
    await store.close();
  }
}

/** Builds the `openidcr` command. `io` is injected so tests run it in-process. */
export function buildCli(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('openidcr')
    .description('OpenIDCR integration: feed HL7 v2 and FHIR into the shared care record')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('ingest')
    .description('ingest HL7 v2 files (one message, a batch, or many messages) or FHIR bundles (.json)')
    .argument('<path>', 'a file or a directory')
    .option('--channel <name>', 'channel / source profile (gp, acute-pas, mental-health, lims, social-care, generic)', 'generic')
    .option('--store <url>', 'record store: pglite:memory, pglite:./data, postgres://... or memory (no database)', 'pglite:memory')
    .option('--json', 'print the summary as one JSON object')
    .action(async (path: string, opts: { channel: string; store: string; json?: boolean }) => {
      const files = await listInputs(path);
      const summary = await ingestFiles(files, opts, io);
      io.stdout(opts.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      setExit(summary.rejected > 0 ? 1 : 0);
    });

  program
    .command('replay')
    .description('re-ingest the dead letters not yet replayed (after the mapping or profile was fixed)')
    .option('--channel <name>', 'channel to replay on (default: the channel each letter came in on)')
    .option('--store <url>', 'record store URL', 'pglite:./data')
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts: { channel?: string; store: string; json?: boolean }) => {
      const store = await io.openStore(opts.store);
      const summary = emptySummary();
      try {
        if (!store.listDeadLetters || !store.markDeadLetterReplayed) throw new Error('this store cannot list dead letters');
        const ingestor = new Ingestor({ sink: store, lookup: store });
        let cursor: string | undefined;
        do {
          const page = await store.listDeadLetters({ limit: 500, ...(cursor ? { cursor } : {}) });
          for (const letter of page.items.filter((l) => !l.replayedAt)) {
            const results = await ingestor.ingest(letter.raw, opts.channel ?? letter.channel ?? 'generic');
            for (const r of results) count(summary, `dead-letter:${letter.id}`, r);
            if (results.every((r) => r.outcome === 'accepted' || r.outcome === 'duplicate')) await store.markDeadLetterReplayed(letter.id);
          }
          cursor = page.nextCursor;
        } while (cursor);
      } finally {
        await store.close();
      }
      io.stdout(opts.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
      setExit(summary.rejected > 0 ? 1 : 0);
    });

  program
    .command('listen')
    .description('run an MLLP listener that ingests into the store')
    .option('--port <n>', 'TCP port', '2575')
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--channel <name>', 'channel / source profile', 'generic')
    .option('--store <url>', 'record store URL', 'pglite:./data')
    .option('--max-bytes <n>', 'largest message accepted', String(10 * 1024 * 1024))
    .action(async (opts: { port: string; host: string; channel: string; store: string; maxBytes: string }) => {
      const store = await io.openStore(opts.store);
      const ingestor = new Ingestor({ sink: store, lookup: store });
      ingestor.channel(opts.channel);
      const server = createMllpServer({ handler: ingestHandler(ingestor, opts.channel), maxMessageBytes: Number(opts.maxBytes) });
      const address = await server.listen(Number(opts.port), opts.host);
      io.stderr(`listening on ${address.address}:${address.port} (channel ${opts.channel}, store ${opts.store.replace(/\/\/[^@]*@/, '//***@')})\n`);
      const stop = async () => {
        await server.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => undefined);
    });
  return program;
}

/** Runs the CLI; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildCli(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.stderr(`openidcr: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  return code;
}
