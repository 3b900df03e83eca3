import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-care-team.js';
import { careTeamFixtures } from './care-team.fixtures.js';
import { checkFixtures, mount, queryAllDeep } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-care-team> [REQ-VIEW-006]', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-care-team', careTeamFixtures);
  });

  test('groups GP, health services and social care in that order', async () => {
    const el = await mount('idcr-care-team', careTeamFixtures[0]!.props);
    expect(queryAllDeep(el, 'caption').map((c) => c.textContent?.trim())).toEqual(['GP practice (1)', 'Health services (1)', 'Social care (1)']);
  });
});
