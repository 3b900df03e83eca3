import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { unsafeStatic, html as staticHtml } from 'lit/static-html.js';
import { HEADINGS, type Bundle, type HeadingId, type Patient } from '@openidcr/model';
import { themeStyles } from '../../theme/theme.js';
import { recordStyles } from './record.styles.js';
import { clientFor, type FhirClient, type FhirError, type FhirResult } from '../../fhir-client/client.js';
import { completeSmartLaunch, smartLaunch } from '../../fhir-client/smart.js';
import { readRecordBundles, resolveReference, type RecordContent } from '../../view-models/record-bundle.js';
import { recordTabs, type RecordTab } from '../../view-models/record-headings.js';
import { outcomeMessages } from '../../view-models/outcome.js';
import { emit } from '../../events.js';
import { recordNotices } from '../heading/notices.js';
import type { HeadingProblem, HeadingStatus } from '../heading/heading-element.js';
import type { IdcrBreakGlass } from '../break-glass/break-glass.js';

export type RecordStatus = 'idle' | 'loading' | 'ready' | 'error' | 'denied' | 'not-found';

const SUMMARY_ID = 'summary';

/** Resource types searched one by one when a server has no `$everything`. */
function typesOf(headings: readonly HeadingId[]): string[] {
  return [...new Set(HEADINGS.filter((h) => headings.includes(h.id)).flatMap((h) => h.resourceTypes))].filter((t) => t !== 'Patient' && t !== 'PractitionerRole');
}

/**
 * The whole record of one person: the banner on top, then tabs — a summary (alerts, allergies, active problems,
 * current medications) and one tab per heading in the order the locality chose — and where the information came from.
 * Reads any FHIR R4 server: `Patient/{id}/$everything` when the server has it, otherwise a search per resource type.
 *
 * @summary A person's shared care record.
 * @csspart base - The wrapper.
 * @fires idcr-record-loaded - The record finished loading.
 * @fires idcr-access-denied - The server refused; `detail.breakGlassAvailable` says whether emergency access may be asked.
 * @fires idcr-break-glass-granted - Emergency access was granted (the record then reloads).
 */
export class IdcrRecord extends LitElement {
  static override properties = {
    fhirBaseUrl: { type: String, attribute: 'fhir-base-url' },
    patientId: { type: String, attribute: 'patient-id' },
    nhsNumber: { type: String, attribute: 'nhs-number' },
    headings: { type: String },
    today: { type: String },
    smartClientId: { type: String, attribute: 'smart-client-id' },
    smartRedirectUri: { type: String, attribute: 'smart-redirect-uri' },
    smartScope: { type: String, attribute: 'smart-scope' },
    token: { attribute: false },
    client: { attribute: false },
    bundle: { attribute: false },
    status: { type: String, reflect: true },
    selected: { type: String },
    _content: { state: true },
    _problem: { state: true },
    _headingProblems: { state: true },
  };
  static override styles = [themeStyles, recordStyles];

  /** The FHIR R4 base URL. */
  declare fhirBaseUrl: string | undefined;
  declare patientId: string | undefined;
  /** Used to find the patient when `patient-id` is not given. */
  declare nhsNumber: string | undefined;
  /** Comma-separated heading ids, in the order to show them (default: alerts, problems, medications, allergies, ...). */
  declare headings: string | undefined;
  /** Date ages and current medications are judged on (`YYYY-MM-DD`); today by default. */
  declare today: string | undefined;
  /**
   * SMART App Launch: with a client id and no token, the element launches itself. Opened by an EHR with `?iss=&launch=`
   * it starts the authorization-code + PKCE flow; back on the redirect (`?code=&state=`) it finishes it and loads the
   * patient in context. Without `iss`, it does a standalone launch against `fhir-base-url`.
   */
  declare smartClientId: string | undefined;
  /** Where the authorization server sends the browser back (default: this page without its query). */
  declare smartRedirectUri: string | undefined;
  /** Scopes to ask for (default `launch openid fhirUser patient/*.read`). */
  declare smartScope: string | undefined;
  #smartStarted = false;
  /** Bearer token (a string or a function returning the current one). Never an attribute, so it stays out of the DOM. */
  declare token: string | (() => string | undefined | Promise<string | undefined>) | undefined;
  /** A ready client (e.g. from `completeSmartLaunch`); wins over `fhir-base-url` and `token`. */
  declare client: FhirClient | undefined;
  /** A record Bundle to show without fetching anything. */
  declare bundle: Bundle | undefined;
  declare status: RecordStatus;
  /** The selected tab: `summary` or a heading id. */
  declare selected: string;
  declare _content: RecordContent | undefined;
  declare _problem: FhirError | undefined;
  declare _headingProblems: ReadonlyMap<HeadingId, { status: HeadingStatus; problem: HeadingProblem }>;
  #controller: AbortController | undefined;
  #loadedKey: string | undefined;

