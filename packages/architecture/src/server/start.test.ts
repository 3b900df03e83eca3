import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { defineLocality, LocalityConfigError } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { applyEnvironment, startFromConfig } from './start.js';

const silent = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('startFromConfig', () => {
  it('applies DATABASE_URL, PORT and HOST over the file, and names a bad PORT', () => {
    const locality = defineLocality(northshire());
    const applied = applyEnvironment(locality, { DATABASE_URL: 'postgres://db.example/idcr', PORT: '9090', HOST: '127.0.0.1' });
    expect(applied.storage.url).toBe('postgres://db.example/idcr');
    expect(applied.ports).toEqual({ http: 9090, host: '127.0.0.1' });
    expect(applyEnvironment(locality, {})).toEqual(locality);
    expect(() => applyEnvironment(locality, { PORT: 'eighty' })).toThrow(LocalityConfigError);
    expect(() => applyEnvironment(locality, { PORT: '70000' })).toThrow(/PORT: expected a port from 0 to 65535, found "70000"/);
  });

  it('starts the record from an idcr.config.json folder and answers /healthz and /fhir/metadata', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idcr-start-'));
    dirs.push(dir);
    await writeFile(join(dir, 'idcr.config.json'), JSON.stringify(northshire({ storage: { url: 'pglite:./unused' } })));
    const started = await startFromConfig({ config: dir, env: { DATABASE_URL: 'pglite:memory', PORT: '0', HOST: '127.0.0.1' }, logger: silent, handleSignals: false });
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.locality.storage.url).toBe('pglite:memory');
      expect(await (await fetch(`${started.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const metadata = (await (await fetch(`${started.url}/fhir/metadata`)).json()) as { resourceType: string };
      expect(metadata.resourceType).toBe('CapabilityStatement');
    } finally {
      await started.close();
    }
  });

  it('refuses a bad configuration before opening anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idcr-start-'));
    dirs.push(dir);
    await writeFile(join(dir, 'idcr.config.json'), JSON.stringify({ ...northshire(), organisations: [] }));
    await expect(startFromConfig({ config: dir, env: {}, logger: silent, handleSignals: false })).rejects.toThrow(/organisations:/);
  });
});
