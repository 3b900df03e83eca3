import { createHash } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isStoreError } from './errors.js';
import { migrate } from './schema/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema/migrations.js';
import { createRecordStore, openDb, openStore } from './store.js';
import { describeRecordStoreContract } from './store.suite.js';
import { postgresTestSchemas } from './postgres-schemas.fixtures.js';

const url = process.env.OPENIDCR_TEST_PG_URL;

const schemas = url ? postgresTestSchemas(url) : undefined;
/** A schema of its own for each use, dropped when the file's tests end. */
const freshSchema = (): string => schemas!.fresh();

if (url) {
  describeRecordStoreContract('PostgreSQL', async () => {
    const db = await openDb(url, { schema: freshSchema() });
    const store = createRecordStore(db, await migrate(db));
    return { store, db, cleanup: () => store.close() };
  });
}

describe.skipIf(!url)('PostgreSQL migrations', () => {
  it('migrates once when several processes open the same schema at the same time', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(`${url}`, { schema })));
    try {
      expect(stores.map((store) => store.migration.applied.length).sort()).toEqual([0, 0, 0, MIGRATIONS.length]);
      const again = await openStore(`${url}${url?.includes('?') ? '&' : '?'}schema=${schema}`);
      expect(again.migration).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      await again.close();
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 30_000);

  it('refuses a schema newer than it knows, naming both versions, and changes nothing', async () => {
    const schema = freshSchema();
    const store = await openStore(`${url}`, { schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'from the future')`);
      await store.close();
      const error = await openStore(`${url}`, { schema }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isStoreError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'schema-too-new' });
      expect((error as Error).message).toMatch(new RegExp(`version 99.*version ${SCHEMA_VERSION}`));
      const { rows } = await client.query(`SELECT max(version) AS v FROM "${schema}".schema_migrations`);
      expect(rows[0].v).toBe(99);
    } finally {
      await client.end();
    }
  }, 30_000);

  it('appends audit rows on a connection of their own: they do not wait behind reads holding every pooled one', async () => {
    const schema = freshSchema();
    const db = await openDb(`${url}`, { schema, maxConnections: 1 });
    const store = createRecordStore(db, await migrate(db));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldOpen!: () => void;
    const opened = new Promise<void>((resolve) => (heldOpen = resolve));
    // The pool's only connection is taken by a transaction that waits until the audit row is stored.
    const holder = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      heldOpen();
      await held;
    });
    try {
      await opened;
      const rows = await store.appendAuditBatch([{ event: { action: 'read' }, patientKey: 'p' }], () => 'h1');
      expect(rows.map((row) => row.hash)).toEqual(['h1']);
    } finally {
      release();
      await holder;
      await store.close();
    }
  }, 30_000);

  it('keeps one unbroken audit chain when several processes append to it at once, each linking to the head it last saw', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 3 }, () => openStore(`${url}`, { schema, maxConnections: 2 })));
    const hashOf = (link: { seq: number; prevHash: string | undefined; event: Record<string, unknown> }) =>
      createHash('sha256').update(`${link.seq}|${link.prevHash ?? ''}|${link.event.store}.${link.event.group}.${link.event.i}`).digest('hex');
    try {
      // Each store appends groups one after another (as the policy point's sink does), all three at once: every group
      // but the first of each store is linked to the head that store last wrote, which another has usually moved on.
      const written = await Promise.all(
        stores.map(async (store, s) => {
          let rows = 0;
          for (let g = 0; g < 25; g++) {
            const size = 1 + ((g * 7 + s) % 5);
            const group = Array.from({ length: size }, (_, i) => ({ event: { store: s, group: g, i }, patientKey: `p${s}`, userId: `u${s}` }));
            rows += (await store.appendAuditBatch(group, hashOf)).length;
          }
          return rows;
        }),
      );
      const chain = (await stores[0]!.readAudit({ limit: 5000 })).items;
      expect(chain).toHaveLength(written.reduce((a, b) => a + b, 0));
      chain.forEach((row, i) => {
        expect(row.seq).toBe(i + 1);
        expect(row.prevHash).toBe(i === 0 ? undefined : chain[i - 1]!.hash);
        expect(row.hash).toBe(hashOf(row));
      });
      // Groups are never interleaved: each group's rows are consecutive, in the order given.
      for (let i = 1; i < chain.length; i++) {
        const [a, b] = [chain[i - 1]!.event, chain[i]!.event];
        if (a.store === b.store && a.group === b.group) expect(b.i).toBe(Number(a.i) + 1);
        else expect(b.i).toBe(0);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);

  it('links the next audit group only to a committed head: a group whose COMMIT fails is not remembered', async () => {
    const db = await openDb(`${url}`, { schema: freshSchema() });
    const store = createRecordStore(db, await migrate(db));
    try {
      // A check PostgreSQL runs at COMMIT (a deferred constraint trigger), failing for one marked event.
      await db.exec(`CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.event->>'failAtCommit' = 'yes' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER audit_fail_at_commit AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED
          FOR EACH ROW EXECUTE FUNCTION fail_at_commit();`);
      const hashOf = (link: { seq: number; prevHash: string | undefined }) => `${link.seq}:${link.prevHash ?? '-'}`;
      await expect(store.appendAuditBatch([{ event: { failAtCommit: 'yes' } }], hashOf)).rejects.toThrow(/refused at commit/);
      const [first] = await store.appendAuditBatch([{ event: { action: 'read' } }], hashOf);
      expect(first).toMatchObject({ seq: 1, prevHash: undefined, hash: '1:-' });
      // And the head it did commit is the one the next group links to (the one-statement path).
      const [second] = await store.appendAuditBatch([{ event: { action: 'read' } }], hashOf);
      expect(second).toMatchObject({ seq: 2, prevHash: '1:-' });
      // A failure in the one-statement path forgets the head too: the next group reads it again.
      await expect(store.appendAuditBatch([{ event: { failAtCommit: 'yes' } }], hashOf)).rejects.toThrow(/refused at commit/);
      const [third] = await store.appendAuditBatch([{ event: { action: 'read' } }], hashOf);
      expect(third).toMatchObject({ seq: 3, prevHash: '2:1:-' });
      expect((await store.readAudit()).items.map((row) => row.seq)).toEqual([1, 2, 3]);
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe.skipIf(!url)('break-glass across processes (PostgreSQL)', () => {
  it('honours a grant written by one store instance through another, and a revocation through either', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([openStore(`${url}`, { schema }), openStore(`${url}`, { schema })]);
    try {
      const grant = { patientKey: 'person-1', id: 'grant-1', userId: 'dr-ed', organisation: 'RR8', reasonCode: 'emergency-care', reasonText: 'Collapsed in A&E, cannot give a history', grantedAt: '2026-03-01T10:00:00Z', expiresAt: '2026-03-01T14:00:00Z' };
      await a.putBreakGlassGrant(grant);
      expect(await b.findBreakGlassGrant({ userId: 'dr-ed', patientKey: 'person-1', at: '2026-03-01T10:30:00Z' })).toMatchObject({ id: 'grant-1', organisation: 'RR8' });
      await b.revokeBreakGlassGrant({ patientKey: 'person-1', id: 'grant-1', revokedBy: 'privacy-officer-1', reason: 'not an emergency', at: '2026-03-01T10:45:00Z' });
      expect(await a.findBreakGlassGrant({ userId: 'dr-ed', patientKey: 'person-1', at: '2026-03-01T10:46:00Z' })).toBeUndefined();
      expect(await a.getBreakGlassGrant('person-1', 'grant-1')).toMatchObject({ revokedBy: 'privacy-officer-1', revokeReason: 'not an emergency' });
      await a.raisePrivacyAlert({ patientKey: 'person-1', id: 'grant-1', reason: 'break-glass', text: 'Break-glass access', userId: 'dr-ed', organisation: 'RR8', grantId: 'grant-1', raisedAt: '2026-03-01T10:00:00Z' });
      expect((await b.listPrivacyAlerts()).map((alert) => alert.id)).toEqual(['grant-1']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);
});
