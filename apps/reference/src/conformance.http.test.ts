import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';
import { syntheticLocalityInput, type ReferenceSettings } from './locality.js';

// The conformance report of the running app, through GET /app/admin/conformance: a Bradford-style locality (explicit
// share-in / share-out) is a gap until consent capture is configured, and met once it is.
const settings: ReferenceSettings = { seed: 7, patients: 0, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory', consentModel: 'explicit-share' };
const apps: ReferenceApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

async function start(dir: string): Promise<ReferenceApp> {
  const app = await startReferenceApp({ dir, settings, logger: pino({ level: 'silent' }), seed: 'never' });
  apps.push(app);
  return app;
}

async function report(app: ReferenceApp, role = 'administrator'): Promise<{ status: number; body: { rows?: Array<{ id: string; status: string; because: string[] }>; provides?: unknown } }> {
  const users = (await (await fetch(`${app.url}/app/session/users`)).json()) as Array<{ id: string; role: string }>;
  const user = users.find((u) => u.role === role)!;
  const token = ((await (await fetch(`${app.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: user.id }) })).json()) as { access_token: string }).access_token;
  const response = await fetch(`${app.url}/app/admin/conformance`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { rows?: Array<{ id: string; status: string; because: string[] }>; provides?: unknown } };
}

describe('conformance of the running app [REQ-REQ-007, REQ-GOV-006]', () => {
  it('explicit consent without consent capture is a gap, and no capture route exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcr-conformance-'));
    const { input } = syntheticLocalityInput(settings);
    const { consentCapture: _off, ...withoutCapture } = input as Record<string, unknown>;
    writeFileSync(join(dir, 'idcr.config.json'), JSON.stringify(withoutCapture));
    const app = await start(dir);
    const { status, body } = await report(app);
    expect(status).toBe(200);
    expect(body.rows?.find((r) => r.id === 'REQ-GOV-006')).toMatchObject({ status: 'gap', because: [expect.stringContaining('cannot record share-out'), expect.stringContaining('cannot record share-in')] });
    const markdown = await fetch(`${app.url}/app/admin/conformance?format=markdown`, { headers: { Authorization: `Bearer x` } });
    expect(markdown.status).toBe(401);
  });

  it('with consent capture configured it is met; a clinician may not read the report', async () => {
    const app = await start(mkdtempSync(join(tmpdir(), 'idcr-conformance-')));
    const { status, body } = await report(app);
    expect(status).toBe(200);
    expect(body.provides).toMatchObject({ consentCapture: { shareIn: true, shareOut: true, consentToView: true } });
    expect(body.rows?.find((r) => r.id === 'REQ-GOV-006')).toMatchObject({ status: 'met', because: [] });
    expect((await report(app, 'gp')).status).toBe(403);
  });
});
