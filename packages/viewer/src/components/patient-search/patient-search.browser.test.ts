import { afterEach, describe, expect, inject, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-patient-search.js';
import { patientSearchFixtures } from './patient-search.fixtures.js';
import { checkFixtures, expectNoAxeViolations, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

const input = (el: Element, id: string) => queryAllDeep<HTMLInputElement>(el, `#${id}`)[0]!;

describe('<idcr-patient-search> [REQ-VIEW-013]', () => {
  test('every fixture renders, with no axe violations', async () => {
    await checkFixtures('idcr-patient-search', patientSearchFixtures);
  });

  test('the NHS number is checked as it is typed', async () => {
    const el = await mount('idcr-patient-search', patientSearchFixtures[0]!.props);
    input(el, 'nhs').focus();
    await userEvent.keyboard('943 476');
    await settle(el);
    expect(input(el, 'nhs').getAttribute('aria-invalid')).toBe('false');
    await userEvent.keyboard(' 5918');
    await settle(el);
    expect(textOf(el)).toContain('NHS number check digit is wrong');
    expect(input(el, 'nhs').getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(el);
    await userEvent.keyboard('{Backspace}9');
    await settle(el);
    expect(input(el, 'nhs').getAttribute('aria-invalid')).toBe('false');
    expect(textOf(el)).toContain('943 476 5919 is a valid NHS number');
    await userEvent.keyboard('x');
    await settle(el);
    expect(textOf(el)).toContain('NHS number must contain only digits');
  });

  test('Enter submits; a valid NHS number searches the server and lists the match; choosing it fires idcr-patient-selected', async () => {
    const searches: CustomEvent[] = [];
    const selected: CustomEvent[] = [];
    document.addEventListener('idcr-search', (e) => searches.push(e), { once: true });
    document.addEventListener('idcr-patient-selected', (e) => selected.push(e), { once: true });
    const el = await mount('idcr-patient-search', { ...patientSearchFixtures[0]!.props, fhirBaseUrl: inject('fhirBaseUrl'), token: 'test-token' });
    input(el, 'nhs').focus();
    await userEvent.keyboard('9434765919{Enter}');
    for (let i = 0; i < 40 && queryAllDeep(el, 'tbody tr').length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await settle(el);
    expect(searches[0]!.detail).toEqual({ by: 'nhs-number', nhsNumber: '9434765919' });
    expect(textOf(el)).toContain('1 patient found');
    expect(textOf(el)).toContain('SMITH, John Edward (Mr)');
    await expectNoAxeViolations(el);
    queryAllDeep<HTMLButtonElement>(el, 'tbody button')[0]!.focus();
    await userEvent.keyboard('{Enter}');
    expect(selected[0]!.detail).toMatchObject({ patientId: 'pat-smith', nhsNumber: '9434765919' });
  });

  test('submitting an empty NHS number says so and keeps focus in the field', async () => {
    const el = await mount('idcr-patient-search', patientSearchFixtures[0]!.props);
    queryAllDeep<HTMLButtonElement>(el, 'button[type="submit"]')[0]!.click();
    await settle(el);
    expect(textOf(el)).toContain('NHS number is empty');
  });

  test('name and date of birth: impossible and future dates are refused, a real one searches', async () => {
    const searches: CustomEvent[] = [];
    document.addEventListener('idcr-search', (e) => searches.push(e));
    const el = await mount('idcr-patient-search', patientSearchFixtures[1]!.props);
    input(el, 'family').focus();
    await userEvent.keyboard('Smith');
    input(el, 'dob-day').focus();
    await userEvent.keyboard('31{Tab}02{Tab}1960');
    await settle(el);
    expect(textOf(el)).toContain('Date of birth must be a real date');
    await expectNoAxeViolations(el);
    input(el, 'dob-day').focus();
    await userEvent.keyboard('{Backspace}{Backspace}12{Tab}{Backspace}{Backspace}3{Enter}');
    await settle(el);
    expect(searches.at(-1)!.detail).toEqual({ by: 'name', family: 'Smith', given: '', birthDate: '1960-03-12' });
    input(el, 'dob-year').focus();
    await userEvent.keyboard('{Backspace}{Backspace}{Backspace}{Backspace}2030');
    await settle(el);
    expect(textOf(el)).toContain('Date of birth must be in the past');
  });
});
