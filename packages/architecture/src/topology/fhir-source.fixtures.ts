import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceLike } from '@openidcr/model';

type R = ResourceLike & { id: string };
type Json = Record<string, unknown>;

/**
 * A small FHIR R4 server standing in for a source organisation's own system in the federated tests: read, vread,
 * Patient search (identifier, family, given, birthdate, address-postalcode, gender) and `Patient/{id}/$everything`
 * (paged, 3 entries a page, to exercise link following). `delayMs` makes it slow; `down` makes it refuse.
 */
export interface FhirSourceServer {
  url: string;
  delayMs: number;
  /**
   * A broken source: `hang-mid-body` sends the status, headers and half the body, then nothing; `garbage` answers
   * 200 with a body that is not JSON; `error` answers HTTP 500.
   */
  fault: 'hang-mid-body' | 'garbage' | 'error' | undefined;
  /** Most requests it ever had in flight at once. */
  readonly maxConcurrent: number;
  readonly requests: number;
  close(): Promise<void>;
}

const LAST_UPDATED = '2026-01-01T00:00:00.000Z';

function patientIdOf(resource: Json): string | undefined {
  for (const element of ['subject', 'patient']) {
    const reference = (resource[element] as { reference?: string } | undefined)?.reference;
    if (reference?.startsWith('Patient/')) return reference.slice('Patient/'.length);
  }
  return undefined;
}

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

function matchesPatient(patient: Json, params: URLSearchParams): boolean {
  const identifier = params.get('identifier');
  if (identifier !== null) {
    const [system, value] = identifier.split('|');
    const ids = (patient.identifier as Array<{ system?: string; value?: string }> | undefined) ?? [];
    if (!ids.some((i) => i.system === system && i.value === value)) return false;
  }
  const names = (patient.name as Array<{ family?: string; given?: string[] }> | undefined) ?? [];
  const family = params.get('family');
  if (family !== null && !names.some((n) => lower(n.family).startsWith(family.toLowerCase()))) return false;
  const given = params.get('given');
  if (given !== null && !names.some((n) => (n.given ?? []).some((g) => lower(g).startsWith(given.toLowerCase())))) return false;
  const birthdate = params.get('birthdate');
  if (birthdate !== null && patient.birthDate !== birthdate) return false;
  const postcode = params.get('address-postalcode');
  const addresses = (patient.address as Array<{ postalCode?: string }> | undefined) ?? [];
  if (postcode !== null && !addresses.some((a) => lower(a.postalCode).replace(/\s/g, '').startsWith(postcode.toLowerCase().replace(/\s/g, '')))) return false;
  const gender = params.get('gender');
  if (gender !== null && patient.gender !== gender) return false;
  return true;
}

export async function startFhirSource(resources: readonly R[], options: { delayMs?: number } = {}): Promise<FhirSourceServer> {
  const stored = resources.map((r) => ({ ...r, meta: { ...(r.meta ?? {}), versionId: '1', lastUpdated: LAST_UPDATED } }));
  let inFlight = 0;
  let maxConcurrent = 0;
  let requests = 0;
  const state: { delayMs: number; fault: FhirSourceServer['fault'] } = { delayMs: options.delayMs ?? 0, fault: undefined };
  const server: Server = createServer((req, res) => {
    requests++;
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    const send = (status: number, body: unknown) => {
      const timer = setTimeout(() => {
        inFlight--;
        if (res.destroyed) return;
        const text = JSON.stringify(body);
        if (state.fault === 'hang-mid-body') {
          res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': String(Buffer.byteLength(text)) });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          return;
        }
        if (state.fault === 'garbage') {
          res.writeHead(200, { 'content-type': 'application/fhir+json' });
          return void res.end('<html><body>Service Temporarily Unavailable</body></html>');
        }
        if (state.fault === 'error') {
          res.writeHead(500, { 'content-type': 'application/fhir+json' });
          return void res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: 'database offline' }] }));
        }
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(text);
      }, state.delayMs);
      res.on('close', () => clearTimeout(timer));
    };
    const notFound = () => send(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    const url = new URL(req.url ?? '/', 'http://source');
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop the "fhir" base segment
    const bundle = (entries: R[], next?: string) => ({
      resourceType: 'Bundle',
      type: 'searchset',
      link: next ? [{ relation: 'next', url: next }] : [],
      entry: entries.map((resource) => ({ resource, search: { mode: 'match' } })),
    });
    if (parts[0] === 'Patient' && parts.length === 1) return send(200, bundle(stored.filter((r) => r.resourceType === 'Patient' && matchesPatient(r, url.searchParams))));
    if (parts[0] === 'Patient' && parts[2] === '$everything') {
      const patient = stored.find((r) => r.resourceType === 'Patient' && r.id === parts[1]);
      if (!patient) return notFound();
      const compartment = [patient, ...stored.filter((r) => patientIdOf(r) === patient.id)];
      const offset = Number(url.searchParams.get('_offset') ?? '0');
      const next = offset + 3 < compartment.length ? `http://${req.headers.host}/fhir/Patient/${patient.id}/$everything?_offset=${offset + 3}` : undefined;
      return send(200, bundle(compartment.slice(offset, offset + 3), next));
    }
    if (parts.length === 2 || (parts.length === 4 && parts[2] === '_history')) {
      const found = stored.find((r) => r.resourceType === parts[0] && r.id === parts[1]);
      if (!found || (parts[3] !== undefined && parts[3] !== '1')) return notFound();
      return send(200, found);
    }
    send(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported' }] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir`,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    get fault() {
      return state.fault;
    },
    set fault(fault: FhirSourceServer['fault']) {
      state.fault = fault;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
