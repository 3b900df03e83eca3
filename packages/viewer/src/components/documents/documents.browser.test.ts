import { afterEach, describe, expect, test } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../define/idcr-documents.js';
import { documentsFixtures } from './documents.fixtures.js';
import { checkFixtures, deepActiveElement, expectNoAxeViolations, mount, queryAllDeep, settle, textOf } from '../../test-support/browser.js';

afterEach(() => document.body.replaceChildren());

const viewButton = (el: Element, title: string) => queryAllDeep<HTMLButtonElement>(el, 'tbody tr').find((tr) => tr.querySelector('th')?.textContent?.includes(title))!.querySelector('button')!;

describe('<idcr-documents> [REQ-VIEW-005]', () => {
  test('every fixture state renders its facts, with accessible tables and no axe violations', async () => {
    await checkFixtures('idcr-documents', documentsFixtures);
  });

  test('plain text opens inline as text; Enter opens, focus moves to the document, Close returns focus', async () => {
    const el = await mount('idcr-documents', documentsFixtures[0]!.props);
    viewButton(el, 'Discharge summary').focus();
    await userEvent.keyboard('{Enter}');
    await settle(el);
    expect(textOf(queryAllDeep(el, '.viewer')[0]!)).toContain('Treated with IV antibiotics');
    expect(deepActiveElement()?.tagName).toBe('H3');
    await expectNoAxeViolations(el);
    await userEvent.keyboard('{Tab}');
    await userEvent.keyboard('{Enter}');
    await settle(el);
    expect(queryAllDeep(el, '.viewer')).toHaveLength(0);
    expect(deepActiveElement()?.textContent).toContain('View');
  });

  test('HTML is shown in a sandboxed frame: its script does not run and it never enters the page DOM', async () => {
    const messages: unknown[] = [];
    const onMessage = (e: MessageEvent) => messages.push(e.data);
    window.addEventListener('message', onMessage);
    const title = document.title;
    const el = await mount('idcr-documents', documentsFixtures[0]!.props);
    viewButton(el, 'Clinic letter').click();
    await settle(el);
    const frame = queryAllDeep<HTMLIFrameElement>(el, 'iframe')[0]!;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.srcdoc).toContain("Content-Security-Policy");
    expect(frame.srcdoc).toContain('Mood is much improved');
    await new Promise((r) => setTimeout(r, 300));
    expect(messages).not.toContain('pwned');
    expect(document.title).toBe(title);
    expect(queryAllDeep(el, 'script')).toHaveLength(0);
    expect(queryAllDeep(el, 'img')).toHaveLength(0);
    window.removeEventListener('message', onMessage);
  });

  test('a PDF opens inline from a blob URL, with a download link as well', async () => {
    const el = await mount('idcr-documents', documentsFixtures[0]!.props);
    viewButton(el, 'Diabetes review letter').click();
    await settle(el);
    const object = queryAllDeep<HTMLObjectElement>(el, 'object')[0]!;
    expect(object.type).toBe('application/pdf');
    const blob = await (await fetch(object.data)).blob();
    expect(blob.type).toBe('application/pdf');
    expect(await blob.slice(0, 5).text()).toBe('%PDF-');
    expect(queryAllDeep(el, 'a[download]').length).toBeGreaterThan(0);
  });

  test('an attachment referenced by URL is fetched through fetchAttachment', async () => {
    const asked: string[] = [];
    const props = {
      bundle: {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: { resourceType: 'DocumentReference', id: 'd1', status: 'current', type: { text: 'Referral letter' }, content: [{ attachment: { contentType: 'text/plain', url: 'Binary/b1', title: 'Referral letter' } }] } }],
      },
      fetchAttachment: async (url: string) => (asked.push(url), new Blob(['hello'], { type: 'text/plain' })),
    };
    const el = await mount('idcr-documents', props);
    viewButton(el, 'Referral letter').click();
    await settle(el);
    await new Promise((r) => setTimeout(r, 50));
    await settle(el);
    expect(asked).toEqual(['Binary/b1']);
    expect(queryAllDeep(el, '.viewer a[download]').length).toBeGreaterThan(0);
  });
});
