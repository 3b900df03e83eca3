import { isValidSchemaName } from './db/db.js';
import { StoreError } from './errors.js';

/** Where a store lives, parsed from its URL. */
export type StoreLocation =
  | { engine: 'pglite'; dataDir: string | undefined; schema: string }
  | { engine: 'postgres'; connectionString: string; schema: string };

/** The schema the store's tables go in when none is given. */
export const DEFAULT_SCHEMA = 'idcr';

/**
 * Parses `pglite:memory`, `pglite:./path/to/folder` (or `pglite:/abs/path`), or `postgres://…` /
 * `postgresql://…`. A `schema` query parameter (PostgreSQL) or the `schema` option picks the schema; the option wins.
 */
export function parseStoreUrl(url: string, schemaOption?: string): StoreLocation {
  if (typeof url !== 'string' || url.length === 0) throw new StoreError('invalid-url', 'url: required', 'url');
  let schema = schemaOption;
  let location: StoreLocation;
  if (url.startsWith('pglite:')) {
    const path = url.slice('pglite:'.length);
    if (path.length === 0) throw new StoreError('invalid-url', 'url: pglite: needs "memory" or a folder path, e.g. pglite:./data/idcr', 'url');
    location = { engine: 'pglite', dataDir: path === 'memory' ? undefined : path, schema: DEFAULT_SCHEMA };
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new StoreError('invalid-url', 'url: not a valid postgres:// URL', 'url');
    }
    const fromUrl = parsed.searchParams.get('schema');
    if (fromUrl !== null) {
      schema ??= fromUrl;
      parsed.searchParams.delete('schema');
    }
    location = { engine: 'postgres', connectionString: parsed.toString(), schema: DEFAULT_SCHEMA };
  } else {
    throw new StoreError('invalid-url', `url: must start with pglite: or postgres://, got ${JSON.stringify(url.slice(0, 40))}`, 'url');
  }
  if (schema !== undefined) {
    if (!isValidSchemaName(schema)) {
      throw new StoreError('invalid-schema-name', `schema: must match ^[a-z_][a-z0-9_]{0,62}$, got ${JSON.stringify(schema)}`, 'schema');
    }
    location.schema = schema;
  }
  return location;
}
