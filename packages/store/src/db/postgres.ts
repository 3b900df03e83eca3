import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.js';
import { quoteSchemaName } from './db.js';

/** Connection pool options a caller may tune. */
export interface PostgresOptions {
  /** Pool size (default 10). */
  maxConnections?: number | undefined;
}

function adapt(target: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await target.query(text, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string): Promise<void> {
      // No values: pg sends it with the simple query protocol, which accepts several statements.
      await target.query(script);
    },
  };
}

/** Opens a pool on PostgreSQL whose every connection resolves unqualified names in `schema`. */
export async function openPostgres(connectionString: string, schema: string, options: PostgresOptions = {}): Promise<Db> {
  quoteSchemaName(schema);
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    // Set at connection start, so no statement can run before it holds.
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its connection must not crash the process; the next query reports the failure.
  pool.on('error', () => undefined);
  const direct = adapt(pool);
  return {
    engine: 'postgres',
    schema,
    query: direct.query,
    exec: direct.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(adapt(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        // A connection that could not roll back is destroyed rather than returned to the pool.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
