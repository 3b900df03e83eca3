import { createIdcr, defineLocality, type Idcr } from '@openidcr/architecture';
import { buildExampleIsa, type OrganisationKind } from '@openidcr/governance';
import { MllpClient } from '@openidcr/integration';
import { generateLocality, generatePatients, type SyntheticPatientRecord } from '@openidcr/synthetic';
import { pino } from 'pino';

/** The synthetic locality: four GP practices, an acute trust (with its lab), mental health, community, the council. */
export const synthetic = generateLocality({ seed: 42 });

const PROFILE_OF = { 'gp-practice': 'gp', 'acute-trust': 'acute-pas', 'mental-health-trust': 'mental-health', 'community-services': 'generic', 'social-care': 'social-care' } as const;
const kindOf = (kind: (typeof synthetic.organisations)[number]['kind']): OrganisationKind => (kind === 'social-care' ? 'local-authority' : kind);

export interface RunningIdcr {
  idcr: Idcr;
  baseUrl: string;
  /** The MLLP port of each sending organisation's channel, by ODS code (MSH-4). */
  mllpPorts: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts a pooled OpenIDCR for the synthetic locality: one HL7 v2 channel (and MLLP listener, on a free port) per
 * source organisation with the integration profile of its kind, the example ISA, the development issuer, and the
 * record in PGlite at `storageUrl` (`pglite:<folder>` or `pglite:memory`).
 */
export async function startIdcr(storageUrl: string): Promise<RunningIdcr> {
  const organisations = synthetic.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: kindOf(o.kind), stage: 'live' as const }));
  const locality = defineLocality({
    name: synthetic.name,
    organisations,
    isa: buildExampleIsa(organisations, { locality: synthetic.name, id: 'mendip-vale-direct-care' }),
    auth: { mode: 'dev', users: synthetic.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.ods, sdsRoleCode: u.sdsRoleCode })) },
    channels: synthetic.organisations.map((o) => ({ id: `${o.ods.toLowerCase()}-feed`, sender: o.ods, organisation: o.ods, profile: PROFILE_OF[o.kind], mllpPort: 0 })),
    topology: { kind: 'pooled' },
    storage: { url: storageUrl },
    ports: { http: 0, host: '127.0.0.1' },
  });
  const idcr = await createIdcr(locality, { logger: pino({ level: 'silent' }) });
  const { http, mllp } = await idcr.listen();
  const bySender = new Map(locality.channels.map((c) => [c.sender, mllp[c.id]!.port]));
  return { idcr, baseUrl: `http://127.0.0.1:${http.port}`, mllpPorts: bySender, close: () => idcr.close() };
}

/** One message sent and what came back. */
export interface Acknowledged {
  sender: string;
  type: string;
  controlId: string;
  /** MSA-1: AA accepted, AE error (fix and resend), AR rejected. */
  code: string;
  /** MSA-3 and any ERR segments' texts: why, when it was not accepted. */
  text: string;
  ack: string;
}

export interface OutboundMessage {
  sender: string;
  type: string;
  controlId: string;
  text: string;
}

/** Reads MSA-1, MSA-3 and the ERR texts (ERR-8, else ERR-3) of an ACK. */
export function readAck(ack: string): { code: string; text: string } {
  const segments = ack.split('\r').map((s) => s.split('|'));
  const msa = segments.find((s) => s[0] === 'MSA') ?? [];
  const errors = segments.filter((s) => s[0] === 'ERR').map((s) => s[8] || s[3] || '');
  return { code: msa[1] ?? '??', text: [msa[3], ...errors].filter(Boolean).join('; ') };
}

/** Sends messages in order, each on its sender's MLLP channel (one connection per channel), and collects the ACKs. */
export async function sendFeed(ports: ReadonlyMap<string, number>, messages: Iterable<OutboundMessage>): Promise<Acknowledged[]> {
  const clients = new Map<number, MllpClient>();
  const out: Acknowledged[] = [];
  try {
    for (const message of messages) {
      const port = ports.get(message.sender);
      if (port === undefined) throw new Error(`no MLLP channel for sender ${message.sender}`);
      let client = clients.get(port);
      if (!client) clients.set(port, (client = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 30_000, attempts: 3 })));
      const ack = await client.send(message.text);
      out.push({ sender: message.sender, type: message.type, controlId: message.controlId, ...readAck(ack), ack });
    }
  } finally {
    for (const client of clients.values()) client.close();
  }
  return out;
}

/** The first `count` synthetic people, with their feeds. */
export function people(count: number): SyntheticPatientRecord[] {
  return [...generatePatients({ seed: 42, patients: count }, synthetic)];
}

/**
 * A copy of a message with another control id and the date of birth (PID-7) written as words, as a misconfigured
 * sender might send it: the receiver must answer with an error naming the field, and keep the message for replay.
 */
export function withBadBirthDate(message: OutboundMessage, controlId: string): OutboundMessage {
  const text = message.text
    .split('\r')
    .map((segment) => {
      const fields = segment.split('|');
      if (fields[0] === 'MSH') fields[9] = controlId;
      if (fields[0] === 'PID') fields[7] = '20th March 1980';
      return fields.join('|');
    })
    .join('\r');
  return { ...message, controlId, text };
}

/** A bearer token from the development issuer, and a GET through the FHIR API with it. */
export async function fhirGet(baseUrl: string, userId: string, path: string): Promise<{ status: number; body: { resourceType: string; [key: string]: unknown } }> {
  const issued = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  if (!issued.ok) throw new Error(`token for ${userId}: HTTP ${issued.status}`);
  const { access_token } = (await issued.json()) as { access_token: string };
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${access_token}`, accept: 'application/fhir+json' } });
  return { status: response.status, body: (await response.json()) as { resourceType: string } };
}
