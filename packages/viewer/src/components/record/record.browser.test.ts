import { afterEach, describe, expect, inject, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import '../../define/idcr-record.js';
import { recordFixtures } from './record.fixtures.js';
import { checkFixtures, deepActiveElement, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';
import { FIXTURE_TODAY, NHS_NUMBER, PATIENT_ID } from '../../fixtures/record.js';
import type { IdcrRecord } from '../../components/record/record.js';

afterEach(() => document.body.replaceChildren());

/** Waits until the record leaves the loading state (it fetches from a real server). */
async function loaded(el: IdcrRecord): Promise<void> {
  for (let i = 0; i < 200 && (el.status === 'loading' || el.status === 'idle'); i++) await new Promise((r) => setTimeout(r, 25));
  await settle(el);
}

describe('<idcr-record> with fixture bundles [REQ-VIEW-001, REQ-VIEW-011]', () => {
  test('every fixture renders, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-record', recordFixtures);
  });

  test('tabs: arrow keys move between headings, Home and End jump, the panel follows', async () => {
    const el = await mount<IdcrRecord>('idcr-record', recordFixtures[0]!.props);
    const tab = (name: string) => queryAllDeep<HTMLButtonElement>(el, '[role="tab"]').find((t) => t.textContent?.trim() === name)!;
    tab('Summary').focus();
    await userEvent.keyboard('{ArrowRight}');
    await settle(el);
    expect(el.selected).toBe('alerts');
    expect(deepActiveElement()?.textContent?.trim()).toBe('Alerts');
    await userEvent.keyboard('{End}');
    await settle(el);
    expect(deepActiveElement()?.textContent?.trim()).toBe('Care team');
    expect(textOf(queryAllDeep(el, '[role="tabpanel"]:not([hidden])')[0]!)).toContain('Who else is involved');
    expect(textOf(el)).toContain('Ridgeway City Council Adult Social Care');
    await userEvent.keyboard('{Home}');
    await settle(el);
    expect(el.selected).toBe('summary');
    await userEvent.keyboard('{ArrowLeft}');
    await settle(el);
    expect(el.selected).toBe('care-team');
    const selectedTabs = queryAllDeep(el, '[role="tab"][aria-selected="true"]');
    expect(selectedTabs).toHaveLength(1);
    expect(selectedTabs[0]!.getAttribute('tabindex')).toBe('0');
  });

  test('fits a 360 px wide screen: wide tables scroll inside their own region, not the page', async () => {
    await page.viewport(360, 800);
    try {
      const el = await mount<IdcrRecord>('idcr-record', recordFixtures[0]!.props);
      expect(el.getBoundingClientRect().width).toBeLessThanOrEqual(360);
      expect(document.documentElement.scrollWidth).toBeLessThanOrEqual(360);
      const regions = queryAllDeep<HTMLElement>(el, '.table-wrap');
      expect(regions.length).toBeGreaterThan(0);
      for (const region of regions) expect(region.getBoundingClientRect().right).toBeLessThanOrEqual(361);
    } finally {
      await page.viewport(1280, 900);
    }
  });

  test('withheld and unanswered notices are said once for the record, not in every heading', async () => {
    const el = await mount('idcr-record', recordFixtures.find((f) => f.name === 'withheld-and-unanswered')!.props);
    expect(queryAllDeep(el, '[part="withheld"]')).toHaveLength(1);
    expect(queryAllDeep(el, '[part="unanswered"]')).toHaveLength(1);
  });

  test('the configured heading order decides the tabs', async () => {
    const el = await mount('idcr-record', recordFixtures.find((f) => f.name === 'custom-headings')!.props);
    expect(queryAllDeep(el, '[role="tab"]').map((t) => t.textContent?.trim())).toEqual(['Summary', 'Allergies', 'Medications']);
  });
});

