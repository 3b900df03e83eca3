import { createIdcr, defineLocality, type Idcr } from '@openidcr/architecture';
import { buildExampleIsa, sourceOrganisationOf, type OrganisationKind } from '@openidcr/governance';
import type { ResourceLike } from '@openidcr/model';
import { generateLocality, generatePatients, type SyntheticPatientRecord } from '@openidcr/synthetic';
import { pino } from 'pino';
import { startSourceServer, type SourceServer } from './source-server.js';

type Resource = ResourceLike & { id: string };

const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** The synthetic locality (Mendip Vale). The two sources here: a GP practice and the acute trust. */
export const synthetic = generateLocality({ seed: 42 });
export const practice = synthetic.organisations.find((o) => o.kind === 'gp-practice')!;
export const trust = synthetic.organisations.find((o) => o.kind === 'acute-trust')!;

const kindOf = (kind: (typeof synthetic.organisations)[number]['kind']): OrganisationKind => (kind === 'social-care' ? 'local-authority' : kind);

/** The first `count` synthetic people registered at the practice who also have records at the trust. */
export function sharedPatients(count: number): SyntheticPatientRecord[] {
  const found: SyntheticPatientRecord[] = [];
  for (const record of generatePatients({ seed: 42, patients: 300 }, synthetic)) {
    const sources = new Set(record.resources.map((r) => sourceOrganisationOf(r)));
    if (sources.has(practice.ods) && sources.has(trust.ods) && record.patient.generalPractitioner?.[0]?.reference === `Organization/org-${practice.ods}`) found.push(record);
    if (found.length === count) break;
  }
  return found;
}

/** What one organisation's own system holds about these people: its own entries, and its own Patient resource. */
export function sourceRecords(ods: string, people: readonly SyntheticPatientRecord[]): Resource[] {
  const own = synthetic.organisations.find((o) => o.ods === ods)!;
  // Reference data the source publishes about itself: its Organization and its staff.
  const out: Resource[] = [own.resource as unknown as Resource, ...synthetic.users.filter((u) => u.ods === ods).map((u) => u.practitioner as unknown as Resource)];
  for (const person of people) {
    // Each system has its own id for the person; the NHS number is what joins them.
    const patientId = ods === practice.ods ? person.patient.id! : `${ods.toLowerCase()}-${person.index}`;
    const relink = <T>(resource: T): T => JSON.parse(JSON.stringify(resource).replaceAll(`"Patient/${person.patient.id}"`, `"Patient/${patientId}"`)) as T;
    out.push({
      ...person.patient,
      id: patientId,
      meta: { source: `urn:ods:${ods}` },
      // UK Core: the registered practice is named by its ODS code, which is how the policy finds the registration.
      generalPractitioner: person.patient.generalPractitioner?.map((gp) =>
        gp.reference?.startsWith('Organization/org-') ? { ...gp, identifier: { system: ODS_SYSTEM, value: gp.reference.slice('Organization/org-'.length) } } : gp,
      ),
    } as Resource);
    for (const resource of person.resources) if (resource.resourceType !== 'Patient' && sourceOrganisationOf(resource) === ods) out.push(relink(resource) as Resource);
  }
  return out;
}

export interface FederatedLocality {
  idcr: Idcr;
  baseUrl: string;
  sources: { gp: SourceServer; acute: SourceServer };
  /** GET a FHIR path through the IDCR as one of the synthetic users (a development-issuer token). */
  get(path: string, userId: string): Promise<{ status: number; body: FhirJson }>;
  close(): Promise<void>;
}

export type FhirJson = { resourceType: string; [key: string]: unknown };

/**
 * Two source FHIR servers (the practice's GP system and the trust's EPR) and the IDCR in the federated topology in
 * front of them: nothing pooled, every view fans out to both at view time (10 s timeout each: a stopped source fails at once, a slow one is given up on), merges by NHS number,
 * and goes through the same policy point and audit as a pooled record. The store (PGlite in memory) holds only
 * consents, relationships and the audit.
 */
