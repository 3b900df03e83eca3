// The server side of the $everything benchmark, run in its own process so the load generator does not share its
// event loop: loads N synthetic patients, measures the store-level read floor, then serves the API and tells the
// parent (over IPC) the port, one bearer token per GP practice, and the patients to ask for.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ODS_CODE_SYSTEM } from '@openidcr/model';
import { EXAMPLE_ORGANISATIONS, FILTER_ELEMENTS, InMemoryAuditStore, exampleIsa, hashAuditEvent } from '@openidcr/governance';
import { openDb, openStore } from '@openidcr/store';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { createIdcr, defineLocality } from '../dist/index.js';

const options = JSON.parse(process.argv[2]);
const send = (message) => process.send?.(message);

const locality = generateLocality({ seed: 42 });
// The example ISA re-keyed to the synthetic locality's ODS codes (same order: 4 practices, acute, MH, community, council).
const odsMap = new Map(EXAMPLE_ORGANISATIONS.map((org, i) => [org.ods, locality.organisations[i].ods]));
const isa = JSON.parse(JSON.stringify(exampleIsa), (key, value) => (typeof value === 'string' && odsMap.has(value) ? odsMap.get(value) : value));
const kindOf = (kind) => (kind === 'social-care' ? 'local-authority' : kind);
const gps = locality.organisations.filter((o) => o.kind === 'gp-practice');

/** Synthetic sources say `urn:ods:<ODS>:<system>`; governance reads `<ODS system>|<ODS>` (see the README). */
function normalise(resource) {
  const match = /^urn:ods:([A-Z0-9]{3,6})(?::|$)/.exec(resource.meta?.source ?? '');
  if (match) resource.meta.source = `${ODS_CODE_SYSTEM}|${match[1]}`;
  if (resource.resourceType === 'Patient') {
    for (const gp of resource.generalPractitioner ?? []) {
      const ods = /^Organization\/org-([A-Z0-9]{3,6})$/.exec(gp.reference ?? '')?.[1];
      if (ods) gp.identifier = { system: ODS_CODE_SYSTEM, value: ods };
    }
  }
  return resource;
}

// A population already loaded (e.g. by bench/scale) is used as it is with --url/--schema; otherwise one is loaded
// into a schema of its own (the store's initialLoad), dropped at the end.
const reuse = options.schema !== undefined;
const schema = options.schema ?? `bench_arch_${process.pid}`;
const store = options.pgUrl ? await openStore(options.pgUrl, { schema, maxConnections: 20 }) : await openStore('pglite:memory');
const started = Date.now();
const patients = [];
let resources = 0;
if (reuse) {
  const db = await openDb(options.pgUrl, { schema });
  const { rows } = await db.query(
    `SELECT s.patient_key, s.patient_id, s.gp_ods FROM patient_search s
      WHERE s.seq = 0 AND s.gp_ods IS NOT NULL ORDER BY md5(s.patient_key) LIMIT 5000`,
  );
  for (const row of rows) patients.push({ id: row.patient_id, key: row.patient_key, gp: row.gp_ods });
  resources = Number((await db.query('SELECT count(*) AS n FROM resources')).rows[0].n);
  await db.close();
} else {
  async function* items() {
    for (const resource of [...locality.organisations.map((o) => o.resource), ...locality.users.map((u) => u.practitioner)]) yield { resource: normalise(structuredClone(resource)) };
    for (const record of generatePatients({ seed: 42, patients: options.patients }, locality)) {
      const key = `person-${record.index}`;
      const gp = record.patient.generalPractitioner?.[0]?.reference?.replace('Organization/org-', '');
      if (patients.length < 5000) patients.push({ id: record.patient.id, key, gp });
      for (const resource of record.resources) yield { patientKey: key, resource: normalise(resource) };
    }
  }
  resources = (await store.initialLoad(items())).resources;
}
const loadSeconds = (Date.now() - started) / 1000;

