import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-immunisations.js';
import { immunisationsFixtures } from './immunisations.fixtures.js';
import { checkFixtures, mount, queryAllDeep } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-immunisations>', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-immunisations', immunisationsFixtures);
  });

  test('newest first', async () => {
    const el = await mount('idcr-immunisations', immunisationsFixtures[0]!.props);
    expect(queryAllDeep(el, 'tbody th').map((th) => th.textContent?.trim())).toEqual(['Influenza vaccine', 'COVID-19 vaccine', 'Shingles vaccine']);
  });
});
