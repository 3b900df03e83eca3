import { css, html, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { toAlertRows } from '../../view-models/alerts.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Alerts every professional should see first (risks, special requirements). Marked by a word and an icon as well as
 * the red border, so colour is never the only signal.
 *
 * @summary Active alerts.
 * @csspart base - The section.
 * @cssproperty --idcr-alert-color - Border and label colour of an alert (default NHS red).
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrAlerts extends IdcrHeadingElement {
  static override styles = [
    ...IdcrHeadingElement.styles,
    css`
      ul.alerts {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      ul.alerts > li {
        border-left: 8px solid var(--idcr-alert-color, var(--_sys-alert));
        background: var(--_sys-surface);
        outline: 1px solid var(--_sys-border);
        padding: 0.75rem 1rem;
        margin-bottom: 0.75rem;
      }
      .label {
        color: var(--idcr-alert-color, var(--_sys-alert));
        font-weight: 700;
        margin-right: 0.5rem;
      }
      .alert-text {
        font-weight: 600;
      }
    `,
  ];
  protected readonly headingTitle = 'Alerts';
  protected readonly noun = 'alerts';

  protected renderContent(content: RecordContent): TemplateResult {
    const rows = toAlertRows(content);
    if (rows.length === 0) return html`<p class="fact">No active alerts.</p>`;
    return html`<ul class="alerts">
      ${rows.map(
        (r) => html`<li>
          <p><span class="label" aria-hidden="true">⚠</span><span class="label">Alert</span><span class="alert-text">${r.alert}</span></p>
          <p class="source">Since ${r.since}${r.category ? ` · ${r.category}` : ''} · Raised by ${r.raisedBy}</p>
        </li>`,
      )}
    </ul>`;
  }
}
