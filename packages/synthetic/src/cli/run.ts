import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { generateLocality } from '../locality/locality.js';
import type { SyntheticLocality } from '../locality/locality.js';
import { parseSyntheticOptions } from '../population/options.js';
import type { ResolvedOptions } from '../population/options.js';
import { toLocalityBundle } from '../fhir/bundle.js';
import type { Hl7Stream } from '../hl7/messages.js';
import { mshSegment, segment } from '../hl7/encoding.js';
import { hl7DateTime } from '../random/time.js';
import { createProgress } from './progress.js';
import { blocksInWorkers, blocksInline } from './blocks.js';
import type { Block, OutputFormat } from './blocks.js';
import { closeStream, writeWithBackpressure } from './write.js';

/** Where the command writes: injectable so tests can capture it. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  now(): number;
}

export interface RunSummary {
  patients: number;
  resources: number;
  messages: number;
  faults: number;
  files: string[];
  elapsedMs: number;
  peakRssMb: number;
}

/** Patients per unit of work: small enough for a smooth progress bar and flat memory. */
const BLOCK_SIZE = 100;

const STREAMS: readonly Hl7Stream[] = ['gp', 'acute', 'lims', 'mental-health', 'community', 'social-care'];

function integer(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    return Number(value);
  };
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || Number.isNaN(n)) throw new InvalidArgumentError('fault rate must be a number from 0 to 1.');
  return n;
}

function peakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

type OnBlock = (block: Block) => void;

async function writeFhir(blocks: AsyncIterable<Block>, locality: SyntheticLocality, out: string, perFile: number, onBlock: OnBlock): Promise<string[]> {
  const files: string[] = [];
  const localityFile = join(out, 'locality.json');
  const locStream = createWriteStream(localityFile);
  await writeWithBackpressure(locStream, `${JSON.stringify(toLocalityBundle(locality))}\n`);
  await closeStream(locStream);
  files.push(localityFile);
  let current: WriteStream | undefined;
  let inFile = 0;
  for await (const block of blocks) {
    for (const line of block.lines) {
      if (!current || inFile >= perFile) {
        if (current) await closeStream(current);
        const name = join(out, `patients-${String(files.length).padStart(5, '0')}.ndjson`);
        current = createWriteStream(name);
        files.push(name);
        inFile = 0;
      }
      await writeWithBackpressure(current, line);
      inFile++;
    }
    onBlock(block);
  }
  if (current) await closeStream(current);
  return files;
}

async function writeHl7(blocks: AsyncIterable<Block>, options: ResolvedOptions, locality: SyntheticLocality, out: string, onBlock: OnBlock): Promise<string[]> {
  const streams = new Map<Hl7Stream, { file: string; stream: WriteStream; count: number }>();
  const odsOf = (kind: string): string => locality.organisations.find((o) => o.kind === kind)?.ods ?? 'IDCR';
  const senderOf: Record<Hl7Stream, string> = {
    gp: 'IDCR-GP',
    acute: odsOf('acute-trust'),
    lims: odsOf('acute-trust'),
    'mental-health': odsOf('mental-health-trust'),
    community: odsOf('community-services'),
    'social-care': odsOf('social-care'),
  };
  const stamp = hl7DateTime(Date.parse(`${options.start}T00:00:00Z`));
  for (const name of STREAMS) {
    const file = join(out, `${name}.hl7`);
    const stream = createWriteStream(file);
    const header = [
      mshSegment({ 3: 'OPENIDCR-SYNTHETIC', 4: senderOf[name], 5: 'OPENIDCR', 6: 'IDCR', 7: stamp }).replace(/^MSH/, 'FHS'),
      mshSegment({ 3: 'OPENIDCR-SYNTHETIC', 4: senderOf[name], 5: 'OPENIDCR', 6: 'IDCR', 7: stamp, 9: `${name} feed, seed ${options.seed}` }).replace(/^MSH/, 'BHS'),
    ];
    await writeWithBackpressure(stream, header.map((s) => `${s}\r`).join(''));
    streams.set(name, { file, stream, count: 0 });
  }
  for await (const block of blocks) {
    for (const name of STREAMS) {
      const part = block.streams[name];
      const target = streams.get(name);
      if (!part || !target) continue;
      target.count += part.count;
      await writeWithBackpressure(target.stream, part.text);
    }
    onBlock(block);
  }
  for (const target of streams.values()) {
    await writeWithBackpressure(target.stream, `${segment('BTS', { 1: String(target.count) })}\r${segment('FTS', { 1: '1' })}\r`);
    await closeStream(target.stream);
  }
  return [...streams.values()].map((s) => s.file);
}

