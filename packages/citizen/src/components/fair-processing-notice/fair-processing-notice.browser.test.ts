import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowser, type BrowserHarness } from '../../test-support/browser.fixtures.js';
import { fairProcessingNoticeFixtures } from './fair-processing-notice.fixtures.js';

let browser: BrowserHarness;
beforeAll(async () => {
  browser = await startBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('<idcr-fair-processing-notice> in Chromium', { timeout: 30_000 }, () => {
  for (const [name, props] of Object.entries(fairProcessingNoticeFixtures)) {
    it(`renders "${name}" with no axe violations`, async () => {
      const page = await browser.page();
      await browser.mount(page, 'idcr-fair-processing-notice', props);
      expect(await browser.axe(page)).toEqual([]);
      await page.locator('idcr-fair-processing-notice').screenshot({ path: `/tmp/citizen-notice-${name}.png` });
    });
  }

  it('jumps from the contents to a part with the keyboard, moving focus there', async () => {
    const page = await browser.page();
    await browser.mount(page, 'idcr-fair-processing-notice', fairProcessingNoticeFixtures.impliedOptOut);
    const links = page.locator('idcr-fair-processing-notice nav a');
    await expect(links.count()).resolves.toBe(10);
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).toBe('Your choices');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe('part-choices');
    await expect(page.locator('idcr-fair-processing-notice section.choices').textContent()).resolves.toContain('Tell your GP practice');
  });
});
