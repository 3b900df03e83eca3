#!/usr/bin/env node
// Soak: minutes of mixed load (record views, searches, HL7 v2 ingest over MLLP) against one createIdcr instance on
// PostgreSQL, with the server in a child process of its own so that its memory is what is sampled (every 10 s,
// after a full GC). Prints a table and exits 1 on any error or on memory growth beyond the thresholds below.
//
//   node bench/soak/run.mjs [--minutes 10] [--patients 200] [--viewers 6] [--searchers 3] [--feeds 2] [--pg URL]
//
// Needs the packages built (npx turbo run build --filter=@openidcr/architecture...) and PostgreSQL
// (--pg or OPENIDCR_TEST_PG_URL). It works in a schema of its own (soak_<pid>) and drops it afterwards.
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(import.meta.url);
const { fetch } = globalThis;
const SAMPLE_MS = 10_000;
// What counts as memory growth (after a warm-up minute, on post-GC heap): a leak of one kilobyte per request at
// 150 requests a second is 9 MB a minute, well above these. Some growth is by design and bounded: the ingestor
// remembers the last 100,000 control ids per sender (about 160 bytes each) to flag a reused MSH-10, which at 60
// messages a second is about 0.6 MB a minute until the cap.
const MAX_HEAP_SLOPE_MB_PER_MIN = 2;
const MAX_RSS_GROWTH_MB = 64;
const WARM_UP_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '10' },
    patients: { type: 'string', default: '200' },
    viewers: { type: 'string', default: '6' },
    searchers: { type: 'string', default: '3' },
    feeds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '42' },
    pg: { type: 'string', default: process.env.OPENIDCR_TEST_PG_URL ?? '' },
    schema: { type: 'string', default: `soak_${process.pid}` },
  },
});

function number(name, min, max) {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`--${name}: expected a number from ${min} to ${max}, got ${JSON.stringify(args[name])}`);
    process.exit(2);
  }
  return value;
}

/** The synthetic locality as a createIdcr configuration: every organisation live, one MLLP channel per sender. */
async function localityInput(seed, pgUrl, schema) {
  const { generateLocality } = await import('@openidcr/synthetic');
  const { buildExampleIsa } = await import('@openidcr/governance');
  const synthetic = generateLocality({ seed });
  const profileOf = { 'gp-practice': 'gp', 'acute-trust': 'acute-pas', 'mental-health-trust': 'mental-health', 'community-services': 'generic', 'social-care': 'social-care' };
  const organisations = synthetic.organisations.map((org) => ({ ods: org.ods, name: org.name, kind: org.kind === 'social-care' ? 'local-authority' : org.kind, stage: 'live' }));
  return {
    synthetic,
    input: {
      name: synthetic.name,
      organisations,
      isa: buildExampleIsa(organisations, { locality: synthetic.name, id: 'soak-direct-care' }),
      auth: { mode: 'dev', users: synthetic.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.ods, sdsRoleCode: u.sdsRoleCode })) },
      channels: synthetic.organisations.map((org) => ({ id: `${org.ods.toLowerCase()}-feed`, sender: org.ods, organisation: org.ods, profile: profileOf[org.kind] ?? 'generic', mllpPort: 0 })),
      topology: { kind: 'pooled' },
      storage: { url: pgUrl, schema },
      ports: { http: 0, host: '127.0.0.1' },
      // One load generator acting for a few users: rate limits would throttle the soak, not test the server.
      rateLimits: { enabled: false },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The server: one createIdcr, reporting its memory when asked.
// ---------------------------------------------------------------------------------------------------------------
async function serve() {
  const { createIdcr, defineLocality } = await import('@openidcr/architecture');
  const { pino } = await import('pino');
  const { input } = await localityInput(number('seed', 0, 2 ** 31), args.pg, args.schema);
  // Warnings and errors only, to stderr: a log line per request would measure the terminal.
  const idcr = await createIdcr(defineLocality(input), { logger: pino({ level: 'warn' }, pino.destination(2)) });
  const { http, mllp } = await idcr.listen();
  const channelPorts = Object.fromEntries(input.channels.map((c) => [c.sender, mllp[c.id].port]));
  process.on('message', async (message) => {
    if (message === 'sample') {
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ kind: 'sample', rss, heapUsed, at: Date.now() });
    } else if (message === 'stop') {
      await idcr.close();
      process.send({ kind: 'stopped' }, () => process.exit(0));
    }
  });
  process.send({ kind: 'ready', http: http.port, mllp: channelPorts });
}

