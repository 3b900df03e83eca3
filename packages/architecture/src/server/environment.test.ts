import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LocalityConfigError, defineLocality, type Locality } from '../locality/locality.js';
import { northshire } from '../locality/locality.fixtures.js';
import { createIdcr } from './create-idcr.js';
import { applyEnvironment } from './start.js';

const dev = defineLocality(northshire());
const oidc = defineLocality(northshire({ auth: { mode: 'oidc', issuer: 'https://login.example.nhs.uk', jwksUrl: 'https://login.example.nhs.uk/jwks', audience: 'idcr' } }));

/** The issues of the LocalityConfigError `run` throws, one `path: message` a line. */
function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof LocalityConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('applyEnvironment: public URL, proxy and CORS overrides [#18]', () => {
  it('sets cors.origins from OPENIDCR_CORS_ORIGINS (comma separated), keeping maxAgeSeconds; empty turns CORS off', () => {
    const applied = applyEnvironment(dev, { OPENIDCR_CORS_ORIGINS: 'https://gp-system.example.nhs.uk, http://localhost:8081 ,' });
    expect(applied.cors).toEqual({ origins: ['https://gp-system.example.nhs.uk', 'http://localhost:8081'], maxAgeSeconds: 600 });
    const kept = applyEnvironment({ ...dev, cors: { origins: ['https://a.example'], maxAgeSeconds: 30 } } as Locality, { OPENIDCR_CORS_ORIGINS: 'https://b.example' });
    expect(kept.cors).toEqual({ origins: ['https://b.example'], maxAgeSeconds: 30 });
    expect(applyEnvironment(kept, { OPENIDCR_CORS_ORIGINS: '' }).cors?.origins).toEqual([]);
    expect(applyEnvironment(dev, {}).cors).toBeUndefined();
  });

  it('refuses a bad origin in OPENIDCR_CORS_ORIGINS, naming the variable and the value', () => {
    expect(issuesOf(() => applyEnvironment(dev, { OPENIDCR_CORS_ORIGINS: 'https://ok.example,*' }))).toEqual([expect.stringMatching(/^OPENIDCR_CORS_ORIGINS: "\*" is not an origin/)]);
    expect(issuesOf(() => applyEnvironment(dev, { OPENIDCR_CORS_ORIGINS: 'https://ok.example/path' }))).toEqual([expect.stringMatching(/^OPENIDCR_CORS_ORIGINS: .*write "https:\/\/ok\.example"/)]);
  });

  it('sets publicUrl from OPENIDCR_PUBLIC_URL and trustProxy from OPENIDCR_TRUST_PROXY, each checked', () => {
    expect(applyEnvironment(dev, { OPENIDCR_PUBLIC_URL: 'https://idcr.example.nhs.uk' }).publicUrl).toBe('https://idcr.example.nhs.uk');
    expect(issuesOf(() => applyEnvironment(dev, { OPENIDCR_PUBLIC_URL: 'idcr.example.nhs.uk' }))[0]).toMatch(/^OPENIDCR_PUBLIC_URL: /);
    expect(issuesOf(() => applyEnvironment(dev, { OPENIDCR_PUBLIC_URL: 'https://idcr.example.nhs.uk/?x=1' }))[0]).toMatch(/^OPENIDCR_PUBLIC_URL: an http\(s\) base URL/);
    expect(applyEnvironment(dev, { OPENIDCR_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(applyEnvironment(dev, { OPENIDCR_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(applyEnvironment(dev, { OPENIDCR_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(applyEnvironment(dev, { OPENIDCR_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(issuesOf(() => applyEnvironment(dev, { OPENIDCR_TRUST_PROXY: '99' }))[0]).toMatch(/^OPENIDCR_TRUST_PROXY: /);
  });
});

describe('production mode needs publicUrl [#18]', () => {
  it('an OIDC locality (real users) without publicUrl is a LocalityConfigError naming publicUrl; OPENIDCR_PUBLIC_URL or the field settles it', () => {
    expect(issuesOf(() => applyEnvironment(oidc, {}))).toEqual([expect.stringMatching(/^publicUrl: required in production mode \(auth\.mode is 'oidc'/)]);
    expect(applyEnvironment(oidc, { OPENIDCR_PUBLIC_URL: 'https://idcr.example.nhs.uk' }).publicUrl).toBe('https://idcr.example.nhs.uk');
    expect(issuesOf(() => applyEnvironment({ ...oidc, publicUrl: 'https://idcr.example.nhs.uk' }, {}))).toEqual([]);
  });

  it('NODE_ENV=production makes the development issuer production mode too; without it a demo may go without publicUrl', () => {
    expect(issuesOf(() => applyEnvironment(dev, { NODE_ENV: 'production' }))).toEqual([expect.stringMatching(/^publicUrl: required in production mode \(NODE_ENV is production\)/)]);
    expect(issuesOf(() => applyEnvironment(dev, { NODE_ENV: 'development' }))).toEqual([]);
  });

  it('createIdcr refuses an OIDC locality without publicUrl before opening anything', async () => {
    await expect(createIdcr(oidc, { logger: pino({ level: 'silent' }) })).rejects.toThrow(/publicUrl: required in production mode/);
  });
});
