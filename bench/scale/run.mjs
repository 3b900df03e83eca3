// The scale benchmark: synthetic populations of several sizes bulk loaded into PostgreSQL, then, at each size and
// side by side in one run: Patient/$everything under concurrent HTTP load beside the store-level floor, patient
// search, MPI match, ingest into the populated store and database size per patient. Prints a table, writes
// results/latest.json and plots latency against population to results/latency-vs-population.png.
//
//   node bench/scale/run.mjs --sizes 10000,100000,1000000
//     [--url postgres://postgres@127.0.0.1:5432/idcr_scale]  database (created when missing; one schema per size)
//     [--reload]            load every size again     [--load-only]   load, do not measure
//     [--connections 50] [--duration 15] [--samples 300] [--ingest-patients 100] [--spare-gb 20] [--no-floor]
//
// Sizes load once and are kept between runs (schema scale_<size>); a size that would leave less than --spare-gb
// free on the database's disk is not loaded, and the table says so. Run `npm run build` first.
import { performance } from 'node:perf_hooks';
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ensureDatabase, loadFloor, loadSize, loadedSize, schemaOf } from './load.mjs';
import { MAX_PATIENTS } from './population.mjs';
import { plot } from './plot.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const options = {
  url: arg('url', process.env.IDCR_SCALE_URL ?? 'postgres://postgres@127.0.0.1:5432/idcr_scale'),
  sizes: arg('sizes', '10000,100000,1000000').split(',').map((s) => Number(s.replace(/k$/i, '000').replace(/m$/i, '000000'))),
  connections: Number(arg('connections', 50)),
  duration: Number(arg('duration', 15)),
  samples: Number(arg('samples', 300)),
  ingestPatients: Number(arg('ingest-patients', 100)),
  spareGb: Number(arg('spare-gb', 20)),
};
for (const size of options.sizes) if (!Number.isInteger(size) || size < 100) throw new Error(`--sizes: ${size} is not a population size (100 or more)`);
const results = { machine: machine(), started: new Date().toISOString(), options, sizes: [], notes: [] };
const log = (text) => console.log(text);

