import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES } from '@openidcr/governance';
import { DEFAULT_STORAGE_URL, LocalityConfigError, defineLocality, parseLocality } from './locality.js';
import { loadLocalityConfig } from './load.js';
import { northshire } from './locality.fixtures.js';

function issuesOf(input: unknown): string[] {
  const result = parseLocality(input);
  if (result.ok) throw new Error('expected issues');
  return result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('defineLocality [REQ-ARC-005]', () => {
  it('fills defaults: pooled topology, default storage, default roles, port 8080', () => {
    const { storage, ports, ...rest } = northshire();
    void storage;
    void ports;
    const locality = defineLocality(rest);
    expect(locality.topology).toEqual({ kind: 'pooled' });
    expect(locality.storage.url).toBe(DEFAULT_STORAGE_URL);
    expect(locality.ports.http).toBe(8080);
    expect(locality.roles.map((r) => r.id)).toEqual(DEFAULT_ROLES.map((r) => r.id));
    expect(locality.channels).toEqual([]);
    expect(locality.auth.mode).toBe('dev');
    if (locality.auth.mode === 'dev') expect(locality.auth.claims.role).toBe('idcr_role');
  });

  it('names each bad field, several at once', () => {
    const input = northshire();
    const organisations = [...input.organisations];
    organisations[2] = { ...organisations[2]!, ods: 'not an ods' };
    const issues = issuesOf({ ...input, organisations, ports: { http: 70000 } });
    expect(issues.some((i) => i.startsWith('organisations[2].ods: ODS code'))).toBe(true);
    expect(issues.some((i) => i.startsWith('ports.http:'))).toBe(true);
  });

  it('throws a LocalityConfigError whose message lists the fields', () => {
    expect(() => defineLocality({ ...northshire(), name: '' })).toThrow(LocalityConfigError);
    try {
      defineLocality({ ...northshire(), name: '' });
    } catch (error) {
      expect((error as LocalityConfigError).issues[0]!.path).toBe('name');
      expect((error as Error).message).toContain('name:');
    }
  });

  it('checks cross references: users, ISA parties, channels, federated sources, ports', () => {
    const input = northshire();
    const auth = input.auth.mode === 'dev' ? input.auth : undefined;
    const issues = issuesOf({
      ...input,
      auth: { ...auth, users: [...auth!.users, { id: 'x', name: 'X', role: 'wizard', organisation: 'ZZZ99' }, { id: 'x', name: 'Y', role: 'gp' }] },
      channels: [
        { id: 'pas', sender: 'PAS', organisation: 'X9A', profile: 'acute-pas', mllpPort: 2575 },
        { id: 'lab', sender: 'LAB', organisation: 'QQQ1', profile: 'winpath', mllpPort: 2575 },
      ],
      topology: { kind: 'federated', sources: [{ organisation: 'Y90009', baseUrl: 'http://gp.example/fhir' }] },
      organisations: input.organisations.filter((o) => o.ods !== 'X9L'),
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'isa.parties[7].ods: X9L is not one of the locality\'s organisations',
        expect.stringMatching(/^auth\.users\[5\]\.role: "wizard" is not a role/),
        'auth.users[5].organisation: ZZZ99 is not one of the locality\'s organisations',
        'auth.users[6].id: user "x" is listed twice',
        'auth.users[6].organisation: is required for a professional',
        'channels[1].organisation: QQQ1 is not one of the locality\'s organisations',
        'channels[1].mllpPort: port 2575 is already used by channels[0].mllpPort',
        expect.stringMatching(/^channels\[1\]\.profile: "winpath" is not a source profile \(gp, acute-pas/),
        'topology.sources[0].organisation: Y90009 is not one of the locality\'s organisations',
        expect.stringMatching(/^channels: a federated locality keeps no pooled copy/),
      ]),
    );
  });

  it('rejects a citizen without an NHS number and an ISA party of another kind', () => {
    const input = northshire();
    const isa = { ...input.isa, parties: input.isa.parties.map((p, i) => (i === 0 ? { ...p, kind: 'acute-trust' as const } : p)) };
    const issues = issuesOf({ ...input, isa, auth: { mode: 'dev', users: [{ id: 'c', name: 'C', role: 'citizen' }] } });
    expect(issues).toContain('auth.users[0].nhsNumber: a citizen needs their NHS number');
    expect(issues).toContain('isa.parties[0].kind: acute-trust differs from organisations[0].kind (gp-practice)');
  });

  it('accepts an OIDC issuer with a claim mapping and rejects a bad JWKS URL', () => {
    const oidc = { mode: 'oidc' as const, issuer: 'https://login.example.nhs.uk', jwksUrl: 'https://login.example.nhs.uk/jwks', audience: 'idcr', claims: { role: 'nhsid_role' } };
    const locality = defineLocality({ ...northshire(), auth: oidc });
    expect(locality.auth.mode === 'oidc' && locality.auth.claims).toMatchObject({ role: 'nhsid_role', organisation: 'idcr_org' });
    expect(issuesOf({ ...northshire(), auth: { ...oidc, jwksUrl: 'not a url' } }).some((i) => i.startsWith('auth.jwksUrl:'))).toBe(true);
  });

  it('fills an ISA party activation from its organisation', () => {
    const input = northshire();
    const isa = { ...input.isa, parties: input.isa.parties.map(({ activation: _a, ...p }) => p) };
    const organisations = input.organisations.map((o) => (o.ods === 'Y90001' ? { ...o, activation: { at: '2026-02-01T09:00:00Z', by: 'pm' } } : o));
    const locality = defineLocality({ ...input, isa, organisations });
    expect(locality.isa.parties.find((p) => p.ods === 'Y90001')?.activation).toEqual({ at: '2026-02-01T09:00:00Z', by: 'pm' });
    expect(locality.isa.parties.find((p) => p.ods === 'Y90002')?.activation).toBeUndefined();
  });
});

describe('loadLocalityConfig', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const folder = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'idcr-config-'));
    dirs.push(dir);
    return dir;
  };

  it('reads idcr.config.json from a folder', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'idcr.config.json'), JSON.stringify(northshire()));
    const locality = await loadLocalityConfig(dir);
    expect(locality.name).toBe('Northshire');
  });

  it('reads the default export of an .mjs module', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'idcr.config.mjs'), `export default ${JSON.stringify({ ...northshire(), name: 'From module' })};`);
    expect((await loadLocalityConfig(join(dir, 'idcr.config.mjs'))).name).toBe('From module');
  });

  it('names the file and the field when the config is bad', async () => {
    const dir = await folder();
    const file = join(dir, 'idcr.config.json');
    await writeFile(file, JSON.stringify({ ...northshire(), topology: { kind: 'mesh' } }));
    await expect(loadLocalityConfig(file)).rejects.toThrow(/idcr\.config\.json: invalid locality configuration:\n {2}topology\.kind:/);
  });

  it('reports invalid JSON, a missing file and a module without a default export', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'broken.json'), '{ "name": ');
    await expect(loadLocalityConfig(join(dir, 'broken.json'))).rejects.toThrow(/not valid JSON/);
    await expect(loadLocalityConfig(join(dir, 'nothing-here'))).rejects.toThrow(LocalityConfigError);
    await writeFile(join(dir, 'nodefault.mjs'), 'export const x = 1;');
    await expect(loadLocalityConfig(join(dir, 'nodefault.mjs'))).rejects.toThrow(/no default export/);
    const empty = await folder();
    await expect(loadLocalityConfig(empty)).rejects.toThrow(/no idcr\.config\.ts/);
  });
});
