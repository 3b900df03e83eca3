import { describe, expect, it } from 'vitest';
import { parseStoreUrl } from './url.js';

describe('parseStoreUrl', () => {
  it('reads PGlite in memory and on disk', () => {
    expect(parseStoreUrl('pglite:memory')).toEqual({ engine: 'pglite', dataDir: undefined, schema: 'idcr' });
    expect(parseStoreUrl('pglite:./data/idcr')).toEqual({ engine: 'pglite', dataDir: './data/idcr', schema: 'idcr' });
  });

  it('reads PostgreSQL with the schema from the URL or the option, and strips it from the connection string', () => {
    expect(parseStoreUrl('postgres://postgres@127.0.0.1:5432/test?schema=idcr_a')).toEqual({
      engine: 'postgres',
      connectionString: 'postgres://postgres@127.0.0.1:5432/test',
      schema: 'idcr_a',
    });
    expect(parseStoreUrl('postgresql://u@h/db?schema=idcr_a&sslmode=disable', 'idcr_b')).toMatchObject({
      connectionString: 'postgresql://u@h/db?sslmode=disable',
      schema: 'idcr_b',
    });
  });

  it('rejects unknown schemes and unsafe schema names, naming the field [REQ-SEC-002]', () => {
    expect(() => parseStoreUrl('mysql://x')).toThrow(/^url: must start with/);
    expect(() => parseStoreUrl('pglite:')).toThrow(/^url:/);
    expect(() => parseStoreUrl('postgres://h/db?schema=x";drop')).toThrow(/^schema:/);
    expect(() => parseStoreUrl('pglite:memory', 'Upper')).toThrow(/^schema:/);
  });
});
