import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { generateLocality } from '../locality/locality.js';
import type { SyntheticLocality } from '../locality/locality.js';
import { generatePatients } from '../population/population.js';
import { parseSyntheticOptions } from '../population/options.js';
import type { ResolvedOptions } from '../population/options.js';
import { toFhirBundle, toLocalityBundle } from '../fhir/bundle.js';
import type { Hl7Stream } from '../hl7/messages.js';
import { mshSegment, segment } from '../hl7/encoding.js';
import { hl7DateTime } from '../random/time.js';
import { createProgress } from './progress.js';
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

async function writeFhir(options: ResolvedOptions, locality: SyntheticLocality, out: string, perFile: number, onPatient: (resources: number, messages: number, faults: number) => void): Promise<string[]> {
  const files: string[] = [];
  const localityFile = join(out, 'locality.json');
  const locStream = createWriteStream(localityFile);
  await writeWithBackpressure(locStream, `${JSON.stringify(toLocalityBundle(locality))}\n`);
  await closeStream(locStream);
  files.push(localityFile);
  let current: WriteStream | undefined;
  let inFile = 0;
  for (const record of generatePatients(options, locality)) {
    if (!current || inFile >= perFile) {
      if (current) await closeStream(current);
      const name = join(out, `patients-${String(files.length).padStart(5, '0')}.ndjson`);
      current = createWriteStream(name);
      files.push(name);
      inFile = 0;
    }
    await writeWithBackpressure(current, `${JSON.stringify(toFhirBundle(record))}\n`);
    inFile++;
    onPatient(record.resources.length, record.messages.length, record.messages.filter((m) => m.fault !== undefined).length);
  }
  if (current) await closeStream(current);
  return files;
}

async function writeHl7(options: ResolvedOptions, locality: SyntheticLocality, out: string, onPatient: (resources: number, messages: number, faults: number) => void): Promise<string[]> {
  const streams = new Map<Hl7Stream, { file: string; stream: WriteStream; count: number; sender: string }>();
  const acute = locality.organisations.find((o) => o.kind === 'acute-trust')?.ods ?? 'IDCR';
  const senderOf: Record<Hl7Stream, string> = {
    gp: 'IDCR-GP',
    acute,
    lims: acute,
    'mental-health': locality.organisations.find((o) => o.kind === 'mental-health-trust')?.ods ?? 'IDCR',
    community: locality.organisations.find((o) => o.kind === 'community-services')?.ods ?? 'IDCR',
    'social-care': locality.organisations.find((o) => o.kind === 'social-care')?.ods ?? 'IDCR',
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
    streams.set(name, { file, stream, count: 0, sender: senderOf[name] });
  }
  for (const record of generatePatients(options, locality)) {
    let faults = 0;
    const chunks = new Map<Hl7Stream, string[]>();
    for (const message of record.messages) {
      if (message.fault) faults++;
      const list = chunks.get(message.stream) ?? [];
      list.push(message.text);
      chunks.set(message.stream, list);
    }
    for (const [name, texts] of chunks) {
      const target = streams.get(name);
      if (!target) continue;
      target.count += texts.length;
      await writeWithBackpressure(target.stream, texts.join(''));
    }
    onPatient(record.resources.length, record.messages.length, faults);
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
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const opts = program.opts<{ patients: number; seed: number; format: string; out: string; faultRate: number; start: string; offset: number; perFile: number }>();
  if (opts.format !== 'fhir' && opts.format !== 'hl7') {
    io.stderr.write(`error: format: expected fhir or hl7, got ${opts.format}\n`);
    return 2;
  }
  if (opts.perFile < 1) {
    io.stderr.write('error: per-file: expected at least 1\n');
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
  const onPatient = (resources: number, messages: number, faults: number): void => {
    summary.patients++;
    summary.resources += resources;
    summary.messages += messages;
    summary.faults += faults;
    progress.update(summary.patients);
  };
  summary.files = opts.format === 'fhir' ? await writeFhir(options, locality, opts.out, opts.perFile, onPatient) : await writeHl7(options, locality, opts.out, onPatient);
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
