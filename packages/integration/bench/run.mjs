// The ingest benchmark of issue #19: one table, every case measured in the same run, in alternating rounds.
//
//   parse:   (a) raw hl7-standard transform() [baseline]  ·  @medplum/core Hl7Message.parse  ·  (b) our parse + map
//   floors:  peer: MLLP into an @medplum/hl7 Hl7Server that parses and ACKs (AA) and stores nothing
//            raw insert: the same messages as plain rows, one autocommitted INSERT each over 8 pg connections
//   ours:    MLLP -> in-memory sink  ·  (c) MLLP -> PostgreSQL, ACK after commit (8 connections, and 1)
//            (d) MLLP -> PGlite in memory
//
// Each round runs every case once, in the same order (round-robin), so a busy machine slows every case alike; the
// table shows the median of the rounds per case, with each round's figure beside it. Targets are computed from the
// medians, never written in. Every schema it creates is dropped before it exits.
//
// Usage: npm run bench [-- --messages 3000 --pg postgres://postgres@127.0.0.1:5432/test --streams 8 --rounds 3]
import os from 'node:os';
import { Hl7Message as MedplumMessage } from '@medplum/core';
import { Hl7Server } from '@medplum/hl7';
import HL7 from 'hl7-standard';
import { generatePatients } from '@openidcr/synthetic';
import { createMllpServer, ingestHandler, Ingestor, MemoryStore, MllpClient, parseUnit, prepareMessage, ShippedProfiles, splitMessages } from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > -1 ? process.argv[i + 1] : fallback;
};
const N = Number(arg('messages', 3000));
const PG = arg('pg', process.env.OPENIDCR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const STREAMS = Number(arg('streams', 8));
const ROUNDS = Number(arg('rounds', 3));
const CHANNEL = { gp: 'gp', acute: 'acute-pas', 'mental-health': 'mental-health', community: 'generic', 'social-care': 'social-care', lims: 'lims' };
const TARGET = { e2eRate: 1500, ofPeer: 0.5, singleRate: 300, parseRatio: 2 };
const loadStart = os.loadavg();

// ---------------------------------------------------------------------------------------------- the same messages
const messages = [];
for (let patients = Math.ceil(N / 6); messages.length < N; patients *= 2) {
  messages.length = 0;
  for (const r of generatePatients({ seed: 7, patients })) for (const m of r.messages) if (messages.length < N) messages.push(m);
}
const mix = {};
for (const m of messages) {
  const code = m.type.split('^')[0];
  mix[code] = (mix[code] ?? 0) + 1;
}
// One connection per stream; a patient's messages stay on one stream, in order, as a real feed sends them.
const byStream = (streams) => {
  const lists = Array.from({ length: streams }, () => []);
  for (const m of messages) lists[Number.parseInt(m.controlId.replace(/\D/g, '').slice(-4) || '0', 10) % streams].push(m);
  return lists;
};
const ackCode = (ack) => /(?:^|\r)MSA.(\w{2})/.exec(ack ?? '')?.[1];

let pgModule;
const pgClient = async () => {
  pgModule ??= (await import('pg')).default;
  const c = new pgModule.Client({ connectionString: PG });
  await c.connect();
  return c;
};
const withSchema = (schema) => `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
const created = new Set();
async function dropSchema(schema) {
  const c = await pgClient();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    created.delete(schema);
  } finally {
    await c.end();
  }
}

// ------------------------------------------------------------------------------------------------------- the cases
// Each `run` returns { ms, rejected } for one pass over the messages; `prepare`/`cleanup` are outside the timing.

function parseCase(fn) {
  return async () => {
    const t = performance.now();
    fn();
    return { ms: performance.now() - t, rejected: 0 };
  };
}

const rawTransform = () => {
  for (const m of messages) new HL7(m.text).transform();
};
const medplumParse = () => {
  for (const m of messages) MedplumMessage.parse(m.text);
};
// Our layer: split + normalise + hl7-standard + order + unescape + checks, then profile + FHIR mapping.
const ourParseAndMap = () => {
  for (const m of messages) {
    const profile = ShippedProfiles[CHANNEL[m.stream]];
    for (const unit of splitMessages(m.text).messages) {
      const outcome = parseUnit(unit);
      if (!outcome.ok) throw new Error('unexpected parse failure');
      const prepared = prepareMessage(outcome.message, profile);
      prepared.spec?.map({ message: outcome.message, profile, ods: prepared.ods, personId: 'bench', patientSourceKey: 'bench', sourceTime: prepared.sourceTime, problems: [], warnings: [] });
    }
  }
};

/** Sends every message over `streams` MllpClient connections, one in flight per connection; counts non-AA/CA ACKs. */
async function drive(port, streams) {
  let rejected = 0;
  const t = performance.now();
  await Promise.all(
    byStream(streams).map(async (list) => {
      const client = new MllpClient({ port, attempts: 1, ackTimeoutMs: 120_000 });
      try {
        for (const m of list) {
          const code = ackCode(await client.send(m.text));
          if (code !== 'AA' && code !== 'CA') rejected++;
        }
      } finally {
        client.close();
      }
    }),
  );
  return { ms: performance.now() - t, rejected };
}

async function peerFloor() {
  const server = new Hl7Server((connection) => {
    connection.addEventListener('message', (event) => connection.send(event.message.buildAck()));
  });
  server.start(0);
  await new Promise((resolve, reject) => {
    server.server.once('listening', resolve);
    server.server.once('error', reject);
  });
  try {
    return await drive(server.server.address().port, STREAMS);
  } finally {
    await server.stop({ forceDrainTimeoutMs: 2000 });
  }
}

async function rawInsertFloor(round) {
  const schema = `bench_raw_${process.pid}_${round}`;
  const setup = await pgClient();
  created.add(schema);
  await setup.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".bench_raw (id bigserial PRIMARY KEY, raw text NOT NULL)`);
  await setup.end();
  const clients = await Promise.all(Array.from({ length: STREAMS }, () => pgClient()));
  try {
    const t = performance.now();
    await Promise.all(
      byStream(STREAMS).map(async (list, i) => {
        for (const m of list) await clients[i].query(`INSERT INTO "${schema}".bench_raw (raw) VALUES ($1)`, [m.text]);
      }),
    );
    return { ms: performance.now() - t, rejected: 0 };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    await dropSchema(schema);
  }
}

