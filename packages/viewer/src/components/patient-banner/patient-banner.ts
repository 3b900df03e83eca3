import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { Bundle, Patient } from '@openidcr/model';
import { themeStyles } from '../../theme/theme.js';
import { bannerStyles } from './patient-banner.styles.js';
import { toBannerView } from '../../view-models/banner.js';
import { toAllergiesView, type AllergyState } from '../../view-models/allergies.js';
import { readRecordBundle, type RecordContent } from '../../view-models/record-bundle.js';
import { todayIso } from '../../format/clinical.js';
import type { HeadingProblem } from '../heading/heading-element.js';

const STATE_KEYS: Record<AllergyState, string> = {
  'Known allergies': 'known',
  'No known allergies': 'none',
  'Allergies not recorded': 'not-recorded',
  'Allergies unavailable': 'unavailable',
};

/**
 * The patient banner, by NHS Common User Interface conventions: `SMITH, John (Mr)`, Born with age, Gender, NHS No.
 * in 3-3-4 grouping, address, registered GP, and the allergy indicator (exactly one of `Known allergies`,
 * `No known allergies`, `Allergies not recorded`, `Allergies unavailable`).
 *
 * @summary Who this record is about.
 * @csspart base - The banner.
 * @cssproperty --idcr-banner-background - Banner background (default the NHS blue).
 * @cssproperty --idcr-banner-color - Banner text colour.
 * @cssproperty --idcr-banner-allergy-background - Background of the `Known allergies` indicator.
 */
export class IdcrPatientBanner extends LitElement {
  static override properties = {
    patient: { attribute: false },
    bundle: { attribute: false },
    content: { attribute: false },
    allergyState: { type: String, attribute: 'allergy-state' },
    allergiesAvailable: { type: Boolean, attribute: 'allergies-available' },
    status: { type: String, reflect: true },
    problem: { attribute: false },
    today: { type: String },
  };

  static override styles = [themeStyles, bannerStyles];

  /** The Patient resource; if absent it is taken from `bundle`/`content`. */
  declare patient: Patient | undefined;
  /** A Bundle holding the Patient and, ideally, the GP Organization and AllergyIntolerance resources. */
  declare bundle: Bundle | undefined;
  declare content: RecordContent | undefined;
  /** Sets the allergy indicator directly instead of deriving it from the record. */
  declare allergyState: AllergyState | undefined;
  /** False when the allergies could not be read: the indicator says `Allergies unavailable`. */
  declare allergiesAvailable: boolean;
  declare status: 'ready' | 'loading' | 'error' | 'denied';
  declare problem: HeadingProblem | undefined;
  /** The date ages are counted to (`YYYY-MM-DD`); today by default. */
  declare today: string | undefined;

  constructor() {
    super();
    this.allergiesAvailable = true;
    this.status = 'ready';
  }

  #content(): RecordContent {
    return this.content ?? readRecordBundle(this.bundle);
  }

  override render(): TemplateResult {
    if (this.status === 'loading')
      return html`<section class="banner state" part="base" aria-label="Patient banner" aria-busy="true"><p role="status" aria-live="polite">Loading patient details…</p></section>`;
    if (this.status === 'error' || this.status === 'denied')
      return html`<section class="banner state" part="base" aria-label="Patient banner"><p role="alert">${this.status === 'denied' ? 'You do not have access to this patient’s details.' : 'Patient details could not be loaded.'} ${this.problem?.message ?? ''}</p></section>`;
    const content = this.#content();
    const patient = this.patient ?? (content.resources.find((r) => r.resourceType === 'Patient') as Patient | undefined);
    if (!patient) return html`<section class="banner state" part="base" aria-label="Patient banner"><p>No patient selected</p></section>`;
    const allergyState = this.allergyState ?? toAllergiesView(content, this.allergiesAvailable).state;
    const view = toBannerView(patient, { allergyState, content, on: this.today ?? todayIso() });
    return html`<section class="banner" part="base" aria-label="Patient banner">
      <p class="name" data-field="name">${view.name}${view.deceased ? html`<span class="deceased">${view.deceased}</span>` : nothing}</p>
      <dl>
        <div><dt>Born</dt><dd data-field="born">${view.born}</dd></div>
        <div><dt>Gender</dt><dd data-field="gender">${view.gender}</dd></div>
        <div>
          <dt>NHS No.</dt>
          <dd data-field="nhs-number" class="nhs-number">${view.nhsNumber}</dd>
        </div>
      </dl>
      <dl class="secondary">
        <div><dt>Address</dt><dd data-field="address">${view.address}</dd></div>
        <div><dt>GP</dt><dd data-field="gp">${view.gp}</dd></div>
      </dl>
      <p class="allergy" data-field="allergies" data-state=${STATE_KEYS[view.allergyState]} part="allergies">${view.allergyState}</p>
    </section>`;
  }
}
