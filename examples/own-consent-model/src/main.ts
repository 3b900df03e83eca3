// `npm start -w examples/own-consent-model`: the same person's record read under implied consent (the default) and
// under this locality's own model, before and after the person opts in to sharing their social care record.
import { verifyStoreAudit } from '@openidcr/architecture';
import { council, peopleWithSocialCare, startLocality, synthetic, viewRecord, type RunningLocality, type View } from './locality.js';
import { socialCareOptInConsent, socialCareOptInModel } from './social-care-opt-in.js';

const [person] = peopleWithSocialCare(1);
if (!person) throw new Error('the synthetic population has no one with social care');
const gpId = (person.patient.generalPractitioner ?? []).map((r) => r.reference ?? '').find((r) => r.startsWith('Practitioner/'))!.slice('Practitioner/'.length);
const gp = synthetic.users.find((u) => u.id === gpId)!;
const socialWorker = synthetic.users.find((u) => u.ods === council.ods && u.role === 'social-worker')!;
const nameOf = (ods: string | undefined) => synthetic.organisations.find((o) => o.ods === ods)?.name ?? ods ?? 'unknown source';

function show(label: string, view: View): void {
  console.log(`  ${label}: HTTP ${view.status}`);
  const counts = new Map<string, number>();
  for (const item of view.items) counts.set(nameOf(item.source), (counts.get(nameOf(item.source)) ?? 0) + 1);
  for (const [source, count] of counts) console.log(`    ${String(count).padStart(3)} ${count === 1 ? 'item ' : 'items'} from ${source}`);
  if (view.withheld) console.log(`    ${view.withheld}`);
  for (const reason of view.denied) console.log(`    denied: ${reason}`);
}

async function inCareTeam(locality: RunningLocality): Promise<string> {
  const personId = await locality.personId(person!.nhsNumber);
  await locality.joinCareTeam(personId, gp.ods); // the practice and the council meet about this person
  await locality.joinCareTeam(personId, council.ods);
  return personId;
}

const model = socialCareOptInModel();
console.log(`Loading ${synthetic.name}: NHS number ${person.nhsNumber}, registered with ${nameOf(gp.ods)}, known to ${council.name}.\n`);
const implied = await startLocality({ people: [person] });
const ours = await startLocality({ consentModel: model, people: [person] });
try {
  const impliedId = await inCareTeam(implied);
  const personId = await inCareTeam(ours);

  console.log(`1. ${gp.name} (GP) reads the record.`);
  show('implied consent (the default)', await viewRecord(implied, impliedId, gp.id));
  show(`this locality's model (${model.kind})`, await viewRecord(ours, personId, gp.id));

  console.log(`\n2. ${socialWorker.name} (social worker, ${council.name}) reads it: the model changes nothing for social care staff.`);
  show('implied consent (the default)', await viewRecord(implied, impliedId, socialWorker.id));
  show(`this locality's model (${model.kind})`, await viewRecord(ours, personId, socialWorker.id));

  console.log(`\n3. The person tells the council they agree; the council records a FHIR Consent (action disclose, permit).`);
  await ours.idcr.store.putConsent(personId, socialCareOptInConsent({ id: `opt-in-${personId}`, patientId: personId, councilOds: council.ods, recordedAt: new Date().toISOString(), recordedBy: socialWorker.name }));
  show(`${gp.name} reads it again`, await viewRecord(ours, personId, gp.id));

  const chain = await verifyStoreAudit(ours.idcr.store);
  console.log(`\nEvery view was audited: ${chain.ok ? `${chain.length} events in the hash chain, chain intact` : `chain broken at event ${chain.index}`}.`);
  console.log(`\nThe model, in the words the fair processing notice uses:\n  ${model.description}`);
} finally {
  await Promise.all([implied.close(), ours.close()]);
}
