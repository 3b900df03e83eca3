import type { Db } from '../db/db.js';
import { quoteSchemaName } from '../db/db.js';
import { StoreError } from '../errors.js';
import type { Migration } from './migrations.js';
import { MIGRATIONS } from './migrations.js';

/** What `migrate` did. */
export interface MigrationReport {
  /** The schema version before. 0 for an empty schema. */
  from: number;
  /** The schema version now. */
  to: number;
  applied: number[];
}

/**
 * Brings the schema up to the latest version in one transaction. A transaction-scoped advisory lock keyed on the
 * schema name makes concurrent opens wait for each other, so exactly one applies each migration. Refuses (and
 * changes nothing) when the database has a newer schema than this package knows.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationReport> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`openidcr.store.migrate:${db.schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchemaName(db.schema)}`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     NOT NULL PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const from = rows[0]?.version ?? 0;
    if (from > latest) {
      throw new StoreError(
        'schema-too-new',
        `schema "${db.schema}" is at version ${from}, newer than version ${latest} that this @openidcr/store knows; upgrade @openidcr/store`,
        'schema_migrations.version',
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, latest), applied };
  });
}
