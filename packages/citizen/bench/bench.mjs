// Benchmarks of the citizen API's own work, each with a baseline measured side by side in the same run.
// Run after `npm run build`: `npm run bench -w packages/citizen`. Never fails: it prints a table.
import { performance } from 'node:perf_hooks';
import { InMemoryAuditStore, exampleIsa, hashAuditEvent } from '@openidcr/governance';
import { headingOf } from '@openidcr/model';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { readAccessLog, toAccessLogEntry, toRecordHeadings, citizenAuditEvent, noticeFromIsa, renderNoticeHtml } from '../dist/index.js';
import { createConsentModel } from '@openidcr/governance';

function time(fn, runs) {
  for (let i = 0; i < Math.min(3, runs); i++) fn();
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - start) / runs;
}
async function timeAsync(fn, runs) {
  for (let i = 0; i < Math.min(3, runs); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - start) / runs;
}

const rows = [];

// 1. Access log: one page of 50 for a person with 2,000 accesses in a log of 20,000, against reading their events.
const audit = new InMemoryAuditStore();
const people = 10;
for (let i = 0; i < 20_000; i++) {
  const personId = `person-${i % people}`;
  await audit.append(
    citizenAuditEvent({
      id: `e${i}`,
      now: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      actor: { kind: 'contact-centre', userId: 'u1', name: 'A User', roleId: 'gp', organisation: { ods: 'Y90001', kind: 'gp-practice' } },
      personId,
      action: 'read-record',
      query: 'GET /Patient',
      outcome: 'permit',
      headings: ['medications'],
      policy: 'isa|1',
      consentModel: 'implied-opt-out',
    }),
    hashAuditEvent,
  );
}
const map = (e) => toAccessLogEntry(e, { isa: exampleIsa, disclosure: { nameProfessionals: false } });
const pageMs = await timeAsync(() => readAccessLog(audit, 'person-3', { limit: 50 }, map, () => 'c'), 20);
const readMs = await timeAsync(() => audit.read({ personId: 'person-3' }), 20);
rows.push(['access log page (50 of 2,000; log of 20,000)', pageMs, 'baseline: audit.read(personId) alone', readMs]);

// 2. Record summary by heading for a large record, against classifying the same resources with headingOf only.
const locality = generateLocality({ seed: 1 });
const resources = [...generatePatients({ seed: 1, patients: 60 }, locality)].flatMap((p) => p.resources);
const summaryMs = time(() => toRecordHeadings(resources), 20);
const classifyMs = time(() => resources.map((r) => headingOf(r)), 20);
rows.push([`record summary (${resources.length} resources)`, summaryMs, 'baseline: headingOf over the same', classifyMs]);

// 3. Fair processing notice from the ISA, against JSON.stringify of the ISA.
const model = createConsentModel(exampleIsa.consentModel);
const noticeMs = time(() => renderNoticeHtml(noticeFromIsa(exampleIsa, { consentModel: model })), 200);
const stringifyMs = time(() => JSON.stringify(exampleIsa), 200);
rows.push(['notice HTML from the ISA', noticeMs, 'baseline: JSON.stringify(isa)', stringifyMs]);

console.log('| measure | ms | baseline | ms | ratio |');
console.log('| --- | ---: | --- | ---: | ---: |');
for (const [name, ms, baseName, baseMs] of rows) console.log(`| ${name} | ${ms.toFixed(3)} | ${baseName} | ${baseMs.toFixed(3)} | ${(ms / baseMs).toFixed(1)}x |`);
