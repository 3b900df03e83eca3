import { describe, expect, it } from 'vitest';
import { rendersEveryFixtureAxeClean, useBrowser } from '../../test-support/browser.fixtures.js';
import { myRecordFixtures } from './my-record.fixtures.js';

const harness = useBrowser();

describe('<idcr-my-record> in Chromium [REQ-VIEW-010]', { timeout: 30_000 }, () => {
  rendersEveryFixtureAxeClean(harness, 'idcr-my-record', myRecordFixtures);

  it('shows every heading, says "Nothing recorded" for empty ones, and the same record from a summary or a Bundle', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-my-record', myRecordFixtures.fromBundle);
    const fromBundle = await page.locator('idcr-my-record tbody tr').count();
    await expect(page.locator('idcr-my-record section.heading').count()).resolves.toBe(13);
    await harness().mount(page, 'idcr-my-record', myRecordFixtures.fullRecord);
    await expect(page.locator('idcr-my-record tbody tr').count()).resolves.toBe(fromBundle);
    await expect(page.locator('idcr-my-record .banner').textContent()).resolves.toMatch(/NHS No\.\s*\d{3} \d{3} \d{4}/);
    await harness().mount(page, 'idcr-my-record', myRecordFixtures.emptyRecord);
    await expect(page.locator('idcr-my-record .empty').count()).resolves.toBe(13);
  });

  it('says who is acting for the person', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-my-record', myRecordFixtures.proxyView);
    await expect(page.locator('idcr-my-record .proxy').textContent()).resolves.toContain('as their parent or guardian');
    await expect(page.locator('idcr-my-record').textContent()).resolves.not.toContain('Safeguarding');
  });
});