describe('<idcr-record> against FHIR servers on 127.0.0.1 [REQ-VIEW-009, REQ-VIEW-011]', () => {
  test('loads $everything page by page with the bearer token, by NHS number, and says which source did not answer', async () => {
    const loadedEvents: CustomEvent[] = [];
    document.addEventListener('idcr-record-loaded', (e) => loadedEvents.push(e), { once: true });
    const el = await mount<IdcrRecord>('idcr-record', { fhirBaseUrl: inject('fhirBaseUrl'), nhsNumber: NHS_NUMBER, token: 'test-token', today: FIXTURE_TODAY });
    await loaded(el);
    expect(el.status).toBe('ready');
    const text = textOf(el);
    expect(text).toContain('SMITH, John Edward (Mr)');
    expect(text).toContain('943 476 5919');
    expect(text).toContain('Some information is not shown to you');
    expect(text).toContain('Northfield Mental Health Trust did not answer');
    expect(loadedEvents[0]!.detail).toMatchObject({ patientId: PATIENT_ID });
  });

  test('a plain FHIR server without $everything: searches per type and resolves organisations by reading them', async () => {
    const el = await mount<IdcrRecord>('idcr-record', { fhirBaseUrl: inject('plainFhirBaseUrl'), patientId: PATIENT_ID, today: FIXTURE_TODAY });
    await loaded(el);
    expect(el.status).toBe('ready');
    const text = textOf(el);
    expect(text).toContain('Penicillin');
    expect(text).toContain('Riverside Medical Practice');
    expect(text).toContain('Metformin 500mg tablets');
  });

  test('the README embedding order: a token set before the element is defined is used by the first request', async () => {
    const { IdcrRecord } = await import('./record.js');
    const el = document.createElement('idcr-record-late') as IdcrRecord;
    el.setAttribute('fhir-base-url', inject('fhirBaseUrl'));
    el.setAttribute('patient-id', PATIENT_ID);
    (el as unknown as { token: string }).token = 'test-token';
    const denied: Event[] = [];
    document.addEventListener('idcr-access-denied', (e) => denied.push(e), { once: true });
    document.body.append(el);
    customElements.define('idcr-record-late', class extends IdcrRecord {});
    await loaded(el);
    expect(el.status).toBe('ready');
    expect(denied).toHaveLength(0);
  });

  test('no token: denied with the reason, and no break-glass offered', async () => {
    const el = await mount<IdcrRecord>('idcr-record', { fhirBaseUrl: inject('fhirBaseUrl'), patientId: PATIENT_ID });
    await loaded(el);
    expect(el.status).toBe('denied');
    expect(textOf(el)).toContain('A valid bearer token is required.');
    expect(queryAllDeep(el, 'button').filter((b) => b.textContent?.includes('emergency'))).toHaveLength(0);
  });

  test('denied with break-glass: Enter opens the dialog, Escape closes it, a short reason is refused as typed, then access is granted and the record loads', async () => {
    const denied: CustomEvent[] = [];
    document.addEventListener('idcr-access-denied', (e) => denied.push(e), { once: true });
    const el = await mount<IdcrRecord>('idcr-record', { fhirBaseUrl: inject('fhirBaseUrl'), patientId: 'pat-denied', token: 'test-token', today: FIXTURE_TODAY });
    await loaded(el);
    expect(el.status).toBe('denied');
    expect(denied[0]!.detail).toMatchObject({ patientId: 'pat-denied', breakGlassAvailable: true });
    await expectNoAxe(el);

    const request = queryAllDeep<HTMLButtonElement>(el, 'button').find((b) => b.textContent?.includes('Request emergency access'))!;
    request.focus();
    await userEvent.keyboard('{Enter}');
    await settle(el);
    const dialog = queryAllDeep<HTMLDialogElement>(el, 'dialog')[0]!;
    expect(dialog.open).toBe(true);
    expect(deepActiveElement()?.tagName).toBe('TEXTAREA');
    await userEvent.keyboard('{Escape}');
    await settle(el);
    expect(dialog.open).toBe(false);

    request.focus();
    await userEvent.keyboard('{Enter}');
    await settle(el);
    expect(dialog.open).toBe(true);
    await userEvent.keyboard('Too short');
    await settle(el);
    expect(textOf(dialog)).toContain('Enter at least 20 characters (9 so far)');
    expect(queryAllDeep(el, 'textarea')[0]!.getAttribute('aria-invalid')).toBe('true');
    await expectNoAxe(el);
    await userEvent.keyboard(' - unconscious in ED, no history available');
    await settle(el);
    expect(queryAllDeep(el, 'textarea')[0]!.getAttribute('aria-invalid')).toBe('false');
    await userEvent.keyboard('{Tab}');
    expect(deepActiveElement()?.textContent?.trim()).toBe('Open the record');
    await userEvent.keyboard('{Enter}');
    await loaded(el);
    for (let i = 0; i < 100 && el.status !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      await loaded(el);
    }
    expect(el.status).toBe('ready');
    expect(textOf(el)).toContain('Penicillin');
  });

  test('removing the element while it loads aborts the requests', async () => {
    const el = await mount<IdcrRecord>('idcr-record', { fhirBaseUrl: inject('fhirBaseUrl'), patientId: PATIENT_ID, token: 'test-token' });
    expect(el.status).toBe('loading');
    el.remove();
    await new Promise((r) => setTimeout(r, 300));
    expect(el.status).toBe('loading');
  });
});

async function expectNoAxe(el: Element) {
  const { expectNoAxeViolations } = await import('../../test-support/browser.js');
  await expectNoAxeViolations(el);
}

describe('<idcr-record> SMART launch [REQ-VIEW-012]', () => {
  test('back from the authorization server with ?code&state, it swaps the code (PKCE) for a token and loads the patient in context', async () => {
    const { smartLaunch } = await import('../../fhir-client/smart.js');
    const iss = inject('fhirBaseUrl');
    const here = new URL(location.href);
    let authorizeUrl = '';
    const started = await smartLaunch({ iss, clientId: 'viewer', redirectUri: `${here.origin}${here.pathname}`, navigate: (u) => (authorizeUrl = u) });
    expect(started.ok).toBe(true);
    expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
    const state = new URL(authorizeUrl).searchParams.get('state')!;
    const original = location.href;
    history.replaceState(null, '', `${here.pathname}${here.search ? `${here.search}&` : '?'}code=good-code&state=${state}`);
    try {
      const el = await mount<IdcrRecord>('idcr-record', { smartClientId: 'viewer', today: FIXTURE_TODAY });
      for (let i = 0; i < 200 && el.status !== 'ready' && el.status !== 'error'; i++) await new Promise((r) => setTimeout(r, 25));
      await settle(el);
      expect(el.status, textOf(el)).toBe('ready');
      expect(el.patientId).toBe(PATIENT_ID);
      expect(textOf(el)).toContain('SMITH, John Edward (Mr)');
      expect(location.search).not.toContain('code=');
    } finally {
      history.replaceState(null, '', original);
    }
  });
});
