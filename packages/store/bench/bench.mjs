// Store benchmark: bulk load rate and whole-record read latency through the store API vs the raw SQL floor,
// measured side by side in one run on synthetic patients from @openidcr/synthetic.
//
//   npm run bench -- [--pg-patients 10000,100000] [--pglite-patients 10000] [--pg postgres://…] [--reads 2000]
//                    [--batch 2000] [--seed 1] [--keep]
//
// PostgreSQL runs when --pg or OPENIDCR_TEST_PG_URL gives a URL; each size loads into its own schema, dropped after
// unless --keep. Nothing here asserts a time: it prints a table (and writes bench/results/*.json).
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import pg from 'pg';
import { openStore, openStoreOnPglite } from '../dist/index.js';

function parseArgs(argv) {
  const options = { pgPatients: [10_000], pglitePatients: [10_000], reads: 2000, batch: 2000, seed: 1, keep: false, pg: process.env.OPENIDCR_TEST_PG_URL };
  const sizes = (value) => value.split(',').filter(Boolean).map((part) => {
    const n = Number(part.replace(/k$/i, '000'));
    if (!Number.isInteger(n) || n < 1) throw new Error(`not a patient count: ${part}`);
    return n;
  });
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--pg-patients') options.pgPatients = sizes(value());
    else if (flag === '--pglite-patients') options.pglitePatients = value() === '0' ? [] : sizes(argv[i]);
    else if (flag === '--pg') options.pg = value();
    else if (flag === '--reads') options.reads = Number(value());
    else if (flag === '--batch') options.batch = Number(value());
    else if (flag === '--seed') options.seed = Number(value());
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--no-pg') options.pg = undefined;
    else throw new Error(`unknown flag ${flag}`);
  }
  return options;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** A small deterministic PRNG, so both engines read the same patients. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FLOOR_SAMPLE = 40_000;
const FLOOR_COLUMNS = 'patient_key, resource_type, id, version, last_updated, body';

/**
 * The load floor: the same resources (up to FLOOR_SAMPLE of them) as plain multi-row INSERTs of
 * (patient_key, resource_type, id, version, last_updated, body) into a bare table with only a primary key, in
 * transactions of the same size. What the store adds on top: history, index columns, indexes, version checks.
 */
async function loadFloor(run, sample, options) {
  const casts = ['text', 'text', 'text', 'integer', 'timestamptz', 'jsonb'];
  const started = performance.now();
  for (let start = 0; start < sample.length; start += options.batch) {
    const batch = sample.slice(start, start + options.batch);
    await run(async (query) => {
      for (let k = 0; k < batch.length; k += 500) {
        const part = batch.slice(k, k + 500);
        const values = part.map((_, r) => `(${casts.map((cast, c) => `$${r * casts.length + c + 1}::${cast}`).join(', ')})`).join(', ');
        const now = new Date().toISOString();
        await query(`INSERT INTO load_floor (${FLOOR_COLUMNS}) VALUES ${values}`, part.flatMap((item) => [item.patientKey, item.resource.resourceType, item.resource.id, 1, now, JSON.stringify(item.resource)]));
      }
    });
  }
  return sample.length / ((performance.now() - started) / 1000);
}

const FLOOR_TABLE = `CREATE TABLE load_floor (patient_key text, resource_type text, id text, version integer, last_updated timestamptz,
  body jsonb, PRIMARY KEY (patient_key, resource_type, id))`;

async function load(store, patients, options) {
  const locality = generateLocality({ seed: options.seed });
  const keys = [];
  const sample = [];
  let resources = 0;
  let loadMs = 0;
  let generateMs = 0;
  let chunk = [];
  const flush = async () => {
    const started = performance.now();
    await store.bulkLoad(chunk, { batchSize: options.batch });
    loadMs += performance.now() - started;
    resources += chunk.length;
    chunk = [];
  };
  let generated = performance.now();
  for (const record of generatePatients({ seed: options.seed, patients }, locality)) {
    const patientKey = record.patient.id;
    keys.push(patientKey);
    for (const resource of record.resources) {
      chunk.push({ patientKey, resource });
      if (sample.length < FLOOR_SAMPLE) sample.push({ patientKey, resource });
    }
    if (chunk.length >= options.batch * 4) {
      generateMs += performance.now() - generated;
      await flush();
      generated = performance.now();
    }
  }
  generateMs += performance.now() - generated;
  if (chunk.length > 0) await flush();
  return { keys, sample, resources, loadMs, generateMs };
}

