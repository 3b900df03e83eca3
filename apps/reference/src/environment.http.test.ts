import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceApp, type ReferenceApp } from './app.js';

const GP_SYSTEM = 'https://gp-system.example.nhs.uk';

describe('reference app: CORS and the public URL from the environment [#18]', () => {
  let app: ReferenceApp;
  beforeAll(async () => {
    app = await startReferenceApp({
      dir: mkdtempSync(join(tmpdir(), 'idcr-ref-env-')),
      settings: { seed: 7, patients: 0, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
      logger: pino({ level: 'silent' }),
      seed: 'never',
      env: { OPENIDCR_CORS_ORIGINS: `${GP_SYSTEM},http://localhost:8081`, OPENIDCR_PUBLIC_URL: 'https://idcr.example.nhs.uk' },
    });
  });
  afterAll(async () => app?.close());

  it('lets an origin in OPENIDCR_CORS_ORIGINS read the FHIR API and says so in the CapabilityStatement, with links on OPENIDCR_PUBLIC_URL', async () => {
    expect(app.locality.cors?.origins).toEqual([GP_SYSTEM, 'http://localhost:8081']);
    const response = await fetch(`${app.url}/fhir/metadata`, { headers: { Origin: GP_SYSTEM } });
    expect(response.headers.get('access-control-allow-origin')).toBe(GP_SYSTEM);
    const statement = (await response.json()) as { implementation: { url: string }; rest: Array<{ security: { cors: boolean } }> };
    expect(statement.rest[0]!.security.cors).toBe(true);
    expect(statement.implementation.url).toBe('https://idcr.example.nhs.uk/fhir');
    const preflight = await fetch(`${app.url}/dev/token`, { method: 'OPTIONS', headers: { Origin: GP_SYSTEM, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(GP_SYSTEM);
  });

  it('keeps the web apps\' own API same-origin: no CORS header on /app/', async () => {
    const response = await fetch(`${app.url}/app/session/users`, { headers: { Origin: GP_SYSTEM } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to start with a bad origin in OPENIDCR_CORS_ORIGINS, naming the variable', async () => {
    await expect(
      startReferenceApp({
        dir: mkdtempSync(join(tmpdir(), 'idcr-ref-env-')),
        settings: { seed: 7, patients: 0, mllpBasePort: 0, httpPort: 0, storageUrl: 'pglite:memory' },
        logger: pino({ level: 'silent' }),
        seed: 'never',
        env: { OPENIDCR_CORS_ORIGINS: 'https://*.example.nhs.uk' },
      }),
    ).rejects.toThrow(/OPENIDCR_CORS_ORIGINS: "https:\/\/\*\.example\.nhs\.uk" is not an origin/);
  });
});
