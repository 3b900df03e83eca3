// The server side of one population size of the scale benchmark, in its own process: opens the loaded store,
// measures the store-level figures (the $everything floor, patient search, MPI match, ingest into the populated
// store, database size), then serves the API and hands the parent the requests to make over HTTP.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { MasterPatientIndex } from '@openidcr/integration';
import { createIdcr, defineLocality } from '@openidcr/architecture';
import { openDb, openStore } from '@openidcr/store';
import { generatePatient } from '@openidcr/synthetic';
import { SEED, normalise, scaleLocality } from './population.mjs';

const options = JSON.parse(process.argv[2]);
const send = (message) => process.send?.(message);
const { locality, isa, gps } = scaleLocality();
const kindOf = (kind) => (kind === 'social-care' ? 'local-authority' : kind);

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
/** Runs `work(sample)` over the samples with `concurrency` at once; latency p50/p99 and rate. */
async function measure(samples, concurrency, work) {
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < samples.length) {
        const sample = samples[next++];
        const t = performance.now();
        await work(sample);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: samples.length / seconds, load: loadavg()[0] };
}

const store = await openStore(options.url, { schema: options.schema, maxConnections: 20 });
const db = await openDb(options.url, { schema: options.schema });
// Patients spread over the whole population (md5 order), so no size is measured on a warm corner of its tables.
const { rows: sampled } = await db.query(
  `SELECT s.patient_key, s.patient_id, s.gp_ods, s.family, to_char(s.birth_date, 'YYYY-MM-DD') AS birth_date
     FROM patient_search s WHERE s.seq = 0 AND s.gp_ods IS NOT NULL ORDER BY md5(s.patient_key) LIMIT $1`,
  [options.samples * 4],
);
const patients = sampled.map((r) => ({ key: r.patient_key, id: r.patient_id, gp: r.gp_ods, family: r.family, birthDate: r.birth_date }));
// The record's size: every table and index but the audit log, which grows with each benchmark run's views.
const { rows: sizeRows } = await db.query(
  `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'audit_log'`,
  [options.schema],
);
const bytes = Number(sizeRows[0].bytes);
const { rows: countRows } = await db.query('SELECT count(*)::bigint AS n FROM resources');
await db.close();

const pick = (n, offset = 0) => Array.from({ length: n }, (_, i) => patients[(offset + i) % patients.length]);
await measure(pick(200), 8, (p) => store.everything(p.key)); // warm-up
const floor = await measure(pick(options.samples * 2, 200), options.connections, (p) => store.everything(p.key));

// Patient search as a clinician types it: family name prefix (first 4 letters) and birth date.
const search = await measure(pick(options.samples, 400), 1, (p) => store.searchPatients({ family: p.family.slice(0, 4), birthDate: p.birthDate, limit: 20 }));

// MPI: a message about a known person without an NHS number (demographic matching: blocking query + scoring), and
// with one (the identifier path).
const mpi = new MasterPatientIndex(store);
const persons = (await Promise.all(pick(options.samples, 800).map((p) => store.getPerson(p.key)))).filter(Boolean);
let linked = 0;
const mpiDemographic = await measure(persons, 1, async (person) => {
  const resolution = await mpi.resolve({ localIds: [], demographics: person.demographics });
  if (resolution.personId === person.personId) linked++;
});
const mpiNhs = await measure(persons, 1, (person) => mpi.resolve({ nhsNumber: person.nhsNumber, localIds: [], demographics: person.demographics }));

// Ingest into the populated store: new versions of whole records (bulkLoad: version checks against the rows there,
// every index maintained), 100 patients at a time.
const ingestPatients = pick(options.ingestPatients, 1200);
const items = [];
for (const p of ingestPatients) {
  const index = Number(p.key.replace('person-', ''));
  for (const resource of generatePatient(index, { seed: SEED }, locality).resources) items.push({ patientKey: p.key, resource: normalise(resource) });
}
const ingestStart = performance.now();
await store.bulkLoad(items, { batchSize: 2000 });
const ingest = { resources: items.length, perSecond: items.length / ((performance.now() - ingestStart) / 1000), load: loadavg()[0] };

const definition = defineLocality({
  name: locality.name,
  organisations: locality.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: kindOf(o.kind), stage: 'live' })),
  isa,
  auth: { mode: 'dev', users: gps.map((o) => ({ id: `gp-${o.ods}`, name: `GP at ${o.name}`, role: 'gp', organisation: o.ods, sdsRoleCode: 'R8000' })) },
  storage: { url: options.url, schema: options.schema },
  // A load generator from one address as a handful of users: rate limits would answer it 429.
  rateLimits: { enabled: false },
  ports: { http: 0, host: '127.0.0.1' },
});
const idcr = await createIdcr(definition, { store, logger: pino({ level: 'silent' }) });
const { http } = await idcr.listen();
const tokens = {};
for (const o of gps) tokens[o.ods] = await idcr.devIssuer.issue(`gp-${o.ods}`, { expiresInSeconds: 3600 });
send({
  port: http.port,
  resources: Number(countRows[0].n),
  bytes,
  floor,
  search,
  mpiDemographic: { ...mpiDemographic, linked, of: persons.length },
  mpiNhs,
  ingest,
  everything: patients.map((p) => ({ path: `/fhir/Patient/${p.id}/$everything`, token: tokens[p.gp] })),
  searches: pick(options.samples, 400).map((p) => ({ path: `/fhir/Patient?family=${encodeURIComponent(p.family.slice(0, 4))}&birthdate=${p.birthDate}`, token: tokens[p.gp] })),
});
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await idcr.close();
  process.exit(0);
});
