import { describe, expect, it } from 'vitest';
import { rendersEveryFixtureAxeClean, useBrowser } from '../../test-support/browser.fixtures.js';
import { sharingPreferencesFixtures } from './sharing-preferences.fixtures.js';

const harness = useBrowser();

describe('<idcr-sharing-preferences> in Chromium [REQ-VIEW-010]', { timeout: 30_000 }, () => {
  rendersEveryFixtureAxeClean(harness, 'idcr-sharing-preferences', sharingPreferencesFixtures);

  it('opts out of one organisation using only the keyboard, and says so in the event', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-sharing-preferences', sharingPreferencesFixtures.shared);
    await harness().events(page);
    await page.keyboard.press('Tab'); // the radio group
    await page.keyboard.press('ArrowDown'); // moves to and selects the second radio, "No"
    await page.keyboard.press('Tab'); // the organisation list
    await page.keyboard.press('ArrowDown'); // Riverside Surgery
    await page.keyboard.press('ArrowDown'); // Northshire Hospitals
    await page.keyboard.press('Tab'); // the save button
    await page.locator('idcr-sharing-preferences').screenshot({ path: '/tmp/citizen-sharing-preferences-keyboard.png' });
    await page.keyboard.press('Enter');
    expect(await harness().events(page)).toEqual([['idcr-preference-change', { decision: 'opt-out', organisation: 'X9A' }]]);
  });

  it('asks for a choice when none was made, and moves focus to it', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-sharing-preferences', sharingPreferencesFixtures.shared);
    await harness().events(page);
    await page.locator('idcr-sharing-preferences button[type="submit"]').click();
    await expect(page.locator('idcr-sharing-preferences #decision-error').textContent()).resolves.toContain('Choose whether your record may be shared');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe('opt-in');
    expect(await harness().events(page)).toEqual([]);
    expect(await harness().axe(page)).toEqual([]);
  });

  it('shows the receipt with its reference number and moves focus to it', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-sharing-preferences', sharingPreferencesFixtures.optedOutWithReceipt);
    await expect(page.locator('idcr-sharing-preferences .reference').textContent()).resolves.toBe('K7QM-3XRD');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toBe('receipt');
  });
});
