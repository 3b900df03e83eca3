// Child process for the migration crash test: opens the store's database and runs the real migrations, but stops
// once a migration's SQL has run inside the migration transaction (before it is recorded and committed), says so on
// stdout and waits to be killed. Runs the TypeScript sources (node --import ./ts-register.mjs).
import { migrate, openDb } from '../src/index.ts';

const [url, schema] = process.argv.slice(2);
const db = await openDb(url, { schema });
const pausing = {
  ...db,
  transaction: (fn) =>
    db.transaction((tx) =>
      fn({
        query: (text, params) => tx.query(text, params),
        async exec(sql) {
          await tx.exec(sql);
          process.stdout.write('MIGRATION_RAN_UNCOMMITTED\n');
          globalThis.setInterval(() => undefined, 1000); // PGlite keeps no socket open: hold the process up ourselves
          await new Promise(() => undefined);
        },
      }),
    ),
};
await migrate(pausing);
process.stdout.write('COMMITTED\n');
