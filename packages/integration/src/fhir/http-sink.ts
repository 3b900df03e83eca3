import { keepAbsentElements, type ApplyResult, type BatchResource, type DeadLetter, type DeadLetterInput, type IngestBatch, type ResourceLike, type Sink } from '@openidcr/model';
import { randomUUID } from 'node:crypto';

export interface FhirHttpSinkOptions {
  /** FHIR R4 base URL, e.g. `https://fhir.example.org/R4`. */
  baseUrl: string;
  /** Extra headers (e.g. `Authorization: Bearer ...`). */
  headers?: Record<string, string> | undefined;
  /** Where dead letters go (a FHIR server has no dead-letter table). Default: kept in memory, see `deadLetters`. */
  onDeadLetter?: ((letter: DeadLetter) => Promise<void> | void) | undefined;
  fetch?: typeof fetch | undefined;
}

/**
 * A sink that posts each batch as a FHIR transaction Bundle to any FHIR R4 server, so integration is useful
 * without our store. Resources are PUT by their stable ids: applying the same batch twice writes the same content,
 * which makes resends harmless. What a plain FHIR server cannot do is said here, not hidden: it keeps no message log
 * (so `duplicate` is never reported), cannot refuse stale updates by source time, has no MPI (identity changes
 * other than the Patient resources are not sent) and no legitimate relationships table (`relationships` are not
 * sent). Elements a message does not carry (`keepIfAbsent`: no PD1, so no registered GP) are read from the server
 * first and sent back with the update, which is made conditional on the version read (`If-Match`): a concurrent
 * change fails the transaction and the sender resends.
 */
export class FhirHttpSink implements Sink {
  readonly deadLetters: DeadLetter[] = [];
  private readonly fetch: typeof fetch;

  constructor(private readonly options: FhirHttpSinkOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The transaction Bundle a batch becomes. */
  toTransaction(batch: IngestBatch, current: ReadonlyMap<string, ResourceLike> = new Map()): Record<string, unknown> {
    return {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: batch.resources.map(({ resource, keepIfAbsent }) => {
        const stored = current.get(`${resource.resourceType}/${resource.id}`);
        const version = stored?.meta?.versionId;
        return {
          fullUrl: `${this.options.baseUrl.replace(/\/$/, '')}/${resource.resourceType}/${resource.id}`,
          resource: keepAbsentElements(resource, keepIfAbsent, stored),
          request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}`, ...(stored && version ? { ifMatch: `W/"${version}"` } : {}) },
        };
      }),
    };
  }

  /** The server's current version of each resource that keeps elements its update does not carry. */
  private async current(items: readonly BatchResource[]): Promise<Map<string, ResourceLike>> {
    const found = new Map<string, ResourceLike>();
    for (const { resource, keepIfAbsent } of items) {
      if (!keepIfAbsent || keepIfAbsent.length === 0) continue;
      const path = `${resource.resourceType}/${encodeURIComponent(resource.id)}`;
      const response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, '')}/${path}`, {
        headers: { accept: 'application/fhir+json', ...this.options.headers },
      });
      if (response.status === 404 || response.status === 410) continue;
      if (!response.ok) throw new Error(`FHIR server answered ${response.status} ${response.statusText} reading ${path}`);
      const body = (await response.json()) as ResourceLike;
      if (body.resourceType === resource.resourceType && body.id === resource.id) found.set(`${resource.resourceType}/${resource.id}`, body);
    }
    return found;
  }

  async applyBatch(batch: IngestBatch): Promise<ApplyResult> {
    if (batch.resources.length === 0) return { status: 'applied', resourcesWritten: 0, resourcesSkippedAsStale: 0 };
    const response = await this.fetch(this.options.baseUrl.replace(/\/$/, ''), {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...this.options.headers },
      body: JSON.stringify(this.toTransaction(batch, await this.current(batch.resources))),
    });
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      // Thrown, not returned: the ingestor answers AR so the sender resends once the server is back.
      throw new Error(`FHIR server answered ${response.status} ${response.statusText}: ${text.slice(0, 300)}`);
    }
    return { status: 'applied', resourcesWritten: batch.resources.length, resourcesSkippedAsStale: 0 };
  }

  async recordDeadLetter(letter: DeadLetterInput): Promise<DeadLetter> {
    const stored: DeadLetter = { ...letter, id: randomUUID(), attempts: 1 };
    this.deadLetters.push(stored);
    await this.options.onDeadLetter?.(stored);
    return stored;
  }
}
