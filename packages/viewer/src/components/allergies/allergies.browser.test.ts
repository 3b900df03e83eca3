import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-allergies.js';
import { allergiesFixtures } from './allergies.fixtures.js';
import { checkFixtures, mount, queryAllDeep, textOf } from '../../test-support/browser.js';
import { userEvent } from 'vitest/browser';

afterEach(() => document.body.replaceChildren());

describe('<idcr-allergies> [REQ-VIEW-003, REQ-VIEW-010]', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-allergies', allergiesFixtures);
  });

  test('"no known allergies" and "nothing shared" are told apart', async () => {
    const nka = await mount('idcr-allergies', allergiesFixtures.find((f) => f.name === 'no-known-allergies')!.props);
    expect(queryAllDeep(nka, '[data-state]')[0]!.getAttribute('data-state')).toBe('no-known-allergies');
    expect(queryAllDeep(nka, 'table')).toHaveLength(0);
    document.body.replaceChildren();
    const none = await mount('idcr-allergies', allergiesFixtures.find((f) => f.name === 'empty')!.props);
    expect(queryAllDeep(none, '[data-state]')[0]!.getAttribute('data-state')).toBe('not-recorded');
    expect(textOf(none)).not.toContain('No known allergies');
  });

  test('high criticality is said in words, not only by colour', async () => {
    const el = await mount('idcr-allergies', allergiesFixtures[0]!.props);
    const row = queryAllDeep(el, 'tbody tr').find((tr) => tr.textContent?.includes('Penicillin'))!;
    expect(row.textContent).toContain('High risk');
  });

  test('the break-glass button is reachable by keyboard and fires idcr-break-glass-request with the patient', async () => {
    const el = await mount('idcr-allergies', allergiesFixtures.find((f) => f.name === 'denied-break-glass')!.props);
    const events: CustomEvent[] = [];
    document.addEventListener('idcr-break-glass-request', (e) => events.push(e), { once: true });
    await userEvent.keyboard('{Tab}');
    await userEvent.keyboard('{Enter}');
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toEqual({ patientId: 'pat-smith' });
    expect(el.getAttribute('status')).toBe('denied');
  });

  test('the denied state without break-glass offers no button', async () => {
    const el = await mount('idcr-allergies', allergiesFixtures.find((f) => f.name === 'denied')!.props);
    expect(queryAllDeep(el, 'button')).toHaveLength(0);
  });
});