function machine() {
  const cpu = cpus();
  return { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
}
function freeBytes() {
  // The disk PostgreSQL writes to is this machine's root disk here (a local server); df says how much is free.
  const out = execFileSync('df', ['-B1', '--output=avail', '/'], { encoding: 'utf8' });
  return Number(out.trim().split('\n').at(-1));
}
const gb = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GB`;

await ensureDatabase(options.url);
let bytesPerPatient = 61_000; // measured at 10,000 (PostgreSQL 15, the synthetic mix); replaced by each load's own figure
for (const requested of options.sizes) {
  let size = requested;
  if (size > MAX_PATIENTS) {
    size = MAX_PATIENTS;
    results.notes.push(`${requested.toLocaleString('en-GB')} asked for: the NHS test range (999 000 0000 - 999 999 9999) holds ${MAX_PATIENTS.toLocaleString('en-GB')} distinct synthetic NHS numbers, so at most that many patients`);
  }
  const loaded = args.includes('--reload') ? undefined : await loadedSize(options.url, size);
  if (!loaded) {
    const needed = size * bytesPerPatient;
    const free = freeBytes();
    if (free - needed < options.spareGb * 2 ** 30) {
      const note = `${size.toLocaleString('en-GB')} patients not loaded: about ${gb(needed)} needed (${(bytesPerPatient / 1000).toFixed(1)} kB a patient), ${gb(free)} free, ${options.spareGb} GB kept spare`;
      results.notes.push(note);
      log(note);
      continue;
    }
    log(`loading ${size.toLocaleString('en-GB')} patients into ${schemaOf(size)} (about ${gb(needed)}; ${gb(free)} free)`);
    const load = await loadSize(options.url, size, log);
    log(`  ${load.resources.toLocaleString('en-GB')} resources in ${load.seconds.toFixed(0)} s (${(load.resources / load.seconds).toFixed(0)}/s, load average ${load.load_average.toFixed(1)})`);
  }
  if (args.includes('--load-only')) continue;
  const load = await loadedSize(options.url, size);
  log(`measuring ${size.toLocaleString('en-GB')} (load average ${loadavg()[0].toFixed(1)})`);
  const measured = await measureSize(size);
  bytesPerPatient = measured.bytes / size;
  results.sizes.push({ size, load: { resources: Number(load.resources), seconds: load.seconds, perSecond: Number(load.resources) / load.seconds, loadAverage: load.load_average }, ...measured });
}

if (!args.includes('--load-only') && !args.includes('--no-floor')) {
  log("bulk load floor: 5,000 patients, the store's initialLoad beside a plain COPY and bulkLoad");
  results.loadFloor = await loadFloor(options.url, 5000);
}

async function measureSize(size) {
  const child = fork(fileURLToPath(new URL('./serve.mjs', import.meta.url)), [JSON.stringify({ url: options.url, schema: schemaOf(size), connections: options.connections, samples: options.samples, ingestPatients: options.ingestPatients })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`scale server for ${size} exited with ${code}`)));
  });
  let index = 0;
  const views = (duration) =>
    autocannon({
      url: `http://127.0.0.1:${ready.port}`,
      connections: options.connections,
      duration,
      requests: [
        {
          setupRequest(request) {
            const next = ready.everything[index++ % ready.everything.length];
            return { ...request, method: 'GET', path: next.path, headers: { authorization: `Bearer ${next.token}`, accept: 'application/fhir+json', 'accept-encoding': 'gzip' } };
          },
        },
      ],
    });
  await views(3); // not recorded: the server's code is compiled and its pools are full
  const loadBefore = loadavg()[0];
  const http = await views(options.duration);
  const httpLoad = (loadBefore + loadavg()[0]) / 2;
  // Patient search over HTTP, one clinician at a time (policy decision per person found).
  const latencies = [];
  let searchFailures = 0;
  for (const s of ready.searches) {
    const t = performance.now();
    const response = await fetch(`http://127.0.0.1:${ready.port}${s.path}`, { headers: { authorization: `Bearer ${s.token}` } });
    await response.arrayBuffer();
    latencies.push(performance.now() - t);
    if (response.status !== 200) searchFailures++;
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  return {
    resources: ready.resources,
    bytes: ready.bytes,
    floor: ready.floor,
    http: { p50: http.latency.p50, p99: http.latency.p99, perSecond: http.requests.average, total: http.requests.total, failures: http.non2xx + http.errors + http.timeouts, load: httpLoad },
    search: ready.search,
    httpSearch: { p50: q(50), p99: q(99), failures: searchFailures },
    mpiDemographic: ready.mpiDemographic,
    mpiNhs: ready.mpiNhs,
    ingest: ready.ingest,
  };
}

