import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Bundle, BundleEntry, OperationOutcome } from '@openidcr/model';

type R = { resourceType: string; id?: string; [key: string]: unknown };

export interface TestFhirServerOptions {
  /** Resources by patient id (each list includes the Patient and what the record references). */
  records: Record<string, R[]>;
  /** If set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Page size of searches and `$everything`. */
  pageSize?: number;
  /** Patients denied until break-glass is granted (403 with break-glass-available). */
  denied?: string[];
  /** Outcome entries added to every `$everything` and search answer. */
  outcomes?: OperationOutcome[];
  /** When false, `$everything` answers 404 like a plain server that lacks the operation. */
  everything?: boolean;
}

export interface TestFhirServer {
  url: string;
  /** Every request seen: method, path with query, and headers that matter. */
  requests: { method: string; url: string; authorization: string | undefined; accept: string | undefined; body?: string }[];
  breakGlass: { patientId: string; body: unknown }[];
  close(): Promise<void>;
}

const POLICY = 'https://openidcr.org/CodeSystem/policy';

/**
 * A small FHIR R4 server over node:http for tests: read, search by `patient`/`subject`/`identifier`, `$everything`
 * with paging through `link[next]`, a policy denial with break-glass, and CORS so a browser page can call it.
 * Listens on 127.0.0.1 only.
 */
