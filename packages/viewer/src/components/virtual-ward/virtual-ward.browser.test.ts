import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-virtual-ward.js';
import { virtualWardFixtures } from './virtual-ward.fixtures.js';
import { checkFixtures, mount, queryAllDeep } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-virtual-ward> [REQ-VIEW-007]', () => {
  test('every fixture renders, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-virtual-ward', virtualWardFixtures);
  });

  test('longest stay first; finished stays left out; each name links to the record', async () => {
    const el = await mount('idcr-virtual-ward', { ...virtualWardFixtures[0]!.props, recordHref: '/record?nhs={nhsNumber}' });
    const links = queryAllDeep<HTMLAnchorElement>(el, 'tbody a');
    expect(links.map((a) => a.textContent)).toEqual(['BROWN, Olive', 'SMITH, John', 'AHMED, Fatima']);
    expect(links[1]!.getAttribute('href')).toBe('/record?nhs=9434765919');
  });

  test('following a link by keyboard fires idcr-patient-selected, which a host can cancel to stay on the page', async () => {
    const el = await mount('idcr-virtual-ward', virtualWardFixtures[0]!.props);
    const selected: CustomEvent[] = [];
    document.addEventListener('idcr-patient-selected', (e) => (selected.push(e), e.preventDefault()), { once: true });
    queryAllDeep<HTMLAnchorElement>(el, 'tbody a')[0]!.focus();
    await userEvent.keyboard('{Enter}');
    expect(selected[0]!.detail).toEqual({ patientId: 'p3', nhsNumber: '9990000026' });
    expect(location.hash).toBe('');
  });
});
