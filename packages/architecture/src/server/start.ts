import { pino, type Logger } from 'pino';
import { LocalityConfigError, LocalitySchema, productionIssues, type Locality, type LocalityIssue } from '../locality/locality.js';
import { CorsSchema } from '../http/cors.js';
import { loadLocalityConfig } from '../locality/load.js';
import { createIdcr, type Idcr, type IdcrOptions } from './create-idcr.js';

export interface StartFromConfigOptions {
  /** The configuration file, or a folder holding `idcr.config.{ts,mjs,js,json}` (default: the working folder). */
  config?: string | undefined;
  /**
   * Settings that override the file, read from here (default: `process.env`): `DATABASE_URL` (the store, e.g.
   * `postgres://…`, so a password never has to be written in the config), `PORT` and `HOST` (where HTTP listens),
   * `OPENIDCR_PUBLIC_URL`, `OPENIDCR_TRUST_PROXY` and `OPENIDCR_CORS_ORIGINS` (see `applyEnvironment`), and
   * `NODE_ENV` (`production` is production mode: `publicUrl` required).
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

/** An environment value checked by a field's schema; its issues name the variable. */
function fromEnv<T>(name: string, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new LocalityConfigError(parsed.error.issues.map((issue): LocalityIssue => ({ path: name, message: issue.message })));
}

/** `OPENIDCR_TRUST_PROXY`: `true`/`false`, a hop count, or addresses (`loopback`, `10.0.0.0/8,uniquelocal`). */
function trustProxyOf(raw: string): Locality['trustProxy'] {
  const value = raw.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  return fromEnv('OPENIDCR_TRUST_PROXY', LocalitySchema.shape.trustProxy, /^\d+$/.test(value) ? Number(value) : value);
}

/**
 * The locality with the environment's overrides applied, each checked like the field it sets (a bad value is a
 * `LocalityConfigError` naming the variable):
 * - `DATABASE_URL` → `storage.url`; `PORT` → `ports.http`; `HOST` → `ports.host`;
 * - `OPENIDCR_PUBLIC_URL` → `publicUrl`; `OPENIDCR_TRUST_PROXY` → `trustProxy` (`true`, `false`, a hop count or
 *   addresses such as `loopback`);
 * - `OPENIDCR_CORS_ORIGINS` → `cors.origins`: origins separated by commas (`https://a.example,https://b.example`);
 *   empty turns CORS off.
 *
 * Then production mode is checked (`productionIssues`: `auth.mode: 'oidc'` or `NODE_ENV=production` needs
 * `publicUrl`).
 */
export function applyEnvironment(locality: Locality, env: Readonly<Record<string, string | undefined>>): Locality {
  let { storage, ports, publicUrl, trustProxy, cors } = locality;
  if (env.DATABASE_URL) storage = { ...storage, url: env.DATABASE_URL };
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new LocalityConfigError([{ path: 'PORT', message: `expected a port from 0 to 65535, found ${JSON.stringify(env.PORT)}` }]);
    ports = { ...ports, http: port };
  }
  if (env.HOST) ports = { ...ports, host: env.HOST };
  if (env.OPENIDCR_PUBLIC_URL) publicUrl = fromEnv('OPENIDCR_PUBLIC_URL', LocalitySchema.shape.publicUrl, env.OPENIDCR_PUBLIC_URL.trim());
  if (env.OPENIDCR_TRUST_PROXY) trustProxy = trustProxyOf(env.OPENIDCR_TRUST_PROXY);
  if (env.OPENIDCR_CORS_ORIGINS !== undefined) {
    const origins = env.OPENIDCR_CORS_ORIGINS.split(',').map((o) => o.trim()).filter((o) => o !== '');
    cors = fromEnv('OPENIDCR_CORS_ORIGINS', CorsSchema, { ...cors, origins });
  }
  const applied = { ...locality, storage, ports, publicUrl, trustProxy, cors };
  const issues = productionIssues(applied, env.NODE_ENV);
  if (issues.length > 0) throw new LocalityConfigError(issues);
  return applied;
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
