import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-alerts.js';
import { alertsFixtures } from './alerts.fixtures.js';
import { checkFixtures, mount, queryAllDeep, textOf } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-alerts>', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-alerts', alertsFixtures);
  });

  test('inactive alerts are not shown, and each alert is labelled in words as well as colour', async () => {
    const el = await mount('idcr-alerts', alertsFixtures[0]!.props);
    expect(textOf(el)).not.toContain('Old alert');
    const items = queryAllDeep(el, 'li');
    expect(items).toHaveLength(1);
    expect(items[0]!.textContent).toContain('Alert');
    expect(getComputedStyle(items[0]!).borderLeftColor).toBe('rgb(213, 40, 27)');
  });
});
