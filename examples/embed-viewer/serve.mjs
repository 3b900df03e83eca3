// Serves index.html, the viewer's single-file bundle, and a plain FHIR R4 server (no OpenIDCR extensions, no policy)
// holding a few synthetic patients, so the example runs with one command: `npm start -w examples/embed-viewer`.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { generateLocality, generatePatients } from '@openidcr/synthetic';

const here = dirname(new URL(import.meta.url).pathname);
const bundle = join(dirname(createRequire(import.meta.url).resolve('@openidcr/viewer/package.json')), 'dist', 'bundle', 'openidcr-viewer.js');
const locality = generateLocality({ seed: 42 });
const resources = [...locality.organisations.map((o) => o.resource), ...locality.users.map((u) => u.practitioner)];
const byPatient = new Map();
for (const record of generatePatients({ seed: 42, patients: 20 }, locality)) {
  byPatient.set(record.patient.id, record.resources);
  resources.push(...record.resources);
}
const searchset = (list) => ({ resourceType: 'Bundle', type: 'searchset', total: list.length, entry: list.map((resource) => ({ resource, search: { mode: 'match' } })) });
const fhir = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/' || url.pathname === '/index.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    // The page names the FHIR server by its full address, as a real embedding would; follow the port in use.
    return res.end(readFileSync(join(here, 'index.html'), 'utf8').replaceAll('http://127.0.0.1:8081', `http://127.0.0.1:${port}`));
  }
  if (url.pathname === '/viewer/openidcr-viewer.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    return res.end(readFileSync(bundle));
  }
  const everything = /^\/fhir\/Patient\/([^/]+)\/\$everything$/.exec(url.pathname);
  if (everything) return byPatient.has(everything[1]) ? fhir(res, 200, searchset(byPatient.get(everything[1]))) : fhir(res, 404, outcome('not-found', `Patient/${everything[1]} is not known`));
  const read = /^\/fhir\/([A-Za-z]+)\/([^/]+)$/.exec(url.pathname);
  if (read) {
    const found = resources.find((r) => r.resourceType === read[1] && r.id === read[2]);
    return found ? fhir(res, 200, found) : fhir(res, 404, outcome('not-found', `${read[1]}/${read[2]} is not known`));
  }
  const search = /^\/fhir\/([A-Za-z]+)$/.exec(url.pathname);
  if (search) {
    let list = resources.filter((r) => r.resourceType === search[1]);
    const identifier = url.searchParams.get('identifier');
    if (identifier) {
      const [system, value] = identifier.split('|');
      list = list.filter((r) => r.identifier?.some((i) => i.system === system && i.value === value));
    }
    const patient = url.searchParams.get('patient');
    if (patient) list = list.filter((r) => [r.subject?.reference, r.patient?.reference].includes(`Patient/${patient}`));
    return fhir(res, 200, searchset(list));
  }
  fhir(res, 404, outcome('not-found', `${url.pathname} is not served here`));
});

function outcome(code, diagnostics) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

// PORT=0 asks the system for a free port (the test does); the page and the message follow the port in use.
let port = Number(process.env.PORT ?? 8081);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT: expected a port number from 0 to 65535, found ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
server.listen(port, '127.0.0.1', () => {
  port = server.address().port;
  const first = [...byPatient.values()][0]?.find((r) => r.resourceType === 'Patient');
  const nhs = first?.identifier?.find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')?.value;
  console.log(`Open http://127.0.0.1:${port}/ — a plain HTML page embedding <idcr-record> (try NHS number ${nhs}).`);
});
