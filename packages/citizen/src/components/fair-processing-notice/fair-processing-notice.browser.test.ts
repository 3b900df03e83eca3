import { describe, expect, it } from 'vitest';
import { rendersEveryFixtureAxeClean, useBrowser } from '../../test-support/browser.fixtures.js';
import { fairProcessingNoticeFixtures } from './fair-processing-notice.fixtures.js';

const harness = useBrowser();

describe('<idcr-fair-processing-notice> in Chromium [REQ-VIEW-010]', { timeout: 30_000 }, () => {
  rendersEveryFixtureAxeClean(harness, 'idcr-fair-processing-notice', fairProcessingNoticeFixtures);

  it('jumps from the contents to a part with the keyboard, moving focus there', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-fair-processing-notice', fairProcessingNoticeFixtures.impliedOptOut);
    const links = page.locator('idcr-fair-processing-notice nav a');
    await expect(links.count()).resolves.toBe(10);
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).toBe('Your choices');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe('part-choices');
    await expect(page.locator('idcr-fair-processing-notice section.choices').textContent()).resolves.toContain('Tell your GP practice');
  });
});
