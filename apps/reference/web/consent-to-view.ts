import { api, el, type Session } from './session.js';

/** The policy's words when it needs the person's permission (consent-to-view model) or a share-in (explicit model). */
const NEEDS_CONSENT = /permission to view|share-in consent/i;

/** True when a denial or withheld notice can be answered by recording the person's consent to view. */
export function needsConsentToView(reason: string): boolean {
  return NEEDS_CONSENT.test(reason);
}

/**
 * The point-of-care consent step: "The patient agrees to you viewing their record now". Records the answer through
 * `POST /fhir/Patient/:id/$consent-to-view` (who and when are the signed-in user and now; the purpose is theirs; it
 * lasts the time chosen, audited), then calls `onRecorded` so the record is asked for again.
 */
export function consentToViewPanel(session: Session, patientId: string, onRecorded: () => void): HTMLElement {
  const panel = el('form', { class: 'panel', 'aria-labelledby': `ctv-title-${patientId}`, 'data-consent-to-view': patientId });
  const status = el('p', { role: 'status', 'aria-live': 'polite' });
  const minutes = el('select', { id: `ctv-minutes-${patientId}`, name: 'minutes' });
  for (const [value, label] of [['60', '1 hour'], ['240', '4 hours (this episode of care)']] as const) minutes.append(el('option', { value }, label));
  minutes.value = '240';
  const agree = el('button', { type: 'submit', class: 'primary', 'data-ctv-answer': 'granted' }, 'The patient agrees to you viewing their record now');
  const refuse = el('button', { type: 'button', class: 'secondary', 'data-ctv-answer': 'denied' }, 'The patient does not agree');
  panel.append(
    el('h2', { id: `ctv-title-${patientId}` }, 'Ask the patient for permission to view'),
    el('p', {}, 'Ask the patient whether you may look at the information other organisations hold about them. Their answer is recorded with your name, the time and your purpose, lasts only for the time you choose, and appears in their access log.'),
    el('label', { for: `ctv-minutes-${patientId}` }, 'Permission lasts'),
    minutes,
    el('p', {}, agree, ' ', refuse),
    status,
  );
  const record = async (answer: 'granted' | 'denied') => {
    agree.disabled = true;
    refuse.disabled = true;
    status.textContent = 'Recording…';
    try {
      const consent = await api<{ provision?: { period?: { end?: string } } }>(session, `/fhir/Patient/${encodeURIComponent(patientId)}/$consent-to-view`, {
        method: 'POST',
        body: JSON.stringify({ answer, minutes: Number(minutes.value) }),
      });
      const until = consent.provision?.period?.end ? new Date(consent.provision.period.end).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }) : '';
      status.textContent = answer === 'granted' ? `Permission to view recorded${until ? ` until ${until}` : ''}.` : 'The patient\'s refusal is recorded; the shared record stays closed.';
      if (answer === 'granted') onRecorded();
    } catch (error) {
      status.textContent = (error as Error).message;
      status.setAttribute('role', 'alert');
      agree.disabled = false;
      refuse.disabled = false;
    }
  };
  panel.addEventListener('submit', (event) => {
    event.preventDefault();
    void record('granted');
  });
  refuse.addEventListener('click', () => void record('denied'));
  return panel;
}
