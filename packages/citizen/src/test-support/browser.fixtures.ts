import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { CHROMIUM } from './chromium.js';

const require = createRequire(import.meta.url);
const PACKAGE = resolve(import.meta.dirname, '..', '..');
const ROOT_MODULES = resolve(PACKAGE, '..', '..', 'node_modules');
const AXE = require.resolve('axe-core/axe.min.js');

/** Bare specifiers the components import, mapped onto the workspace's node_modules. */
const IMPORT_MAP = {
  imports: {
    lit: '/node_modules/lit/index.js',
    'lit/': '/node_modules/lit/',
    'lit-html': '/node_modules/lit-html/lit-html.js',
    'lit-html/': '/node_modules/lit-html/',
    'lit-element/': '/node_modules/lit-element/',
    '@lit/reactive-element': '/node_modules/@lit/reactive-element/reactive-element.js',
    '@lit/reactive-element/': '/node_modules/@lit/reactive-element/',
    '@openidcr/model': '/node_modules/@openidcr/model/dist/index.js',
    zod: '/node_modules/zod/index.js',
    'zod/': '/node_modules/zod/',
  },
};

/** The events the components dispatch, recorded on the test page. */
const EVENT_TYPES = ['idcr-load-more', 'idcr-preference-change', 'idcr-what-matters-change'];

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.map': 'application/json', '.json': 'application/json' };

const PAGE = `<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Citizen components test page</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<style>body { margin: 0; font-family: Arial, sans-serif; background: #f0f4f5; } main { max-width: 960px; margin: 0 auto; padding: 24px; background: #fff; }</style>
<link rel="icon" href="data:,">
</head>
<body><main><h1>Component test page</h1><div id="root"></div></main></body>
</html>`;

function serve(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file: string | undefined;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    if (path.startsWith('/dist/')) file = join(PACKAGE, normalize(path));
    else if (path.startsWith('/node_modules/')) file = join(ROOT_MODULES, normalize(path.slice('/node_modules/'.length)));
    if (!file || !(file.startsWith(join(PACKAGE, 'dist')) || file.startsWith(ROOT_MODULES))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[]; failureSummary: string }>;
}

/** A real Chromium (Debian's, never a downloaded one) and a tiny server of the built dist, for component tests. */
export interface BrowserHarness {
  /** The test page (one per harness, so modules load once); every `idcr-*` event is recorded for `events`. */
  page(): Promise<Page>;
  /** The `idcr-*` events dispatched since the last call, as `[type, detail]`; clears the record. */
  events(page: Page): Promise<Array<[string, unknown]>>;
  /** Imports the define module, creates `tag` with `props`, appends it and waits for its first render. */
  mount(page: Page, tag: string, props: Record<string, unknown>, attributes?: Record<string, string>): Promise<void>;
  /** axe-core over the whole page (light and shadow DOM); returns the violations. */
  axe(page: Page): Promise<AxeViolation[]>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserHarness> {
  const server = await serve();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // One Chromium for the whole run, started by the global setup; a file run alone starts its own.
  const endpoint = inject('chromiumEndpoint');
  const browser: Browser = endpoint ? await chromium.connect(endpoint) : await chromium.launch(CHROMIUM);
  const axeSource = await readFile(AXE, 'utf8');
  let shared: Page | undefined;
  return {
    async page() {
      if (shared) return shared;
      const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(base + '/');
      await page.evaluate(`(() => {
        window.__events = [];
        for (const type of ${JSON.stringify(EVENT_TYPES)}) document.addEventListener(type, (e) => window.__events.push([type, e.detail]));
      })()`);
      (page as Page & { errors: string[] }).errors = errors;
      shared = page;
      return page;
    },
    async events(page) {
      return page.evaluate('(() => { const out = window.__events; window.__events = []; return out; })()');
    },
    async mount(page, tag, props, attributes = {}) {
      // A string, not a function: the test runner rewrites dynamic import() in function sources.
      await page.evaluate(`(async () => {
        await import('/dist/define/${tag}.js');
        const el = document.createElement(${JSON.stringify(tag)});
        for (const [name, value] of Object.entries(${JSON.stringify(attributes)})) el.setAttribute(name, value);
        Object.assign(el, ${JSON.stringify(props)});
        document.activeElement?.blur();
        document.getElementById('root').replaceChildren(el);
        await el.updateComplete;
      })()`);
      const errors = (page as Page & { errors?: string[] }).errors ?? [];
      if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    },
    async axe(page) {
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
      return page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
      });
    },
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** Starts the browser harness for one test file (before its tests, closed after them) and returns a getter. */
export function useBrowser(): () => BrowserHarness {
  let harness: BrowserHarness | undefined;
  beforeAll(async () => {
    harness = await startBrowser();
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the browser harness has not started');
    return harness;
  };
}

/**
 * One test per fixture: mount it in Chromium, assert axe finds no violations, and screenshot it to
 * `/tmp/citizen-<name>-<fixture>.png`. A fixture's `readonly: true` becomes the `readonly` attribute.
 */
export function rendersEveryFixtureAxeClean(browser: () => BrowserHarness, tag: string, fixtures: Record<string, object>): void {
  for (const [name, props] of Object.entries(fixtures)) {
    it(`renders "${name}" with no axe violations`, async () => {
      const page = await browser().page();
      const { readonly, ...rest } = props as Record<string, unknown>;
      await browser().mount(page, tag, rest, readonly ? { readonly: '' } : {});
      expect(await browser().axe(page)).toEqual([]);
      await page.locator(tag).screenshot({ path: `/tmp/citizen-${tag.replace(/^idcr-/, '')}-${name}.png` });
    });
  }
}
