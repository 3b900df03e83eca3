import express from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { notFoundHandler, problemHandler } from '@openidcr/architecture';
import { applyEnvironment, createIdcr, createTokenVerifier, loadLocalityOrganisations, remoteKeySet, type Idcr, type Locality } from '@openidcr/architecture';
import { createRecordStore, migrate, openDb, type Db, type RecordStore } from '@openidcr/store';
import { citizenRouter, type Authenticate } from '@openidcr/citizen';
import { auditStoreFromRecordStore, citizenRecordsFromStore } from '@openidcr/citizen/store-adapter';
import { createConsentModel } from '@openidcr/governance';
import { resolveLocality, type ReferenceSettings } from './locality.js';
import { appApi, migrateAppTables } from './app-api.js';
import { mpiAdminRouter } from './admin/mpi.js';
import { dataQualityRouter, scorecards, sourcesInTrialOf, type ChannelScorecard } from './admin/data-quality.js';
import { governanceAdminRouter } from './admin/break-glass.js';
import { conformanceRouter } from './admin/conformance.js';
import { actingForOf, proxyRouter } from './citizen/proxy.js';
import { seedOverMllp, type SeedSummary } from './seed.js';

export interface ReferenceApp {
  idcr: Idcr;
  locality: Locality;
  store: RecordStore;
  url: string;
  mllpPorts: Record<string, number>;
  /** Resolves when seeding (if any) has finished. */
  seeded: Promise<SeedSummary | undefined>;
  close(): Promise<void>;
}

