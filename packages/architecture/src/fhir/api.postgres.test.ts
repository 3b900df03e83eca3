import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@openidcr/store';
import { verifyStoreAudit } from '../policy/audit.js';
import { apiContract } from './api-contract.fixtures.js';
import { pooledApi, type ApiHarness } from './api.fixtures.js';

const url = process.env.OPENIDCR_TEST_PG_URL;

describe.skipIf(!url)('pooled topology on PostgreSQL', () => {
  const schema = `arch_test_${process.pid}_${Date.now().toString(36)}`;
  let api: ApiHarness;
  beforeAll(async () => {
    api = await pooledApi(url!, { schema });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    const db = await openDb(url!, { schema });
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  });

  apiContract('pooled topology (PostgreSQL)', () => api);

  it('keeps one unbroken audit chain under concurrent requests', async () => {
    const paths = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `/fhir/Patient/${api.ids.smith}/$everything` : `/fhir/Patient/${api.ids.jones}`));
    const answers = await Promise.all(paths.map((path) => api.get(path, 'dr-gp')));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(10).fill(200), ...Array(10).fill(403)]);
    const verified = await verifyStoreAudit(api.store);
    expect(verified.ok).toBe(true);
  });
});
