import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { JWTVerifyGetKey } from 'jose';
import { pino, type Logger } from 'pino';
import { createLocalityPolicy, createConsentModel, type ConsentModel } from '@openidcr/governance';
import { Ingestor, ShippedProfiles, buildAck, createHl7HttpHandler, createMllpServer, ingestHandler, isShippedProfileId, reject, type Channel as IngestChannel, type MllpServer } from '@openidcr/integration';
import { openStore, type RecordStore } from '@openidcr/store';
import { createDevIssuer, type DevIssuer, type DevIssuerKey, type PatientResolver } from '../auth/dev-issuer.js';
import { smartRouter, type SmartConfigurationOptions } from '../auth/smart.js';
import { authenticate, createTokenVerifier, remoteKeySet, userOf } from '../auth/tokens.js';
import { fhirRouter } from '../fhir/router.js';
import { consentCaptureProvides, consentCaptureRouter, type ConsentCaptureProvides } from '../fhir/consent-capture.js';
import { HttpProblem, sendProblem } from '../http/outcome.js';
import { httpHygiene } from '../http/middleware.js';
import { corsEnabled, corsPolicy } from '../http/cors.js';
import { acceptJsonOnly } from '../http/accept.js';
import { problemHandler } from '../http/errors.js';
import { rateLimiting } from '../http/rate-limit.js';
import { LocalityConfigError, productionIssues, type Locality } from '../locality/locality.js';
import { rolloutAccess } from '../locality/rollout.js';
import type { PolicyAlert } from '../policy/pep.js';
import type { AuditSink } from '../policy/audit.js';
import { federatedSource } from '../topology/federated.js';
import { pooledSource } from '../topology/pooled.js';
import type { RecordSource } from '../topology/source.js';

export interface IdcrOptions {
  logger?: Logger | undefined;
  clock?: (() => Date) | undefined;
  onAlert?: ((alert: PolicyAlert) => void) | undefined;
  /** An already open store (tests, or a host that manages it); default: `openStore(locality.storage.url)`. */
  store?: RecordStore | undefined;
  /** The OIDC key set (default: fetched from `auth.jwksUrl`). */
  keys?: JWTVerifyGetKey | undefined;
  software?: { name: string; version: string } | undefined;
  /** Where audit events go (default: the store's hash-chained audit table), e.g. a separate audit database. */
  audit?: AuditSink | undefined;
  /**
   * The locality's own consent model (governance's `ConsentModel` interface), used instead of the built-in one that
   * `locality.consentModel` or the ISA names. See docs/extending/consent-model.md.
   */
  consentModel?: ConsentModel | undefined;
  /**
   * The development issuer's signing key (auth mode `dev`; default: a fresh one). Give every process that serves one
   * locality the same key, so a demo token works whichever process answers.
   */
  devIssuerKey?: DevIssuerKey | undefined;
  /**
   * Source organisations (ODS) whose feed is in its data-quality trial (channels with a `qualityGate` not yet
   * passing): the policy point withholds their items. Asked on every view, so keep it cheap (a cached set).
   */
  sourcesInTrial?: (() => ReadonlySet<string>) | undefined;
}

/** The MLLP listeners of the locality's channels, drained on shutdown. */
export interface MllpListeners {
  readonly channels: ReadonlyArray<{ id: string; port: number; server: MllpServer }>;
  /** Messages being processed now (ACK not yet sent). */
  readonly inFlight: number;
  listen(host?: string): Promise<Record<string, AddressInfo>>;
  /** Stops accepting, waits up to `graceMs` for messages in flight to be stored and ACKed, then closes connections. */
  close(graceMs?: number): Promise<void>;
}

