import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { NHS_NUMBER_SYSTEM, type Bundle, type ResourceLike } from '@openidcr/model';
import { toRecordHeadings, type MyRecordSummary, type SummaryHeading } from '../../record/summary.js';
import { themeStyles } from '../../theme/theme.js';
import { myRecordStyles } from './my-record.styles.js';
import { formatClinicalDate, formatNhsNumber } from '../../format/format.js';

/** A summary from a FHIR Bundle (any FHIR R4 server's `Patient/$everything`): the Patient names the person. */
export function summaryFromBundle(bundle: Bundle): MyRecordSummary {
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is ResourceLike => r !== undefined);
  const patient = resources.find((r) => r.resourceType === 'Patient') as
    | { identifier?: Array<{ system?: string; value?: string }>; name?: Array<{ text?: string; given?: string[]; family?: string }>; birthDate?: string }
    | undefined;
  const name = patient?.name?.[0];
  return {
    person: {
      name: name?.text ?? ([...(name?.given ?? []), name?.family ?? ''].filter(Boolean).join(' ') || 'Not known'),
      nhsNumber: patient?.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value ?? 'Not known',
      ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}),
    },
    headings: toRecordHeadings(resources),
    withheld: undefined,
  };
}

/**
 * The person's own record, read-only, by heading (`GET /citizen/me/record`, or any FHIR Bundle of their record). Every
 * heading is shown; an empty one says "Nothing recorded". When someone acts for the person, it says so at the top.
 *
 * @summary "My record": what the shared record holds about me.
 * @csspart base - The section wrapping the record.
 * @csspart banner - The person's name, NHS number and date of birth.
 * @cssproperty --idcr-my-record-banner-background - Banner background (default NHS blue).
 * @cssproperty --idcr-my-record-banner-color - Banner text colour.
 */
export class IdcrMyRecord extends LitElement {
  static override properties = {
    summary: { attribute: false },
    bundle: { attribute: false },
    status: { type: String, reflect: true },
    errorMessage: { type: String, attribute: 'error-message' },
  };

  static override styles = [themeStyles, myRecordStyles];

  /** The summary from the citizen API; wins over `bundle`. */
  declare summary: MyRecordSummary | undefined;
  /** A FHIR Bundle of the person's record, mapped to a summary when `summary` is not set. */
  declare bundle: Bundle | undefined;
  declare status: 'ready' | 'loading' | 'error';
  declare errorMessage: string | undefined;

  constructor() {
    super();
    this.status = 'ready';
  }

  #heading(heading: SummaryHeading): TemplateResult {
    return html`<section class="heading" aria-labelledby="h-${heading.id}">
      <h3 id="h-${heading.id}">${heading.title}</h3>
      <p class="description">${heading.description}</p>
      ${heading.items.length === 0
        ? html`<p class="empty">Nothing recorded.</p>`
        : html`<table>
            <caption class="visually-hidden">${heading.title}</caption>
            <thead><tr><th scope="col">What</th><th scope="col">Date</th><th scope="col">Status</th><th scope="col">Recorded by</th></tr></thead>
            <tbody>
              ${heading.items.map(
                (i) => html`<tr>
                  <th scope="row">${i.text}${i.detail ? html`<span class="detail">${i.detail}</span>` : nothing}</th>
                  <td>${i.date ? formatClinicalDate(i.date) : 'Not known'}</td>
                  <td>${i.status ?? ''}</td>
                  <td>${i.source ?? 'Not known'}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  protected override render(): TemplateResult {
    if (this.status === 'loading') return html`<section part="base"><p class="state" role="status">Loading your record…</p></section>`;
    const summary = this.summary ?? (this.bundle ? summaryFromBundle(this.bundle) : undefined);
    if (this.status === 'error' || !summary)
      return html`<section part="base"><div class="state" role="alert"><p><strong>Sorry, we cannot show your record right now.</strong></p><p>${this.errorMessage ?? 'Please try again later.'}</p></div></section>`;
    const { person } = summary;
    const withItems = summary.headings.filter((h) => h.items.length > 0).length;
    return html`<section part="base" aria-labelledby="record-title">
      <div class="banner" part="banner">
        <h2 class="name" id="record-title">${person.name}</h2>
        <dl>
          <div><dt>NHS No.</dt><dd>${formatNhsNumber(person.nhsNumber)}</dd></div>
          <div><dt>Born</dt><dd>${person.birthDate ? formatClinicalDate(person.birthDate) : 'Not known'}</dd></div>
        </dl>
      </div>
      ${summary.actingFor
        ? html`<p class="proxy">You, ${summary.actingFor.proxyName}, are looking at ${person.name}'s record as their ${summary.actingFor.relationship}. What you see is what your authority allows.</p>`
        : nothing}
      <p>This is the information the shared care record holds ${summary.actingFor ? 'about this person' : 'about you'}. It is read-only: to correct something, contact the organisation that recorded it. ${withItems} of ${summary.headings.length} headings have entries.</p>
      ${summary.withheld ? html`<p class="panel">${summary.withheld.reason}</p>` : nothing}
      ${summary.headings.map((h) => this.#heading(h))}
    </section>`;
  }
}
