import { css, html, type TemplateResult } from 'lit';
import { IdcrHeadingElement } from '../heading/heading-element.js';
import { TIMELINE_KINDS, toTimeline, type TimelineKind } from '../../view-models/timeline.js';
import type { RecordContent } from '../../view-models/record-bundle.js';

/**
 * Admissions, attendances, appointments and referrals on one timeline, newest first, filterable by kind.
 *
 * @summary Encounters timeline.
 * @csspart base - The section.
 * @fires idcr-break-glass-request - From the denied state, when break-glass is allowed.
 */
export class IdcrEncounters extends IdcrHeadingElement {
  static override properties = { ...IdcrHeadingElement.properties, hidden_kinds: { state: true } };
  static override styles = [
    ...IdcrHeadingElement.styles,
    css`
      fieldset {
        border: none;
        padding: 0;
        margin: 0 0 1rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1.25rem;
      }
      legend {
        font-weight: 600;
        padding: 0;
        margin-bottom: 0.25rem;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        min-height: 2.75rem;
      }
      input[type='checkbox'] {
        width: 1.5rem;
        height: 1.5rem;
        min-height: 0;
        margin: 0;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0 0 0 1rem;
        border-left: 4px solid var(--_sys-border);
      }
      li {
        position: relative;
        padding: 0 0 1rem 1rem;
      }
      li::before {
        content: '';
        position: absolute;
        left: calc(-1rem - 2px - 0.45rem - 2px);
        top: 0.35rem;
        width: 0.9rem;
        height: 0.9rem;
        border-radius: 50%;
        background: var(--idcr-timeline-marker, var(--_sys-surface-strong));
        border: 2px solid var(--_sys-surface);
      }
      .when {
        font-weight: 600;
      }
      .what {
        margin: 0;
      }
      .type {
        margin-right: 0.5rem;
      }
    `,
  ];
  protected readonly headingTitle = 'Admissions, attendances, appointments and referrals';
  protected readonly noun = 'encounters';
  declare hidden_kinds: ReadonlySet<TimelineKind>;

  constructor() {
    super();
    this.hidden_kinds = new Set();
  }

  /** Shows or hides a kind of item (`admission`, `attendance`, `appointment`, `referral`, `contact`). */
  setKindShown(kind: TimelineKind, shown: boolean): void {
    const next = new Set(this.hidden_kinds);
    if (shown) next.delete(kind);
    else next.add(kind);
    this.hidden_kinds = next;
  }

  protected renderContent(content: RecordContent): TemplateResult {
    const items = toTimeline(content);
    if (items.length === 0) return html`<p class="fact">No admissions, attendances, appointments or referrals have been shared with this record.</p>`;
    const kinds = (Object.keys(TIMELINE_KINDS) as TimelineKind[]).filter((k) => items.some((i) => i.kind === k));
    const shown = items.filter((i) => !this.hidden_kinds.has(i.kind));
    return html`<fieldset>
        <legend>Show</legend>
        ${kinds.map(
          (k) => html`<label
            ><input type="checkbox" name="kind" value=${k} .checked=${!this.hidden_kinds.has(k)} @change=${(e: Event) => this.setKindShown(k, (e.target as HTMLInputElement).checked)} />
            ${TIMELINE_KINDS[k]} (${items.filter((i) => i.kind === k).length})</label
          >`,
        )}
      </fieldset>
      <p class="visually-hidden" role="status">${shown.length} of ${items.length} items shown</p>
      ${shown.length === 0
        ? html`<p class="fact">Nothing to show: every kind is filtered out.</p>`
        : html`<ol aria-label="Timeline, newest first">
            ${shown.map(
              (i) => html`<li data-kind=${i.kind}>
                <p class="what"><span class="when">${i.start}${i.end ? ` to ${i.end}` : ''}</span></p>
                <p class="what"><span class="tag type">${i.type}</span>${i.title}</p>
                <p class="source">${i.where} · ${i.status}${i.source !== i.where ? ` · Source: ${i.source}` : ''}</p>
              </li>`,
            )}
          </ol>`}`;
  }
}
