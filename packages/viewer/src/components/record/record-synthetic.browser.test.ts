import { afterEach, describe, expect, inject, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-record.js';
import { expectNoAxeViolations, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';
import type { IdcrRecord } from './record.js';

afterEach(() => document.body.replaceChildren());

async function loaded(el: IdcrRecord): Promise<void> {
  for (let i = 0; i < 400 && (el.status === 'loading' || el.status === 'idle'); i++) await new Promise((r) => setTimeout(r, 25));
  await settle(el);
}

const formatted = (n: string) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;

describe('<idcr-record> end to end on records from @openidcr/synthetic', () => {
  test('each synthetic person loads by NHS number; every tab renders; every source is an organisation name; no axe violations', async () => {
    const people = inject('syntheticPatients');
    expect(people.length).toBe(3);
    for (const [index, person] of people.entries()) {
      document.body.replaceChildren();
      const el = await mount<IdcrRecord>('idcr-record', { fhirBaseUrl: inject('syntheticFhirBaseUrl'), nhsNumber: person.nhsNumber });
      await loaded(el);
      expect(el.status, person.id).toBe('ready');
      const banner = textOf(queryAllDeep(el, 'idcr-patient-banner')[0]!);
      expect(banner).toContain(person.family.toUpperCase());
      expect(banner).toContain(formatted(person.nhsNumber));
      const sources = queryAllDeep(queryAllDeep(el, 'idcr-sources')[0]!, 'li').map((li) => li.textContent ?? '');
      expect(sources.length, `${person.id} sources`).toBeGreaterThan(0);
      for (const s of sources) expect(s, 'source shown by name, not by URI').not.toMatch(/urn:|https?:/);
      if (index === 0) await expectNoAxeViolations(el);
      const tabs = queryAllDeep<HTMLButtonElement>(el, '[role="tab"]');
      tabs[0]!.focus();
      for (let t = 1; t < tabs.length; t++) {
        await userEvent.keyboard('{ArrowRight}');
        await settle(el);
        const panel = queryAllDeep(el, '[role="tabpanel"]:not([hidden])')[0]!;
        const text = textOf(panel);
        expect(text, `${person.id} ${el.selected}`).not.toContain('could not be loaded');
        expect(text.length, `${person.id} ${el.selected} renders something`).toBeGreaterThan(20);
      }
    }
  });
});
