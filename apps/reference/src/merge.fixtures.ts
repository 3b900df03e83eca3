import { MllpClient } from '@openidcr/integration';
import { generateLocality, generatePatient } from '@openidcr/synthetic';
import type { ReferenceApp } from './app.js';
import { practiceOf } from './test-support.js';

export { practiceOf };

export interface DemoUser {
  id: string;
  role: string;
  organisation?: string;
  nhsNumber?: string;
}

export const tokenFor = async (app: ReferenceApp, userId: string): Promise<string> => {
  const res = await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId }) });
  return ((await res.json()) as { access_token: string }).access_token;
};

// Test JSON is read loosely: the assertions check its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call(app: ReferenceApp, token: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** A demo citizen of the seeded locality, their registered practice and its GP. */
export function demoCitizen(app: ReferenceApp, users: DemoUser[], seed: number, index = 0) {
  const record = generatePatient(index, { seed }, generateLocality({ seed }));
  const practice = practiceOf(record.patient)!;
  const name = record.patient.name?.[0];
  return {
    nhsNumber: record.nhsNumber,
    family: name?.family ?? '',
    birthDate: record.patient.birthDate ?? '',
    gender: record.patient.gender,
    practice,
    gp: users.find((u) => u.role === 'gp' && u.organisation === practice)!,
    citizen: users.find((u) => u.role === 'citizen' && u.nhsNumber === record.nhsNumber)!,
  };
}

/**
 * A hospital admission for the person with no NHS number and only the family name, birth date and sex: the MPI
 * cannot be sure (score 0.65), so it creates a provisional person and a review-queue entry. It carries an allergy
 * only the hospital knows.
 */
export async function sendUnmatchedAdmission(app: ReferenceApp, person: { family: string; birthDate: string; gender?: string | undefined }, mrn: string) {
  const acute = app.locality.channels.find((c) => c.profile === 'acute-pas')!;
  const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  const admitted = new Date(Date.now() - 86_400_000);
  // The emergency department's own numbers: the person has none of them yet, so the MPI may offer the match.
  const authority = `${acute.sender}ED`;
  const sex = person.gender === 'male' ? 'M' : person.gender === 'female' ? 'F' : '';
  const message = [
    `MSH|^~\\&|PAS|${acute.sender}|OPENIDCR|LOCALITY|${hl7Time(new Date())}||ADT^A01^ADT_A01|${mrn}-A01|P|2.4|||AL|NE`,
    `EVN|A01|${hl7Time(admitted)}`,
    `PID|1||${mrn}^^^${authority}^MR||${person.family.toUpperCase()}||${person.birthDate.replace(/-/g, '')}|${sex}`,
    `PV1|1|I|CARDIOLOGY WARD^BED 2^^${acute.sender}||||||||||||||||V-${mrn}^^^${acute.sender}^VN|||||||||||||||||||||||||${hl7Time(admitted)}`,
    'AL1|1|DA|372687004^Amoxicillin^SCT|SV|Anaphylaxis',
  ].join('\r');
  const client = new MllpClient({ port: app.mllpPorts[acute.id]!, host: '127.0.0.1', attempts: 1 });
  try {
    const ack = await client.send(message);
    if (!/MSA\|(AA|CA)\|/.test(ack)) throw new Error(`admission not accepted: ${ack}`);
  } finally {
    client.close();
  }
  return { acute, authority };
}
