import { pino, type Logger } from 'pino';
import { LocalityConfigError, type Locality } from '../locality/locality.js';
import { loadLocalityConfig } from '../locality/load.js';
import { createIdcr, type Idcr, type IdcrOptions } from './create-idcr.js';

export interface StartFromConfigOptions {
  /** The configuration file, or a folder holding `idcr.config.{ts,mjs,js,json}` (default: the working folder). */
  config?: string | undefined;
  /**
   * Settings that override the file, read from here (default: `process.env`): `DATABASE_URL` (the store, e.g.
   * `postgres://…`, so a password never has to be written in the config), `PORT` and `HOST` (where HTTP listens).
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  logger?: Logger | undefined;
  software?: IdcrOptions['software'];
  /** Close gracefully on SIGINT and SIGTERM, then exit (default: true). */
  handleSignals?: boolean | undefined;
}

/** A shared care record started from its configuration. */
export interface StartedIdcr {
  readonly idcr: Idcr;
  readonly locality: Locality;
  /** Where HTTP answers, e.g. `http://localhost:8080`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The locality with `DATABASE_URL`, `PORT` and `HOST` applied; a bad value is a `LocalityConfigError` naming it. */
export function applyEnvironment(locality: Locality, env: Readonly<Record<string, string | undefined>>): Locality {
  let { storage, ports } = locality;
  if (env.DATABASE_URL) storage = { ...storage, url: env.DATABASE_URL };
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new LocalityConfigError([{ path: 'PORT', message: `expected a port from 0 to 65535, found ${JSON.stringify(env.PORT)}` }]);
    ports = { ...ports, http: port };
  }
  if (env.HOST) ports = { ...ports, host: env.HOST };
  return { ...locality, storage, ports };
}

/**
 * Starts a locality's shared care record from its configuration file: loads and checks it (`loadLocalityConfig`),
 * applies `DATABASE_URL`/`PORT`/`HOST`, assembles it with `createIdcr` (pooled or federated, as configured) and
 * listens. What a project made by `npm create openidcr` runs on `npm start`.
 */
export async function startFromConfig(options: StartFromConfigOptions = {}): Promise<StartedIdcr> {
  const logger = options.logger ?? pino({ name: 'openidcr', level: process.env.LOG_LEVEL ?? 'info' });
  const locality = applyEnvironment(await loadLocalityConfig(options.config ?? '.'), options.env ?? process.env);
  logger.info({ locality: locality.name, topology: locality.topology.kind, storage: locality.storage.url.replace(/\/\/[^@/]*@/, '//***@') }, 'starting OpenIDCR');
  const idcr = await createIdcr(locality, { logger, software: options.software });
  let addresses: Awaited<ReturnType<Idcr['listen']>>;
  try {
    addresses = await idcr.listen();
  } catch (error) {
    await idcr.close();
    throw error;
  }
  const host = addresses.http.address;
  const url = `http://${host === '::' || host === '0.0.0.0' ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${addresses.http.port}`;
  logger.info({ url, health: `${url}/healthz`, fhir: `${url}/fhir/metadata`, mllp: Object.fromEntries(Object.entries(addresses.mllp).map(([id, a]) => [id, a.port])) }, `${locality.name} shared care record ready`);
  if (options.handleSignals ?? true) {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void idcr.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  }
  return { idcr, locality, url, close: () => idcr.close() };
}
