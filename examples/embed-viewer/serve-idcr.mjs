// Another vendor's page reading the OpenIDCR FHIR API from a different origin (CORS), with one command:
// `npm run start:idcr -w examples/embed-viewer`. Two servers in one process:
//   - OpenIDCR itself (createIdcr: policy, audit, the development issuer) on http://127.0.0.1:<IDCR_PORT>, seeded with
//     synthetic patients through its own HL7 v2 ingestion, its locality allowing the page's origin in `cors.origins`;
//   - "your clinical system" on http://localhost:<PORT>, a page (other-origin.html) that signs in with a cross-origin
//     POST to /dev/token and embeds <idcr-record> against OpenIDCR's /fhir.
// The same page at http://127.0.0.1:<PORT> is an origin the locality does not allow: the browser keeps the API from it.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { createIdcr, defineLocality, loadLocalityOrganisations } from '@openidcr/architecture';
import { buildExampleIsa } from '@openidcr/governance';
import { generateLocality, generatePatient } from '@openidcr/synthetic';

const here = dirname(new URL(import.meta.url).pathname);
const bundle = join(dirname(createRequire(import.meta.url).resolve('@openidcr/viewer/package.json')), 'dist', 'bundle', 'openidcr-viewer.js');

function portOf(name, fallback) {
  const port = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name}: expected a port number from 0 to 65535, found ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return port;
}

/** What the page is filled in with once OpenIDCR is up: its origin, the demo user, the person. */
let shown;

// The page's server first: the locality must name the page's origin, port included.
const page = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/' || url.pathname === '/index.html') {
    if (!shown) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
      return res.end('OpenIDCR is still starting');
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(
      readFileSync(join(here, 'other-origin.html'), 'utf8')
        .replaceAll('http://127.0.0.1:8080', shown.idcrOrigin)
        .replaceAll('9996068307', shown.nhsNumber)
        .replaceAll('prac-C59041-gp-1', shown.userId),
    );
  }
  if (url.pathname === '/viewer/openidcr-viewer.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    return res.end(readFileSync(bundle));
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Not found');
});
await new Promise((resolve) => page.listen(portOf('PORT', 8082), '127.0.0.1', resolve));
const pagePort = page.address().port;
const allowedOrigin = `http://localhost:${pagePort}`;

// OpenIDCR: the synthetic locality (eight organisations, the example ISA, demo users), one HL7 v2 channel per source.
const synthetic = generateLocality({ seed: 42 });
const PROFILE_OF = { 'gp-practice': 'gp', 'acute-trust': 'acute-pas', 'mental-health-trust': 'mental-health', 'community-services': 'generic', 'social-care': 'social-care' };
const organisations = synthetic.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: o.kind === 'social-care' ? 'local-authority' : o.kind, stage: 'live' }));
const locality = defineLocality({
  name: synthetic.name,
  organisations,
  isa: buildExampleIsa(organisations, { locality: synthetic.name, id: 'mendip-vale-direct-care' }),
  auth: { mode: 'dev', users: synthetic.users.map((u) => ({ id: u.id, name: u.name, role: u.role, organisation: u.ods, sdsRoleCode: u.sdsRoleCode })) },
  channels: synthetic.organisations.map((o) => ({ id: `${o.ods.toLowerCase()}-feed`, sender: o.ods, organisation: o.ods, profile: PROFILE_OF[o.kind] })),
  storage: { url: 'pglite:memory' },
  ports: { http: portOf('IDCR_PORT', 8080), host: '127.0.0.1' },
  // Cross-origin access for the page's origin only (exact scheme://host:port; never a wildcard).
  cors: { origins: [allowedOrigin] },
});
const idcr = await createIdcr(locality, { logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }) });
// The organisations as FHIR reference data, so the viewer names each source instead of showing its ODS code.
await loadLocalityOrganisations(idcr.store, locality);
const channelOf = new Map(locality.channels.map((c) => [c.sender, c.id]));
// Three synthetic people, sent through OpenIDCR's own HL7 v2 ingestion (parsed, matched, mapped, stored). The first,
// synthetic person 31 (Turner), has allergies and current medication to show.
const records = [31, 57, 0].map((index) => generatePatient(index, { seed: 42 }, synthetic));
for (const record of records) for (const message of record.messages) await idcr.ingestor.ingest(message.text, channelOf.get(message.sender));
const { http } = await idcr.listen();
const idcrOrigin = `http://127.0.0.1:${http.port}`;
// The person shown, and a GP of the practice that sends their GP record (their registered practice).
const patient = records[0];
const practice = patient.messages.find((m) => m.stream === 'gp').sender;
const gp = synthetic.users.find((u) => u.role === 'gp' && u.ods === practice);
shown = { idcrOrigin, nhsNumber: patient.nhsNumber, userId: gp.id };

console.log(`OpenIDCR at ${idcrOrigin}/fhir allows the origin ${allowedOrigin} (cors.origins).`);
console.log(`Not allowed: http://127.0.0.1:${pagePort}/ (the same page from an origin the locality does not list).`);
console.log(`Open ${allowedOrigin}/ — another system's page reading OpenIDCR cross-origin, signed in as ${gp.name} (${gp.id}), NHS number ${patient.nhsNumber}.`);

const stop = () => {
  page.close();
  void idcr.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
