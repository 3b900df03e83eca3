// Benchmarks, each with its baseline measured in the same run:
//   (a) raw hl7-standard parse  vs  (b) our parse + map        (target: b costs at most 2x a)
//   MLLP -> in-memory sink (transport + pipeline, no database)  vs  (c) MLLP -> PostgreSQL  and  (d) MLLP -> PGlite
// Usage: npm run bench [-- --messages 3000 --pg postgres://postgres@127.0.0.1:5432/test]
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
const CHANNEL = { gp: 'gp', acute: 'acute-pas', 'mental-health': 'mental-health', community: 'generic', 'social-care': 'social-care', lims: 'lims' };

const messages = [];
for (const r of generatePatients({ seed: 7, patients: Math.ceil(N / 8) })) for (const m of r.messages) if (messages.length < N) messages.push(m);
const rows = [];
const rate = (count, ms) => Math.round((count / ms) * 1000);

// Best of several rounds after a warm-up round, so the JIT and a busy machine distort the ratio less.
function time(fn, rounds = 5) {
  fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

// (a) hl7-standard alone: transform() on text it can read (CR endings, standard delimiters).
const rawMs = time(() => {
  for (const m of messages) new HL7(m.text).transform();
});
rows.push({ case: '(a) hl7-standard transform() [baseline]', messages: messages.length, 'msg/s': rate(messages.length, rawMs), 'µs/msg': ((rawMs * 1000) / messages.length).toFixed(1) });

// (b) our layer: split + normalise + hl7-standard + order + unescape + checks, then profile + FHIR mapping.
const mapMs = time(() => {
  for (const m of messages) {
    const profile = ShippedProfiles[CHANNEL[m.stream]];
    for (const unit of splitMessages(m.text).messages) {
      const outcome = parseUnit(unit);
      if (!outcome.ok) throw new Error('unexpected parse failure');
      const prepared = prepareMessage(outcome.message, profile);
      prepared.spec?.map({ message: outcome.message, profile, ods: prepared.ods, personId: 'bench', patientSourceKey: 'bench', sourceTime: prepared.sourceTime, problems: [], warnings: [] });
    }
  }
});
rows.push({ case: '(b) our parse + map', messages: messages.length, 'msg/s': rate(messages.length, mapMs), 'µs/msg': ((mapMs * 1000) / messages.length).toFixed(1), 'vs (a)': `${(mapMs / rawMs).toFixed(2)}x` });

async function mllp(label, store, close) {
  const ingestor = new Ingestor({ sink: store, lookup: store });
  let rejected = 0;
  const server = createMllpServer({ handler: ingestHandler(ingestor, undefined, (r) => (r.outcome === 'rejected' || r.outcome === 'error') && rejected++) });
  const { port } = await server.listen(0);
  // One connection per stream; a patient's messages stay on one stream, in order, as a real feed sends them.
  const byStream = Array.from({ length: STREAMS }, () => []);
  for (const m of messages) byStream[Number.parseInt(m.controlId.replace(/\D/g, '').slice(-4) || '0', 10) % STREAMS].push(m);
  const t = performance.now();
  await Promise.all(
    byStream.map(async (list) => {
      const client = new MllpClient({ port, attempts: 1, ackTimeoutMs: 60_000 });
      for (const m of list) await client.send(m.text);
      client.close();
    }),
  );
  const ms = performance.now() - t;
  await server.close();
  await close?.();
  rows.push({ case: label, messages: messages.length, 'msg/s': rate(messages.length, ms), 'µs/msg': ((ms * 1000) / messages.length).toFixed(1), rejected });
}

await mllp('MLLP -> in-memory sink [baseline]', new MemoryStore());

let storeModule;
try {
  storeModule = await import('@openidcr/store');
} catch {
  console.error('@openidcr/store not installed: (c) and (d) skipped');
}
if (storeModule) {
  const schema = `bench_integration_${process.pid}`;
  try {
    const store = await storeModule.openStore(`${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`);
    await mllp('(c) MLLP -> PostgreSQL, ACK after commit', store, async () => {
      await store.close();
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: PG });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    });
  } catch (err) {
    console.error(`(c) skipped: ${err.message}`);
  }
  const lite = await storeModule.openStore('pglite:memory');
  await mllp('(d) MLLP -> PGlite (in memory), ACK after commit', lite, () => lite.close());
}

console.log(`\nopenidcr integration bench — ${messages.length} synthetic messages (mixed ADT/ORU/MDM/REF/SIU/RDE/VXU/PPR), ${STREAMS} MLLP connections, node ${process.version}\n`);
console.table(rows);
