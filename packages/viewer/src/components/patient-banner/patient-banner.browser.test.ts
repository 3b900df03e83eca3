import { afterEach, describe, expect, test } from 'vitest';
import '../../define/idcr-patient-banner.js';
import { bannerFixtures } from './patient-banner.fixtures.js';
import { checkFixtures, mount, queryAllDeep } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

describe('<idcr-patient-banner> [REQ-VIEW-002, REQ-VIEW-010]', () => {
  test('every fixture renders the CUI banner, with no axe violations', async () => {
    await checkFixtures('idcr-patient-banner', bannerFixtures);
  });

  test('fields use the CUI labels and formats, NHS number on one copyable line', async () => {
    const el = await mount('idcr-patient-banner', bannerFixtures[0]!.props);
    const field = (name: string) => queryAllDeep(el, `[data-field="${name}"]`)[0]!.textContent!.trim();
    expect(field('name')).toBe('SMITH, John Edward (Mr)');
    expect(field('born')).toBe('12-Mar-1960 (66y)');
    expect(field('nhs-number')).toBe('943 476 5919');
    expect(field('gender')).toBe('Male');
    expect(field('gp')).toBe('Riverside Medical Practice');
    expect(field('allergies')).toBe('Known allergies');
    const nhs = queryAllDeep<HTMLElement>(el, '[data-field="nhs-number"]')[0]!;
    expect(getComputedStyle(nhs).whiteSpace).toBe('nowrap');
    expect(queryAllDeep(el, 'dt').map((dt) => dt.textContent)).toEqual(['Born', 'Gender', 'NHS No.', 'Address', 'GP']);
  });

  test('the allergy indicator is exactly one of the four CUI states', async () => {
    const states = [];
    for (const fixture of bannerFixtures.filter((f) => !f.props.status)) {
      document.body.replaceChildren();
      const el = await mount('idcr-patient-banner', fixture.props);
      states.push(queryAllDeep(el, '[data-field="allergies"]')[0]!.textContent!.trim());
    }
    for (const state of states) expect(['Known allergies', 'No known allergies', 'Allergies not recorded', 'Allergies unavailable']).toContain(state);
    expect(new Set(states)).toEqual(new Set(['Known allergies', 'No known allergies', 'Allergies not recorded', 'Allergies unavailable']));
  });

  test('the banner is NHS blue by default and themable through --idcr-banner-background', async () => {
    const el = await mount<HTMLElement>('idcr-patient-banner', bannerFixtures[0]!.props);
    const base = queryAllDeep<HTMLElement>(el, '[part="base"]')[0]!;
    expect(getComputedStyle(base).backgroundColor).toBe('rgb(0, 94, 184)');
    el.style.setProperty('--idcr-banner-background', 'rgb(1, 2, 3)');
    expect(getComputedStyle(base).backgroundColor).toBe('rgb(1, 2, 3)');
  });
});
