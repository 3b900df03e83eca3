import '@openidcr/viewer/define/idcr-record';
import '@openidcr/viewer/define/idcr-virtual-ward';
import { formatNhsNumber, nhsNumberProblem, normaliseNhsNumber } from '@openidcr/model';
import { formatClinicalDate } from '@openidcr/viewer';
import { api, currentSession, el, renderHeader, renderSignIn, roleTitle, type Session } from './session.js';
import { consentToViewPanel, needsConsentToView } from './consent-to-view.js';

const APP = 'clinician';
const main = document.querySelector('main')!;

interface Issue {
  diagnostics?: string;
  expression?: string[];
  details?: { coding?: Array<{ system?: string; code?: string }>; text?: string };
}
interface SearchBundle {
  entry?: Array<{
    resource?: {
      resourceType: string;
      id: string;
      name?: Array<{ family?: string; given?: string[] }>;
      birthDate?: string;
      identifier?: Array<{ system?: string; value?: string }>;
      address?: Array<{ postalCode?: string }>;
      link?: Array<{ other?: { reference?: string }; type?: string }>;
      issue?: Issue[];
    };
  }>;
}

/** People the search matched but the policy did not show, with whether emergency access may be asked. */
function withheld(bundle: SearchBundle): { summary: string[]; people: Array<{ id: string; reason: string; breakGlass: boolean }> } {
  const summary: string[] = [];
  const people: Array<{ id: string; reason: string; breakGlass: boolean }> = [];
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.resourceType !== 'OperationOutcome') continue;
    for (const issue of entry.resource.issue ?? []) {
      const id = issue.expression?.map((e) => /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(e)?.[1]).find(Boolean);
      if (id) people.push({ id, reason: issue.diagnostics ?? issue.details?.text ?? '', breakGlass: Boolean(issue.details?.coding?.some((c) => c.code === 'break-glass-available')) });
      else if (issue.diagnostics) summary.push(issue.diagnostics);
    }
  }
  return { summary, people };
}

type FoundPatient = NonNullable<NonNullable<SearchBundle['entry']>[number]['resource']>;

/**
 * One row per person: Patient resources the server links as the same person (`seealso`, one per source and those
 * merged in) are one person, shown by the first found that carries an NHS number.
 */
