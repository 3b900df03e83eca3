import { createIdcr, defineLocality, type Idcr } from '@openidcr/architecture';
import { buildExampleIsa, sourceOrganisationOf, type OrganisationKind } from '@openidcr/governance';
import { Ingestor, ShippedProfiles } from '@openidcr/integration';
import { generateLocality, generatePatients, type SyntheticPatientRecord } from '@openidcr/synthetic';
import { pino } from 'pino';

/**
 * A Bradford-style locality: the synthetic organisations under the explicit share-in / share-out model (SystmOne's
 * enhanced data sharing). The GP practice shares a person's record out only with their consent recorded there; A&E
 * sees it only with consent recorded at A&E too (share-in, or consent to view "now" at the point of care).
 */
export const synthetic = generateLocality({ seed: 42 });
export const acute = synthetic.organisations.find((o) => o.kind === 'acute-trust')!;

const kindOf = (kind: (typeof synthetic.organisations)[number]['kind']): OrganisationKind => (kind === 'social-care' ? 'local-authority' : kind);

/** The first synthetic person with both a GP record and records from the acute trust. */
export function personSeenInAe(): { person: SyntheticPatientRecord; gpOds: string } {
  for (const record of generatePatients({ seed: 42, patients: 200 }, synthetic)) {
    const sources = new Set(record.resources.map((r) => sourceOrganisationOf(r)));
    const gp = synthetic.organisations.find((o) => o.kind === 'gp-practice' && sources.has(o.ods));
    if (gp && sources.has(acute.ods)) return { person: record, gpOds: gp.ods };
  }
  throw new Error('the synthetic population has no one seen at both a GP practice and the acute trust');
}

export type FhirJson = { resourceType: string; [key: string]: unknown };

export interface RunningLocality {
  idcr: Idcr;
  baseUrl: string;
  token(userId: string, scope?: string): Promise<string>;
  personId(nhsNumber: string): Promise<string>;
  /** A patient id (one of the person's Patient resources) for FHIR paths. */
  patientId(nhsNumber: string): Promise<string>;
  request(method: string, path: string, userId: string, body?: unknown, scope?: string): Promise<{ status: number; body: FhirJson; location?: string | undefined }>;
  close(): Promise<void>;
}

/**
 * Starts the locality: pooled, in memory, the development issuer with the synthetic users, explicit consent, and
 * consent capture unless `consentCapture: false` (then nothing can record the consents the model needs).
 */
export async function startBradford(options: { people: readonly SyntheticPatientRecord[]; consentCapture?: boolean }): Promise<RunningLocality> {
  const organisations = synthetic.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: kindOf(o.kind), stage: 'live' as const }));
  const isa = buildExampleIsa(organisations, { locality: 'Bradford-style', id: 'bradford-style-direct-care' });
  const locality = defineLocality({
    name: 'Bradford-style locality',
    organisations,
    isa: { ...isa, consentModel: { kind: 'explicit-share' } },
    consentModel: { kind: 'explicit-share' },
    ...(options.consentCapture === false ? {} : { consentCapture: { consentToViewMinutes: 240 } }),
    auth: { mode: 'dev', users: synthetic.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.ods, sdsRoleCode: u.sdsRoleCode })) },
    topology: { kind: 'pooled' },
    storage: { url: 'pglite:memory' },
    ports: { http: 0, host: '127.0.0.1' },
  });
  const idcr = await createIdcr(locality, { logger: pino({ level: 'silent' }) });
  try {
    await load(idcr, options.people);
    const { http } = await idcr.listen();
    const baseUrl = `http://127.0.0.1:${http.port}`;
    const token = async (userId: string, scope?: string) => {
      const response = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, ...(scope ? { scope } : {}) }) });
      if (!response.ok) throw new Error(`token for ${userId}: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const personId = async (nhsNumber: string) => {
      const found = await idcr.store.findPersonByNhsNumber(nhsNumber);
      if (!found) throw new Error(`no person with NHS number ${nhsNumber}`);
      return found.personId;
    };
    return {
      idcr,
      baseUrl,
      token,
      personId,
      async patientId(nhsNumber) {
        const [patient] = await idcr.store.findPatientsByNhsNumber(nhsNumber);
        if (!patient) throw new Error(`no Patient with NHS number ${nhsNumber}`);
        return patient.id;
      },
      async request(method, path, userId, body, scope) {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${await token(userId, scope)}`, accept: 'application/fhir+json', ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as FhirJson, location: response.headers.get('location') ?? undefined };
      },
      close: () => idcr.close(),
    };
  } catch (error) {
    await idcr.close();
    throw error;
  }
}

const PROFILE_OF = { 'gp-practice': 'gp', 'acute-trust': 'acute-pas', 'mental-health-trust': 'mental-health', 'community-services': 'generic', 'social-care': 'social-care' } as const;

/** Each person's record arrives as the HL7 v2 messages their sources sent, through integration's ingest. */
async function load(idcr: Idcr, people: readonly SyntheticPatientRecord[]): Promise<void> {
  const channels = new Map(
    synthetic.organisations.map((o) => [o.ods, { name: `${o.ods.toLowerCase()}-feed`, profile: { ...ShippedProfiles[PROFILE_OF[o.kind]], odsCode: o.ods, sendingFacility: o.ods } }]),
  );
  const ingestor = new Ingestor({ sink: idcr.store, lookup: idcr.store });
  for (const person of people) {
    for (const message of person.messages) {
      const [result] = await ingestor.ingest(message.text, channels.get(message.sender));
      if (result?.outcome !== 'accepted') throw new Error(`loading ${person.nhsNumber}: ${message.type} from ${message.sender} was ${result?.outcome}`);
    }
  }
}

/** What a user's `$everything` shows: the items by source organisation, or the denial. */
export async function view(locality: RunningLocality, patientId: string, userId: string): Promise<{ status: number; sources: Map<string, number>; withheld: string | undefined }> {
  const { status, body } = await locality.request('GET', `/fhir/Patient/${patientId}/$everything`, userId);
  type Entry = { resource: FhirJson & { id?: string; meta?: { source?: string }; issue?: Array<{ code: string; diagnostics?: string }> }; search?: { mode?: string } };
  const entries = (body.entry as Entry[] | undefined) ?? [];
  const sources = new Map<string, number>();
  for (const e of entries) {
    if (e.search?.mode !== 'match') continue;
    const ods = sourceOrganisationOf(e.resource) ?? 'unknown';
    sources.set(ods, (sources.get(ods) ?? 0) + 1);
  }
  const outcome = entries.find((e) => e.search?.mode === 'outcome')?.resource;
  return { status, sources, withheld: outcome?.issue?.map((i) => i.diagnostics ?? '').join(' ') };
}
