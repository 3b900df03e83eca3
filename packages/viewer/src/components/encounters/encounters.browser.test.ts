import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-encounters.js';
import { encountersFixtures } from './encounters.fixtures.js';
import { checkFixtures, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-encounters>', () => {
  test('every fixture state renders its facts, with no axe violations', async () => {
    await checkFixtures('idcr-encounters', encountersFixtures);
  });

  test('newest first across kinds', async () => {
    const el = await mount('idcr-encounters', encountersFixtures[0]!.props);
    expect(queryAllDeep(el, 'li').map((li) => li.getAttribute('data-kind'))).toEqual(['appointment', 'referral', 'attendance', 'admission', 'attendance']);
  });

  test('filters by kind with the keyboard (Space toggles a checkbox) and announces the count', async () => {
    const el = await mount('idcr-encounters', encountersFixtures[0]!.props);
    const boxes = queryAllDeep<HTMLInputElement>(el, 'input[type="checkbox"]');
    expect(boxes.map((b) => b.value)).toEqual(['admission', 'attendance', 'appointment', 'referral']);
    boxes[1]!.focus();
    await userEvent.keyboard(' ');
    await settle(el);
    expect(queryAllDeep(el, 'li').map((li) => li.getAttribute('data-kind'))).toEqual(['appointment', 'referral', 'admission']);
    expect(textOf(queryAllDeep(el, '[role="status"]')[0]!)).toBe('3 of 5 items shown');
    for (const kind of ['admission', 'appointment', 'referral']) {
      queryAllDeep<HTMLInputElement>(el, `input[value="${kind}"]`)[0]!.focus();
      await userEvent.keyboard(' ');
    }
    await settle(el);
    expect(textOf(el)).toContain('Nothing to show: every kind is filtered out.');
  });
});
