import { afterEach, describe, expect, inject, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-break-glass.js';
import { breakGlassFixtures } from './break-glass.fixtures.js';
import { checkFixtures, deepActiveElement, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';
import type { IdcrBreakGlass } from './break-glass.js';
import { FhirClient } from '../../fhir-client/client.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-break-glass> [REQ-VIEW-010, REQ-GOV-013]', () => {
  test('every fixture renders, with no axe violations', async () => {
    await checkFixtures('idcr-break-glass', breakGlassFixtures);
  });

  test('Escape closes without asking and fires idcr-break-glass-cancel', async () => {
    const cancelled: Event[] = [];
    document.addEventListener('idcr-break-glass-cancel', (e) => cancelled.push(e), { once: true });
    const el = await mount<IdcrBreakGlass>('idcr-break-glass', breakGlassFixtures[0]!.props);
    expect(deepActiveElement()?.tagName).toBe('TEXTAREA');
    await userEvent.keyboard('{Escape}');
    await settle(el);
    expect(el.open).toBe(false);
    expect(queryAllDeep<HTMLDialogElement>(el, 'dialog')[0]!.open).toBe(false);
    expect(cancelled).toHaveLength(1);
  });

  test('submitting empty with Enter on the button shows the error and returns focus to the reason; tab order is reason, submit, cancel', async () => {
    const el = await mount<IdcrBreakGlass>('idcr-break-glass', breakGlassFixtures[0]!.props);
    await userEvent.keyboard('{Tab}');
    expect(deepActiveElement()?.textContent?.trim()).toBe('Open the record');
    await userEvent.keyboard('{Tab}');
    expect(deepActiveElement()?.textContent?.trim()).toBe('Cancel');
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    await userEvent.keyboard('{Enter}');
    await settle(el);
    expect(textOf(el)).toContain('Enter the reason you need access');
    expect(deepActiveElement()?.tagName).toBe('TEXTAREA');
  });

  test('posts the reason to the server and fires idcr-break-glass-granted; a refusal is shown in the dialog', async () => {
    const granted: CustomEvent[] = [];
    document.addEventListener('idcr-break-glass-granted', (e) => granted.push(e), { once: true });
    const client = new FhirClient({ baseUrl: inject('fhirBaseUrl'), token: 'wrong-token' });
    const el = await mount<IdcrBreakGlass>('idcr-break-glass', { patientId: 'pat-smith', client, open: true });
    await userEvent.keyboard('Patient collapsed in clinic, needs urgent care');
    await userEvent.keyboard('{Tab}{Enter}');
    for (let i = 0; i < 40 && !textOf(el).includes('Access was not granted'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(textOf(el)).toContain('A valid bearer token is required.');
    expect(el.open).toBe(true);
    el.client = new FhirClient({ baseUrl: inject('fhirBaseUrl'), token: 'test-token' });
    await settle(el);
    queryAllDeep<HTMLButtonElement>(el, 'button[type="submit"]')[0]!.focus();
    await userEvent.keyboard('{Enter}');
    for (let i = 0; i < 40 && granted.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(granted[0]!.detail).toEqual({ patientId: 'pat-smith', reason: 'Patient collapsed in clinic, needs urgent care' });
    expect(el.open).toBe(false);
  });
});
