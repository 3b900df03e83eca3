import { describe, expect, it } from 'vitest';
import { rendersEveryFixtureAxeClean, useBrowser } from '../../test-support/browser.fixtures.js';
import { accessLogFixtures } from './access-log.fixtures.js';

const harness = useBrowser();

describe('<idcr-access-log> in Chromium [REQ-VIEW-010]', { timeout: 30_000 }, () => {
  rendersEveryFixtureAxeClean(harness, 'idcr-access-log', accessLogFixtures);

  it('says plainly who looked, flags emergency access in words, and shows refusals', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-access-log', accessLogFixtures.populated);
    const log = page.locator('idcr-access-log');
    await expect(log.locator('h2').textContent()).resolves.toBe('Who has looked at your record');
    const rows = log.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(5);
    await expect(rows.nth(0).locator('th').textContent()).resolves.toBe('01-Jun-2026 09:14');
    await expect(rows.nth(1).getAttribute('class')).resolves.toBe('flagged');
    await expect(rows.nth(1).textContent()).resolves.toContain('Emergency access');
    await expect(rows.nth(2).textContent()).resolves.toContain('Refused');
    await expect(rows.nth(4).textContent()).resolves.toContain('Sarah Barnes');
    await expect(log.locator('th[scope="col"]').count()).resolves.toBe(4);
    await expect(log.locator('caption').count()).resolves.toBe(1);
  });

  it('asks for older entries from the keyboard, with the cursor it was given', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-access-log', accessLogFixtures.morePages);
    await harness().events(page);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent?.trim());
    expect(focused).toBe('Show older entries');
    await page.locator('idcr-access-log button').screenshot({ path: '/tmp/citizen-access-log-button-focus.png' });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    expect(await harness().events(page)).toEqual([
      ['idcr-load-more', { cursor: 'eyJ2IjoxfQ' }],
      ['idcr-load-more', { cursor: 'eyJ2IjoxfQ' }],
    ]);
  });

  it('announces loading and errors', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-access-log', accessLogFixtures.loading);
    await expect(page.locator('idcr-access-log [role="status"]').textContent()).resolves.toContain('Loading');
    await expect(page.locator('idcr-access-log section').getAttribute('aria-busy')).resolves.toBe('true');
    await harness().mount(page, 'idcr-access-log', accessLogFixtures.error);
    await expect(page.locator('idcr-access-log [role="alert"]').textContent()).resolves.toContain('did not answer');
  });
});
