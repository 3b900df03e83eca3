// `npm start -w examples/hl7-mllp`: start an OpenIDCR (PGlite in a temporary folder), send the synthetic HL7 v2 feeds of
// three people over MLLP, print every ACK, then read one of them back through the FHIR API with a bearer token.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fhirGet, people, sendFeed, startIdcr, synthetic, withBadBirthDate, type OutboundMessage } from './feed.js';

function peopleToSend(raw: string | undefined): number {
  const count = Number(raw ?? 3);
  if (!Number.isInteger(count) || count < 2 || count > 1000) throw new Error(`IDCR_PEOPLE: expected an integer from 2 to 1000, found ${JSON.stringify(raw)}`);
  return count;
}

const count = peopleToSend(process.env.IDCR_PEOPLE);
const folder = await mkdtemp(join(tmpdir(), 'openidcr-hl7-mllp-'));
const running = await startIdcr(process.env.IDCR_STORAGE ?? `pglite:${folder}`);
try {
  console.log(`OpenIDCR listening: FHIR API ${running.baseUrl}/fhir, MLLP ${[...running.mllpPorts].map(([ods, port]) => `${ods} :${port}`).join(', ')}\n`);
  const fed = people(count);
  const feed: Array<OutboundMessage & { note?: string }> = fed.flatMap((person) => person.messages);
  const first = feed[0]!;
  // Two messages a real interface engine sends sooner or later: a resend after a lost ACK, and a badly formed one.
  feed.push({ ...first, note: 'sent again: the stored ACK comes back, nothing is applied twice' });
  feed.push({ ...withBadBirthDate(first, 'BADDOB'), note: 'date of birth in words: the error names the field; the message is kept for replay' });

  console.log(`Sending ${feed.length} HL7 v2 messages (the feeds of ${fed.length} synthetic people, and two more) over MLLP:`);
  const acks = await sendFeed(running.mllpPorts, feed);
  for (const [i, ack] of acks.entries()) {
    const note = feed[i]!.note;
    console.log(`  ${ack.code}  ${ack.sender.padEnd(6)}  ${ack.type.padEnd(8)}  ${ack.controlId.padEnd(9)}${ack.text ? `  ${ack.text}` : ''}${note ? `  (${note})` : ''}`);
  }
  const counts = new Map<string, number>();
  for (const ack of acks) counts.set(ack.code, (counts.get(ack.code) ?? 0) + 1);
  console.log(`ACKs: ${[...counts].map(([code, n]) => `${n} ${code}`).join(', ')}\n`);

  // The second person's feed ends with a message carrying PD1 (the registered practice), which gives their GP the
  // registration relationship the policy asks for.
  const person = fed[1]!;
  const gpId = (person.patient.generalPractitioner ?? []).map((r) => r.reference ?? '').find((r) => r.startsWith('Practitioner/'))!.slice('Practitioner/'.length);
  const gp = synthetic.users.find((u) => u.id === gpId)!;
  console.log(`Reading NHS number ${person.nhsNumber} back through the FHIR API as ${gp.name} (GP, ${gp.ods}), with a bearer token:`);
  const search = await fhirGet(running.baseUrl, gp.id, `/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${person.nhsNumber}`);
  type Entry = { resource: { resourceType: string; id: string; name?: Array<{ family?: string; given?: string[] }>; birthDate?: string } };
  const patient = (search.body.entry as Entry[] | undefined)?.find((e) => e.resource.resourceType === 'Patient')?.resource;
  if (!patient) throw new Error(`Patient search: HTTP ${search.status}, no Patient: ${JSON.stringify(search.body)}`);
  console.log(`  GET /fhir/Patient?identifier=…  HTTP ${search.status}: Patient/${patient.id} ${patient.name?.[0]?.family?.toUpperCase()}, ${patient.name?.[0]?.given?.[0]}, born ${patient.birthDate}`);
  const everything = await fhirGet(running.baseUrl, gp.id, `/fhir/Patient/${patient.id}/$everything`);
  const types = new Map<string, number>();
  for (const entry of (everything.body.entry as Entry[] | undefined) ?? []) types.set(entry.resource.resourceType, (types.get(entry.resource.resourceType) ?? 0) + 1);
  console.log(`  GET /fhir/Patient/${patient.id}/$everything  HTTP ${everything.status}: ${[...types].map(([type, n]) => `${n} ${type}`).join(', ')}`);
} finally {
  await running.close();
  await rm(folder, { recursive: true, force: true });
}
