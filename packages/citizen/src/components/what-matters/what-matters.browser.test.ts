import { describe, expect, it } from 'vitest';
import { rendersEveryFixtureAxeClean, useBrowser } from '../../test-support/browser.fixtures.js';
import { whatMattersFixtures } from './what-matters.fixtures.js';

const harness = useBrowser();

describe('<idcr-what-matters> in Chromium [REQ-VIEW-010]', { timeout: 30_000 }, () => {
  rendersEveryFixtureAxeClean(harness, 'idcr-what-matters', whatMattersFixtures);

  it('lets the person type and save with the keyboard, sending trimmed statements and the version they edited', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-what-matters', whatMattersFixtures.editorEmpty);
    await harness().events(page);
    await page.keyboard.press('Tab');
    await page.keyboard.type('  Walking my dog every morning ');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Seeing my grandchildren');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await harness().events(page)).toEqual([['idcr-what-matters-change', { statements: ['Walking my dog every morning', 'Seeing my grandchildren'], expectedVersion: 0 }]]);
  });

  it('refuses a statement that is too long, with an error summary that links to the field', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-what-matters', whatMattersFixtures.editorWritten);
    await harness().events(page);
    await page.locator('idcr-what-matters #statement-1').fill('x'.repeat(205));
    await page.locator('idcr-what-matters button[type="submit"]').press('Enter');
    await expect(page.locator('idcr-what-matters .error-summary').textContent()).resolves.toContain('Second statement must be 200 characters or fewer (it has 205)');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className)).toBe('error-summary');
    expect(await harness().events(page)).toEqual([]);
    expect(await harness().axe(page)).toEqual([]);
    await page.locator('idcr-what-matters').screenshot({ path: '/tmp/citizen-what-matters-error.png' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id)).toBe('statement-1');
  });

  it('shows the statements read-only for the clinician, from the FHIR Observation, marked as the person\'s own words', async () => {
    const page = await harness().page();
    await harness().mount(page, 'idcr-what-matters', { observation: whatMattersFixtures.readonlyFromObservation.observation }, { readonly: '' });
    await expect(page.locator('idcr-what-matters li').allTextContents()).resolves.toEqual([
      'Staying in my own home with my cat',
      'Being able to get to church on Sundays',
      'Not being in pain at night',
    ]);
    await expect(page.locator('idcr-what-matters .hint').textContent()).resolves.toContain("In the person's own words, written by Thomas Barnes on 20-May-2026");
    await expect(page.locator('idcr-what-matters textarea').count()).resolves.toBe(0);
  });
});