export interface StartOptions {
  dir: string;
  settings: ReferenceSettings;
  logger: Logger;
  seed: 'if-empty' | 'always' | 'never';
  /**
   * Environment overrides of the locality (`applyEnvironment`: `OPENIDCR_CORS_ORIGINS`, `OPENIDCR_PUBLIC_URL`,
   * `OPENIDCR_TRUST_PROXY`, `DATABASE_URL`, `PORT`, `HOST`, and `NODE_ENV=production` needing a public URL). `main.ts`
   * passes `process.env`; default none.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Starts the reference app: the locality's shared care record with the clinician, citizen and admin web apps. */
export async function startReferenceApp(options: StartOptions): Promise<ReferenceApp> {
  const { logger, settings } = options;
  const resolved = await resolveLocality(options.dir, settings);
  const locality = applyEnvironment(resolved.locality, options.env ?? {});
  logger.info({ locality: locality.name, from: resolved.source, storage: locality.storage.url }, 'starting OpenIDCR');

  const db: Db = await openDb(locality.storage.url, { schema: locality.storage.schema });
  const store = createRecordStore(db, await migrate(db));
  await migrateAppTables(db);
  if (locality.topology.kind === 'pooled') await loadLocalityOrganisations(store, locality);

  // Data-quality gate: until the first scorecard, every gated channel counts as in trial (nothing unvetted shows).
  let sourcesInTrial: ReadonlySet<string> = sourcesInTrialOf(locality.channels.map((c) => ({ organisation: c.organisation, state: c.qualityGate ? 'trial' : 'live' })));
  const scored = (cards: ChannelScorecard[]) => {
    sourcesInTrial = sourcesInTrialOf(cards.map((c) => ({ organisation: c.organisation, state: c.gate.state })));
  };
  const gated = locality.channels.some((c) => c.qualityGate);
  const rescore = async () => {
    if (gated) scored(await scorecards({ locality, db }));
  };
  const idcr = await createIdcr(locality, { store, logger, software: { name: 'OpenIDCR reference app', version: '0.1.0' }, sourcesInTrial: () => sourcesInTrial });
  const auth = locality.auth;
  const verifier = createTokenVerifier({
    issuer: auth.issuer,
    audience: auth.audience,
    keys: auth.mode === 'dev' ? idcr.devIssuer!.keys : remoteKeySet(auth.jwksUrl),
    algorithms: auth.mode === 'dev' ? ['ES256'] : auth.algorithms,
    claims: auth.claims,
    organisations: locality.organisations,
  });

  // Filled with the ports actually listened on once the listeners are up (a configured 0 means any free port).
  const channelPorts = new Map<string, number>();
  const web = express.Router();
  // The API answers with `default-src 'none'`; the web apps need their own scripts, styles, and inline
  // documents (PDF and HTML letters shown in sandboxed frames), and nothing from elsewhere.
  web.use((req, res, next) => {
    if (!req.path.startsWith('/fhir') && !req.path.startsWith('/app/') && !req.path.startsWith('/citizen/') && !req.path.startsWith('/dev/'))
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src 'self' blob: data:; object-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
      );
    next();
  });
  web.use(appApi({ locality, store, db, verifier, logger, unitCosts: locality.benefits.unitCosts, channelPorts }));
  web.use(mpiAdminRouter({ locality, store, db, ingestor: idcr.ingestor, verifier }));
  web.use(dataQualityRouter({ locality, db, verifier, onScored: scored }));
  web.use(governanceAdminRouter({ locality, store, verifier }));
  web.use(conformanceRouter({ idcr, verifier }));
  web.use(proxyRouter({ locality, store, db, verifier }));
  // The citizen services: the same bearer tokens; a citizen token's subject is their NHS number.
  const authenticateCitizen: Authenticate = async (req) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return { ok: false, message: 'Authorization: a bearer token is required' };
    const result = await verifier.verify(match[1]!);
    if (!result.ok) return { ok: false, message: `Authorization: ${result.problem.message}` };
    const user = result.user;
    // A proxy signs in as themselves and names the person they act for; the citizen router checks the authority.
    if (user.kind === 'citizen' && user.nhsNumber) return { ok: true, principal: { kind: 'citizen', nhsNumber: user.nhsNumber, name: user.name, actingFor: actingForOf(req) } };
    if (user.kind === 'professional' && user.organisation)
      return { ok: true, principal: { kind: 'staff', userId: user.id, name: user.name, roleId: user.roleId, organisation: user.organisation } };
    return { ok: false, message: 'Authorization: the token names neither a citizen nor a professional' };
  };
  web.use(
    citizenRouter({
      authenticate: authenticateCitizen,
      records: citizenRecordsFromStore(store),
      audit: auditStoreFromRecordStore(store),
      isa: locality.isa,
      consentModel: locality.consentModel ? createConsentModel(locality.consentModel) : undefined,
      roles: locality.roles,
    }),
  );
  // dist/public, whether running from dist/ (npm start) or from src/ (tests).
  const publicDir = join(here, '..', 'dist', 'public');
  if (existsSync(publicDir)) {
    web.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));
    for (const page of ['citizen', 'admin']) web.get(`/${page}`, (_req, res) => res.sendFile(join(publicDir, `${page}.html`)));
  } else {
    logger.warn({ publicDir }, 'web apps not built; run npm run build');
  }
  idcr.app.use(web);
  // Anything no route took, and any error of the routes above, as an OperationOutcome (never express's HTML page).
  idcr.app.use(notFoundHandler());
  idcr.app.use(problemHandler(logger));

  const addresses = await idcr.listen();
  const url = `http://${addresses.http.address === '::' || addresses.http.address === '0.0.0.0' ? 'localhost' : addresses.http.address}:${addresses.http.port}`;
  const mllpPorts = Object.fromEntries(Object.entries(addresses.mllp).map(([id, a]) => [id, a.port]));
  for (const [id, port] of Object.entries(mllpPorts)) channelPorts.set(id, port);

  let seeded: Promise<SeedSummary | undefined> = Promise.resolve(undefined);
  if (resolved.synthetic && options.seed !== 'never') {
    const empty = (await store.listMessages({ limit: 1 })).items.length === 0;
    if (empty || options.seed === 'always') {
      const bySender = new Map<string, number>();
      for (const channel of locality.channels) if (mllpPorts[channel.id] !== undefined) bySender.set(channel.sender, mllpPorts[channel.id]!);
      logger.info({ patients: settings.patients }, 'seeding the synthetic locality through the MLLP listeners (the real ingestion path)');
      seeded = seedOverMllp({ seed: settings.seed, patients: settings.patients, start: settings.syntheticDate, locality: resolved.synthetic, ports: bySender, logger }).then(
        (summary) => {
          logger.info(summary, 'synthetic locality seeded');
          return summary;
        },
        (error: unknown) => {
          logger.error({ err: error }, 'seeding failed');
          return undefined;
        },
      );
    }
  }

  // The gate is re-scored every minute (and whenever an administrator opens the scorecard), and once seeding ends.
  const rescoring = gated ? setInterval(() => void rescore().catch((error: unknown) => logger.warn({ err: error }, 'data-quality scoring failed')), 60_000) : undefined;
  rescoring?.unref();
  void seeded.then(() => rescore()).catch((error: unknown) => logger.warn({ err: error }, 'data-quality scoring failed'));
  printWelcome(url, locality, mllpPorts);
  return {
    idcr,
    locality,
    store,
    url,
    mllpPorts,
    seeded,
    async close() {
      if (rescoring) clearInterval(rescoring);
      await seeded.catch(() => undefined);
      await idcr.close();
    },
  };
}

function printWelcome(url: string, locality: Locality, mllp: Record<string, number>) {
  const lines = [
    '',
    `  OpenIDCR reference app — ${locality.name}`,
    '',
    `  Clinician workspace  ${url}/`,
    `  Citizen portal       ${url}/citizen`,
    `  Admin                ${url}/admin`,
    `  FHIR API             ${url}/fhir/metadata`,
    `  HL7 v2 over MLLP     ${Object.entries(mllp).map(([id, port]) => `${id}:${port}`).join(', ') || 'none'}`,
  ];
  if (locality.auth.mode === 'dev') {
    const users = locality.auth.users;
    const gp = users.find((u) => u.role === 'gp');
    const citizen = users.find((u) => u.role === 'citizen');
    lines.push('', '  Demo sign-in: pick a user on the sign-in page (development issuer — synthetic data only).');
    if (gp) lines.push(`    e.g. ${gp.name} (GP, ${gp.organisation}); citizen ${citizen?.name ?? ''}`);
  }
  console.log(`${lines.join('\n')}\n`);
}
