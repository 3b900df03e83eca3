import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-sources.js';
import { sourcesFixtures } from './sources.fixtures.js';
import { checkFixtures, mount, queryAllDeep } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-sources> [REQ-VIEW-008]', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-sources', sourcesFixtures);
  });

  test('counts items per source, most first', async () => {
    const el = await mount('idcr-sources', sourcesFixtures[0]!.props);
    const items = queryAllDeep(el, 'li').map((li) => li.textContent!.trim());
    const counts = items.map((t) => Number(/: (\d+) item/.exec(t)![1]));
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });
});
