import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-problems.js';
import { problemsFixtures } from './problems.fixtures.js';
import { checkFixtures, mount, queryAllDeep, textOf } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-problems>', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-problems', problemsFixtures);
  });

  test('entered-in-error problems are not shown; active come before past', async () => {
    const el = await mount('idcr-problems', problemsFixtures[0]!.props);
    expect(textOf(el)).not.toContain('Recorded in error');
    expect(queryAllDeep(el, 'caption').map((c) => c.textContent?.trim())).toEqual(['Active problems (2)', 'Past problems (1)']);
  });
});
