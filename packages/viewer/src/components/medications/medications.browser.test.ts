import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-medications.js';
import { medicationsFixtures } from './medications.fixtures.js';
import { checkFixtures, mount, queryAllDeep } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-medications> [REQ-VIEW-001]', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-medications', medicationsFixtures);
  });

  test('current and past are separate tables, newest first', async () => {
    const el = await mount('idcr-medications', medicationsFixtures[0]!.props);
    const captions = queryAllDeep(el, 'caption').map((c) => c.textContent?.trim());
    expect(captions).toEqual(['Current medications (2)', 'Past medications (2)']);
    const current = queryAllDeep(el, 'table')[0]!;
    expect([...current.querySelectorAll('tbody th')].map((th) => th.textContent?.trim())).toEqual(['Metformin 500mg tablets', 'Ramipril 5mg capsules']);
  });

  test('show-past=false hides past medications', async () => {
    const el = await mount('idcr-medications', { ...medicationsFixtures[0]!.props, showPast: false });
    expect(queryAllDeep(el, 'table')).toHaveLength(1);
  });
});