/** Runs the command with the given arguments (without `node` and the script); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('openidcr-synthetic')
    .description('Generate a deterministic synthetic locality population as FHIR R4 bundles or HL7 v2 feeds.')
    .requiredOption('-n, --patients <count>', 'number of patients', integer('patients'))
    .option('-s, --seed <seed>', 'PRNG seed', integer('seed'), 42)
    .option('-f, --format <format>', 'fhir (NDJSON of transaction bundles) or hl7 (one HL7 v2 batch file per source stream)', 'fhir')
    .option('-o, --out <dir>', 'output directory', 'synthetic-out')
    .option('-r, --fault-rate <rate>', 'share of HL7 messages with a deliberate data-quality fault, 0..1', rate, 0)
    .option('--start <date>', 'ISO date the histories end at', '2026-06-01')
    .option('--offset <index>', 'first patient index (to produce a population in parallel slices)', integer('offset'), 0)
    .option('--per-file <count>', 'FHIR bundles per NDJSON file', integer('per-file'), 10000)
    .option('-w, --workers <count>', 'worker threads generating in parallel (same bytes as 1)', integer('workers'), 1)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const opts = program.opts<{ patients: number; seed: number; format: string; out: string; faultRate: number; start: string; offset: number; perFile: number; workers: number }>();
  if (opts.format !== 'fhir' && opts.format !== 'hl7') {
    io.stderr.write(`error: format: expected fhir or hl7, got ${opts.format}\n`);
    return 2;
  }
  if (opts.perFile < 1) {
    io.stderr.write('error: per-file: expected at least 1\n');
    return 2;
  }
  if (opts.workers < 1 || opts.workers > 64) {
    io.stderr.write('error: workers: expected 1 to 64\n');
    return 2;
  }
  const parsed = parseSyntheticOptions({ patients: opts.patients, seed: opts.seed, faultRate: opts.faultRate, start: opts.start, offset: opts.offset });
  if (!parsed.ok) {
    for (const issue of parsed.issues) io.stderr.write(`error: ${issue.message}\n`);
    return 2;
  }
  const options = parsed.options;
  const startedAt = io.now();
  mkdirSync(opts.out, { recursive: true });
  const locality = generateLocality({ seed: options.seed });
  const progress = createProgress(options.patients, io.stderr, startedAt, io.now);
  const summary: RunSummary = { patients: 0, resources: 0, messages: 0, faults: 0, files: [], elapsedMs: 0, peakRssMb: 0 };
  const onBlock = (block: Block): void => {
    summary.patients += block.patients;
    summary.resources += block.resources;
    summary.messages += block.messages;
    summary.faults += block.faults;
    progress.update(summary.patients);
  };
  const format: OutputFormat = opts.format;
  const blocks = opts.workers > 1 ? blocksInWorkers(options, format, BLOCK_SIZE, opts.workers) : blocksInline(options, format, BLOCK_SIZE);
  summary.files = format === 'fhir' ? await writeFhir(blocks, locality, opts.out, opts.perFile, onBlock) : await writeHl7(blocks, options, locality, opts.out, onBlock);
  progress.finish();
  summary.elapsedMs = io.now() - startedAt;
  summary.peakRssMb = peakRssMb();
  io.stdout.write(
    [
      `openidcr-synthetic: ${opts.format} for locality "${locality.name}" (seed ${options.seed}) in ${opts.out}`,
      `patients: ${summary.patients}`,
      `resources: ${summary.resources}`,
      `messages: ${summary.messages} (faults: ${summary.faults})${opts.format === 'fhir' ? ' - counted, written only with --format hl7' : ''}`,
      `files: ${summary.files.length}`,
      `elapsed: ${(summary.elapsedMs / 1000).toFixed(1)} s`,
      `peak RSS: ${summary.peakRssMb} MB`,
      '',
    ].join('\n'),
  );
  return 0;
}
