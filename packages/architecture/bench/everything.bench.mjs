// Patient/$everything through HTTP (token check, policy decision, filtering, hash-chained audit append) under
// concurrent load, side by side with the store-level read floor, in the same run.
//
//   npm run bench                       # PostgreSQL when OPENIDCR_TEST_PG_URL is set (10,000 patients), else PGlite (1,000)
//   npm run bench -- --patients 100000  # the 100k run
//   npm run bench -- --connections 50 --duration 15
//   npm run bench -- --url postgres://…/idcr_scale --schema scale_100000   # a population bench/scale loaded
//   npm run bench -- --cpu-prof                  # a V8 CPU profile of the server under HTTP load, in bench/profiles/
import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const pgUrl = arg('url', process.env.OPENIDCR_TEST_PG_URL);
const options = {
  pgUrl,
  patients: Number(arg('patients', args.includes('--large') ? 100_000 : pgUrl ? 10_000 : 1_000)),
  connections: Number(arg('connections', 50)),
  duration: Number(arg('duration', 10)),
  floorSamples: Number(arg('floor-samples', 1000)),
  schema: arg('schema', undefined),
};
if (options.schema && !pgUrl) throw new Error('--schema needs a PostgreSQL --url (or OPENIDCR_TEST_PG_URL)');
// The server profiles itself (node:inspector) while it serves the HTTP load, and writes bench/profiles/*.cpuprofile.
options.profile = args.includes('--cpu-prof') ? fileURLToPath(new URL('./profiles/', import.meta.url)) : undefined;

const child = fork(fileURLToPath(new URL('./serve.mjs', import.meta.url)), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = await new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

async function load(port, tokenOf, duration = options.duration) {
  let index = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration,
    requests: [
      {
        setupRequest(request) {
          const next = ready.requests[index++ % ready.requests.length];
          return { ...request, method: 'GET', path: next.path, headers: { authorization: `Bearer ${tokenOf(next)}`, accept: 'application/fhir+json', 'accept-encoding': 'gzip' } };
        },
      },
    ],
  });
}
const one = (n) => n.toFixed(1);

/**
 * CPU time (ms) used so far by the API server process (all its threads) and by every PostgreSQL process on this
 * machine, from /proc (Linux; undefined elsewhere): what a view costs each, whatever the latency.
 */
function cpuTimes() {
  try {
    const tick = 10; // ms per clock tick (USER_HZ 100 on Linux)
    const ticksOf = (pid) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    };
    let postgres = 0;
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') postgres += ticksOf(pid);
      } catch {
        // the process ended
      }
    }
    return { api: ticksOf(child.pid) * tick, postgres: postgres * tick };
  } catch {
    return undefined;
  }
}

// Three seconds of the same load first, not recorded: the server's code is compiled and its pools are full.
await load(ready.port, (r) => r.token, 3);
const loadBefore = loadavg()[0];
const cpuBefore = cpuTimes();
const result = await load(ready.port, (r) => r.token);
const cpuAfter = cpuTimes();
const loadHttp = loadavg()[0];
if (!args.includes('--no-twin')) await load(ready.twinPort, (r) => r.twinToken, 3);
const twin = args.includes('--no-twin') ? undefined : await load(ready.twinPort, (r) => r.twinToken);
const loadTwin = loadavg()[0];
child.send('stop');
await new Promise((resolve) => child.once('exit', resolve));

const ms = (n) => `${n.toFixed(1)} ms`;
const rows = [
  ['store.everything(), 1 client (floor)', ms(ready.floorSequential.p50), ms(ready.floorSequential.p99), ready.floorSequential.perSecond.toFixed(0), one(ready.floorSequential.load)],
  [`store.everything(), ${options.connections} concurrent (floor)`, ms(ready.floorConcurrent.p50), ms(ready.floorConcurrent.p99), ready.floorConcurrent.perSecond.toFixed(0), one(ready.floorConcurrent.load)],
  ...(ready.viewFloorConcurrent
    ? [[`  the API's own read, store.recordForView(), ${options.connections} concurrent`, ms(ready.viewFloorConcurrent.p50), ms(ready.viewFloorConcurrent.p99), ready.viewFloorConcurrent.perSecond.toFixed(0), one(ready.viewFloorConcurrent.load)]]
    : []),
  [`GET Patient/{id}/$everything over HTTP, ${options.connections} connections`, ms(result.latency.p50), ms(result.latency.p99), result.requests.average.toFixed(0), one((loadBefore + loadHttp) / 2)],
];
if (twin) rows.push(['  diagnostic: the same, audit chain in memory', ms(twin.latency.p50), ms(twin.latency.p99), twin.requests.average.toFixed(0), one((loadHttp + loadTwin) / 2)]);
const header = ['', 'p50', 'p99', 'per second', 'load avg'];
const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
const population = `${options.patients.toLocaleString('en-GB')} patients`;
console.log(`\n${ready.engine}, ${ready.reused ? `${options.schema} (loaded before)` : population} (${ready.resources.toLocaleString('en-GB')} resources${ready.reused ? '' : `, loaded in ${ready.loadSeconds.toFixed(0)} s`}), ${options.duration} s of load per row`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
const non2xx = result.non2xx + result.errors + result.timeouts + (twin ? twin.non2xx + twin.errors + twin.timeouts : 0);
const total = result.requests.total + (twin?.requests.total ?? 0);
console.log(`\nHTTP p50 / floor p50 at ${options.connections} concurrent: ${(result.latency.p50 / ready.floorConcurrent.p50).toFixed(2)}x ${ready.viewFloorConcurrent ? ` (against the API's own read: ${(result.latency.p50 / ready.viewFloorConcurrent.p50).toFixed(2)}x)` : ''}; HTTP p99 / floor p99: ${(result.latency.p99 / ready.floorConcurrent.p99).toFixed(2)}x; responses not 200: ${non2xx} of ${total}`);
console.log(`targets (issue #6): p99 <= 50 ms: ${result.latency.p99 <= 50 ? 'met' : 'not met'} (${result.latency.p99} ms); p50 <= 3x the floor: ${result.latency.p50 <= 3 * ready.floorConcurrent.p50 ? 'met' : 'not met'} (${(result.latency.p50 / ready.floorConcurrent.p50).toFixed(2)}x)`);
if (cpuBefore && cpuAfter) {
  const views = result.requests.total;
  const per = (a, b) => (((b - a) * 1000) / views).toFixed(0);
  console.log(`CPU per view over HTTP: API process ${per(cpuBefore.api, cpuAfter.api)} µs, PostgreSQL ${per(cpuBefore.postgres, cpuAfter.postgres)} µs (${views} views)`);
}
if (non2xx > 0) process.exitCode = 1;
