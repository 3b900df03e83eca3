import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

/**
 * Schemas of their own for a test file's PostgreSQL stores: `fresh()` names a new one (`idcr_test_<16 hex>`), and
 * every schema named is dropped when the file's tests end.
 */
export function postgresTestSchemas(url: string): { fresh(): string } {
  const schemas: string[] = [];
  afterAll(async () => {
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Names come from fresh() and match ^idcr_test_[0-9a-f]{16}$.
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  return {
    fresh() {
      const schema = `idcr_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      schemas.push(schema);
      return schema;
    },
  };
}
