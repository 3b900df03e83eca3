import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { StoreError } from '../errors.js';
import type { Db, Queryable, QueryResult, TransactionOptions } from './db.js';
import { preparedNameOf, quoteSchemaName } from './db.js';

/** The statement as pg sends it: named (prepared once per connection) when marked with `prepared`. */
function statementOf(text: string, params: readonly unknown[]): pg.QueryConfig {
  const name = preparedNameOf(text);
  return name === undefined ? { text, values: params as unknown[] } : { name, text, values: params as unknown[] };
}

/** How a store rides out PostgreSQL being unreachable for a moment (a restart, a failover). */
export interface RetryOptions {
  /** Tries of a statement or a transaction's start in all (default 6; 1 turns retrying off). */
  attempts?: number | undefined;
  /** Wait before the first retry, doubled each time up to `maxBackoffMs` (default 100 ms). */
  backoffMs?: number | undefined;
  /** Longest wait between tries (default 1000 ms). */
  maxBackoffMs?: number | undefined;
}

/** Connection pool options a caller may tune. */
export interface PostgresOptions {
  /** Pool size (default 10). */
  maxConnections?: number | undefined;
  /** Longest wait for a connection, new or from the pool (default 30 s). */
  connectTimeoutMs?: number | undefined;
  retry?: RetryOptions | undefined;
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down)
  '57P01',
  '57P02',
  '57P03',
]);

/** True when `error` says the connection to PostgreSQL failed or was lost, not that a statement was wrong. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // SQLSTATE class 08: connection exception.
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/.test(message);
}

/** A statement that only reads: running it again after a lost connection cannot change anything. */
function isReadOnly(text: string): boolean {
  // A prepared statement's text is fixed and run often: its answer is kept.
  if (preparedNameOf(text) === undefined) return readsOnly(text);
  let known = preparedReadOnly.get(text);
  if (known === undefined) preparedReadOnly.set(text, (known = readsOnly(text)));
  return known;
}
const preparedReadOnly = new Map<string, boolean>();
function readsOnly(text: string): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(text) && !/\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|DROP|ALTER|LOCK)\b|pg_advisory/i.test(text);
}

/** Lines are sent in writes of about this many bytes. */
const COPY_WRITE_BYTES = 1 << 20;

