// What keeping the elements a message does not carry (keepIfAbsent) and recording relationships cost the store.
// The same ingest batches (synthetic feeds, mapped once) are applied to two stores side by side, alternating which
// goes first: the baseline gets each batch without keepIfAbsent and relationships (as before), the other as built.
// Usage: node bench/keep-and-relationships.mjs [--messages 1500] [--store pglite:memory | postgres://...]
import { performance } from 'node:perf_hooks';
import { openStore } from '@openidcr/store';
import { generatePatients } from '@openidcr/synthetic';
import { Ingestor, MemoryStore } from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > -1 ? process.argv[i + 1] : fallback;
};
const N = Number(arg('messages', 1500));
const STORE = arg('store', 'pglite:memory');
const CHANNEL = { gp: 'gp', acute: 'acute-pas', 'mental-health': 'mental-health', community: 'generic', 'social-care': 'social-care', lims: 'lims' };

// Map every message once, capturing the batches the ingestor hands its sink.
const memory = new MemoryStore();
const batches = [];
const capture = { applyBatch: (b) => (batches.push(b), memory.applyBatch(b)), recordDeadLetter: (l) => memory.recordDeadLetter(l) };
const ingestor = new Ingestor({ sink: capture, lookup: memory });
let count = 0;
for (const r of generatePatients({ seed: 7, patients: Math.ceil(N / 8) })) {
  for (const m of r.messages) if (count++ < N) await ingestor.ingest(m.text, CHANNEL[m.stream] ?? 'generic');
}
const strip = (b) => ({ ...b, relationships: undefined, resources: b.resources.map(({ keepIfAbsent: _k, ...rest }) => rest) });

async function fresh() {
  if (STORE.startsWith('pglite')) return openStore(STORE);
  const schema = `bench_keep_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return { store: await openStore(STORE, { schema }), schema };
}
const open = async () => {
  const s = await fresh();
  return 'store' in s ? s : { store: s };
};
const baseline = await open();
const withKeep = await open();
let tBase = 0;
let tKeep = 0;
for (let i = 0; i < batches.length; i++) {
  const b = batches[i];
  const runs = [
    async () => { const t = performance.now(); await baseline.store.applyBatch(strip(b)); tBase += performance.now() - t; },
    async () => { const t = performance.now(); await withKeep.store.applyBatch(b); tKeep += performance.now() - t; },
  ];
  if (i % 2) runs.reverse();
  for (const run of runs) await run();
}
const links = batches.reduce((n, b) => n + (b.relationships?.length ?? 0), 0);
const keeps = batches.reduce((n, b) => n + b.resources.filter((r) => r.keepIfAbsent?.length).length, 0);
const rate = (ms) => Math.round((batches.length / ms) * 1000);
console.log(`${batches.length} batches (${keeps} with keepIfAbsent, ${links} relationships) on ${STORE.split(':')[0]}`);
console.table([
  { case: 'applyBatch as before (baseline)', 'batches/s': rate(tBase), 'ms/batch': (tBase / batches.length).toFixed(2), ratio: '' },
  { case: 'applyBatch with keepIfAbsent + relationships', 'batches/s': rate(tKeep), 'ms/batch': (tKeep / batches.length).toFixed(2), ratio: `${(tKeep / tBase).toFixed(2)}x` },
]);
await baseline.store.close();
await withKeep.store.close();
if (!STORE.startsWith('pglite')) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: STORE });
  await admin.connect();
  for (const s of [baseline.schema, withKeep.schema]) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
}
