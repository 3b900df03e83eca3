/* global structuredClone */
// Decision throughput and record-filter cost, each beside a floor measured in the same run.
// Run: npm run bench (builds first). Single thread: node runs this on one core. Times are CPU time per operation.
import { CodeSystems, ODS_CODE_SYSTEM, headingOf, headingTag } from '@openidcr/model';
import { decide, filterRecord, exampleIsa, DEFAULT_ROLES, createConsentModel, sourceOrganisationOf, IsaSchema } from '../dist/index.js';

const NOW = '2026-11-22T10:00:00Z';
const policy = { isa: exampleIsa, roles: DEFAULT_ROLES, consentModel: createConsentModel(exampleIsa.consentModel) };
const explicitIsa = IsaSchema.parse({ ...structuredClone(exampleIsa), consentModel: { kind: 'explicit-share' } });
const explicitPolicy = { isa: explicitIsa, roles: DEFAULT_ROLES, consentModel: createConsentModel(explicitIsa.consentModel) };

const ae = { id: 'u-ae', name: 'Dr Chen Li', roleId: 'hospital-clinician', sdsRoleCode: 'S8000:G8000:R8000', organisation: { ods: 'X9A', kind: 'acute-trust' }, activityCodes: ['B0360'] };
const pharmacist = { id: 'u-ph', name: 'Priya Shah', roleId: 'pharmacist', sdsRoleCode: 'R1290', organisation: { ods: 'X9A', kind: 'acute-trust' }, activityCodes: [] };
const relationships = [
  { id: 'r1', personId: 'p1', kind: 'encounter', organisation: 'X9A', start: '2026-11-22T08:30:00Z' },
  { id: 'r2', personId: 'p1', kind: 'care-team', organisation: 'X9L', start: '2026-01-01T00:00:00Z' },
];
const consents = [
  { id: 'c1', personId: 'p1', status: 'active', action: 'disclose', decision: 'permit', organisation: 'Y90001', dateTime: '2026-10-01T00:00:00Z' },
  { id: 'c2', personId: 'p1', status: 'active', action: 'access', decision: 'permit', organisation: 'X9A', dateTime: '2026-11-22T08:40:00Z' },
];
const base = { purposeOfUse: 'TREAT', patient: { personId: 'p1', registeredGpOds: 'Y90001' }, consents: [], relationships, now: NOW };
const requests = {
  'permit, implied model': { ...base, user: ae, policy },
  'permit, explicit model + consents': { ...base, user: ae, policy: explicitPolicy, consents },
  'permit, pharmacist view': { ...base, user: pharmacist, policy },
  'deny, no relationship': { ...base, user: ae, policy, relationships: [] },
};

// CPU time of this process (user + system), not wall time: the shared machine runs other builds at the same time,
// and CPU time is what one core spends on the work whatever else is scheduled.
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function time(fn, minMs = 400) {
  // Warm up, then 7 rounds each of at least minMs/7 CPU time; report the best round (ns per op).
  for (let i = 0; i < 2000; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    let ops = 0;
    const start = cpuMs();
    let elapsed = 0;
    while (elapsed < minMs / 7) {
      for (let i = 0; i < 200; i++) fn();
      ops += 200;
      elapsed = cpuMs() - start;
    }
    best = Math.min(best, (elapsed * 1e6) / ops);
  }
  return best;
}

function floorDecide(req) {
  // The least any decision point does: look the role up and answer from a fixed table.
  const role = req.policy.roles.find((r) => r.id === req.user.roleId);
  return { effect: role ? 'permit' : 'deny', visibleHeadings: role ? role.headings : [] };
}

let sink = 0;
const rows = [];
const floorNs = time(() => { sink += floorDecide(requests['permit, implied model']).visibleHeadings.length; });
rows.push(['floor: role lookup only', floorNs, null]);
for (const [name, req] of Object.entries(requests)) {
  const ns = time(() => { sink += decide(req).visibleHeadings.length; });
  rows.push([`decide(): ${name}`, ns, ns / floorNs]);
}
console.log('\nDecisions (one core)\n');
console.log('| case | µs per decision | decisions/s | × floor |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, ns, ratio] of rows) console.log(`| ${name} | ${(ns / 1000).toFixed(2)} | ${Math.round(1e9 / ns).toLocaleString('en-GB')} | ${ratio === null ? '1.0' : ratio.toFixed(1)} |`);

// A 2,000-item record across 8 sources, every heading, ~5% sensitive, some private and share-out items.
const sources = ['Y90001', 'Y90002', 'Y90003', 'Y90004', 'X9A', 'X9M', 'X9C', 'X9L'];
const types = ['Condition', 'MedicationStatement', 'AllergyIntolerance', 'Observation', 'Immunization', 'Encounter', 'Appointment', 'ServiceRequest', 'DocumentReference', 'Flag', 'CareTeam', 'Observation', 'Observation', 'MedicationStatement'];
const record = [];
for (let i = 0; i < 2000; i++) {
  const meta = { source: `${ODS_CODE_SYSTEM}|${sources[i % sources.length]}`, security: [], tag: [] };
  if (i % 20 === 0) meta.security.push({ system: CodeSystems.actCode, code: i % 40 === 0 ? 'HIV' : 'PSY' });
  if (i % 50 === 0) meta.tag.push({ system: CodeSystems.sharing, code: 'private' });
  if (i % 3 === 0) meta.tag.push({ system: CodeSystems.sharing, code: 'share-out' });
  if (i % 97 === 0) meta.tag.push(headingTag('social-care'));
  record.push({ resourceType: types[i % types.length], id: `r${i}`, meta, code: { coding: [{ system: CodeSystems.snomed, code: i % 33 === 0 ? '86406008' : '44054006' }] } });
}
const decision = decide(requests['permit, implied model']);

const copyNs = time(() => { sink += record.filter(() => true).length; }, 600);
const touchNs = time(() => {
  // The floor of reading what the policy depends on: type, source, labels and code of each item; keep all.
  const kept = [];
  for (const r of record) { if (r.resourceType && (r.meta?.source || r.meta?.security || r.meta?.tag || r.code)) kept.push(r); }
  sink += kept.length;
}, 600);
const classifyNs = time(() => {
  // The floor any item-level filter pays: classify each item by heading and source, keep everything.
  const kept = [];
  for (const r of record) { if (headingOf(r) !== undefined && sourceOrganisationOf(r) !== undefined) kept.push(r); }
  sink += kept.length;
}, 600);
const filterNs = time(() => { sink += filterRecord(record, decision).kept.length; }, 600);
const result = filterRecord(record, decision);

console.log('\nFiltering a 2,000-item record (A&E clinician, implied model)\n');
console.log('| filter | µs per record | ns per item | × no-op | × read floor | × classify floor |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, ns] of [
  ['no-op: keep every item (Array.filter)', copyNs],
  ['read floor: read type, source, labels, code; keep all', touchNs],
  ['classify floor: model headingOf + sourceOrganisationOf; keep all', classifyNs],
  ['filterRecord()', filterNs],
])
  console.log(`| ${name} | ${(ns / 1000).toFixed(1)} | ${(ns / record.length).toFixed(0)} | ${(ns / copyNs).toFixed(1)} | ${(ns / touchNs).toFixed(2)} | ${(ns / classifyNs).toFixed(2)} |`);
console.log(`\nkept ${result.kept.length} of ${record.length}; withheld: ${result.withheld.map((w) => `${w.reason} ${w.count}`).join(', ')}`);
if (sink === -1) console.log(sink);
