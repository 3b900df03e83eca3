import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { StoreError } from '../errors.js';
import type { Db, Queryable, QueryResult } from './db.js';
import { quoteSchemaName } from './db.js';

/** The part of a PGlite instance (or transaction) the store uses. */
export interface PgliteLike {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
  exec(script: string): Promise<unknown>;
}

/** The part of a PGlite instance needed to run a store on it. */
export interface PgliteInstance extends PgliteLike {
  transaction<T>(fn: (tx: PgliteLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A full disk (SQLSTATE 53100, or ENOSPC from the file system) as a `StoreError` `unavailable` naming the data
 * folder: PostgreSQL's own message names only a file inside it. The statement failed as a whole, so nothing of it was
 * stored; what was committed before stays readable, and writes work again once space is freed.
 */
function diskFull(error: unknown, location: string): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== '53100' && code !== 'ENOSPC' && !(typeof message === 'string' && /No space left on device/.test(message))) return error;
  return new StoreError(
    'unavailable',
    `database: the disk holding ${location} is full (${String(message)}); nothing of this write was stored. Free space there and try again: what was stored before can still be read`,
    'database',
    { cause: error },
  );
}

function adapt(target: PgliteLike, location: string): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      try {
        const result = await target.query<Row>(text, [...params]);
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
      } catch (error) {
        throw diskFull(error, location);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await target.exec(script);
      } catch (error) {
        throw diskFull(error, location);
      }
    },
  };
}

/**
 * A store database over a PGlite instance the caller made (to share it, or to pass PGlite options). PGlite is one
 * connection, so the session's search_path is set to `schema` for good: one store per instance.
 */
export async function fromPglite(pg: PgliteInstance, schema: string, location = 'the PGlite data folder'): Promise<Db> {
  const quoted = quoteSchemaName(schema);
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}; SET search_path TO ${quoted}`);
  const direct = adapt(pg, location);
  return {
    engine: 'pglite',
    schema,
    query: direct.query,
    exec: direct.exec,
    transaction: (fn) =>
      pg.transaction((tx) => fn(adapt(tx, location))).catch((error: unknown) => {
        throw diskFull(error, location);
      }),
    close: () => pg.close(),
  };
}

/** Opens PGlite in memory (`dataDir` undefined) or in a folder on disk, with the store's tables in `schema`. */
export async function openPglite(dataDir: string | undefined, schema: string): Promise<Db> {
  // `pglite:./data/idcr` on a fresh checkout: create the folders, as PostgreSQL's initdb would.
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  return fromPglite(pg, schema, dataDir === undefined ? 'PGlite in memory' : `the PGlite data folder ${resolve(dataDir)}`);
}