export async function startTestFhirServer(options: TestFhirServerOptions): Promise<TestFhirServer> {
  const pageSize = options.pageSize ?? 20;
  const denied = new Set(options.denied ?? []);
  const requests: TestFhirServer['requests'] = [];
  const breakGlass: TestFhirServer['breakGlass'] = [];
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/fhir+json', 'Access-Control-Allow-Origin': '*' });
    res.end(JSON.stringify(body));
  };
  const outcome = (severity: 'error' | 'information', code: string, text: string, coding?: string): OperationOutcome => ({
    resourceType: 'OperationOutcome',
    issue: [{ severity, code, details: { text, ...(coding ? { coding: [{ system: POLICY, code: coding }] } : {}) } }],
  });
  const page = (all: R[], path: string, pageNo: number, outcomes: OperationOutcome[]): Bundle => {
    const slice = all.slice((pageNo - 1) * pageSize, pageNo * pageSize);
    const entry: BundleEntry[] = slice.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r as BundleEntry['resource'], search: { mode: 'match' } }));
    if (pageNo === 1) for (const o of outcomes) entry.push({ resource: o as BundleEntry['resource'], search: { mode: 'outcome' } });
    const sep = path.includes('?') ? '&' : '?';
    const link = [{ relation: 'self', url: `${base}/${path}` }];
    if (pageNo * pageSize < all.length) link.push({ relation: 'next', url: `${base}/${path}${sep}_page=${pageNo + 1}` });
    return { resourceType: 'Bundle', type: 'searchset', total: all.length, link, entry };
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk) => (data += chunk));
      req.on('end', () => resolve(data));
    });

  const server: Server = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Headers': 'Authorization, Accept, Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST',
      });
      res.end();
      return;
    }
    const url = new URL(req.url ?? '/', base);
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search, authorization: req.headers.authorization, accept: req.headers.accept, ...(body ? { body } : {}) });
    const open = url.pathname === '/token' || url.pathname.endsWith('/.well-known/smart-configuration');
    if (!open && options.token && req.headers.authorization !== `Bearer ${options.token}`) return send(res, 401, outcome('error', 'login', 'A valid bearer token is required.'));
    const parts = url.pathname.replace(/^\/fhir\/?/, '').split('/').filter(Boolean);
    const pageNo = Number(url.searchParams.get('_page') ?? '1');
    const pathWithoutPage = () => {
      const q = new URLSearchParams(url.searchParams);
      q.delete('_page');
      const qs = q.toString();
      return `${parts.join('/')}${qs ? `?${qs}` : ''}`;
    };
    const guard = (patientId: string) => {
      if (!denied.has(patientId)) return false;
      send(res, 403, outcome('error', 'forbidden', 'You have no care relationship with this person.', 'break-glass-available'));
      return true;
    };

    if (url.pathname === '/fhir/.well-known/smart-configuration')
      return send(res, 200, { authorization_endpoint: `${base.replace(/\/fhir$/, '')}/authorize`, token_endpoint: `${base.replace(/\/fhir$/, '')}/token`, code_challenge_methods_supported: ['S256'] });
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body ?? '');
      if (form.get('grant_type') !== 'authorization_code' || !form.get('code_verifier') || form.get('code') !== 'good-code') return send(res, 400, { error: 'invalid_grant' });
      return send(res, 200, { access_token: options.token ?? 'no-token-needed', token_type: 'Bearer', patient: Object.keys(options.records)[0], expires_in: 3600 });
    }
    if (parts[0] === 'metadata') return send(res, 200, { resourceType: 'CapabilityStatement', status: 'active', date: '2026-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'] });
    if (parts[0] === 'Patient' && parts[2] === '$break-glass' && req.method === 'POST') {
      const patientId = parts[1]!;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body ?? '');
      } catch {
        return send(res, 400, outcome('error', 'invalid', 'body: expected JSON'));
      }
      const reason = (parsed as { reason?: unknown }).reason;
      if (typeof reason !== 'string' || reason.trim().length < 20) return send(res, 400, outcome('error', 'invalid', 'reason: say why, in at least 20 characters'));
      breakGlass.push({ patientId, body: parsed });
      denied.delete(patientId);
      return send(res, 200, outcome('information', 'informational', 'Emergency access granted for 4 hours.'));
    }
    if (parts[0] === 'Patient' && parts[2] === '$everything') {
      const patientId = parts[1]!;
      if (options.everything === false) return send(res, 404, outcome('error', 'not-supported', 'Operation $everything is not supported'));
      if (guard(patientId)) return;
      const record = options.records[patientId];
      if (!record) return send(res, 404, outcome('error', 'not-found', `Patient/${patientId} is not known`));
      return send(res, 200, page(record, pathWithoutPage(), pageNo, options.outcomes ?? []));
    }
    const type = parts[0]!;
    if (parts.length === 2) {
      for (const [patientId, record] of Object.entries(options.records)) {
        const found = record.find((r) => r.resourceType === type && r.id === parts[1]);
        if (found) {
          if (type === 'Patient' && guard(patientId)) return;
          return send(res, 200, found);
        }
      }
      return send(res, 404, outcome('error', 'not-found', `${type}/${parts[1]} is not known`));
    }
    if (parts.length === 1) {
      const identifier = url.searchParams.get('identifier');
      const patientRef = url.searchParams.get('patient') ?? url.searchParams.get('subject');
      let matches: R[] = [];
      if (type === 'Patient' && identifier) {
        const [system, value] = identifier.split('|');
        matches = Object.values(options.records)
          .flat()
          .filter((r) => r.resourceType === 'Patient' && ((r['identifier'] as { system?: string; value?: string }[] | undefined) ?? []).some((i) => i.system === system && i.value === value));
      } else if (patientRef) {
        const patientId = patientRef.replace(/^Patient\//, '');
        if (guard(patientId)) return;
        matches = (options.records[patientId] ?? []).filter((r) => r.resourceType === type);
      } else {
        matches = Object.values(options.records).flat().filter((r) => r.resourceType === type);
      }
      return send(res, 200, page(matches, pathWithoutPage(), pageNo, patientRef ? (options.outcomes ?? []) : []));
    }
    return send(res, 404, outcome('error', 'not-found', `No route for ${url.pathname}`));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('test FHIR server did not get a port');
  base = `http://127.0.0.1:${address.port}/fhir`;
  return {
    url: base,
    requests,
    breakGlass,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
