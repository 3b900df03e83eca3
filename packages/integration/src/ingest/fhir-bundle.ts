import { createHash } from 'node:crypto';
import { NHS_NUMBER_SYSTEM, nhsNumberProblem, normaliseNhsNumber, parseResource, UNVERIFIED_NHS_NUMBER_SYSTEM, type IngestBatch, type IngestRelationship, type LocalIdentifier, type PersonDemographics, type ResourceLike, type Sink } from '@openidcr/model';
import { localIdentifierSystem } from '@openidcr/model';
import { stableId, type MappedResource } from '../mapping/context.js';
import { finishResources, metaSourceOf } from '../mapping/index.js';
import type { MasterPatientIndex } from '../mpi/mpi.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Channel } from './ingestor.js';
import { DEFAULT_RELATIONSHIP_RULES, relationshipsFrom, type RelationshipRules } from './relationships.js';

export interface BundleIngestResult {
  outcome: 'accepted' | 'duplicate' | 'rejected';
  /** Problems that name the element: `Bundle.entry[2].resource.status: is required`. */
  issues: string[];
  warnings: string[];
  resourcesWritten?: number | undefined;
  /** Person id per source Patient reference (`Patient/abc` → personId). */
  persons: Record<string, string>;
  deadLetterId?: string | undefined;
  transient?: boolean | undefined;
}

export interface BundleDeps {
  sink: Sink;
  mpi: MasterPatientIndex;
  lock: KeyedLock;
  now: () => Date;
  /** Legitimate relationships from the bundle's Encounters, EpisodeOfCares and referrals; `false`: none. */
  relationships?: RelationshipRules | false | undefined;
}

interface Entry {
  fullUrl?: string;
  resource: ResourceLike & { id?: string };
}

/**
 * A Patient's identifiers: the NHS number (valid only) and every other identifier as a local id of its system. An
 * NHS number that fails validation, or one already marked unverified, is kept on the Patient but never matched on.
 */
function identityOf(patient: Record<string, unknown>): { nhsNumber?: string; localIds: LocalIdentifier[]; unverified: Record<string, unknown>[]; demographics: PersonDemographics } {
  const localIds: LocalIdentifier[] = [];
  const unverified: Record<string, unknown>[] = [];
  let nhsNumber: string | undefined;
  for (const id of (patient.identifier as { system?: string; value?: string }[] | undefined) ?? []) {
    if (!id.value) continue;
    if (id.system === NHS_NUMBER_SYSTEM) {
      const digits = normaliseNhsNumber(id.value);
      const problem = nhsNumberProblem(digits);
      if (problem === undefined) nhsNumber = digits;
      else unverified.push({ system: UNVERIFIED_NHS_NUMBER_SYSTEM, value: id.value, type: { text: `NHS number as sent, not verified: ${problem}` } });
    } else if (id.system === UNVERIFIED_NHS_NUMBER_SYSTEM) {
      unverified.push(id);
    } else if (id.system) {
      const local = /^https:\/\/openidcr\.org\/Id\/local\/(.+)$/.exec(id.system);
      localIds.push({ assigningAuthority: local ? decodeURIComponent(local[1]!) : id.system, value: id.value });
    }
  }
  const name = (patient.name as { family?: string; given?: string[] }[] | undefined)?.[0];
  const address = (patient.address as { postalCode?: string }[] | undefined)?.[0];
  const demographics: PersonDemographics = {};
  if (name?.family) demographics.family = name.family.toUpperCase();
  if (name?.given?.[0]) demographics.given = name.given[0].toUpperCase();
  if (typeof patient.birthDate === 'string') demographics.birthDate = patient.birthDate;
  if (typeof patient.gender === 'string') demographics.gender = patient.gender as PersonDemographics['gender'];
  if (address?.postalCode) demographics.postcode = address.postalCode.toUpperCase();
  return { nhsNumber, localIds, unverified, demographics };
}