async function ours(store, streams) {
  const server = createMllpServer({ handler: ingestHandler(new Ingestor({ sink: store, lookup: store })) });
  const { port } = await server.listen(0);
  try {
    return await drive(port, streams);
  } finally {
    await server.close();
  }
}

let storeModule;
try {
  storeModule = await import('@openidcr/store');
} catch {
  console.error('@openidcr/store not installed: the PostgreSQL and PGlite rows are skipped');
}
let pgReachable = false;
try {
  await (await pgClient()).end();
  pgReachable = true;
} catch (err) {
  console.error(`PostgreSQL at ${PG} not reachable (${err.message}): the PostgreSQL rows are skipped`);
}

async function oursOnPostgres(round, streams) {
  const schema = `bench_integration_${process.pid}_${streams}_${round}`;
  created.add(schema);
  const store = await storeModule.openStore(withSchema(schema));
  try {
    return await ours(store, streams);
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

async function oursOnPglite() {
  const store = await storeModule.openStore('pglite:memory');
  try {
    return await ours(store, STREAMS);
  } finally {
    await store.close();
  }
}

const cases = [
  { id: 'a', label: '(a) hl7-standard `transform()` [parse baseline]', run: parseCase(rawTransform) },
  { id: 'medplum', label: '@medplum/core `Hl7Message.parse`', run: parseCase(medplumParse) },
  { id: 'b', label: '(b) our parse + map', run: parseCase(ourParseAndMap) },
  { id: 'peer', label: `peer floor: MLLP → @medplum/hl7 \`Hl7Server\` (parse + AA, stores nothing), ${STREAMS} conn.`, e2e: true, run: peerFloor },
  pgReachable && { id: 'raw', label: `raw-insert floor: 1 autocommit INSERT per message, ${STREAMS} pg conn.`, e2e: true, run: rawInsertFloor },
  { id: 'memory', label: `MLLP → in-memory sink, ${STREAMS} conn.`, e2e: true, run: () => ours(new MemoryStore(), STREAMS) },
  storeModule && pgReachable && { id: 'c8', label: `(c) MLLP → PostgreSQL, ACK after commit, ${STREAMS} conn.`, e2e: true, run: (round) => oursOnPostgres(round, STREAMS) },
  storeModule && pgReachable && { id: 'c1', label: '(c) MLLP → PostgreSQL, ACK after commit, 1 conn. (one in flight)', e2e: true, run: (round) => oursOnPostgres(round, 1) },
  storeModule && { id: 'd', label: `(d) MLLP → PGlite in memory, ACK after commit, ${STREAMS} conn.`, e2e: true, run: oursOnPglite },
].filter(Boolean);

// ------------------------------------------------------------------------------------------------------ the rounds
const results = new Map(cases.map((c) => [c.id, []]));
try {
  // Warm the JIT on the in-process parsers once, untimed, so round 1 is not the only cold one.
  rawTransform();
  medplumParse();
  ourParseAndMap();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of cases) {
      const r = await c.run(round);
      results.get(c.id).push(r);
      process.stderr.write(`round ${round}/${ROUNDS} ${c.id}: ${Math.round((messages.length / r.ms) * 1000)} msg/s\n`);
    }
  }
} finally {
  for (const schema of [...created]) await dropSchema(schema).catch(() => {});
}
const loadEnd = os.loadavg();

