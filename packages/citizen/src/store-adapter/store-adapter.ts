import { GENESIS_HASH, matchesAuditQuery, type AuditEvent, type AuditQuery, type AuditStore, type ChainedAuditEvent } from '@openidcr/governance';
import { NHS_NUMBER_SYSTEM, type Consent, type Observation, type Provenance, type ResourceLike } from '@openidcr/model';
import type { RecordStore } from '@openidcr/store';
import type { CitizenPerson, CitizenRecordSource, StoredWhatMatters } from '../records/records.js';
import { ProxyAuthoritySchema, type ProxyAuthority } from '../proxy/proxy.js';
import { whatMattersId } from '../what-matters/what-matters.js';

/** The extension carrying a proxy authority's kind, evidence and recorder on a FHIR RelatedPerson. */
export const PROXY_AUTHORITY_EXTENSION = 'https://openidcr.org/StructureDefinition/proxy-authority';
const PROXY_KIND_SYSTEM = 'https://openidcr.org/CodeSystem/proxy-kind';

/**
 * A proxy authority as a FHIR RelatedPerson of the person acted for: the proxy's NHS number and name, the kind of
 * authority as the relationship, `active` and `period` for when it is in force, and an extension with the evidence
 * and who recorded it. It is not record content (no heading), so it never appears in a clinician's view.
 */
export function proxyAuthorityToRelatedPerson(authority: ProxyAuthority): ResourceLike & { id: string } {
  return {
    resourceType: 'RelatedPerson',
    id: `proxy-${authority.id}`.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64),
    extension: [
      {
        url: PROXY_AUTHORITY_EXTENSION,
        extension: [
          { url: 'authorityId', valueString: authority.id },
          { url: 'recordedBy', valueString: authority.recordedBy },
          { url: 'evidence', valueString: authority.evidence },
        ],
      },
    ],
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: authority.proxyNhsNumber }],
    active: authority.status === 'active',
    patient: { reference: `Patient/${authority.subjectPersonId}` },
    relationship: [{ coding: [{ system: PROXY_KIND_SYSTEM, code: authority.kind }] }],
    name: [{ text: authority.proxyName }],
    period: { start: authority.validFrom, ...(authority.validTo ? { end: authority.validTo } : {}) },
  };
}

/** Reads a RelatedPerson written by `proxyAuthorityToRelatedPerson` back; undefined for any other RelatedPerson. */
export function proxyAuthorityFromRelatedPerson(resource: ResourceLike): ProxyAuthority | undefined {
  const r = resource as {
    extension?: Array<{ url?: string; extension?: Array<{ url?: string; valueString?: string }> }>;
    identifier?: Array<{ system?: string; value?: string }>;
    active?: boolean;
    patient?: { reference?: string };
    relationship?: Array<{ coding?: Array<{ system?: string; code?: string }> }>;
    name?: Array<{ text?: string }>;
    period?: { start?: string; end?: string };
  };
  const ext = r.extension?.find((e) => e.url === PROXY_AUTHORITY_EXTENSION)?.extension ?? [];
  const value = (url: string) => ext.find((e) => e.url === url)?.valueString;
  const parsed = ProxyAuthoritySchema.safeParse({
    id: value('authorityId'),
    kind: r.relationship?.[0]?.coding?.find((c) => c.system === PROXY_KIND_SYSTEM)?.code,
    proxyNhsNumber: r.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value,
    proxyName: r.name?.[0]?.text,
    subjectPersonId: r.patient?.reference?.startsWith('Patient/') ? r.patient.reference.slice('Patient/'.length) : undefined,
    status: r.active ? 'active' : 'revoked',
    validFrom: r.period?.start,
    ...(r.period?.end ? { validTo: r.period.end } : {}),
    recordedBy: value('recordedBy'),
    evidence: value('evidence'),
  });
  return parsed.success ? parsed.data : undefined;
}

/** Records (or updates) a proxy authority in the store, as a RelatedPerson of the person acted for. */
export async function recordProxyAuthority(store: RecordStore, authority: ProxyAuthority): Promise<void> {
  const checked = ProxyAuthoritySchema.parse(authority);
  await store.bulkLoad([{ patientKey: checked.subjectPersonId, resource: proxyAuthorityToRelatedPerson(checked) }]);
}

export interface StoreAdapterOptions {
  /** Page size when reading the audit log (default 1000). */
  auditPageSize?: number;
}

async function personOf(store: RecordStore, nhsNumber: string): Promise<CitizenPerson | undefined> {
  let person = await store.findPersonByNhsNumber(nhsNumber);
  // Reads follow a merge to the surviving person, as the store's own reads do.
  for (let hops = 0; person?.mergedInto && hops < 5; hops++) person = await store.getPerson(person.mergedInto);
  if (!person) return undefined;
  const { given, family, birthDate } = person.demographics;
  return {
    personId: person.personId,
    nhsNumber,
    name: [given, family].filter(Boolean).join(' ') || 'Not known',
    ...(birthDate ? { birthDate } : {}),
  };
}

