import { request } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './listen.fixtures.js';
import { publicOrigin } from './public-origin.js';
import { problemHandler } from './errors.js';
import { pino } from 'pino';
import { startFixtureIdcr, type RunningFixtureIdcr } from './idcr.fixtures.js';

/** A GET with headers fetch would not send as given (Host), over node:http. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Links {
  token: string;
  base: string;
  fullUrls: string[];
  next: string | undefined;
  self: string | undefined;
}

/** Every absolute URL a client gets: SMART's token endpoint, the CapabilityStatement's base, a search's fullUrls and links. */
async function linksOf(server: RunningFixtureIdcr, headers: Record<string, string>): Promise<Links> {
  const token = await server.token('dr-gp');
  const smart = (await (await fetch(`${server.url}/.well-known/smart-configuration`, { headers })).json()) as { token_endpoint: string };
  const metadata = (await (await fetch(`${server.url}/fhir/metadata`, { headers })).json()) as { implementation: { url: string } };
  const search = (await (await fetch(`${server.url}/fhir/Observation?patient=Patient/pat-smith-gp&_count=1`, { headers: { ...headers, Authorization: `Bearer ${token}` } })).json()) as {
    entry: Array<{ fullUrl: string }>;
    link: Array<{ relation: string; url: string }>;
  };
  return {
    token: smart.token_endpoint,
    base: metadata.implementation.url,
    fullUrls: search.entry.map((e) => e.fullUrl),
    next: search.link.find((l) => l.relation === 'next')?.url,
    self: search.link.find((l) => l.relation === 'self')?.url,
  };
}

const everyUrl = (links: Links) => [links.token, links.base, ...links.fullUrls, links.next!, links.self!];
const FORWARDED = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'attacker.example' };

describe('absolute URLs come from publicUrl, or from a trusted proxy, never from an untrusted client [#18]', () => {
  let direct: RunningFixtureIdcr;
  let proxied: RunningFixtureIdcr;
  let published: RunningFixtureIdcr;

  beforeAll(async () => {
    [direct, proxied, published] = await Promise.all([
      startFixtureIdcr(),
      // The test client connects from 127.0.0.1, the proxy this locality trusts.
      startFixtureIdcr({ trustProxy: 'loopback' }),
      startFixtureIdcr({ publicUrl: 'https://idcr.example.nhs.uk/' }),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([direct, proxied, published].map((s) => s?.close()));
  });

  it('without trustProxy, X-Forwarded-Proto and X-Forwarded-Host change nothing: every link is the address the client used', async () => {
    const links = await linksOf(direct, FORWARDED);
    expect(links.token).toBe(`${direct.url}/dev/token`);
    expect(links.base).toBe(`${direct.url}/fhir`);
    expect(links.next).toMatch(new RegExp(`^${direct.url}/fhir/Observation\\?`));
    expect(links.fullUrls.length).toBeGreaterThan(0);
    for (const url of everyUrl(links)) expect(url.startsWith(`${direct.url}/`), url).toBe(true);
  });

  it('behind a configured proxy, X-Forwarded-Proto: https and X-Forwarded-Host give https links on the public host', async () => {
    const links = await linksOf(proxied, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'idcr.example.nhs.uk' });
    expect(links.token).toBe('https://idcr.example.nhs.uk/dev/token');
    expect(links.base).toBe('https://idcr.example.nhs.uk/fhir');
    for (const url of everyUrl(links)) expect(url.startsWith('https://idcr.example.nhs.uk/fhir/') || url === 'https://idcr.example.nhs.uk/fhir' || url === 'https://idcr.example.nhs.uk/dev/token', url).toBe(true);
    // The proxy forwards only the scheme: the Host header names the host.
    expect((await linksOf(proxied, { 'X-Forwarded-Proto': 'https' })).base).toBe(`https://127.0.0.1:${proxied.port}/fhir`);
  });

  it('with publicUrl, every link starts with it whatever Host and the forwarded headers say', async () => {
    for (const links of [await linksOf(published, FORWARDED), await linksOf(published, {})]) {
      expect(links.token).toBe('https://idcr.example.nhs.uk/dev/token');
      expect(links.base).toBe('https://idcr.example.nhs.uk/fhir');
      for (const url of everyUrl(links)) expect(url.startsWith('https://idcr.example.nhs.uk/'), url).toBe(true);
    }
    const viaOddHost = await rawGet(`${published.url}/fhir/metadata`, { Host: 'evil.example/x?' });
    expect(viaOddHost.status).toBe(200);
    expect(JSON.parse(viaOddHost.body).implementation.url).toBe('https://idcr.example.nhs.uk/fhir');
  });

  it('without publicUrl, refuses a Host that is not a plain host[:port] with a 400 naming Host, on the FHIR API and SMART discovery', async () => {
    for (const host of ['evil.example/fhir?x=', 'user@evil.example', 'evil.example evil2.example', 'evil.example:99999', 'evil.example:80:80', '<script>']) {
      for (const path of ['/fhir/metadata', '/.well-known/smart-configuration']) {
        const answer = await rawGet(`${direct.url}${path}`, { Host: host });
        expect(answer.status, `${path} ${host}`).toBe(400);
        const outcome = JSON.parse(answer.body) as { resourceType: string; issue: Array<{ diagnostics: string; expression: string[] }> };
        expect(outcome.resourceType).toBe('OperationOutcome');
        expect(outcome.issue[0]!.diagnostics).toMatch(/^Host: .* is not a host name with an optional port/);
        expect(outcome.issue[0]!.expression).toEqual(['Host']);
      }
    }
    // Ordinary hosts are fine: names, IPv4, IPv6, with and without a port.
    for (const host of ['idcr.internal', 'idcr_app:8080', '10.1.2.3:8080', '[::1]:8080', 'LOCALHOST'])
      expect(JSON.parse((await rawGet(`${direct.url}/fhir/metadata`, { Host: host })).body).implementation.url).toBe(`http://${host.toLowerCase()}/fhir`);
  });

  it('behind a trusted proxy, refuses a forwarded host or scheme that could not be a link', async () => {
    const badHost = await rawGet(`${proxied.url}/fhir/metadata`, { 'X-Forwarded-Host': 'evil.example/path' });
    expect(badHost.status).toBe(400);
    expect(JSON.parse(badHost.body).issue[0].diagnostics).toMatch(/^X-Forwarded-Host: /);
    const badScheme = await rawGet(`${proxied.url}/fhir/metadata`, { 'X-Forwarded-Proto': 'javascript' });
    expect(badScheme.status).toBe(400);
    expect(JSON.parse(badScheme.body).issue[0].diagnostics).toBe('X-Forwarded-Proto: "javascript" is not http or https');
  });
});

describe('publicOrigin on its own', () => {
  it('trims publicUrl\'s trailing slashes and keeps its path', async () => {
    const app = express();
    app.get('/o', (req, res) => {
      res.json({ none: publicOrigin(req, 'https://host.example/idcr//'), host: publicOrigin(req, undefined) });
    });
    app.use(problemHandler(pino({ level: 'silent' })));
    const server = await listen(app);
    try {
      expect(await (await fetch(`${server.url}/o`)).json()).toEqual({ none: 'https://host.example/idcr', host: server.url });
    } finally {
      await server.close();
    }
  });
});
