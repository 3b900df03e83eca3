import axe from 'axe-core';
import { expect } from 'vitest';

/** Creates an element, sets its properties, attaches it and waits for it (and nested elements) to render. */
export async function mount<E extends HTMLElement>(tag: string, props: object = {}, parent: HTMLElement = document.body): Promise<E> {
  const element = document.createElement(tag) as E;
  Object.assign(element, props);
  parent.append(element);
  await settle(element);
  return element;
}

/** Waits for an element and every Lit element inside its shadow tree to finish updating. */
export async function settle(element: Element): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const pending = collect(element).map((e) => (e as unknown as { updateComplete?: Promise<unknown> }).updateComplete).filter(Boolean);
    await Promise.all(pending);
  }
}

function collect(element: Element): Element[] {
  const out: Element[] = [element];
  const root = element.shadowRoot;
  if (root) for (const child of root.querySelectorAll('*')) out.push(...collect(child));
  for (const child of element.children) out.push(...collect(child));
  return out;
}

/** The visible text of an element through its shadow roots, whitespace collapsed. */
export function textOf(node: Node): string {
  const parts: string[] = [];
  const walk = (n: Node) => {
    if (n.nodeType === Node.TEXT_NODE) parts.push(n.textContent ?? '');
    if (n instanceof Element && n.shadowRoot) for (const c of n.shadowRoot.childNodes) walk(c);
    if (n instanceof HTMLSlotElement) for (const c of n.assignedNodes()) walk(c);
    else for (const c of n.childNodes) walk(c);
    if (n instanceof Element && ['P', 'DIV', 'TD', 'TH', 'LI', 'DT', 'DD', 'H2', 'H3', 'CAPTION', 'BUTTON'].includes(n.tagName)) parts.push(' ');
  };
  walk(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Every element matching a selector, through shadow roots. */
export function queryAllDeep<T extends Element = Element>(root: Element | ShadowRoot | Document, selector: string): T[] {
  const out: T[] = [];
  const visit = (scope: Element | ShadowRoot | Document) => {
    out.push(...(scope.querySelectorAll(selector) as unknown as T[]));
    for (const el of scope.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
  };
  if (root instanceof Element && root.shadowRoot) visit(root.shadowRoot);
  visit(root);
  return [...new Set(out)];
}

/** The element that has focus, through shadow roots. */
export function deepActiveElement(): Element | null {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** Runs axe-core (WCAG 2.2 A and AA, best practice) on an element and fails with the violations listed. */
export async function expectNoAxeViolations(element: Element): Promise<void> {
  const results = await axe.run(element, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, rules: { region: { enabled: false } } });
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  expect(summary, summary.join('\n')).toEqual([]);
}

/** Every table inside has a caption and every header cell a scope. */
export function expectAccessibleTables(element: Element): void {
  const tables = queryAllDeep<HTMLTableElement>(element, 'table');
  for (const table of tables) {
    expect(table.querySelector('caption')?.textContent?.trim(), 'table caption').toBeTruthy();
    for (const th of table.querySelectorAll('th')) expect(th.getAttribute('scope'), `scope of <th>${th.textContent}</th>`).toMatch(/^(col|row|colgroup|rowgroup)$/);
  }
}

/** Renders every fixture of a component and checks what it shows, axe, and table semantics. */
export async function checkFixtures(tag: string, fixtures: ReadonlyArray<{ name: string; props: object; shows: string[] }>): Promise<void> {
  for (const fixture of fixtures) {
    document.body.replaceChildren();
    const element = await mount(tag, fixture.props);
    const text = textOf(element);
    for (const expected of fixture.shows) expect(text, `${tag} fixture "${fixture.name}"`).toContain(expected);
    expectAccessibleTables(element);
    await expectNoAxeViolations(element);
  }
  document.body.replaceChildren();
}