export async function startFederatedLocality(people: readonly SyntheticPatientRecord[]): Promise<FederatedLocality> {
  const gp = await startSourceServer(`${practice.name} GP system`, sourceRecords(practice.ods, people));
  const acute = await startSourceServer(`${trust.name} EPR`, sourceRecords(trust.ods, people));
  try {
    const organisations = synthetic.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: kindOf(o.kind), stage: 'live' as const }));
    const locality = defineLocality({
      name: synthetic.name,
      organisations,
      isa: buildExampleIsa(organisations, { locality: synthetic.name, id: 'mendip-vale-direct-care' }),
      auth: { mode: 'dev', users: synthetic.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.ods, sdsRoleCode: u.sdsRoleCode })) },
      topology: {
        kind: 'federated',
        sources: [
          { organisation: practice.ods, baseUrl: gp.url, timeoutMs: 10_000 },
          { organisation: trust.ods, baseUrl: acute.url, timeoutMs: 10_000 },
        ],
      },
      storage: { url: 'pglite:memory' },
      ports: { http: 0, host: '127.0.0.1' },
    });
    const idcr = await createIdcr(locality, { logger: pino({ level: 'silent' }) });
    const { http } = await idcr.listen();
    const baseUrl = `http://127.0.0.1:${http.port}`;
    return {
      idcr,
      baseUrl,
      sources: { gp, acute },
      async get(path, userId) {
        const issued = await fetch(`${baseUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
        if (!issued.ok) throw new Error(`token for ${userId}: HTTP ${issued.status}`);
        const { access_token } = (await issued.json()) as { access_token: string };
        const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${access_token}`, accept: 'application/fhir+json' } });
        return { status: response.status, body: (await response.json()) as FhirJson };
      },
      async close() {
        await idcr.close();
        await Promise.all([gp.close(), acute.close()]);
      },
    };
  } catch (error) {
    await Promise.all([gp.close(), acute.close()]);
    throw error;
  }
}

/** A `$everything` answer read for what matters here: items by source, the withheld notice, the sources that did not answer. */
export interface View {
  status: number;
  items: Array<{ type: string; id: string; source: string | undefined }>;
  withheld: string | undefined;
  unanswered: Array<{ source: string | undefined; diagnostics: string | undefined }>;
}

export async function viewRecord(locality: FederatedLocality, nhsNumber: string, userId: string): Promise<View> {
  type Issue = { severity: string; code: string; diagnostics?: string; details?: { coding?: Array<{ code?: string; display?: string }> } };
  type Entry = { resource: Resource & { issue?: Issue[] }; search?: { mode?: string } };
  const search = await locality.get(`/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|${nhsNumber}`, userId);
  const patient = (search.body.entry as Entry[] | undefined)?.find((e) => e.resource.resourceType === 'Patient')?.resource;
  if (!patient) throw new Error(`Patient search as ${userId}: HTTP ${search.status} ${JSON.stringify(search.body)}`);
  const { status, body } = await locality.get(`/fhir/Patient/${patient.id}/$everything`, userId);
  const entries = (body.entry as Entry[] | undefined) ?? [];
  const issues = entries.filter((e) => e.search?.mode === 'outcome').flatMap((e) => e.resource.issue ?? []);
  return {
    status,
    items: entries.filter((e) => e.search?.mode === 'match').map((e) => ({ type: e.resource.resourceType, id: e.resource.id, source: sourceOrganisationOf(e.resource) })),
    withheld: issues.find((i) => i.code === 'suppressed')?.diagnostics,
    unanswered: issues.filter((i) => i.code === 'incomplete').map((i) => ({ source: i.details?.coding?.find((c) => c.code === 'source-unavailable')?.display, diagnostics: i.diagnostics })),
  };
}
