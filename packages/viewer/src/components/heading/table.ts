import { html, type TemplateResult } from 'lit';

/**
 * A table that scrolls sideways on a narrow screen. The scrolling region is focusable and named so that a keyboard
 * user can scroll it (WCAG 2.1.1; axe `scrollable-region-focusable`).
 */
export function scrollTable(label: string, table: TemplateResult): TemplateResult {
  return html`<div class="table-wrap" role="region" aria-label="${label} table" tabindex="0">${table}</div>`;
}
