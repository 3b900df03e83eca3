import { createIdcr, defineLocality, type Idcr } from '@openidcr/architecture';
import { buildExampleIsa, sourceOrganisationOf, type ConsentModel, type OrganisationKind } from '@openidcr/governance';
import { Ingestor, ShippedProfiles } from '@openidcr/integration';
import { generateLocality, generatePatients, type SyntheticPatientRecord } from '@openidcr/synthetic';
import { pino } from 'pino';

/** The synthetic locality (Mendip Vale: four GP practices, the acute, mental health and community trusts, the council). */
export const synthetic = generateLocality({ seed: 42 });

/** The council's adult social care, the data controller this locality's own consent model is about. */
export const council = synthetic.organisations.find((o) => o.kind === 'social-care')!;

const kindOf = (kind: (typeof synthetic.organisations)[number]['kind']): OrganisationKind => (kind === 'social-care' ? 'local-authority' : kind);

/** The people the walk-through uses: the first synthetic patients who have both a GP record and council social care. */
export function peopleWithSocialCare(count: number): SyntheticPatientRecord[] {
  const found: SyntheticPatientRecord[] = [];
  for (const record of generatePatients({ seed: 42, patients: 200 }, synthetic)) {
    if (record.resources.some((r) => sourceOrganisationOf(r) === council.ods)) found.push(record);
    if (found.length === count) break;
  }
  return found;
}

export interface RunningLocality {
  idcr: Idcr;
  baseUrl: string;
  /** A bearer token from the development issuer for one of the synthetic locality's users. */
  token(userId: string): Promise<string>;
  /** The person's id in the record (their patient key), found by NHS number. */
  personId(nhsNumber: string): Promise<string>;
  /**
   * Records that an organisation is in the person's care team (a multi-disciplinary team meeting, say): a legitimate
   * relationship for all its staff.
   */
  joinCareTeam(personId: string, ods: string): Promise<void>;
  /** GET a FHIR path as that user. */
  get(path: string, userId: string): Promise<{ status: number; body: FhirJson }>;
  close(): Promise<void>;
}

export type FhirJson = { resourceType: string; [key: string]: unknown };

/** What one `$everything` gave a user: the items by resource type and source, and the withheld notice. */
export interface View {
  status: number;
  items: Array<{ type: string; id: string; source: string | undefined }>;
  withheld: string | undefined;
  denied: string[];
}

/** Reads a person's whole record as a user, through the FHIR API and its policy point. */
export async function viewRecord(locality: RunningLocality, personId: string, userId: string): Promise<View> {
  const { status, body } = await locality.get(`/fhir/Patient/${personId}/$everything`, userId);
  type Entry = { resource: FhirJson & { id: string; meta?: { source?: string }; issue?: Array<{ code: string; diagnostics?: string }> }; search?: { mode?: string } };
  const entries = (body.entry as Entry[] | undefined) ?? [];
  const outcome = body.resourceType === 'OperationOutcome' ? (body as unknown as Entry['resource']) : entries.find((e) => e.search?.mode === 'outcome')?.resource;
  return {
    status,
    items: entries.filter((e) => e.search?.mode === 'match').map((e) => ({ type: e.resource.resourceType, id: e.resource.id, source: sourceOrganisationOf(e.resource) })),
    withheld: outcome?.issue?.find((i) => i.code === 'suppressed')?.diagnostics,
    denied: status === 403 ? (outcome?.issue ?? []).map((i) => i.diagnostics ?? i.code) : [],
  };
}

/**
 * Starts the locality's shared care record: pooled, in memory, the development issuer with the synthetic users, the
 * example direct-care ISA for the eight organisations, and the consent model given (none: the ISA's, implied consent).
 * Each person's record is loaded from the HL7 v2 messages their sources sent, through integration's ingest.
 */
export async function startLocality(options: { consentModel?: ConsentModel; people: readonly SyntheticPatientRecord[]; port?: number }): Promise<RunningLocality> {
  const organisations = synthetic.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: kindOf(o.kind), stage: 'live' as const }));
  const locality = defineLocality({
    name: synthetic.name,
    organisations,
    isa: buildExampleIsa(organisations, { locality: synthetic.name, id: 'mendip-vale-direct-care' }),
    auth: { mode: 'dev', users: synthetic.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.ods, sdsRoleCode: u.sdsRoleCode })) },
    topology: { kind: 'pooled' },
    storage: { url: 'pglite:memory' },
    ports: { http: options.port ?? 0, host: '127.0.0.1' },
  });
  // #region register
  const idcr = await createIdcr(locality, { consentModel: options.consentModel, logger: pino({ level: 'silent' }) });
  // #endregion register
  try {
    await load(idcr, options.people);
    const { http } = await idcr.listen();
    const baseUrl = `http://127.0.0.1:${http.port}`;
    const token = async (userId: string) => {
      const response = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
      if (!response.ok) throw new Error(`token for ${userId}: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    return {
      idcr,
      baseUrl,
      token,
      async get(path, userId) {
        const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${await token(userId)}`, accept: 'application/fhir+json' } });
        return { status: response.status, body: (await response.json()) as FhirJson };
      },
      async personId(nhsNumber) {
        const found = await idcr.store.findPersonByNhsNumber(nhsNumber);
        if (!found) throw new Error(`no person with NHS number ${nhsNumber}`);
        return found.personId;
      },
      async joinCareTeam(personId, ods) {
        await idcr.store.putRelationship({ patientKey: personId, id: `care-team-${ods}-${personId}`, userId: '*', organisation: ods, kind: 'care-team', source: 'multi-disciplinary team meeting', startedAt: '2026-01-01T00:00:00Z' });
      },
      close: () => idcr.close(),
    };
  } catch (error) {
    await idcr.close();
    throw error;
  }
}

const PROFILE_OF = { 'gp-practice': 'gp', 'acute-trust': 'acute-pas', 'mental-health-trust': 'mental-health', 'community-services': 'generic', 'social-care': 'social-care' } as const;

/** Each person's record arrives as the HL7 v2 messages their GP, trust and council systems sent, through integration. */
async function load(idcr: Idcr, people: readonly SyntheticPatientRecord[]): Promise<void> {
  const channels = new Map(
    synthetic.organisations.map((o) => [o.ods, { name: `${o.ods.toLowerCase()}-feed`, profile: { ...ShippedProfiles[PROFILE_OF[o.kind]], odsCode: o.ods, sendingFacility: o.ods } }]),
  );
  const ingestor = new Ingestor({ sink: idcr.store, lookup: idcr.store });
  for (const person of people) {
    for (const message of person.messages) {
      const [result] = await ingestor.ingest(message.text, channels.get(message.sender));
      if (result?.outcome !== 'accepted') throw new Error(`loading ${person.nhsNumber}: ${message.type} from ${message.sender} was ${result?.outcome}: ${result?.problems.map((p) => p.message).join('; ')}`);
    }
  }
}