async function measureReads(keys, options, api, floor) {
  const random = mulberry32(options.seed * 7919);
  const sample = Array.from({ length: options.reads }, () => keys[Math.floor(random() * keys.length)]);
  const warm = sample.slice(0, Math.min(200, sample.length));
  for (const key of warm) {
    await api(key);
    await floor(key);
  }
  const apiMs = [];
  const floorMs = [];
  let checked = 0;
  for (let i = 0; i < sample.length; i++) {
    const key = sample[i];
    const runs = i % 2 === 0 ? [['api', api], ['floor', floor]] : [['floor', floor], ['api', api]];
    const counts = {};
    for (const [name, fn] of runs) {
      const started = performance.now();
      const rows = await fn(key);
      const elapsed = performance.now() - started;
      (name === 'api' ? apiMs : floorMs).push(elapsed);
      counts[name] = rows.length;
    }
    if (counts.api !== counts.floor) throw new Error(`API and floor disagree for ${key}: ${counts.api} vs ${counts.floor}`);
    checked += counts.api;
  }
  return { api: stats(apiMs), floor: stats(floorMs), meanResources: checked / sample.length };
}

async function runPostgres(url, patients, options) {
  const schema = `idcr_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const store = await openStore(url, { schema });
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  try {
    const loaded = await load(store, patients, options);
    await raw.query(`ANALYZE "${schema}".resources`);
    await raw.query(`SET search_path TO "${schema}"`);
    await raw.query(FLOOR_TABLE);
    const floorRate = await loadFloor(async (fn) => {
      await raw.query('BEGIN');
      await fn((sql, params) => raw.query(sql, params));
      await raw.query('COMMIT');
    }, loaded.sample, options);
    const floorSql = `SELECT body FROM "${schema}".resources WHERE patient_key = $1`;
    const reads = await measureReads(loaded.keys, options, (key) => store.everything(key), async (key) => (await raw.query(floorSql, [key])).rows);
    return { engine: 'postgres', patients, ...loaded, keys: undefined, sample: undefined, floorRate, reads };
  } finally {
    await store.close();
    if (!options.keep) await raw.query(`DROP SCHEMA "${schema}" CASCADE`);
    await raw.end();
  }
}

async function runPglite(patients, options) {
  const instance = await PGlite.create();
  const store = await openStoreOnPglite(instance);
  try {
    const loaded = await load(store, patients, options);
    await instance.query('ANALYZE resources');
    await instance.exec(FLOOR_TABLE);
    const floorRate = await loadFloor((fn) => instance.transaction((tx) => fn((sql, params) => tx.query(sql, params))), loaded.sample, options);
    const floorSql = 'SELECT body FROM resources WHERE patient_key = $1';
    const reads = await measureReads(loaded.keys, options, (key) => store.everything(key), async (key) => (await instance.query(floorSql, [key])).rows);
    return { engine: 'pglite', patients, ...loaded, keys: undefined, sample: undefined, floorRate, reads };
  } finally {
    await store.close();
  }
}

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function table(results) {
  const header = ['engine', 'patients', 'resources', 'load s', 'store load resources/s', 'bare INSERT floor resources/s', 'read API p50 ms', 'p99 ms', 'floor p50 ms', 'p99 ms', 'API/floor p50', 'API/floor mean'];
  const rows = results.map((r) => [
    r.engine,
    r.patients.toLocaleString('en-GB'),
    r.resources.toLocaleString('en-GB'),
    fmt(r.loadMs / 1000, 1),
    Math.round(r.resources / (r.loadMs / 1000)).toLocaleString('en-GB'),
    Math.round(r.floorRate).toLocaleString('en-GB'),
    fmt(r.reads.api.p50),
    fmt(r.reads.api.p99),
    fmt(r.reads.floor.p50),
    fmt(r.reads.floor.p99),
    fmt(r.reads.api.p50 / r.reads.floor.p50),
    fmt(r.reads.api.mean / r.reads.floor.mean),
  ]);
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

const options = parseArgs(process.argv.slice(2));
const results = [];
for (const patients of options.pglitePatients) {
  process.stderr.write(`PGlite: ${patients} patients…\n`);
  results.push(await runPglite(patients, options));
}
if (options.pg) {
  for (const patients of options.pgPatients) {
    process.stderr.write(`PostgreSQL: ${patients} patients…\n`);
    results.push(await runPostgres(options.pg, patients, options));
  }
} else {
  process.stderr.write('PostgreSQL skipped: pass --pg postgres://… or set OPENIDCR_TEST_PG_URL\n');
}

const load1 = loadavg()[0];
console.log(`\nmachine: ${cpus().length} cores, load average ${load1.toFixed(1)} at the end of the run`);
console.log(`\nreads: ${options.reads} whole-record reads per size (mean ${fmt(results[0]?.reads.meanResources ?? NaN, 1)} resources each), batch ${options.batch}, seed ${options.seed}, node ${process.version}\n`);
console.log(table(results));
const pgRuns = results.filter((r) => r.engine === 'postgres').sort((a, b) => a.patients - b.patients);
if (pgRuns.length > 1) {
  const first = pgRuns[0];
  const last = pgRuns[pgRuns.length - 1];
  console.log(`\nPostgreSQL read p99 from ${first.patients} to ${last.patients} patients: ×${fmt(last.reads.api.p99 / first.reads.api.p99)}`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url), JSON.stringify(results, null, 2));
