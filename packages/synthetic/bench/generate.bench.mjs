// Throughput of the generator, with the cost of merely serialising the same data measured alongside as the baseline.
// Run after a build: npm run bench -w packages/synthetic  (PATIENTS=5000 to change the size).
import { createRequire } from 'node:module';
import { generatePatients, toFhirBundle } from '../dist/index.js';

const require = createRequire(import.meta.url);
const HL7 = require('hl7-standard');
const patients = Number(process.env.PATIENTS ?? 2000);

function time(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

// Warm up the JIT so the first row is not penalised.
for (const _ of generatePatients({ patients: 200, seed: 1 })) void _;

const gen = time(() => [...generatePatients({ patients, seed: 42, faultRate: 0.02 })]);
const records = gen.result;
const resources = records.reduce((n, r) => n + r.resources.length, 0);
const messages = records.reduce((n, r) => n + r.messages.length, 0);
const fhir = time(() => records.reduce((bytes, r) => bytes + JSON.stringify(toFhirBundle(r)).length, 0));
const texts = records.map((r) => JSON.stringify(toFhirBundle(r)));
const baseline = time(() => texts.reduce((bytes, t) => bytes + JSON.stringify(JSON.parse(t)).length, 0));
const sample = records.slice(0, 300).flatMap((r) => r.messages);
const parse = time(() => {
  for (const m of sample) new HL7(m.text).transform();
  return sample.length;
});

const rows = [
  ['generate records (resources + messages)', `${patients} patients, ${messages} messages`, gen.ms, (patients / gen.ms) * 1000, 'patients/s'],
  ['toFhirBundle + JSON.stringify', `${resources} resources`, fhir.ms, (patients / fhir.ms) * 1000, 'bundles/s'],
  ['baseline: JSON.parse + stringify of the same bundles', `${(fhir.result / 1e6).toFixed(1)} MB`, baseline.ms, (patients / baseline.ms) * 1000, 'bundles/s'],
  ['reference: hl7-standard parse of 300 patients\' messages', `${sample.length} messages`, parse.ms, (sample.length / parse.ms) * 1000, 'messages/s'],
];
console.log(`@openidcr/synthetic bench, node ${process.version}, ${patients} patients, seed 42`);
console.log('| step | size | ms | rate |');
console.log('| --- | --- | ---: | ---: |');
for (const [step, size, ms, rate, unit] of rows) console.log(`| ${step} | ${size} | ${ms.toFixed(0)} | ${Math.round(rate).toLocaleString('en-GB')} ${unit} |`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (all ${patients} records held in memory for this bench; the CLI streams)`);
