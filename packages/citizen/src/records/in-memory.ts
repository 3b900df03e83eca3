import { NHS_NUMBER_SYSTEM, type Consent, type Observation, type Provenance, type ResourceLike } from '@openidcr/model';
import type { CitizenPerson, CitizenRecordSource, StoredWhatMatters } from './records.js';
import { ProxyAuthoritySchema, type ProxyAuthority } from '../proxy/proxy.js';

/**
 * An in-memory `CitizenRecordSource`, for tests, demos and small deployments that keep the record elsewhere. Writes
 * are versioned like the store's (`meta.versionId`), and `saveWhatMatters` checks the expected version atomically.
 */
export class InMemoryCitizenRecords implements CitizenRecordSource {
  readonly #people = new Map<string, CitizenPerson>();
  readonly #resources = new Map<string, ResourceLike[]>();
  readonly #consents = new Map<string, Consent[]>();
  readonly #statements = new Map<string, StoredWhatMatters[]>();
  readonly #authorities: ProxyAuthority[] = [];

  /** Adds a person and their record (a Patient resource, if present, gives the name and birth date when not passed). */
  addPerson(person: CitizenPerson, resources: readonly ResourceLike[] = []): void {
    this.#people.set(person.personId, { ...person });
    this.#resources.set(person.personId, structuredClone([...resources]));
  }

  /** Adds a person from their FHIR resources: the Patient with an NHS number identifies them. */
  addRecord(personId: string, resources: readonly ResourceLike[]): CitizenPerson {
    const patient = resources.find((r) => r.resourceType === 'Patient') as
      | { identifier?: Array<{ system?: string; value?: string }>; name?: Array<{ given?: string[]; family?: string; text?: string }>; birthDate?: string }
      | undefined;
    const nhsNumber = patient?.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
    if (!nhsNumber) throw new Error(`addRecord(${personId}): the record has no Patient with an NHS number`);
    const name = patient?.name?.[0];
    const person: CitizenPerson = {
      personId,
      nhsNumber,
      name: name?.text ?? [...(name?.given ?? []), name?.family ?? ''].filter(Boolean).join(' ') ?? 'Not known',
      ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}),
    };
    this.addPerson(person, resources);
    return person;
  }

  /** Records an authority for one person to act for another (checked: an invalid one throws, naming the field). */
  addProxyAuthority(authority: ProxyAuthority): void {
    this.#authorities.push(ProxyAuthoritySchema.parse(authority));
  }

  async findPerson(nhsNumber: string): Promise<CitizenPerson | undefined> {
    for (const person of this.#people.values()) if (person.nhsNumber === nhsNumber) return { ...person };
    return undefined;
  }

  async recordOf(personId: string): Promise<ResourceLike[]> {
    return structuredClone(this.#resources.get(personId) ?? []);
  }

  async consentsOf(personId: string): Promise<Consent[]> {
    return structuredClone(this.#consents.get(personId) ?? []);
  }

  async saveConsent(personId: string, consent: Consent): Promise<void> {
    const list = this.#consents.get(personId) ?? [];
    list.push(structuredClone(consent));
    this.#consents.set(personId, list);
  }

  async whatMattersHistory(personId: string): Promise<StoredWhatMatters[]> {
    return structuredClone([...(this.#statements.get(personId) ?? [])].reverse());
  }

  async saveWhatMatters(personId: string, write: { observation: Observation; provenance: Provenance; expectedVersion: number }): Promise<{ ok: true; version: number } | { ok: false; code: 'conflict' }> {
    const list = this.#statements.get(personId) ?? [];
    if (list.length !== write.expectedVersion) return { ok: false, code: 'conflict' };
    const version = list.length + 1;
    const lastUpdated = new Date().toISOString();
    list.push({
      observation: structuredClone({ ...write.observation, meta: { ...write.observation.meta, versionId: String(version), lastUpdated } }),
      provenance: structuredClone(write.provenance),
      version,
    });
    this.#statements.set(personId, list);
    return { ok: true, version };
  }

  async proxyAuthorities(proxyNhsNumber: string, subjectPersonId: string): Promise<ProxyAuthority[]> {
    return structuredClone(this.#authorities.filter((a) => a.proxyNhsNumber === proxyNhsNumber && a.subjectPersonId === subjectPersonId));
  }
}