/**
 * The citizen API's record source over `@openidcr/store`: people from the master patient index, their record from
 * `everything`, consents from the consents table, "what matters" as a versioned Observation (with its Provenance)
 * written in one transaction, proxy authorities as RelatedPerson resources of the person acted for.
 */
export function citizenRecordsFromStore(store: RecordStore): CitizenRecordSource {
  return {
    findPerson: (nhsNumber) => personOf(store, nhsNumber),
    recordOf: (personId) => store.everything(personId),
    async consentsOf(personId) {
      return (await store.listConsents(personId)).map((c) => c.consent as Consent);
    },
    async saveConsent(personId, consent) {
      await store.putConsent(personId, consent as ResourceLike);
    },
    async whatMattersHistory(personId) {
      const id = whatMattersId(personId);
      const versions = (await store.history('Observation', id)).filter((v) => v.patientKey === personId);
      const out: StoredWhatMatters[] = [];
      for (const v of versions) {
        const provenance = await store.read('Provenance', `${id}-v${v.version}`.slice(0, 64));
        out.push({ observation: v.resource as Observation, provenance: provenance?.patientKey === personId ? (provenance.resource as Provenance) : undefined, version: v.version });
      }
      return out;
    },
    async saveWhatMatters(personId, write) {
      const current = await store.read('Observation', whatMattersId(personId));
      const currentVersion = current?.patientKey === personId ? current.version : 0;
      // The store has no compare-and-set, so a write racing this one between the read and the write can still win;
      // the version in the Provenance then names the version the writer meant. Acceptable for one person's own notes.
      if (currentVersion !== write.expectedVersion) return { ok: false, code: 'conflict' };
      await store.bulkLoad(
        [
          { patientKey: personId, resource: write.observation as ResourceLike & { id: string } },
          { patientKey: personId, resource: write.provenance as ResourceLike & { id: string } },
        ],
        { batchSize: 2 },
      );
      return { ok: true, version: write.expectedVersion + 1 };
    },
    async proxyAuthorities(proxyNhsNumber, subjectPersonId) {
      const out: ProxyAuthority[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listResources({ patientKey: subjectPersonId, resourceTypes: ['RelatedPerson'], limit: 100, cursor });
        for (const item of page.items) {
          const authority = proxyAuthorityFromRelatedPerson(item.resource);
          if (authority && authority.proxyNhsNumber === proxyNhsNumber && authority.subjectPersonId === subjectPersonId) out.push(authority);
        }
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    },
  };
}

/**
 * Governance's `AuditStore` over the store's append-only audit table, holding governance `AuditEvent`s: the store
 * links rows under a lock, this adapter hashes them the governance way (`seq` from 0), so `verifyChain` holds on
 * what `read` returns. Assumes every row of the table was written through it (or in the same shape).
 */
export function auditStoreFromRecordStore(store: RecordStore, options: StoreAdapterOptions = {}): AuditStore {
  const pageSize = options.auditPageSize ?? 1000;
  const chained = (row: { seq: number; prevHash: string | undefined; hash: string; event: Record<string, unknown> }): ChainedAuditEvent => ({
    ...(row.event as unknown as AuditEvent),
    seq: row.seq - 1,
    prevHash: row.prevHash ?? GENESIS_HASH,
    hash: row.hash,
  });
  async function readAll(query: AuditQuery): Promise<ChainedAuditEvent[]> {
    const out: ChainedAuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.readAudit({ patientKey: query.personId, userId: query.userId, from: query.from, to: query.to, limit: pageSize, cursor });
      for (const row of page.items) {
        const event = chained(row);
        // The store selected the person's rows by key, following merges (rows written under a merged person's key
        // name that person in the event), so the person is not checked again here.
        if (!matchesAuditQuery(event, { ...query, personId: undefined })) continue;
        out.push(event);
        if (query.limit !== undefined && out.length >= query.limit) return out;
      }
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
  return {
    async append(event, computeHash) {
      const row = await store.appendAudit({ event: event as unknown as Record<string, unknown>, patientKey: event.personId, userId: event.user.id, recordedAt: event.recorded }, (link) =>
        computeHash(link.prevHash ?? GENESIS_HASH, { ...(link.event as unknown as AuditEvent), seq: link.seq - 1, prevHash: link.prevHash ?? GENESIS_HASH }),
      );
      return chained(row);
    },
    read: (query = {}) => readAll(query),
    async last() {
      const all = await readAll({});
      return all[all.length - 1];
    },
  };
}