// ---- the table, the JSON and the plot ----
const ms = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const rows = [
  ['patients', (s) => s.size.toLocaleString('en-GB')],
  ['resources', (s) => Number(s.resources).toLocaleString('en-GB')],
  ['database size per patient (audit log aside)', (s) => `${(s.bytes / s.size / 1000).toFixed(1)} kB`],
  ['initial load, resources/s (load avg)', (s) => `${s.load.perSecond.toFixed(0)} (${s.load.loadAverage.toFixed(1)})`],
  [`$everything HTTP p50 / p99 ms, ${options.connections} clients`, (s) => `${ms(s.http.p50)} / ${ms(s.http.p99)}`],
  ['$everything HTTP views/s (load avg)', (s) => `${s.http.perSecond.toFixed(0)} (${s.http.load.toFixed(1)})`],
  [`store.everything floor p50 / p99 ms, ${options.connections} concurrent`, (s) => `${ms(s.floor.p50)} / ${ms(s.floor.p99)}`],
  ['store.everything floor reads/s (load avg)', (s) => `${s.floor.perSecond.toFixed(0)} (${s.floor.load.toFixed(1)})`],
  ['HTTP p50 / floor p50', (s) => `${(s.http.p50 / s.floor.p50).toFixed(2)}x`],
  ['patient search HTTP p50 / p99 ms, 1 client', (s) => `${ms(s.httpSearch.p50)} / ${ms(s.httpSearch.p99)}`],
  ['patient search store p50 / p99 ms (load avg)', (s) => `${ms(s.search.p50)} / ${ms(s.search.p99)} (${s.search.load.toFixed(1)})`],
  ['MPI match, demographics p50 / p99 ms', (s) => `${ms(s.mpiDemographic.p50)} / ${ms(s.mpiDemographic.p99)}`],
  ['MPI match, demographics: linked right', (s) => `${s.mpiDemographic.linked} of ${s.mpiDemographic.of}`],
  ['MPI match, NHS number p50 / p99 ms (load avg)', (s) => `${ms(s.mpiNhs.p50)} / ${ms(s.mpiNhs.p99)} (${s.mpiNhs.load.toFixed(1)})`],
  [`ingest into the populated store, resources/s (load avg)`, (s) => `${s.ingest.perSecond.toFixed(0)} (${s.ingest.load.toFixed(1)})`],
  ['HTTP responses not 200 ($everything; search)', (s) => `${s.http.failures} of ${s.http.total}; ${s.httpSearch.failures} of ${options.samples}`],
];
if (results.sizes.length > 0) {
  const table = [['', ...results.sizes.map((s) => s.size.toLocaleString('en-GB'))], ...rows.slice(1).map(([label, cell]) => [label, ...results.sizes.map(cell)])];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  log(`\n${results.machine.cpus} CPUs (${results.machine.model}), ${results.machine.memoryGb} GB, Node ${results.machine.node}; PostgreSQL at ${new URL(options.url).host}`);
  log(line(table[0]));
  log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of table.slice(1)) log(line(r));
  if (results.sizes.length > 1) {
    const first = results.sizes[0];
    const last = results.sizes.at(-1);
    log(`\nfrom ${first.size.toLocaleString('en-GB')} to ${last.size.toLocaleString('en-GB')} patients (${(last.size / first.size).toFixed(0)}x): $everything HTTP p50 x${(last.http.p50 / first.http.p50).toFixed(2)}, floor p50 x${(last.floor.p50 / first.floor.p50).toFixed(2)}, search p50 x${(last.search.p50 / first.search.p50).toFixed(2)}, MPI p50 x${(last.mpiDemographic.p50 / first.mpiDemographic.p50).toFixed(2)}`);
  }
}
if (results.loadFloor) {
  const f = results.loadFloor;
  log(`\nbulk load, ${f.patients.toLocaleString('en-GB')} patients (${f.resources.toLocaleString('en-GB')} resources), load average ${f.loadAverage.toFixed(1)}: plain COPY floor ${f.floorPerSecond.toFixed(0)}/s; store initialLoad ${f.initialLoadPerSecond.toFixed(0)}/s (${(f.floorPerSecond / f.initialLoadPerSecond).toFixed(2)}x the floor's time); store bulkLoad ${f.bulkLoadPerSecond.toFixed(0)}/s`);
}
for (const note of results.notes) log(`note: ${note}`);
const failed = results.sizes.filter((s) => s.http.failures > 0 || s.httpSearch.failures > 0);
if (failed.length > 0) {
  log(`\nresponses not 200 at ${failed.map((s) => s.size).join(', ')}: those latencies are not views; see the table`);
  process.exitCode = 1;
}
const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
if (results.sizes.length > 0) {
  await plot(results, `${out}latency-vs-population.png`);
  log(`\nwrote ${out}latest.json and ${out}latency-vs-population.png`);
}