function onePerPerson(patients: FoundPatient[]): FoundPatient[] {
  const seen = new Set<string>();
  const people: FoundPatient[] = [];
  for (const patient of patients) {
    if (seen.has(patient.id)) continue;
    const group = [patient, ...patients.filter((p) => p !== patient && (patient.link ?? []).some((l) => l.type === 'seealso' && l.other?.reference === `Patient/${p.id}`))];
    for (const p of group) seen.add(p.id);
    people.push(group.find((p) => p.identifier?.some((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')) ?? patient);
  }
  return people;
}

function start(session: Session | undefined) {
  renderHeader(APP, 'Shared care record', session);
  if (!session) {
    void renderSignIn(APP, main, (u) => u.role !== 'citizen', (s) => start(s));
    return;
  }
  const params = new URLSearchParams(location.search);
  const view = params.get('view') === 'ward' && hasVirtualWard(session) ? 'ward' : 'find';
  const content = view === 'ward' ? [virtualWardPanel(session)] : [searchPanel(session), el('div', { id: 'results' })];
  main.replaceChildren(navigation(session, view), ...content, el('div', { id: 'record' }));
  const patient = params.get('patient');
  if (patient) openRecord(session, patient);
}

/** A GP practice's users see their practice's patients in hospital (the server decides; this only offers the page). */
const hasVirtualWard = (session: Session) => session.user.role === 'gp';

function navigation(session: Session, current: 'find' | 'ward'): HTMLElement {
  const link = (view: 'find' | 'ward', text: string) => {
    const a = el('a', { href: view === 'ward' ? '?view=ward' : '?', ...(view === current ? { 'aria-current': 'page' } : {}) }, text);
    return el('li', {}, a);
  };
  const list = el('ul', {}, link('find', 'Find a patient'));
  if (hasVirtualWard(session)) list.append(link('ward', 'Virtual ward: our patients in hospital'));
  return el('nav', { class: 'tabs', 'aria-label': 'Workspace' }, list);
}

interface WardElement extends HTMLElement {
  bundle: unknown;
  status: string;
  problem: { message: string; outcome?: unknown } | undefined;
  practiceName: string | undefined;
}

function virtualWardPanel(session: Session): HTMLElement {
  const ward = document.createElement('idcr-virtual-ward') as WardElement;
  ward.practiceName = session.user.organisationName;
  ward.setAttribute('record-href', '?view=ward&patient={patientId}');
  ward.status = 'loading';
  ward.addEventListener('idcr-patient-selected', (event) => {
    const id = (event as CustomEvent<{ patientId?: string }>).detail.patientId;
    if (!id) return;
    event.preventDefault();
    openRecord(session, id, 'ward');
    document.getElementById('record')?.scrollIntoView();
  });
  const ods = session.user.organisation ?? '';
  const query = new URLSearchParams({ 'patient.general-practitioner': `Organization/${ods}`, status: 'in-progress', class: 'IMP' });
  for (const include of ['Encounter:subject', 'Encounter:location', 'Encounter:service-provider']) query.append('_include', include);
  void fetch(`/fhir/Encounter?${query}`, { headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${session.token}` } }).then(
    async (res) => {
      const body = (await res.json().catch(() => undefined)) as { issue?: Array<{ diagnostics?: string }> } | undefined;
      if (res.ok) {
        ward.bundle = body;
        ward.status = 'ready';
        return;
      }
      ward.problem = { message: body?.issue?.map((i) => i.diagnostics).join(' ') || `HTTP ${res.status}`, outcome: body };
      ward.status = res.status === 403 ? 'denied' : 'error';
    },
    (error: unknown) => {
      ward.problem = { message: (error as Error).message };
      ward.status = 'error';
    },
  );
  return el('section', { class: 'panel', id: 'ward' }, ward);
}

function searchPanel(session: Session): HTMLElement {
  const form = el('form', { class: 'row', novalidate: '' });
  const nhs = el('input', { id: 'nhs', name: 'nhs', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'nhs-hint nhs-error', size: '14' });
  const family = el('input', { id: 'family', name: 'family', autocomplete: 'off', size: '16' });
  const born = el('input', { id: 'born', name: 'born', type: 'date' });
  const error = el('p', { id: 'nhs-error', class: 'error', 'aria-live': 'polite' });
  nhs.addEventListener('input', () => {
    const value = normaliseNhsNumber(nhs.value);
    error.textContent = value.length >= 10 ? (nhsNumberProblem(value) ?? '') : '';
  });
  form.append(
    el('div', {}, el('label', { for: 'nhs' }, 'NHS number'), nhs, el('div', { id: 'nhs-hint', class: 'muted' }, 'For example 943 476 5919')),
    el('div', {}, el('span', { class: 'muted' }, 'or')),
    el('div', {}, el('label', { for: 'family' }, 'Family name'), family),
    el('div', {}, el('label', { for: 'born' }, 'Date of birth'), born),
    el('div', {}, el('button', { class: 'primary', type: 'submit' }, 'Find patient')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    const number = normaliseNhsNumber(nhs.value);
    if (number) {
      const problem = nhsNumberProblem(number);
      if (problem) {
        error.textContent = problem;
        nhs.focus();
        return;
      }
      query.set('identifier', `https://fhir.nhs.uk/Id/nhs-number|${number}`);
    } else if (family.value.trim()) {
      query.set('family', family.value.trim());
      if (born.value) query.set('birthdate', born.value);
    } else {
      error.textContent = 'Enter an NHS number, or a family name (and date of birth).';
      return;
    }
    error.textContent = '';
    await showResults(session, query);
  });
  return el('section', { class: 'panel', 'aria-labelledby': 'find-title' }, el('h2', { id: 'find-title' }, `Find a patient — ${roleTitle(session.user.role)} view`), form, error);
}

async function showResults(session: Session, query: URLSearchParams) {
  const results = document.getElementById('results')!;
  results.replaceChildren(el('p', { 'aria-live': 'polite' }, 'Searching…'));
  try {
    const bundle = await api<SearchBundle>(session, `/fhir/Patient?${query}`);
    const patients = onePerPerson((bundle.entry ?? []).map((e) => e.resource!).filter((r) => r?.resourceType === 'Patient'));
    const hidden = withheld(bundle);
    if (patients.length === 0 && hidden.people.length === 0) {
      results.replaceChildren(el('p', { class: 'panel', role: 'status' }, 'No patient found. Check the NHS number, or search by name and date of birth.'));
      return;
    }
    if (patients.length === 0) {
      const panel = el('section', { class: 'panel', role: 'status' }, el('h2', {}, 'You do not have access to this record'));
      for (const line of hidden.summary) panel.append(el('p', {}, line));
      for (const person of hidden.people) {
        panel.append(el('p', {}, person.reason));
        if (needsConsentToView(person.reason)) panel.append(consentToViewPanel(session, person.id, () => void showResults(session, query)));
        if (person.breakGlass) {
          const button = el('button', { type: 'button', class: 'secondary', 'data-break-glass': person.id }, 'Open the record to ask for emergency access');
          button.addEventListener('click', () => openRecord(session, person.id));
          panel.append(button, el('p', { class: 'muted' }, 'Emergency (break-glass) access needs a reason, lasts a limited time, is flagged to the privacy officer and shown to the person in their access log.'));
        }
      }
      results.replaceChildren(panel);
      return;
    }
    if (patients.length === 1 && hidden.people.length === 0) {
      results.replaceChildren();
      openRecord(session, patients[0]!.id);
      return;
    }
    const table = el('table', { class: 'data' }, el('caption', {}, `${patients.length} patients found`));
    table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'NHS No.'), el('th', { scope: 'col' }, 'Born'), el('th', { scope: 'col' }, 'Postcode'))));
    const body = el('tbody');
    for (const p of patients) {
      const name = p.name?.[0];
      const link = el('a', { href: `?patient=${encodeURIComponent(p.id)}` }, `${(name?.family ?? '').toUpperCase()}, ${name?.given?.join(' ') ?? ''}`);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        openRecord(session, p.id);
      });
      const nhs = p.identifier?.find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')?.value;
      body.append(el('tr', {}, el('td', {}, link), el('td', {}, nhs ? formatNhsNumber(nhs) : 'Not known'), el('td', {}, p.birthDate ? formatClinicalDate(p.birthDate) : 'Not known'), el('td', {}, p.address?.[0]?.postalCode ?? '')));
    }
    table.append(body);
    results.replaceChildren(el('section', { class: 'panel' }, table));
  } catch (error) {
    results.replaceChildren(el('p', { class: 'panel error', role: 'alert' }, (error as Error).message));
  }
}