/** Rewrites every `reference` in a resource through the map; returns the patient reference it points at, if any. */
function rewriteReferences(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, map));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'reference' && typeof v === 'string' ? (map.get(v) ?? v) : rewriteReferences(v, map);
  }
  return out;
}

function patientReferenceOf(resource: Record<string, unknown>): string | undefined {
  for (const key of ['subject', 'patient', 'beneficiary']) {
    const ref = (resource[key] as { reference?: string } | undefined)?.reference;
    if (ref?.startsWith('Patient/')) return ref;
  }
  return undefined;
}

/**
 * Ingests a FHIR R4 Bundle from a source that already speaks FHIR: validated with the model, each Patient identified
 * by the MPI (its Patient becomes `Patient/<personId>`), every other resource given a stable id from the source's
 * own id and sender, references rewritten, labels and Provenance added, and everything applied as one batch.
 */
export async function ingestFhirBundle(deps: BundleDeps, json: unknown, channel: Channel, raw?: string): Promise<BundleIngestResult> {
  const text = raw ?? JSON.stringify(json);
  const receivedAt = deps.now().toISOString();
  const profile = channel.profile;
  const ods = profile.odsCode ?? channel.name.toUpperCase().replace(/[^A-Z0-9]+/g, '-');
  const reject = async (issues: string[]): Promise<BundleIngestResult> => {
    try {
      const letter = await deps.sink.recordDeadLetter({ channel: channel.name, sender: ods, raw: text, error: issues.join('; '), receivedAt });
      return { outcome: 'rejected', issues, warnings: [], persons: {}, deadLetterId: letter.id };
    } catch (err) {
      return { outcome: 'rejected', issues: [...issues, `dead letter not recorded: ${String(err)}`], warnings: [], persons: {}, transient: true };
    }
  };
  const parsed = parseResource(json);
  if (!parsed.ok) return reject(parsed.issues.map((i) => `${i.location}: ${i.message}`));
  if (parsed.resource.resourceType !== 'Bundle') return reject([`${parsed.resource.resourceType}: expected a Bundle`]);
  const bundle = parsed.resource as unknown as { id?: string; type: string; entry?: Entry[]; timestamp?: string };
  const entries = (bundle.entry ?? []).filter((e): e is Entry => Boolean(e.resource));
  const warnings: string[] = [];

  // Identify every Patient first; their references become Patient/<personId>.
  const refMap = new Map<string, string>();
  const persons: Record<string, string> = {};
  const facts = entries.filter((e) => e.resource.resourceType === 'Patient').map((e) => ({ e, identity: identityOf(e.resource) }));
  const keys = facts.flatMap(({ identity }) => [
    ...(identity.nhsNumber ? [`nhs:${identity.nhsNumber}`] : []),
    ...identity.localIds.map((l) => `local:${l.assigningAuthority.toUpperCase()}|${l.value}`),
  ]);
  const release = await deps.lock.acquire(keys);
  try {
    const identity: IngestBatch['identity'] = [];
    const patients: MappedResource[] = [];
    for (const { e, identity: id } of facts) {
      if (!id.nhsNumber && id.localIds.length === 0) return await reject([`Patient/${e.resource.id ?? e.fullUrl}: no NHS number and no other identifier`]);
      const r = await deps.mpi.resolve(id);
      identity.push(...r.changes);
      warnings.push(...r.warnings.map((w) => `MPI: ${w}`));
      for (const ref of [e.resource.id ? `Patient/${e.resource.id}` : undefined, e.fullUrl].filter((x): x is string => Boolean(x))) {
        refMap.set(ref, `Patient/${r.personId}`);
        persons[ref] = r.personId;
      }
      const ids = [
        ...(r.nhsNumber ? [{ system: NHS_NUMBER_SYSTEM, value: r.nhsNumber }] : []),
        ...r.localIds.map((l) => ({ system: localIdentifierSystem(l.assigningAuthority), value: l.value })),
        ...id.unverified,
      ];
      patients.push({ ...e.resource, id: r.personId, identifier: ids } as MappedResource);
    }
    const others: MappedResource[] = [];
    for (const e of entries) {
      if (e.resource.resourceType === 'Patient') continue;
      const sourceKey = e.resource.id ?? e.fullUrl ?? createHash('sha256').update(JSON.stringify(e.resource)).digest('hex');
      const id = stableId(e.resource.resourceType.toLowerCase().slice(0, 12), { ods }, sourceKey);
      if (e.resource.id) refMap.set(`${e.resource.resourceType}/${e.resource.id}`, `${e.resource.resourceType}/${id}`);
      if (e.fullUrl) refMap.set(e.fullUrl, `${e.resource.resourceType}/${id}`);
      others.push({ ...e.resource, id } as MappedResource);
    }
    const rewritten = [...patients, ...others].map((r) => rewriteReferences(r, refMap) as MappedResource);
    const known = new Set(Object.values(persons).map((p) => `Patient/${p}`));
    const dangling = rewritten.map((r) => [r, patientReferenceOf(r)] as const).filter(([, ref]) => ref && !known.has(ref));
    if (dangling.length > 0) {
      return await reject(dangling.map(([r, ref]) => `${r.resourceType}/${r.id}: refers to ${ref}, which is not a Patient in this bundle`));
    }
    const contentHash = createHash('sha256').update(text).digest('hex');
    const controlId = bundle.id ?? contentHash.slice(0, 32);
    const finished = finishResources(
      { profile, ods, metaSource: metaSourceOf(ods), sourceTime: bundle.timestamp, messageType: `FHIR ${bundle.type} Bundle`, controlId, agentDisplay: channel.name, entityKind: 'fhir-bundle' },
      rewritten,
      { receivedAt, contentHash },
    );
    const firstPerson = Object.values(persons)[0];
    const relationships: IngestRelationship[] = [];
    if (deps.relationships !== false) {
      const byPerson = new Map<string, MappedResource[]>();
      for (const r of rewritten) {
        const ref = r.resourceType === 'Patient' ? undefined : patientReferenceOf(r);
        if (ref) byPerson.set(ref.slice('Patient/'.length), [...(byPerson.get(ref.slice('Patient/'.length)) ?? []), r]);
      }
      for (const [personId, mine] of byPerson) {
        relationships.push(...relationshipsFrom(mine, { personId, ods, messageType: 'FHIR Bundle', sourceTime: bundle.timestamp }, deps.relationships ?? DEFAULT_RELATIONSHIP_RULES));
      }
    }
    const batch: IngestBatch = {
      message: { sender: ods, controlId, contentHash, messageType: 'FHIR^Bundle', receivedAt, raw: text, ack: '', outcome: 'accepted', patientKey: firstPerson, warnings: warnings.length ? warnings : undefined },
      identity,
      resources: finished.map((resource) => {
        const ref = resource.resourceType === 'Patient' ? `Patient/${resource.id}` : patientReferenceOf(resource);
        const provenanceKey = resource.resourceType === 'Provenance' ? firstPerson : undefined;
        return { patientKey: ref ? ref.slice('Patient/'.length) : provenanceKey, resource, sourceTime: bundle.timestamp };
      }),
      ...(relationships.length > 0 ? { relationships } : {}),
    };
    let result;
    try {
      result = await deps.sink.applyBatch(batch);
    } catch (err) {
      return { outcome: 'rejected', issues: [`the record store did not commit (${String(err)}); resend later`], warnings, persons, transient: true };
    }
    if (result.status === 'duplicate') return { outcome: 'duplicate', issues: [], warnings, persons };
    return { outcome: 'accepted', issues: [], warnings, persons, resourcesWritten: result.resourcesWritten };
  } finally {
    release();
  }
}
