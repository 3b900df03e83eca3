// `npm start -w examples/federated-locality`: two source FHIR servers (a GP practice and an acute trust) and the IDCR
// in federated ("portal") mode in front of them. Reads one person's record as their GP and as the practice pharmacist,
// then stops the trust's server and reads it again.
import { verifyStoreAudit } from '@openidcr/architecture';
import { practice, sharedPatients, startFederatedLocality, synthetic, trust, viewRecord, type View } from './locality.js';

const people = sharedPatients(3);
const person = people.find((p) => p.resources.some((r) => r.resourceType === 'Immunization')) ?? people[0]!; // vaccinations: outside a pharmacist's view
const gp = synthetic.users.find((u) => u.ods === practice.ods && u.role === 'gp')!;
const pharmacist = synthetic.users.find((u) => u.ods === practice.ods && u.role === 'pharmacist')!;
const nameOf = (ods: string | undefined) => synthetic.organisations.find((o) => o.ods === ods)?.name ?? ods ?? 'unknown source';

function show(label: string, view: View): void {
  console.log(`${label}: HTTP ${view.status}`);
  const bySource = new Map<string, Map<string, number>>();
  for (const item of view.items) {
    const types = bySource.get(nameOf(item.source)) ?? new Map<string, number>();
    types.set(item.type, (types.get(item.type) ?? 0) + 1);
    bySource.set(nameOf(item.source), types);
  }
  for (const [source, types] of bySource) console.log(`  from ${source}: ${[...types].map(([type, n]) => `${n} ${type}`).join(', ')}`);
  if (view.withheld) console.log(`  ${view.withheld}`);
  for (const missing of view.unanswered) console.log(`  warning: ${missing.diagnostics}`);
}

const locality = await startFederatedLocality(people);
try {
  console.log(`Sources: ${practice.name} (${practice.ods}) at ${locality.sources.gp.url}, ${trust.name} (${trust.ods}) at ${locality.sources.acute.url}`);
  console.log(`IDCR (federated, nothing pooled): ${locality.baseUrl}/fhir\n`);
  console.log(`NHS number ${person.nhsNumber}: one Patient in each source, joined by the NHS number.\n`);
  show(`${gp.name} (GP, ${practice.name}) reads the record`, await viewRecord(locality, person.nhsNumber, gp.id));
  show(`\n${pharmacist.name} (pharmacist, same practice) reads it: the role's view applies to both sources`, await viewRecord(locality, person.nhsNumber, pharmacist.id));
  await locality.sources.acute.close();
  show(`\nThe trust's server is stopped; ${gp.name} reads again`, await viewRecord(locality, person.nhsNumber, gp.id));
  const chain = await verifyStoreAudit(locality.idcr.store);
  console.log(`\nAudit (kept by the IDCR, keyed by NHS number): ${chain.ok ? `${chain.length} events, chain intact` : `chain broken at ${chain.index}`}.`);
} finally {
  await locality.close();
}
