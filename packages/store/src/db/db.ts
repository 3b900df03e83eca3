import { createHash } from 'node:crypto';
/** The engine behind a store. Both run the same SQL. */
export type Engine = 'pglite' | 'postgres';

/** Rows returned by a statement. */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT on some drivers). */
  rowCount: number;
}

/** Something that runs one parameterised statement: the database itself, or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations only). */
  exec(script: string): Promise<void>;
  /**
   * Runs `COPY … FROM STDIN` with this text (COPY text format: whole lines, each ending in a newline), pulled as the
   * server takes it. PostgreSQL only;
   * absent on PGlite.
   */
  copyFrom?(sql: string, lines: Iterable<string> | AsyncIterable<string>): Promise<void>;
}

/** How a transaction is run. */
export interface TransactionOptions {
  /**
   * `serial`: on a connection kept for writes that a lock serialises anyway (the audit chain), so they never wait
   * behind reads for a pooled connection. PostgreSQL only; PGlite has one connection.
   */
  lane?: 'serial' | undefined;
}

/**
 * The small interface both engines are adapted to. All SQL in this package goes through it, always with
 * `$n` parameters; the only identifier ever spliced into SQL is a schema name checked by `assertSchemaName`.
 */
export interface Db extends Queryable {
  readonly engine: Engine;
  /** The PostgreSQL schema the store's tables live in. */
  readonly schema: string;
  /** One statement, on the serial lane when `options.lane` says so (see `TransactionOptions`). */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: TransactionOptions): Promise<QueryResult<Row>>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** Statement text → the name it is prepared under on PostgreSQL. */
const PREPARED = new Map<string, string>();

/**
 * Marks a statement as one PostgreSQL prepares once per connection and then only binds and runs: for the hot, fixed
 * statements of a record view, where planning costs more than running (`recordForView` is planned in about 0.3 ms and
 * runs in about 0.1). Only for fixed text whose parameters are plain key lookups: PostgreSQL may settle on one generic
 * plan for a prepared statement, which suits a lookup by key but not a search with optional filters. Returns the
 * text, so a module declares `const READ = prepared(\`SELECT …\`)`. PGlite runs it as any other statement.
 */
export function prepared(text: string): string {
  if (!PREPARED.has(text)) PREPARED.set(text, `openidcr_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`);
  return text;
}

/** The server-side name of a statement marked with `prepared`, or undefined. */
export function preparedNameOf(text: string): string | undefined {
  return PREPARED.get(text);
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** True when `name` is a schema name this package will use: lower-case letters, digits and `_`, at most 63. */
export function isValidSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name);
}

/** The schema name quoted as an SQL identifier, after checking it against the strict pattern. */
export function quoteSchemaName(name: string): string {
  if (!isValidSchemaName(name)) throw new Error(`Invalid schema name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