// The floor: the store's own read of a whole record, the same patients, at the same concurrency.
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
async function floor(concurrency, samples, read = (patient) => store.everything(patient.key)) {
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < samples) {
        next++;
        const patient = patients[Math.floor(Math.random() * patients.length)];
        const t = performance.now();
        await read(patient);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: samples / seconds, load: loadavg()[0] };
}
await floor(8, 200); // warm up
const floorSequential = await floor(1, options.floorSamples);
const floorConcurrent = await floor(options.connections, options.floorSamples * 2);
// The read the API itself makes for a view: the record (cut down to what the filter reads, and whole as text), the
// consents and the relationships in force, in one query.
const viewRead = (patient) => store.recordForView(patient.id, new Date().toISOString(), { elements: FILTER_ELEMENTS });
const viewFloorConcurrent = await floor(options.connections, options.floorSamples * 2, viewRead);

const definition = defineLocality({
  name: locality.name,
  organisations: locality.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: kindOf(o.kind), stage: 'live' })),
  isa,
  auth: { mode: 'dev', users: gps.map((o) => ({ id: `gp-${o.ods}`, name: `GP at ${o.name}`, role: 'gp', organisation: o.ods, sdsRoleCode: 'R8000' })) },
  storage: { url: options.pgUrl ?? 'pglite:memory', ...(reuse ? { schema } : {}) },
  ports: { http: 0, host: '127.0.0.1' },
  // The load generator is one client hammering as a few users: rate limits would measure the limiter, not the API.
  rateLimits: { enabled: false },
});
// Diagnostics: the size and write time of each audit group (the sink's group commit), reported at the end.
const groups = [];
const appendAuditBatch = store.appendAuditBatch.bind(store);
store.appendAuditBatch = async (entries, hash) => {
  const t = performance.now();
  const rows = await appendAuditBatch(entries, hash);
  groups.push({ size: entries.length, ms: performance.now() - t });
  return rows;
};
const idcr = await createIdcr(definition, { store, logger: pino({ level: 'silent' }) });
const { http } = await idcr.listen();
// Diagnostic twin: the same API and store, with the audit chain kept in memory (governance's InMemoryAuditStore),
// to show what the store's serialised audit append costs. Not a configuration to run.
const memoryAudit = new InMemoryAuditStore();
const twin = await createIdcr(definition, { store, logger: pino({ level: 'silent' }), audit: { append: async (event) => void (await memoryAudit.append(event, hashAuditEvent)) } });
const twinHttp = await twin.listen();
const tokens = {};
for (const o of gps) tokens[o.ods] = await idcr.devIssuer.issue(`gp-${o.ods}`, { expiresInSeconds: 3600 });
const twinTokens = {};
for (const o of gps) twinTokens[o.ods] = await twin.devIssuer.issue(`gp-${o.ods}`, { expiresInSeconds: 3600 });
const profiler = options.profile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
send({
  ready: true,
  port: http.port,
  twinPort: twinHttp.http.port,
  engine: store.engine,
  resources,
  reused: reuse,
  loadSeconds,
  floorSequential,
  floorConcurrent,
  viewFloorConcurrent,
  requests: patients.slice(0, 5000).map((p) => ({ path: `/fhir/Patient/${p.id}/$everything`, token: tokens[p.gp], twinToken: twinTokens[p.gp] })),
});

process.on('message', async (message) => {
  if (message !== 'stop') return;
  if (groups.length > 0) {
    const sizes = groups.map((g) => g.size);
    const times = groups.map((g) => g.ms).sort((a, b) => a - b);
    const events = sizes.reduce((a, b) => a + b, 0);
    console.log(`audit: ${events} events in ${groups.length} group commits (mean ${(events / groups.length).toFixed(1)}, largest ${Math.max(...sizes)}); write p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`);
  }
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(options.profile, { recursive: true });
    writeFileSync(join(options.profile, `everything-${options.schema ?? options.patients}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  }
  await twin.close();
  await idcr.close();
  if (options.pgUrl && !reuse) {
    const db = await openDb(options.pgUrl, { schema });
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  }
  process.exit(0);
});