// ---------------------------------------------------------------------------------------------------------------
// The load generator.
// ---------------------------------------------------------------------------------------------------------------
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

async function main() {
  const minutes = number('minutes', 0.1, 24 * 60);
  const patients = number('patients', 10, 100_000);
  const viewers = number('viewers', 0, 64);
  const searchers = number('searchers', 0, 64);
  const feeds = number('feeds', 0, 16);
  const seed = number('seed', 0, 2 ** 31);
  if (!args.pg) {
    console.error('soak: PostgreSQL is needed: give --pg postgres://… or set OPENIDCR_TEST_PG_URL');
    process.exit(2);
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.schema)) {
    console.error('--schema: lower-case letters, digits and _ only');
    process.exit(2);
  }
  const { MllpClient } = await import('@openidcr/integration');
  const { generatePatient } = await import('@openidcr/synthetic');
  const { synthetic } = await localityInput(seed, args.pg, args.schema);
  const load = [loadavg()[0]];

  const child = fork(HERE, ['--serve', '--seed', String(seed), '--pg', args.pg, '--schema', args.schema], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  child.on('message', (m) => {
    const w = waiting.get(m.kind);
    if (w) {
      waiting.delete(m.kind);
      w(m);
    }
  });
  const next = (kind) => new Promise((resolve) => waiting.set(kind, resolve));
  let childExited = false;
  let stopping = false;
  child.on('exit', (code) => {
    childExited = true;
    if (!stopping) {
      console.error(`soak: the server process exited (${code})`);
      process.exitCode = 1;
    }
  });
  const ready = await next('ready');
  const base = `http://127.0.0.1:${ready.http}`;
  const mllpPort = (sender) => {
    const port = ready.mllp[sender];
    if (port === undefined) throw new Error(`no MLLP channel for sender ${sender}`);
    return port;
  };

  const clients = new Map();
  const clientFor = (key, sender) => {
    const id = `${key}:${sender}`;
    if (!clients.has(id)) clients.set(id, new MllpClient({ port: mllpPort(sender), ackTimeoutMs: 60_000, attempts: 3 }));
    return clients.get(id);
  };
  const ACK = /(?:^|\r)MSA\|([A-Z]{2})\|/;

  // 1. Seed the population over MLLP (not measured).
  const seedStarted = Date.now();
  let seededMessages = 0;
  const notAccepted = [];
  let nextPatient = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      while (nextPatient < patients) {
        const record = generatePatient(nextPatient++, { seed }, synthetic);
        for (const message of record.messages) {
          const ack = await clientFor(`seed${w}`, message.sender).send(message.text);
          seededMessages++;
          const code = ACK.exec(ack)?.[1];
          if (code !== 'AA' && code !== 'CA') notAccepted.push(`${code}: ${ack.split('\r').slice(1).join(' | ').slice(0, 200)}`);
        }
      }
    }),
  );
  if (notAccepted.length > 0) {
    console.error(`soak: ${notAccepted.length} seed messages not accepted, e.g. ${notAccepted[0]}`);
    process.exitCode = 1;
  }
  const seedSeconds = (Date.now() - seedStarted) / 1000;

  // 2. Who may view whom: each GP practice's first GP, and the people that GP finds by NHS number.
  const tokens = new Map();
  const tokenFor = async (userId) => {
    const held = tokens.get(userId);
    if (held && Date.now() - held.at < 5 * 60_000) return held.token;
    const res = await fetch(`${base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    if (res.status !== 200) throw new Error(`dev/token ${userId}: HTTP ${res.status}`);
    const { access_token: token } = await res.json();
    tokens.set(userId, { token, at: Date.now() });
    return token;
  };
  const gps = [...new Map(synthetic.users.filter((u) => u.role === 'gp').map((u) => [u.ods, u])).values()];
  const gpsOf = (ods) => synthetic.users.filter((u) => u.role === 'gp' && u.ods === ods).map((u) => u.id);
  const pairs = [];
  const families = new Set();
  for (let i = 0; i < patients; i++) {
    const record = generatePatient(i, { seed }, synthetic);
    const family = record.patient.name?.[0]?.family;
    if (family) families.add(family.slice(0, 3));
    for (const gp of gps) {
      const res = await fetch(`${base}/fhir/Patient?identifier=${encodeURIComponent(`https://fhir.nhs.uk/Id/nhs-number|${record.nhsNumber}`)}`, { headers: { Authorization: `Bearer ${await tokenFor(gp.id)}` } });
      const bundle = await res.json();
      const match = bundle.entry?.find((e) => e.search?.mode === 'match' && e.resource?.resourceType === 'Patient');
      if (match) {
        // Any GP of the practice may view: the load is spread over them, as it would be in a real practice.
        pairs.push({ patientId: match.resource.id, users: gpsOf(gp.ods) });
        break;
      }
    }
  }
  if (pairs.length === 0) throw new Error('soak: no GP can see any seeded patient; nothing to view');

  // 3. The mixed load.
  const stats = new Map();
  const errors = [];
  const record = (kind, ms, ok, detail) => {
    let s = stats.get(kind);
    if (!s) stats.set(kind, (s = { count: 0, errors: 0, times: [] }));
    s.count++;
    s.times.push(ms);
    if (!ok) {
      s.errors++;
      if (errors.length < 20) errors.push(`${kind}: ${detail}`);
    }
  };
  const deadline = Date.now() + minutes * 60_000;
  const running = () => Date.now() < deadline && !childExited;
  const pick = (list, i) => list[i % list.length];

  // Each user at most one request every USER_GAP_MS (8 a second, 40% of the locality's default per-user rate
  // limit of 1,200 a minute): a soak measures errors and memory, not the rate limiter refusing a load generator.
  const USER_GAP_MS = 125;
  const nextSlot = new Map();
  const pace = async (userId) => {
    const now = performance.now();
    const slot = Math.max(now, nextSlot.get(userId) ?? 0);
    nextSlot.set(userId, slot + USER_GAP_MS);
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  };

  async function http(kind, path, userId, expect = 200) {
    await pace(userId);
    const started = performance.now();
    try {
      const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${await tokenFor(userId)}`, 'accept-encoding': 'gzip' } });
      const body = await res.text();
      const ok = res.status === expect;
      record(kind, performance.now() - started, ok, ok ? '' : `HTTP ${res.status} ${path}: ${body.slice(0, 200)}`);
    } catch (error) {
      record(kind, performance.now() - started, false, `${path}: ${error.message}`);
    }
  }

  const familyList = [...families];
  const workers = [];
  for (let w = 0; w < viewers; w++) {
    workers.push(
      (async () => {
        for (let i = w; running(); i += viewers) {
          const pair = pick(pairs, i * 7);
          await http('view $everything', `/fhir/Patient/${pair.patientId}/$everything`, pick(pair.users, i));
        }
      })(),
    );
  }
  for (let w = 0; w < searchers; w++) {
    workers.push(
      (async () => {
        for (let i = w; running(); i += searchers) {
          const pair = pick(pairs, i * 13);
          const userId = pick(pair.users, i);
          switch (i % 3) {
            case 0:
              await http('search Patient', `/fhir/Patient?family=${encodeURIComponent(pick(familyList, i))}&_count=10`, userId);
              break;
            case 1:
              await http('search Observation', `/fhir/Observation?patient=${pair.patientId}&_count=20`, userId);
              break;
            default:
              await http('search Condition', `/fhir/Condition?patient=${pair.patientId}&_sort=-date`, userId);
          }
        }
      })(),
    );
  }
  let fresh = patients;
  for (let w = 0; w < feeds; w++) {
    workers.push(
      (async () => {
        while (running()) {
          // New people arriving (their whole history, in order) and, every other time, an update resent for an
          // existing one (dedup answers with the stored ACK).
          const index = fresh++;
          const patient = generatePatient(index, { seed }, synthetic);
          for (const message of patient.messages) {
            if (!running()) break;
            const started = performance.now();
            try {
              const ack = await clientFor(`feed${w}`, message.sender).send(message.text);
              const code = ACK.exec(ack)?.[1];
              record('ingest HL7 (MLLP)', performance.now() - started, code === 'AA' || code === 'CA', `${code}: ${ack.split('\r').slice(1).join(' | ').slice(0, 200)}`);
            } catch (error) {
              record('ingest HL7 (MLLP)', performance.now() - started, false, error.message);
            }
          }
        }
      })(),
    );
  }

  const samples = [];
  const started = Date.now();
  const takeSample = async () => {
    child.send('sample');
    const s = await next('sample');
    samples.push({ t: s.at - started, rss: s.rss, heap: s.heapUsed });
    load.push(loadavg()[0]);
    const done = [...stats.values()].reduce((n, s) => n + s.count, 0);
    process.stderr.write(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${done} requests, heap ${mb(s.heapUsed)} MB, rss ${mb(s.rss)} MB, load ${loadavg()[0].toFixed(1)}\n`);
  };
  await takeSample();
  const sampler = setInterval(() => void takeSample(), SAMPLE_MS);
  await Promise.all(workers);
  clearInterval(sampler);
  await takeSample();
  const seconds = (Date.now() - started) / 1000;
  for (const c of clients.values()) c.close();
  stopping = true;
  if (!childExited) {
    child.send('stop');
    await next('stopped');
  }

  // Drop the schema.
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${args.schema}" CASCADE`);
  await admin.end();

  // 4. Report.
  const rows = [...stats.entries()].map(([kind, s]) => {
    const sorted = [...s.times].sort((a, b) => a - b);
    return `| ${kind} | ${s.count} | ${(s.count / seconds).toFixed(1)} | ${s.errors} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} |`;
  });
  const total = [...stats.values()].reduce((n, s) => n + s.count, 0);
  const errorCount = [...stats.values()].reduce((n, s) => n + s.errors, 0);
  const steady = samples.filter((s) => s.t >= Math.min(WARM_UP_MS, seconds * 500));
  const heapSlope = slope(steady.map((s) => ({ x: s.t / 60_000, y: s.heap / 1024 / 1024 })));
  const rssSlope = slope(steady.map((s) => ({ x: s.t / 60_000, y: s.rss / 1024 / 1024 })));
  const first = steady[0] ?? samples[0];
  const last = samples.at(-1);
  // RSS moves with the work in flight; compare the medians of the first and the last minute after warm-up.
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
  const perMinute = Math.max(1, Math.round(60_000 / SAMPLE_MS));
  const rssGrowth = (median(steady.slice(-perMinute).map((s) => s.rss)) - median(steady.slice(0, perMinute).map((s) => s.rss))) / 1024 / 1024;
  const maxRss = Math.max(...samples.map((s) => s.rss));
  console.log(`\nsoak: ${minutes} min of mixed load on one createIdcr (PostgreSQL), ${patients} seeded patients (${seededMessages} HL7 messages in ${seedSeconds.toFixed(0)} s), ${pairs.length} viewer/patient pairs`);
  console.log(`workers: ${viewers} viewers, ${searchers} searchers, ${feeds} MLLP feeds; load average ${Math.min(...load).toFixed(1)} to ${Math.max(...load).toFixed(1)} (mean ${(load.reduce((a, b) => a + b, 0) / load.length).toFixed(1)}) on ${cpus().length} cores\n`);
  console.log('| kind | requests | per second | errors | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`| all | ${total} | ${(total / seconds).toFixed(1)} | ${errorCount} | | |`);
  console.log('\n| server memory (post-GC) | start | after warm-up | end | max | slope after warm-up |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| heap used MB | ${mb(samples[0].heap)} | ${mb(first.heap)} | ${mb(last.heap)} | ${mb(Math.max(...samples.map((s) => s.heap)))} | ${heapSlope.toFixed(2)} MB/min |`);
  console.log(`| RSS MB | ${mb(samples[0].rss)} | ${mb(first.rss)} | ${mb(last.rss)} | ${mb(maxRss)} | ${rssSlope.toFixed(2)} MB/min |`);
  const failures = [];
  if (errorCount > 0) failures.push(`${errorCount} errors, e.g.\n  ${errors.join('\n  ')}`);
  if (notAccepted.length > 0) failures.push(`${notAccepted.length} seed messages not accepted`);
  if (heapSlope > MAX_HEAP_SLOPE_MB_PER_MIN) failures.push(`heap grows ${heapSlope.toFixed(2)} MB/min after warm-up (limit ${MAX_HEAP_SLOPE_MB_PER_MIN})`);
  if (rssGrowth > MAX_RSS_GROWTH_MB) failures.push(`RSS (median of a minute) grew ${rssGrowth.toFixed(1)} MB from the first to the last minute after warm-up (limit ${MAX_RSS_GROWTH_MB})`);
  if (childExited && !stopping) failures.push('the server process died');
  console.log(`RSS growth, median of the last minute minus median of the first minute after warm-up: ${rssGrowth.toFixed(1)} MB`);
  console.log(`\nthresholds: zero errors; post-GC heap slope after the first minute <= ${MAX_HEAP_SLOPE_MB_PER_MIN} MB/min; RSS growth after it <= ${MAX_RSS_GROWTH_MB} MB`);
  if (failures.length > 0) {
    console.log(`FAIL\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log('PASS');
  }
}

if (args.serve) {
  serve().catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
