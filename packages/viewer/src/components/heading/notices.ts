import { html, nothing, type TemplateResult } from 'lit';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * What the server said about the record as a whole: items withheld by policy ("Some information is not shown to you"),
 * sources that did not answer, and other warnings. Rendered by each heading on its own, or once by `<idcr-record>`.
 */
export function recordNotices(content: RecordContent): TemplateResult | typeof nothing {
  if (content.withheld.length === 0 && content.unanswered.length === 0 && content.warnings.length === 0) return nothing;
  const count = content.withheld.reduce<number | undefined>((sum, n) => (n.count === undefined || sum === undefined ? undefined : sum + n.count), 0);
  const messages = [...new Set(content.withheld.map((w) => w.message).filter(Boolean))];
  return html`
    ${content.withheld.length > 0
      ? html`<div class="notice notice--warning" part="withheld">
          <p class="fact">Some information is not shown to you</p>
          <p>
            ${count
              ? `${count} ${count === 1 ? 'item was' : 'items were'} withheld by the sharing policy.`
              : `Items were withheld by the sharing policy. ${messages.join(' ')}`}
          </p>
        </div>`
      : nothing}
    ${content.unanswered.length > 0
      ? html`<div class="notice notice--warning" part="unanswered">
          <p class="fact">This record may be incomplete: not every source answered</p>
          <ul>
            ${content.unanswered.map((s) => html`<li>${s.name} did not answer${s.message ? html` (${s.message})` : nothing}</li>`)}
          </ul>
        </div>`
      : nothing}
    ${content.warnings.length > 0 ? html`<div class="notice notice--warning" part="warnings">${content.warnings.map((w) => html`<p>${w}</p>`)}</div>` : nothing}
  `;
}
