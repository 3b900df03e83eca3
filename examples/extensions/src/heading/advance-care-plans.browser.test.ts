import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import '@openidcr/viewer/define/all.js';
import { NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, headingTag, type Bundle } from '@openidcr/model';
import { registerAdvanceCarePlans } from './advance-care-plans.js';
import { defineAdvanceCarePlansElement } from './advance-care-plans-element.js';

registerAdvanceCarePlans();
defineAdvanceCarePlansElement();

const source = `${ODS_CODE_SYSTEM}|X9H`;
const plan = (id: string, status: string, date: string, description: string) => ({
  resource: { resourceType: 'DocumentReference', id, meta: { source, tag: [headingTag('advance-care-plans')] }, status, type: { text: 'ReSPECT form' }, subject: { reference: 'Patient/p1' }, date, description, content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${id}` } }] },
});
/** What the API returns to a paramedic after the policy filtered it: the person, the hospice, two forms. */
const record = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [
    { resource: { resourceType: 'Patient', id: 'p1', identifier: [{ system: NHS_NUMBER_SYSTEM, value: '9990000050' }], name: [{ family: 'Okonjo', given: ['Ruth'], prefix: ['Mrs'] }], gender: 'female', birthDate: '1938-02-11' } },
    { resource: { resourceType: 'Organization', id: 'x9h', identifier: [{ system: ODS_CODE_SYSTEM, value: 'X9H' }], name: 'Northshire Hospice' } },
    plan('respect-2', 'current', '2026-11-20T11:00:00Z', 'Not for attempted CPR. For ward-based care.'),
    plan('respect-1', 'superseded', '2026-03-14T10:00:00Z', 'For attempted CPR.'),
  ],
} as unknown as Bundle;

async function mount<E extends HTMLElement>(tag: string, props: object): Promise<E> {
  const element = Object.assign(document.createElement(tag), props) as E;
  document.body.append(element);
  await settle(element);
  return element;
}

async function settle(element: Element): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const all = [element, ...(element.shadowRoot ? deep(element.shadowRoot, '*') : [])];
    await Promise.all(all.map((e) => (e as unknown as { updateComplete?: Promise<unknown> }).updateComplete));
  }
}

function deep(root: ShadowRoot | Element, selector: string): Element[] {
  const out = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...deep(el.shadowRoot, selector));
  return out;
}

const text = (element: Element) => deep(element.shadowRoot!, 'table, p, h2').map((e) => e.textContent ?? '').join(' ').replace(/\s+/g, ' ');

async function expectNoAxeViolations(element: Element): Promise<void> {
  const results = await axe.run(element, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, rules: { region: { enabled: false } } });
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

afterEach(() => document.body.replaceChildren());

describe('the advance care plans heading in Chromium', () => {
  it('<idcr-record> gives it a tab titled from the registry, showing the current form first', async () => {
    const el = await mount('idcr-record', { bundle: record, headings: 'alerts,advance-care-plans', today: '2026-11-22' });
    const tab = deep(el.shadowRoot!, '[role="tab"]').find((t) => t.textContent?.trim() === 'Advance care plans and ReSPECT') as HTMLButtonElement;
    expect(tab).toBeDefined();
    tab.click();
    await settle(el);
    const heading = deep(el.shadowRoot!, 'ncr-advance-care-plans')[0]!;
    const rows = deep(heading.shadowRoot!, 'tbody tr').map((row) => [...row.children].map((cell) => cell.textContent?.trim()));
    expect(rows).toEqual([
      ['ReSPECT form', 'Not for attempted CPR. For ward-based care.', '20-Nov-2026', 'Current', 'Northshire Hospice'],
      ['ReSPECT form', 'For attempted CPR.', '14-Mar-2026', 'Replaced', 'Northshire Hospice'],
    ]);
    expect(deep(heading.shadowRoot!, 'caption')[0]!.textContent?.trim()).toBe('Advance care plans (2)');
    await expectNoAxeViolations(el);
  });

  it('says so when nothing is shared, and inherits the denied state with break-glass', async () => {
    const empty = await mount('ncr-advance-care-plans', { bundle: { resourceType: 'Bundle', type: 'searchset', entry: [] } });
    expect(text(empty)).toContain('No advance care plans have been shared with this record.');
    await expectNoAxeViolations(empty);
    const denied = await mount('ncr-advance-care-plans', { status: 'denied', problem: { message: 'No legitimate relationship.', breakGlassAvailable: true } });
    expect(text(denied)).toContain('You do not have access to advance care plans');
    expect(deep(denied.shadowRoot!, 'button')[0]!.textContent).toContain('Request emergency access');
    await expectNoAxeViolations(denied);
  });
});
