import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceLike } from '@openidcr/model';

type Resource = ResourceLike & { id: string };

/** A running source FHIR server. */
export interface SourceServer {
  /** The FHIR base URL, e.g. `http://127.0.0.1:41234/fhir`. */
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const patientOf = (resource: Resource): string | undefined => {
  for (const element of ['subject', 'patient'] as const) {
    const reference = (resource[element] as { reference?: unknown } | undefined)?.reference;
    if (typeof reference === 'string' && reference.startsWith('Patient/')) return reference.slice('Patient/'.length);
  }
  return undefined;
};

/**
 * A small read-only FHIR R4 server standing in for one organisation's own system (its GP system or its hospital
 * EPR), with just what the federated topology asks of a source: `metadata`, `Patient?identifier=system|value`,
 * `Patient/{id}/$everything`, and `{Type}/{id}`. It knows nothing of OpenIDCR.
 */
export async function startSourceServer(name: string, resources: readonly Resource[]): Promise<SourceServer> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body));
    };
    const problem = (status: number, code: string, diagnostics: string) => send(status, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });
    const searchset = (list: readonly Resource[]) => ({ resourceType: 'Bundle', type: 'searchset', total: list.length, entry: list.map((resource) => ({ resource, search: { mode: 'match' } })) });
    if (req.method !== 'GET') return problem(405, 'not-supported', 'this source is read-only');
    const url = new URL(req.url ?? '/', 'http://source');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts.shift() !== 'fhir') return problem(404, 'not-found', `${url.pathname} is not served here`);
    if (parts.length === 1 && parts[0] === 'metadata')
      return send(200, { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], software: { name } });
    if (parts.length === 1 && parts[0] === 'Patient') {
      const identifier = url.searchParams.get('identifier');
      if (!identifier?.includes('|')) return problem(400, 'invalid', 'identifier: give system|value');
      const [system, value] = identifier.split('|');
      return send(200, searchset(resources.filter((r) => r.resourceType === 'Patient' && (r.identifier as Array<{ system?: string; value?: string }> | undefined)?.some((i) => i.system === system && i.value === value))));
    }
    if (parts.length === 3 && parts[0] === 'Patient' && parts[2] === '$everything') {
      const patient = resources.find((r) => r.resourceType === 'Patient' && r.id === parts[1]);
      if (!patient) return problem(404, 'not-found', `Patient/${parts[1]} is not known here`);
      return send(200, searchset([patient, ...resources.filter((r) => patientOf(r) === patient.id)]));
    }
    if (parts.length === 2) {
      const found = resources.find((r) => r.resourceType === parts[0] && r.id === parts[1]);
      return found ? send(200, found) : problem(404, 'not-found', `${parts[0]}/${parts[1]} is not known here`);
    }
    problem(400, 'not-supported', `${url.pathname}${url.search} is not supported by this source`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
