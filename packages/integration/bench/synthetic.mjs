// Ingests the synthetic generator's full HL7 output for N patients (default 1,000) into the in-memory store and
// reports outcomes. Zero rejects expected. Usage: node bench/synthetic.mjs [patients]
import { generatePatients } from '@openidcr/synthetic';
import { Ingestor, MemoryStore } from '../dist/index.js';

const patients = Number(process.argv[2] ?? 1000);
const CHANNEL = { gp: 'gp', acute: 'acute-pas', 'mental-health': 'mental-health', community: 'generic', 'social-care': 'social-care', lims: 'lims' };
let t0 = Date.now();
const messages = [];
for (const r of generatePatients({ seed: 42, patients, faultRate: 0.05 })) for (const m of r.messages) messages.push(m);
console.log(`generated ${messages.length} messages for ${patients} patients in ${Date.now() - t0} ms`);
const store = new MemoryStore();
const ingestor = new Ingestor({ sink: store, lookup: store });
t0 = Date.now();
const outcomes = {};
const rejects = [];
for (const m of messages) {
  const [r] = await ingestor.ingest(m.text, CHANNEL[m.stream]);
  outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  if (r.outcome === 'rejected' || r.outcome === 'error') rejects.push(`${m.type} ${m.controlId}: ${r.problems.map((p) => p.message).join('; ')}`);
}
const ms = Date.now() - t0;
console.log(JSON.stringify({ patients, messages: messages.length, outcomes, rejects: rejects.length, persons: store.persons.size, resources: store.resources.size, ms }));
for (const r of rejects.slice(0, 20)) console.log(`  ${r}`);
process.exitCode = rejects.length > 0 ? 1 : 0;
