import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
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

function adapt(target: PgliteLike): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(text, [...params]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script: string): Promise<void> {
      await target.exec(script);
    },
  };
}

/**
 * A store database over a PGlite instance the caller made (to share it, or to pass PGlite options). PGlite is one
 * connection, so the session's search_path is set to `schema` for good: one store per instance.
 */
export async function fromPglite(pg: PgliteInstance, schema: string): Promise<Db> {
  const quoted = quoteSchemaName(schema);
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}; SET search_path TO ${quoted}`);
  const direct = adapt(pg);
  return {
    engine: 'pglite',
    schema,
    query: direct.query,
    exec: direct.exec,
    transaction: (fn) => pg.transaction((tx) => fn(adapt(tx))),
    close: () => pg.close(),
  };
}

/** Opens PGlite in memory (`dataDir` undefined) or in a folder on disk, with the store's tables in `schema`. */
export async function openPglite(dataDir: string | undefined, schema: string): Promise<Db> {
  // `pglite:./data/idcr` on a fresh checkout: create the folders, as PostgreSQL's initdb would.
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  return fromPglite(pg, schema);
}