// ------------------------------------------------------------------------------------------------------- the table
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const rate = (ms) => (messages.length / ms) * 1000;
const stats = new Map(
  [...results].map(([id, rs]) => {
    const ms = median(rs.map((r) => r.ms));
    return [id, { ms, rate: rate(ms), rounds: rs.map((r) => rate(r.ms)), rejected: rs.reduce((n, r) => n + r.rejected, 0) }];
  }),
);
const num = (x) => Math.round(x).toLocaleString('en-GB');
const pct = (x) => `${Math.round(x * 100)} %`;
const verdict = (ok) => (ok ? 'met' : '**NOT met**');
const a = stats.get('a');
const peer = stats.get('peer');
const raw = stats.get('raw');

const targets = {
  b: () => {
    const ratio = stats.get('b').ms / a.ms;
    return `≤ ${TARGET.parseRatio}× (a): ${ratio.toFixed(2)}× ${verdict(ratio <= TARGET.parseRatio)}`;
  },
  c8: () => {
    const s = stats.get('c8');
    const parts = [`≥ ${num(TARGET.e2eRate)} msg/s: ${verdict(s.rate >= TARGET.e2eRate)}`];
    parts.push(peer ? `≥ ${pct(TARGET.ofPeer)} of peer: ${verdict(s.rate >= TARGET.ofPeer * peer.rate)}` : '≥ 50 % of peer: not measured');
    return parts.join('; ');
  },
  c1: () => `≥ ${num(TARGET.singleRate)} msg/s: ${verdict(stats.get('c1').rate >= TARGET.singleRate)}`,
};

const header = ['case', 'msg/s (median)', 'µs/msg', 'rounds (msg/s)', 'vs (a)', 'vs peer floor', 'vs raw-insert floor', 'rejected', 'issue #19 target'];
const rows = cases.map((c) => {
  const s = stats.get(c.id);
  return [
    c.label,
    num(s.rate),
    ((s.ms * 1000) / messages.length).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    s.rounds.map(num).join(' / '),
    c.e2e ? '' : `${(s.ms / a.ms).toFixed(2)}×`,
    c.e2e && peer ? pct(s.rate / peer.rate) : '',
    c.e2e && raw ? pct(s.rate / raw.rate) : '',
    c.e2e ? String(s.rejected) : '',
    targets[c.id]?.() ?? '',
  ];
});
const align = ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'];
const line = (cells) => `| ${cells.join(' | ')} |`;
const fmtLoad = (l) => l.map((x) => x.toFixed(2)).join(' ');

console.log(`
openidcr integration bench (issue #19) — ${new Date().toISOString()}
node ${process.version}, ${os.cpus().length} CPUs, ${messages.length} synthetic messages: ${Object.entries(mix)
  .sort((x, y) => y[1] - x[1])
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')}
${ROUNDS} alternating rounds (every case once per round, same order); each row is the median of its rounds
load average (1/5/15 min): start ${fmtLoad(loadStart)}, end ${fmtLoad(loadEnd)}
rejected: ACKs other than AA/CA, summed over the rounds
`);
console.log(line(header));
console.log(line(align));
for (const r of rows) console.log(line(r));