  constructor() {
    super();
    this.status = 'idle';
    this.selected = SUMMARY_ID;
    this._headingProblems = new Map();
  }

  /** The client requests go through. */
  get fhirClient(): FhirClient | undefined {
    return clientFor(this.client, this.fhirBaseUrl, this.token);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.#loadedKey === 'aborted') this.#loadedKey = undefined;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#controller) {
      this.#controller.abort();
      this.#controller = undefined;
      if (this.status === 'loading') this.#loadedKey = 'aborted';
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('bundle') && this.bundle) {
      this._content = readRecordBundles([this.bundle]);
      this._headingProblems = new Map();
      this.status = 'ready';
    }
  }

  protected override updated(): void {
    if (this.bundle) return;
    if (this.smartClientId && !this.client && !this.token && !this.#smartStarted) {
      this.#smartStarted = true;
      void this.#smart();
      return;
    }
    const key = JSON.stringify([this.fhirBaseUrl, this.patientId, this.nhsNumber, this.client ? 'client' : this.token ? 'token' : '']);
    if ((this.fhirBaseUrl || this.client) && (this.patientId || this.nhsNumber) && key !== this.#loadedKey && this.isConnected) {
      this.#loadedKey = key;
      void this.reload();
    }
  }

  async #smart(): Promise<void> {
    this.status = 'loading';
    const here = new URL(globalThis.location.href);
    const params = here.searchParams;
    const failed = (message: string) => {
      this._problem = { code: 'unauthorised', message: `Sign-in through the clinical system failed: ${message}`, breakGlassAvailable: false };
      this.status = 'error';
    };
    if (params.has('code') || params.has('error')) {
      const session = await completeSmartLaunch({ url: here.toString() });
      for (const key of ['code', 'state', 'error', 'error_description']) params.delete(key);
      globalThis.history.replaceState(globalThis.history.state, '', here.toString());
      if (!session.ok) return failed(session.error.message);
      this.client = session.value.client;
      if (!this.patientId && !this.nhsNumber && session.value.patientId) this.patientId = session.value.patientId;
      if (!this.patientId && !this.nhsNumber) this.status = 'not-found';
      return;
    }
    const iss = params.get('iss') ?? this.fhirBaseUrl;
    if (!iss) return failed('no FHIR server (iss) was given');
    const redirectUri = this.smartRedirectUri ?? `${here.origin}${here.pathname}`;
    const launch = params.get('launch') ?? undefined;
    const started = await smartLaunch({ iss, clientId: this.smartClientId!, redirectUri, ...(launch ? { launch } : {}), ...(this.smartScope ? { scope: this.smartScope } : {}) });
    if (!started.ok) failed(started.error.message);
  }

  /** Loads (again) from the server. */
  async reload(): Promise<void> {
    const client = this.fhirClient;
    if (!client) return;
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const signal = controller.signal;
    this.status = 'loading';
    this._problem = undefined;

    let patientId = this.patientId;
    if (!patientId && this.nhsNumber) {
      const found = await client.findByNhsNumber(this.nhsNumber, { signal });
      if (signal.aborted) return;
      if (!found.ok) return this.#fail(found.error, undefined);
      if (found.value.length === 0) {
        this.status = 'not-found';
        return;
      }
      patientId = found.value[0]!.id;
    }
    if (!patientId) {
      this.status = 'not-found';
      return;
    }
    const everything = await client.everything(patientId, { signal });
    if (signal.aborted) return;
    let bundles: Bundle[];
    const problems = new Map<HeadingId, { status: HeadingStatus; problem: HeadingProblem }>();
    if (everything.ok) bundles = [everything.value];
    else if (everything.error.code === 'not-supported' || (everything.error.code === 'not-found' && !everything.error.breakGlassAvailable)) {
      const fallback = await this.#searchEach(client, patientId, signal, problems);
      if (signal.aborted) return;
      if (!fallback.ok) return this.#fail(fallback.error, patientId);
      bundles = fallback.value;
    } else return this.#fail(everything.error, patientId);

    const content = readRecordBundles(bundles);
    const extra = await this.#fetchReferenced(client, content, signal);
    if (signal.aborted) return;
    this._content = extra.length > 0 ? readRecordBundles([...bundles, { resourceType: 'Bundle', type: 'collection', entry: extra.map((resource) => ({ resource })) }]) : content;
    this._headingProblems = problems;
    this.status = 'ready';
    this.#controller = undefined;
    emit(this, 'idcr-record-loaded', { patientId, resources: this._content.resources.length });
  }

  #fail(error: FhirError, patientId: string | undefined): void {
    if (error.code === 'aborted') return;
    this._problem = error;
    this.status = error.code === 'denied' || error.code === 'unauthorised' ? 'denied' : error.code === 'not-found' ? 'not-found' : 'error';
    if (this.status === 'denied') emit(this, 'idcr-access-denied', { patientId, message: error.message, breakGlassAvailable: error.breakGlassAvailable });
  }

  /** For servers without `$everything`: read the Patient, then search each resource type; a failing type fails only its headings. */
  async #searchEach(client: FhirClient, patientId: string, signal: AbortSignal, problems: Map<HeadingId, { status: HeadingStatus; problem: HeadingProblem }>): Promise<FhirResult<Bundle[]>> {
    const patient = await client.read<Patient>('Patient', patientId, { signal });
    if (!patient.ok) return patient;
    const tabs = recordTabs(this.headings).tabs.flatMap((t) => t.headings);
    const types = typesOf(tabs);
    const searches = await Promise.all(types.map((type) => client.search(type, { patient: patientId }, { signal }).then((r) => [type, r] as const)));
    const bundles: Bundle[] = [{ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient.value as NonNullable<Bundle['entry']>[number]['resource'] }] }];
    for (const [type, result] of searches) {
      if (result.ok) bundles.push(result.value);
      else
        for (const heading of HEADINGS.filter((h) => h.resourceTypes.includes(type)))
          problems.set(heading.id, {
            status: result.error.code === 'denied' ? 'denied' : 'error',
            problem: { message: result.error.message, ...(result.error.outcome ? { outcome: result.error.outcome } : {}), breakGlassAvailable: result.error.breakGlassAvailable },
          });
    }
    return { ok: true, value: bundles };
  }

  /** Organizations and Practitioners the record points at but did not include (at most 50), so sources have names. */
  async #fetchReferenced(client: FhirClient, content: RecordContent, signal: AbortSignal): Promise<{ resourceType: string }[]> {
    const wanted = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') {
        const ref = (value as { reference?: unknown }).reference;
        if (typeof ref === 'string' && /^(Organization|Practitioner)\/[A-Za-z0-9\-.]{1,64}$/.test(ref) && !resolveReference(content, ref)) wanted.add(ref);
        Object.values(value).forEach(visit);
      }
    };
    for (const r of content.resources) visit(r);
    for (const r of content.resources) {
      const source = r.meta?.source;
      if (source && /^(Organization)\/[A-Za-z0-9\-.]{1,64}$/.test(source) && !resolveReference(content, source)) wanted.add(source);
    }
    const refs = [...wanted].slice(0, 50);
    const results = await Promise.all(refs.map((ref) => client.read(ref.split('/')[0]!, ref.split('/')[1]!, { signal })));
    return results.flatMap((r) => (r.ok ? [r.value] : []));
  }

  #openBreakGlass(): void {
    const dialog = this.renderRoot.querySelector('idcr-break-glass') as IdcrBreakGlass | null;
    dialog?.show();
  }

  #onGranted(): void {
    this.#loadedKey = undefined;
    void this.reload();
  }

  #onTabKey(event: KeyboardEvent, tabs: RecordTab[]): void {
    const ids = [SUMMARY_ID, ...tabs.map((t) => t.id)];
    const index = ids.indexOf(this.selected);
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (index + 1) % ids.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + ids.length) % ids.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = ids.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    this.selected = ids[next]!;
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`[role="tab"][aria-selected="true"]`) as HTMLElement | null)?.focus());
  }

  #heading(element: string, headings: HeadingId[], extra: Record<string, unknown> = {}): TemplateResult {
    const problem = headings.map((h) => this._headingProblems.get(h)).find(Boolean);
    const tag = unsafeStatic(element);
    const patientId = this.patientId ?? (this._content?.resources.find((r) => r.resourceType === 'Patient')?.id as string | undefined);
    return staticHtml`<${tag}
      .content=${this._content}
      .status=${problem?.status ?? 'ready'}
      .problem=${problem?.problem}
      .patientId=${patientId}
      .today=${this.today}
      .showPast=${extra['showPast'] ?? true}
      .fetchAttachment=${this.#fetchAttachment}
      hide-notices
      @idcr-break-glass-request=${() => this.#openBreakGlass()}
    ></${tag}>`;
  }

  #fetchAttachment = async (url: string): Promise<Blob | undefined> => {
    const result = await this.fhirClient?.attachment(url);
    return result?.ok ? result.value : undefined;
  };

  #renderBreakGlass(patientId: string | undefined): TemplateResult {
    return html`<idcr-break-glass .client=${this.fhirClient} .patientId=${patientId} @idcr-break-glass-granted=${() => this.#onGranted()}></idcr-break-glass>`;
  }

  override render(): TemplateResult {
    const patientId = this.patientId;
    if (this.status === 'idle') return html`<div part="base"><p>No patient selected.</p></div>`;
    if (this.status === 'loading')
      return html`<div part="base" aria-busy="true">
        <idcr-patient-banner status="loading"></idcr-patient-banner>
        <p role="status" aria-live="polite">Loading the record…</p>
      </div>`;
    if (this.status === 'not-found')
      return html`<div part="base"><div class="notice notice--error" role="alert"><p class="fact">No record found</p><p>${this.nhsNumber ? `No patient with NHS number ${this.nhsNumber} is known to the record service.` : 'The record service has no such patient.'}</p></div></div>`;
    if (this.status === 'error' || this.status === 'denied') {
      const reasons = outcomeMessages(this._problem?.outcome);
      const denied = this.status === 'denied';
      return html`<div part="base">
        <div class="notice notice--error" role="alert">
          <p class="fact">${denied ? 'You do not have access to this record' : 'The record could not be loaded'}</p>
          <p>${reasons.length > 0 ? reasons.join(' ') : (this._problem?.message ?? '')}</p>
          ${denied && this._problem?.breakGlassAvailable
            ? html`<p>In an emergency you can ask for access. Your reason is recorded and reviewed.</p>
                <button type="button" class="warning" @click=${() => this.#openBreakGlass()}>Request emergency access</button>`
            : nothing}
          ${!denied ? html`<button type="button" class="secondary" @click=${() => this.reload()}>Try again</button>` : nothing}
        </div>
        ${this.#renderBreakGlass(patientId)}
      </div>`;
    }
    const content = this._content!;
    const { tabs, unknown } = recordTabs(this.headings);
    const allergyProblem = this._headingProblems.get('allergies');
    const ids = [SUMMARY_ID, ...tabs.map((t) => t.id)];
    const selected = ids.includes(this.selected) ? this.selected : SUMMARY_ID;
    const tabLabel = (id: string) => (id === SUMMARY_ID ? 'Summary' : tabs.find((t) => t.id === id)!.label);
    return html`<div part="base">
      <idcr-patient-banner .content=${content} .today=${this.today} .allergiesAvailable=${!allergyProblem && content.withheld.length === 0}></idcr-patient-banner>
      ${unknown.length > 0 ? html`<p class="notice notice--warning">Unknown heading(s) in the configuration: ${unknown.join(', ')}</p>` : nothing}
      <div class="record-notices">${recordNotices(content)}</div>
      <div role="tablist" aria-label="Record headings" @keydown=${(e: KeyboardEvent) => this.#onTabKey(e, tabs)}>
        ${ids.map(
          (id) => html`<button
            type="button"
            role="tab"
            id="tab-${id}"
            aria-selected=${id === selected ? 'true' : 'false'}
            aria-controls="panel-${id}"
            tabindex=${id === selected ? '0' : '-1'}
            @click=${() => (this.selected = id)}
          >
            ${tabLabel(id)}
          </button>`,
        )}
      </div>
      ${ids.map(
        (id) => html`<div role="tabpanel" id="panel-${id}" aria-labelledby="tab-${id}" tabindex="0" ?hidden=${id !== selected}>
          ${id !== selected
            ? nothing
            : id === SUMMARY_ID
              ? html`<div class="summary">
                  ${this.#heading('idcr-alerts', ['alerts'])} ${this.#heading('idcr-allergies', ['allergies'])} ${this.#heading('idcr-problems', ['problems'])}
                  ${this.#heading('idcr-medications', ['medications'], { showPast: false })}
                  <idcr-sources .content=${content}></idcr-sources>
                </div>`
              : (() => {
                  const tab = tabs.find((t) => t.id === id)!;
                  return this.#heading(tab.element, tab.headings);
                })()}
        </div>`,
      )}
      ${this.#renderBreakGlass(patientId ?? (content.resources.find((r) => r.resourceType === 'Patient')?.id as string | undefined))}
    </div>`;
  }
}