function openRecord(session: Session, patientId: string, view?: 'ward') {
  history.replaceState(null, '', `?${view ? `view=${view}&` : ''}patient=${encodeURIComponent(patientId)}`);
  const host = document.getElementById('record')!;
  const record = document.createElement('idcr-record');
  record.setAttribute('fhir-base-url', `${location.origin}/fhir`);
  record.setAttribute('patient-id', patientId);
  (record as unknown as { token: string }).token = session.token;
  host.replaceChildren(record, feedbackPanel(session, patientId));
}

const OUTCOMES: Array<[string, string]> = [
  ['saved-phone-call', 'Saved a phone call'],
  ['avoided-admission', 'Avoided an admission'],
  ['avoided-home-visit', 'Avoided a home visit'],
  ['found-medication-or-allergy', 'Found medication or allergy information'],
];

function feedbackPanel(session: Session, patientId: string): HTMLElement {
  const form = el('form', {});
  const fieldset = el('fieldset', {}, el('legend', {}, 'Did this record help? Tick what it did'));
  for (const [value, text] of OUTCOMES) {
    const id = `fb-${value}`;
    fieldset.append(el('div', {}, el('input', { type: 'checkbox', id, name: 'outcome', value }), ' ', el('label', { for: id, style: 'display:inline;font-weight:normal' }, text)));
  }
  const status = el('p', { role: 'status' });
  form.append(fieldset, el('button', { class: 'secondary', type: 'submit' }, 'Send feedback'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcomes = [...form.querySelectorAll<HTMLInputElement>('input[name=outcome]:checked')].map((i) => i.value);
    if (outcomes.length === 0) {
      status.className = 'error';
      status.textContent = 'Tick at least one thing the record helped with.';
      return;
    }
    try {
      await api(session, '/app/feedback', { method: 'POST', body: JSON.stringify({ patientId, outcomes }) });
      status.className = 'ok';
      status.textContent = 'Thank you — recorded for the benefits report.';
      form.querySelector('button')!.setAttribute('disabled', '');
    } catch (error) {
      status.className = 'error';
      status.textContent = (error as Error).message;
    }
  });
  return el('section', { class: 'panel', 'aria-label': 'This helped' }, form);
}

start(currentSession(APP));
