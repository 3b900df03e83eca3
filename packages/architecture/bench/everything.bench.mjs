// Patient/$everything through HTTP (token check, policy decision, filtering, hash-chained audit append) under
// concurrent load, side by side with the store-level read floor, in the same run.
//
//   npm run bench                       # PostgreSQL when OPENIDCR_TEST_PG_URL is set (10,000 patients), else PGlite (1,000)
//   npm run bench -- --patients 100000  # the 100k run
//   npm run bench -- --connections 50 --duration 15
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const pgUrl = process.env.OPENIDCR_TEST_PG_URL;
const options = {
  pgUrl,
  patients: Number(arg('patients', args.includes('--large') ? 100_000 : pgUrl ? 10_000 : 1_000)),
  connections: Number(arg('connections', 50)),
  duration: Number(arg('duration', 10)),
  floorSamples: Number(arg('floor-samples', 1000)),
};

const child = fork(fileURLToPath(new URL('./serve.mjs', import.meta.url)), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const ready = await new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

async function load(port, tokenOf) {
  let index = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.duration,
    requests: [
      {
        setupRequest(request) {
          const next = ready.requests[index++ % ready.requests.length];
          return { ...request, method: 'GET', path: next.path, headers: { authorization: `Bearer ${tokenOf(next)}`, accept: 'application/fhir+json' } };
        },
      },
    ],
  });
}
const result = await load(ready.port, (r) => r.token);
const twin = await load(ready.twinPort, (r) => r.twinToken);
child.send('stop');
await new Promise((resolve) => child.once('exit', resolve));

const ms = (n) => `${n.toFixed(1)} ms`;
const rows = [
  ['store.everything(), 1 client (floor)', ms(ready.floorSequential.p50), ms(ready.floorSequential.p99), ready.floorSequential.perSecond.toFixed(0)],
  [`store.everything(), ${options.connections} concurrent (floor)`, ms(ready.floorConcurrent.p50), ms(ready.floorConcurrent.p99), ready.floorConcurrent.perSecond.toFixed(0)],
  [`GET Patient/{id}/$everything over HTTP, ${options.connections} connections`, ms(result.latency.p50), ms(result.latency.p99), result.requests.average.toFixed(0)],
  ['  diagnostic: the same, audit chain in memory', ms(twin.latency.p50), ms(twin.latency.p99), twin.requests.average.toFixed(0)],
];
const widths = [0, 1, 2, 3].map((c) => Math.max(...[['', 'p50', 'p99', 'per second'], ...rows].map((r) => r[c].length)));
const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
console.log(`\n${ready.engine}, ${options.patients.toLocaleString('en-GB')} patients (${ready.resources.toLocaleString('en-GB')} resources, loaded in ${ready.loadSeconds.toFixed(0)} s), ${options.duration} s of load`);
console.log(line(['', 'p50', 'p99', 'per second']));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
const non2xx = result.non2xx + result.errors + result.timeouts + twin.non2xx + twin.errors + twin.timeouts;
console.log(`\nHTTP p50 / floor p50 at ${options.connections} concurrent: ${(result.latency.p50 / ready.floorConcurrent.p50).toFixed(2)}x; responses not 200: ${non2xx} of ${result.requests.total + twin.requests.total}`);
if (non2xx > 0) process.exitCode = 1;