async function* batched(lines: Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = '';
  for await (const text of lines) {
    buffer += text;
    if (buffer.length >= COPY_WRITE_BYTES) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}

async function copyLines(target: pg.Pool | pg.PoolClient, sql: string, lines: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const client = 'release' in target ? target : await (target as pg.Pool).connect();
  try {
    const sink = client.query(copyFromStdin(sql));
    await pipeline(Readable.from(batched(lines)), sink);
  } finally {
    if (client !== target) (client as pg.PoolClient).release();
  }
}

function adapt(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    copyFrom: (sql, lines) => copyLines(target, sql, lines),
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query(statementOf(text, params));
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string): Promise<void> {
      // No values: pg sends it with the simple query protocol, which accepts several statements.
      await target.query(script);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Opens a pool on PostgreSQL whose every connection resolves unqualified names in `schema`.
 *
 * When PostgreSQL cannot be reached (restarting, failing over), work that is safe to repeat is retried with
 * backoff: getting a connection, starting a transaction, and read-only statements. A write whose connection is lost
 * is not repeated here (it may have been applied): it fails with `StoreError` `unavailable`, which says whether
 * anything can have been stored, and its caller decides (an HL7 sender resends; dedup makes that safe). Connections
 * that died are dropped from the pool, and new ones are made once PostgreSQL answers again, so the store recovers
 * without being reopened. A connection lost while checked out never crashes the process.
 */
export async function openPostgres(connectionString: string, schema: string, options: PostgresOptions = {}): Promise<Db> {
  quoteSchemaName(schema);
  const makePool = (max: number): pg.Pool => {
    const made = new pg.Pool({
      connectionString,
      max,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
      keepAlive: true,
      // Set at connection start, so no statement can run before it holds.
      options: `-c search_path=${schema}`,
    });
    // An idle client losing its connection must not crash the process; the next query reports the failure.
    made.on('error', () => undefined);
    return made;
  };
  const pool = makePool(options.maxConnections ?? 10);
  // The serial lane: one connection of its own for writes that are serialised anyway (the audit chain), made on
  // first use, so they never wait behind reads for a pooled connection.
  let serialPool: pg.Pool | undefined;
  let server = 'the server';
  try {
    const url = new URL(connectionString);
    server = `${url.hostname}:${url.port || '5432'}`;
  } catch {
    // keep the generic name; pg reports a malformed URL itself
  }
  const attempts = Math.max(1, options.retry?.attempts ?? 6);
  const firstBackoff = options.retry?.backoffMs ?? 100;
  const maxBackoff = options.retry?.maxBackoffMs ?? 1000;

  /** A failure to get a connection: the statement was never sent. */
  class Unsent extends Error {
    constructor(readonly original: unknown) {
      super(messageOf(original));
    }
  }

  const unreachable = (failure: unknown, tries: number, started: number) => {
    const error = failure instanceof Unsent ? failure.original : failure;
    return new StoreError(
      'unavailable',
      `database: PostgreSQL at ${server} is unreachable (${messageOf(error)}); tried ${tries} time${tries === 1 ? '' : 's'} over ${Date.now() - started} ms. Nothing was changed; try again later`,
      'database',
      { cause: error },
    );
  };

  /** A pooled client, with an error listener for as long as it is checked out (pg emits 'error' on it otherwise unheard). */
  async function checkout(from: pg.Pool = pool): Promise<pg.PoolClient> {
    const client = await from.connect();
    client.on('error', ignore);
    return client;
  }
  const ignore = () => undefined;
  const giveBack = (client: pg.PoolClient, broken?: Error) => {
    client.off('error', ignore);
    client.release(broken);
  };

  /** Runs `work` on a connection, trying again (with a fresh connection) while `retryable` says so. */
  async function withRetry<T>(work: () => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> {
    const started = Date.now();
    let wait = firstBackoff;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!retryable(error)) throw error;
        if (attempt >= attempts) throw unreachable(error, attempt, started);
        await sleep(wait);
        wait = Math.min(wait * 2, maxBackoff);
      }
    }
  }

  const serial = (): pg.Pool => (serialPool ??= makePool(1));
  const direct: Queryable & { queryOn<Row>(from: pg.Pool, text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> } = {
    query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      return direct.queryOn<Row>(pool, text, params);
    },
    async queryOn<Row>(from: pg.Pool, text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const readOnly = isReadOnly(text);
      try {
        return await withRetry(
          async () => {
            let client: pg.PoolClient;
            try {
              client = await checkout(from);
            } catch (error) {
              throw new Unsent(error);
            }
            try {
              const result = await client.query(statementOf(text, params));
              giveBack(client);
              return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
            } catch (error) {
              giveBack(client, isConnectionFailure(error) ? (error as Error) : undefined);
              throw error;
            }
          },
          (error) => (error instanceof Unsent ? isConnectionFailure(error.original) : readOnly && isConnectionFailure(error)),
        );
      } catch (error) {
        if (error instanceof Unsent) throw error.original;
        if (isConnectionFailure(error)) {
          throw new StoreError(
            'unavailable',
            `database: the connection to PostgreSQL at ${server} was lost during a write (${messageOf(error)}); it may or may not have been applied`,
            'database',
            { cause: error },
          );
        }
        throw error;
      }
    },
    async exec(script: string): Promise<void> {
      await this.query(script);
    },
  };

  return {
    engine: 'postgres',
    schema,
    query: <Row>(text: string, params?: readonly unknown[], queryOptions: TransactionOptions = {}) =>
      direct.queryOn<Row>(queryOptions.lane === 'serial' ? serial() : pool, text, params),
    exec: (script) => direct.query(script).then(() => undefined),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, transactionOptions: TransactionOptions = {}): Promise<T> {
      const from = transactionOptions.lane === 'serial' ? serial() : pool;
      // Getting a connection and BEGIN are repeated while PostgreSQL is unreachable: nothing has run yet.
      const client = await withRetry(async () => {
        const candidate = await checkout(from);
        try {
          await candidate.query('BEGIN');
          return candidate;
        } catch (error) {
          giveBack(candidate, error as Error);
          throw error;
        }
      }, isConnectionFailure);
      let broken: Error | undefined;
      let committing = false;
      // Whether the connection was seen to die before COMMIT was sent (then nothing can have been stored).
      let lostBeforeCommit = false;
      const onLost = () => {
        if (!committing) lostBeforeCommit = true;
      };
      client.on('error', onLost);
      try {
        const result = await fn(adapt(client));
        committing = true;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isConnectionFailure(error)) {
          broken = error as Error;
          throw new StoreError(
            'unavailable',
            committing && !lostBeforeCommit
              ? `database: the connection to PostgreSQL at ${server} was lost during COMMIT (${messageOf(error)}); the transaction may or may not have been stored`
              : `database: the connection to PostgreSQL at ${server} was lost before COMMIT (${messageOf(error)}); nothing of the transaction was stored`,
            'database',
            { cause: error },
          );
        }
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        // A connection that could not roll back (or was lost) is destroyed rather than returned to the pool.
        client.off('error', onLost);
        giveBack(client, broken);
      }
    },
    async close() {
      await Promise.all([pool.end(), serialPool?.end()]);
    },
  };
}
