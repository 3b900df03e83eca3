import express from 'express';
import { pino } from 'pino';
import { createLocalityPolicy } from '@openidcr/governance';
import { openStore, type RecordStore } from '@openidcr/store';
import { createDevIssuer, type IssueOptions } from '../auth/dev-issuer.js';
import { createTokenVerifier } from '../auth/tokens.js';
import { listen } from '../http/listen.fixtures.js';
import { defineLocality } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import type { PolicyAlert } from '../policy/pep.js';
import type { RecordSource } from '../topology/source.js';
import { fhirRouter } from './router.js';
import { pooledRecord } from './record.fixtures.js';

/** A running API over the fixture record, with tokens for the demo users. */
export interface ApiHarness {
  topology: 'pooled' | 'federated';
  url: string;
  store: RecordStore;
  alerts: PolicyAlert[];
  /** The Patient ids of the fixture people as this topology serves them. */
  ids: { smith: string; smithHospital: string; smithCouncil: string; jones: string };
  token(userId: string, options?: IssueOptions): Promise<string>;
  get(path: string, userId?: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, userId: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export const locality = defineLocality(northshire());

/** Builds the API over a record source (or the store alone), a fresh store for governance and audit, and a dev issuer. */
export async function startApi(options: {
  topology: 'pooled' | 'federated';
  store: RecordStore;
  source?: RecordSource;
  ids: ApiHarness['ids'];
  cleanup?: () => Promise<void>;
}): Promise<ApiHarness> {
  if (locality.auth.mode !== 'dev') throw new Error('dev auth expected');
  const auth = locality.auth;
  const issuer = await createDevIssuer({ issuer: auth.issuer, audience: auth.audience, users: auth.users, claims: auth.claims });
  const verifier = createTokenVerifier({ issuer: auth.issuer, audience: auth.audience, keys: issuer.keys, algorithms: ['ES256'], claims: auth.claims, organisations: locality.organisations });
  const created = createLocalityPolicy({ isa: locality.isa, roles: locality.roles });
  if (!created.ok) throw new Error('policy');
  const alerts: PolicyAlert[] = [];
  const app = express();
  app.use(fhirRouter({ store: options.store, source: options.source, policy: created.policy, auth: verifier, logger: pino({ level: 'silent' }), onAlert: (a) => alerts.push(a) }));
  const server = await listen(app);
  const token = async (userId: string, issueOptions?: IssueOptions): Promise<string> => {
    const t = await issuer.issue(userId, issueOptions);
    if (!t) throw new Error(`no demo user ${userId}`);
    return t;
  };
  return {
    topology: options.topology,
    url: server.url,
    store: options.store,
    alerts,
    ids: options.ids,
    token,
    async get(path, userId, headers = {}) {
      const auth: Record<string, string> = userId ? { Authorization: `Bearer ${await token(userId)}` } : {};
      return fetch(`${server.url}${path}`, { headers: { ...auth, ...headers } });
    },
    async post(path, userId, body) {
      return fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async close() {
      await server.close();
      await options.cleanup?.();
      await options.store.close();
    },
  };
}

/** The pooled topology seeded with the fixture record: on an in-memory PGlite store, or on PostgreSQL in its own schema. */
export async function pooledApi(url = 'pglite:memory', options: { schema?: string; cleanup?: () => Promise<void> } = {}): Promise<ApiHarness> {
  const store = await openStore(url, { schema: options.schema });
  const record = pooledRecord();
  await store.bulkLoad(record.resources);
  for (const relationship of record.relationships) await store.putRelationship(relationship);
  return startApi({ topology: 'pooled', store, cleanup: options.cleanup, ids: { smith: 'pat-smith-gp', smithHospital: 'pat-smith-hosp', smithCouncil: 'pat-smith-council', jones: 'pat-jones-gp' } });
}
