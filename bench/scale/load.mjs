// Loading a population for the scale benchmark: the store's initialLoad (COPY, indexes built after), and beside it
// the floor: a plain COPY of the same resources into a bare table with no index, no history and no search rows.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openStore } from '@openidcr/store';
import { populationItems } from './population.mjs';

export const META_SCHEMA = 'scale_meta';
export const schemaOf = (size) => `scale_${size}`;

export async function ensureDatabase(url) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--url: database name ${JSON.stringify(name)} must be lower-case letters, digits and _`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rows.length === 0) await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
  await db.query(`CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.loads (
    size integer PRIMARY KEY, patients integer NOT NULL, resources bigint NOT NULL, persons bigint NOT NULL,
    seconds double precision NOT NULL, load_average double precision NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`);
  await db.end();
}

export async function loadedSize(url, size) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query(`SELECT * FROM ${META_SCHEMA}.loads WHERE size = $1`, [size]);
    return rows[0];
  } finally {
    await db.end();
  }
}

/** Loads patients 0..size-1 into a fresh schema with the store's initialLoad; records the load in scale_meta.loads. */
export async function loadSize(url, size, log = console.log) {
  const schema = schemaOf(size);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DELETE FROM ${META_SCHEMA}.loads WHERE size = $1`, [size]);
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  const store = await openStore(url, { schema, maxConnections: 2 });
  const started = performance.now();
  const loads = [];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 5000);
  let lastLog = started;
  try {
    const result = await store.initialLoad(populationItems(0, size), {
      onProgress(progress) {
        const now = performance.now();
        if (now - lastLog > 15_000) {
          lastLog = now;
          log(`  ${schema}: ${progress.persons.toLocaleString('en-GB')} persons, ${progress.resources.toLocaleString('en-GB')} resources, ${(progress.resources / ((now - started) / 1000)).toFixed(0)}/s`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    loads.push(loadavg()[0]);
    const loadAverage = loads.reduce((a, b) => a + b, 0) / loads.length;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(`INSERT INTO ${META_SCHEMA}.loads (size, patients, resources, persons, seconds, load_average) VALUES ($1, $2, $3, $4, $5, $6)`, [
      size,
      size,
      result.resources,
      result.persons,
      seconds,
      loadAverage,
    ]);
    await db.end();
    return { size, patients: size, resources: result.resources, persons: result.persons, seconds, load_average: loadAverage };
  } finally {
    clearInterval(sampler);
    await store.close();
  }
}

/**
 * Side by side on the same sample of patients: the store's initialLoad into an empty schema, and the floor (plain
 * COPY of patient_key, resource_type, id, body into a bare table). Both schemas are dropped after.
 */
export async function loadFloor(url, patients) {
  const items = [];
  for await (const item of populationItems(0, patients)) items.push(item);
  const resources = items.filter((i) => i.resource).length;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const storeSchema = 'scale_floor_store';
  await admin.query(`DROP SCHEMA IF EXISTS ${storeSchema} CASCADE`);
  await admin.query(`DROP TABLE IF EXISTS ${META_SCHEMA}.copy_floor`);
  await admin.query(`CREATE TABLE ${META_SCHEMA}.copy_floor (patient_key text, resource_type text, id text, body jsonb)`);
  const esc = (s) => s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
  const loadStart = loadavg()[0];
  let t = performance.now();
  const lines = [];
  for (const item of items) if (item.resource) lines.push(`${item.patientKey ?? '\\N'}\t${item.resource.resourceType}\t${item.resource.id}\t${esc(JSON.stringify(item.resource))}\n`);
  const stream = admin.query(copyFrom(`COPY ${META_SCHEMA}.copy_floor FROM STDIN`));
  await new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < lines.length) {
        let chunk = '';
        while (i < lines.length && chunk.length < 1 << 20) chunk += lines[i++];
        if (!stream.write(chunk)) return stream.once('drain', pump);
      }
      stream.end();
    };
    pump();
  });
  const floorSeconds = (performance.now() - t) / 1000;
  const store = await openStore(url, { schema: storeSchema, maxConnections: 2 });
  t = performance.now();
  await store.initialLoad(items);
  const storeSeconds = (performance.now() - t) / 1000;
  await store.close();
  // The old path, for the record: bulkLoad (multi-row INSERTs with version checks, indexes maintained as it goes).
  await admin.query(`DROP SCHEMA ${storeSchema} CASCADE`);
  const bulk = await openStore(url, { schema: storeSchema, maxConnections: 4 });
  t = performance.now();
  await bulk.bulkLoad(items.filter((i) => i.resource), { batchSize: 5000 });
  const bulkSeconds = (performance.now() - t) / 1000;
  await bulk.close();
  await admin.query(`DROP SCHEMA ${storeSchema} CASCADE`);
  await admin.query(`DROP TABLE ${META_SCHEMA}.copy_floor`);
  await admin.end();
  return { patients, resources, floorPerSecond: resources / floorSeconds, initialLoadPerSecond: resources / storeSeconds, bulkLoadPerSecond: resources / bulkSeconds, loadAverage: (loadStart + loadavg()[0]) / 2 };
}