/** A running shared care record: the express app, the MLLP listeners and the store. */
export interface Idcr {
  readonly locality: Locality;
  readonly app: Express;
  readonly mllp: MllpListeners;
  readonly store: RecordStore;
  readonly source: RecordSource;
  /** What this assembled app provides beyond reading the record (the conformance report checks it): consent capture. */
  readonly provides: { consentCapture: ConsentCaptureProvides | undefined };
  /**
   * The ingestor the feeds go through. Its `merge` / `undoMerge` are how a human MPI decision links or separates
   * two people: the same identity changes, lock and transaction as an ADT A40.
   */
  readonly ingestor: Ingestor;
  /** Present when the locality uses the development issuer. */
  readonly devIssuer: DevIssuer | undefined;
  /** Starts HTTP (locality `ports`) and the MLLP listeners. */
  listen(): Promise<{ http: AddressInfo; mllp: Record<string, AddressInfo> }>;
  /** Graceful shutdown: not ready, stop accepting, drain HTTP requests and MLLP messages, close the store. */
  close(): Promise<void>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ingestChannelOf(channel: Locality['channels'][number]): IngestChannel {
  if (!isShippedProfileId(channel.profile)) throw new LocalityConfigError([{ path: 'channels', message: `unknown profile ${channel.profile}` }]);
  return { name: channel.id, profile: { ...ShippedProfiles[channel.profile], id: channel.id, odsCode: channel.organisation, sendingFacility: channel.sender } };
}

/**
 * A message holding a NUL byte can never be stored (PostgreSQL text cannot hold one), so answering "resend later"
 * would stall the sender's queue on it for ever. It is refused for good (AR naming the problem) and dead-lettered with
 * each NUL written as the HL7 hex escape `\X00\`, so the message is not lost and an administrator can see it.
 */
async function refuseNulMessage(payload: string, channel: string | undefined, store: Pick<RecordStore, 'recordDeadLetter'>, logger: Logger): Promise<string | undefined> {
  if (!payload.includes('\u0000')) return undefined;
  const escaped = payload.replaceAll('\u0000', '\\X00\\');
  const separator = escaped.startsWith('MSH') && escaped.length > 3 ? escaped[3]! : '|';
  const msh = (escaped.split(/\r\n|\r|\n/)[0] ?? '').split(separator);
  const [messageCode = '', triggerEvent = ''] = (msh[8] ?? '').split(escaped[4] ?? '^');
  const header = {
    sendingApplication: msh[2] ?? '',
    sendingFacility: msh[3] ?? '',
    controlId: msh[9] ?? '',
    messageCode,
    triggerEvent,
    version: msh[11] ?? '',
    acceptAckType: msh[14] ?? '',
    applicationAckType: msh[15] ?? '',
  };
  const problem = reject('nul-byte', 'message: contains a NUL byte (0x00), which the record cannot store; remove it at the source and send the message again', 102);
  try {
    await store.recordDeadLetter({ sender: header.sendingFacility || header.sendingApplication || 'unknown', controlId: header.controlId || undefined, channel, raw: escaped, error: problem.message, receivedAt: new Date().toISOString() });
  } catch (err) {
    logger.warn({ err, channel }, 'a message with a NUL byte could not be dead-lettered');
  }
  return buildAck(header, 'rejected', [problem], { application: 'OPENIDCR', facility: 'OPENIDCR' }).text;
}

/**
 * The Patient id of an NHS number, for SMART launches in context by NHS number. A person may have one Patient per
 * source organisation: the launching user's organisation's own Patient is chosen when there is one (a GP system
 * launching opens its own record of the person), else the one with the smallest id (code-point order), so the same
 * launch always opens the same Patient. Undefined when the record does not know the NHS number.
 */
function patientOfNhsNumber(store: Pick<RecordStore, 'findPatientsByNhsNumber'>): PatientResolver {
  return async (nhsNumber, { organisation }) => {
    const found = await store.findPatientsByNhsNumber(nhsNumber);
    const own = found.filter((p) => organisation !== undefined && p.sourceOrg === organisation);
    const candidates = (own.length > 0 ? own : found).map((p) => p.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return candidates[0];
  };
}

/**
 * Assembles a locality's shared care record from its configuration: the store (pooled) or the sources' FHIR
 * endpoints (federated), governance's policy, sign-in (OIDC or the development issuer), the FHIR API with the policy
 * enforcement point, `POST /integration/hl7` and one MLLP listener per channel with a port, `/healthz` and `/readyz`.
 */
export async function createIdcr(locality: Locality, options: IdcrOptions = {}): Promise<Idcr> {
  const notForProduction = productionIssues(locality, process.env.NODE_ENV);
  if (notForProduction.length > 0) throw new LocalityConfigError(notForProduction);
  const logger = options.logger ?? pino({ name: 'openidcr', level: process.env.LOG_LEVEL ?? 'info' });
  const consentModel = options.consentModel ?? (locality.consentModel ? createConsentModel(locality.consentModel) : undefined);
  const created = createLocalityPolicy({ isa: locality.isa, roles: locality.roles, consentModel });
  if (!created.ok) throw new LocalityConfigError(created.issues.map((i) => ({ path: i.path, message: i.message.replace(/^[^:]+:\s*/, '') })));
  const store = options.store ?? (await openStore(locality.storage.url, { schema: locality.storage.schema }));
  const source = locality.topology.kind === 'federated' ? federatedSource({ sources: locality.topology.sources, organisations: locality.organisations, logger }) : pooledSource(store);

  const auth = locality.auth;
  let devIssuer: DevIssuer | undefined;
  let keys = options.keys;
  let algorithms: readonly string[];
  if (auth.mode === 'dev') {
    devIssuer = await createDevIssuer({
      issuer: auth.issuer,
      audience: auth.audience,
      users: auth.users,
      claims: auth.claims,
      tokenMinutes: auth.tokenMinutes,
      refreshTokenMinutes: auth.refreshTokenMinutes,
      key: options.devIssuerKey,
      publicUrl: locality.publicUrl,
      clients: auth.clients,
      resolvePatient: patientOfNhsNumber(store),
      onError: (err) => logger.error({ err }, 'development issuer: unexpected error'),
    });
    keys = devIssuer.keys;
    algorithms = ['ES256'];
    logger.warn('development issuer enabled: anyone who can reach /dev/token can act as a demo user. Never use it with real data.');
  } else {
    keys ??= remoteKeySet(auth.jwksUrl);
    algorithms = auth.algorithms;
  }
  const verifier = createTokenVerifier({
    issuer: auth.issuer,
    audience: auth.audience,
    keys,
    algorithms,
    claims: auth.claims,
    organisations: locality.organisations,
    clockToleranceSeconds: auth.mode === 'oidc' ? auth.clockToleranceSeconds : 5,
  });

  /** SMART discovery for a public origin: the development issuer's endpoints, or the locality's identity provider's. */
  const smartOptions = (origin: string): SmartConfigurationOptions =>
    auth.mode === 'dev'
      ? devIssuer!.discovery(origin)
      : { server: 'oidc', issuer: auth.issuer, jwksUri: auth.jwksUrl, authorizationEndpoint: auth.authorizationEndpoint, tokenEndpoint: auth.tokenEndpoint };
  let closing = false;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', locality.trustProxy);
  for (const middleware of httpHygiene(logger)) app.use(middleware);
  // CORS before rate limiting and sign-in: a preflight carries no token, and every answer after it (a 401, a 429) must
  // carry the CORS headers for a browser app to read it.
  app.use(corsPolicy(locality.cors));
  app.use(rateLimiting(locality.rateLimits));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = !closing && (await source.ready()) && (locality.topology.kind === 'pooled' || (await pooledSource(store).ready()));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : closing ? 'shutting down' : 'store unreachable' });
  });
  app.use(
    smartRouter(smartOptions, locality.publicUrl),
  );
  if (devIssuer) app.use(devIssuer.router());

  // Integration: HL7 v2 over HTTP and MLLP, into the store (pooled) — a federated locality keeps no copy.
  const channels = new Map(locality.channels.map((c) => [c.id, ingestChannelOf(c)]));
  const ingestor = new Ingestor({ sink: store, lookup: store, channels: Object.fromEntries(channels), facility: 'OPENIDCR', application: 'OPENIDCR' });
  if (locality.topology.kind === 'pooled') {
    const handleHl7 = createHl7HttpHandler(ingestor);
    app.post('/integration/hl7', authenticate(verifier), express.text({ type: () => true, limit: '10mb' }), async (req, res, next) => {
      try {
        const user = userOf(res)!;
        // A citizen token never feeds the record, whatever scopes it claims; a source system (SMART Backend Services) or a professional's system-scoped token may.
        if (user.kind !== 'professional' && user.kind !== 'system') return sendProblem(res, new HttpProblem(403, 'forbidden', 'Authorization: HL7 feeds come from source systems; a citizen token cannot send them'));
        if (!user.scopes.includes('system/hl7.write')) return sendProblem(res, new HttpProblem(403, 'forbidden', 'scope: sending HL7 needs a token with scope system/hl7.write'));
        const channelId = typeof req.query.channel === 'string' ? req.query.channel : undefined;
        if (channels.size > 0 && (channelId === undefined || !channels.has(channelId)))
          return sendProblem(res, new HttpProblem(400, 'invalid', `channel: give ?channel= one of ${[...channels.keys()].join(', ')}`, { expression: 'channel' }));
        // A backend-services client feeds its own organisation's channels only.
        const channelOrganisation = locality.channels.find((c) => c.id === channelId)?.organisation;
        if (user.kind === 'system' && channelOrganisation !== undefined && channelOrganisation !== user.organisation?.ods)
          return sendProblem(res, new HttpProblem(403, 'forbidden', `channel: ${channelId} carries ${channelOrganisation}'s data; client ${user.id} is registered for ${user.organisation?.ods ?? 'no organisation'}`, { expression: 'channel' }));
        const body = typeof req.body === 'string' ? req.body : '';
        const refused = await refuseNulMessage(body, channelId, store, logger);
        if (refused !== undefined) return res.status(400).type('x-application/hl7-v2+er7').send(refused);
        const answer = await handleHl7(body, channelId ? channels.get(channelId) : undefined);
        res.status(answer.status).type(answer.contentType).send(answer.ack);
      } catch (error) {
        next(error);
      }
    });
  }
  // Only JSON is served under /fhir (406 otherwise), consent capture's routes included.
  app.use('/fhir', acceptJsonOnly());
  // Consent capture (locality `consentCapture`): before the read-only record routes, which refuse every write.
  if (locality.consentCapture)
    app.use(consentCaptureRouter({ config: locality.consentCapture, store, policy: created.policy, auth: verifier, logger, audit: options.audit, clock: options.clock, publicUrl: locality.publicUrl }));
  app.use(
    fhirRouter({
      store,
      source,
      audit: options.audit,
      policy: created.policy,
      auth: verifier,
      logger,
      clock: options.clock,
      onAlert: options.onAlert,
      rollout: (user) => rolloutAccess(locality, user),
      sourcesInTrial: options.sourcesInTrial,
      publicUrl: locality.publicUrl,
      cors: corsEnabled(locality.cors),
      smart: (origin: string) => {
        const smart = smartOptions(origin);
        return { authorize: smart.authorizationEndpoint, token: smart.tokenEndpoint };
      },
      hygiene: false,
      software: options.software,
    }),
  );
  // Errors of the routes above (bad or oversized sign-in and HL7 bodies) as OperationOutcomes, never an HTML stack.
  app.use(problemHandler(logger));

  let inFlight = 0;
  const listeners = locality.topology.kind === 'pooled'
    ? locality.channels.flatMap((channel) => {
        if (channel.mllpPort === undefined) return [];
        const handle = ingestHandler(ingestor, channels.get(channel.id));
        const server = createMllpServer({
          handler: async (payload) => {
            inFlight++;
            try {
              return (payload.includes(0) ? await refuseNulMessage(payload.toString('utf8'), channel.id, store, logger) : undefined) ?? (await handle(payload));
            } finally {
              inFlight--;
            }
          },
          onError: (err) => logger.warn({ err, channel: channel.id }, 'MLLP connection error'),
        });
        return [{ id: channel.id, port: channel.mllpPort, server }];
      })
    : [];
  const mllp: MllpListeners = {
    channels: listeners,
    get inFlight() {
      return inFlight;
    },
    async listen(host = locality.ports.host) {
      const out: Record<string, AddressInfo> = {};
      for (const l of listeners) out[l.id] = await l.server.listen(l.port, host);
      return out;
    },
    async close(graceMs = locality.shutdownGraceMs) {
      for (const l of listeners) if (l.server.server.listening) l.server.server.close();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await delay(20);
      await Promise.all(listeners.map((l) => l.server.close()));
    },
  };

  let http: Server | undefined;
  let closed: Promise<void> | undefined;
  return {
    locality,
    app,
    mllp,
    store,
    source,
    ingestor,
    provides: { consentCapture: consentCaptureProvides(locality.consentCapture) },
    devIssuer,
    async listen() {
      http = await new Promise<Server>((resolve, reject) => {
        const server = app.listen(locality.ports.http, locality.ports.host, (error?: Error) => (error ? reject(error) : resolve(server)));
      });
      const mllpAddresses = await mllp.listen();
      const address = http.address() as AddressInfo;
      logger.info({ http: address.port, mllp: Object.fromEntries(Object.entries(mllpAddresses).map(([k, v]) => [k, v.port])) }, 'OpenIDCR listening');
      return { http: address, mllp: mllpAddresses };
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const grace = locality.shutdownGraceMs;
        const server = http;
        const httpDrained = server
          ? new Promise<void>((resolve) => {
              if (!server.listening) return resolve();
              server.close(() => resolve());
              const deadline = Date.now() + grace;
              const sweep = setInterval(() => {
                server.closeIdleConnections();
                if (Date.now() >= deadline) server.closeAllConnections();
              }, 25);
              server.once('close', () => clearInterval(sweep));
            })
          : Promise.resolve();
        await Promise.all([httpDrained, mllp.close(grace)]);
        await store.close();
        logger.info('OpenIDCR stopped');
      })();
      return closed;
    },
  };
}
