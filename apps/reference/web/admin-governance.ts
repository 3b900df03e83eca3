import { api, el, roleTitle, type Session } from './session.js';

/** The privacy officers' break-glass review queue and the roll-out stages, as admin tabs. */

interface QueueAlert {
  patientKey: string;
  id: string;
  reason: string;
  text: string;
  userId: string;
  userName?: string;
  roleId?: string;
  organisation: string;
  organisationName?: string;
  nhsNumber?: string;
  patientName?: string;
  grantId?: string;
  raisedAt: string;
  lastAccessAt: string;
  accesses: number;
  review?: { outcome: 'appropriate' | 'inappropriate'; note: string; reviewedBy: string; reviewedAt: string };
  grant?: { state: string; expiresAt: string; revokedAt?: string; revokedBy?: string };
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
const nhs = (n: string | undefined) => (n ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : 'Not known');

function table(caption: string, head: string[], rows: Array<Array<Node | string>>): HTMLTableElement {
  const t = el('table', { class: 'data' }, el('caption', {}, caption));
  t.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: String(head.length) }, 'None.')));
  for (const r of rows) body.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
  t.append(body);
  return t;
}

function reviewForm(session: Session, alert: QueueAlert, index: number, done: () => void): HTMLElement {
  const form = el('form', { 'data-review': alert.id, 'aria-label': `Review access by ${alert.userName ?? alert.userId}` });
  const name = `outcome-${index}`;
  const fieldset = el('fieldset', {}, el('legend', {}, 'Was this access appropriate?'));
  for (const [value, text] of [['appropriate', 'Appropriate'], ['inappropriate', 'Inappropriate (ends the access now)']] as const) {
    const id = `${name}-${value}`;
    fieldset.append(el('div', {}, el('input', { type: 'radio', id, name, value }), ' ', el('label', { for: id, style: 'display:inline;font-weight:normal' }, text)));
  }
  const noteId = `note-${index}`;
  const note = el('textarea', { id: noteId, name: 'note', rows: '2', cols: '30' });
  const status = el('p', { role: 'status' });
  form.append(fieldset, el('label', { for: noteId }, 'Note (kept in the audit)'), note, el('div', {}, el('button', { type: 'submit', class: 'primary' }, 'Record review')), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value;
    if (!outcome) {
      status.className = 'error';
      status.textContent = 'Choose appropriate or inappropriate.';
      return;
    }
    try {
      await api(session, '/app/admin/break-glass/review', { method: 'POST', body: JSON.stringify({ patientKey: alert.patientKey, alertId: alert.id, outcome, note: note.value }) });
      done();
    } catch (error) {
      status.className = 'error';
      status.textContent = (error as Error).message;
    }
  });
  return form;
}

export async function renderPrivacyQueue(session: Session, refresh: () => void): Promise<Node[]> {
  const [open, reviewed] = await Promise.all([
    api<{ alerts: QueueAlert[] }>(session, '/app/admin/break-glass?status=open'),
    api<{ alerts: QueueAlert[] }>(session, '/app/admin/break-glass?status=reviewed'),
  ]);
  const who = (a: QueueAlert) => el('span', {}, a.userName ?? a.userId, el('br'), el('span', { class: 'muted' }, `${a.roleId ? roleTitle(a.roleId) : ''} — ${a.organisationName ?? a.organisation}`));
  const person = (a: QueueAlert) => el('span', {}, a.patientName ?? a.patientKey, el('br'), el('span', { class: 'muted' }, `NHS No. ${nhs(a.nhsNumber)}`));
  const kind = (a: QueueAlert) => (a.reason === 'break-glass' ? 'BREAK-GLASS' : a.reason.replace(/-/g, ' '));
  const openRows = open.alerts.map((a, i) => [
    when(a.raisedAt),
    kind(a),
    who(a),
    person(a),
    a.text,
    `${a.accesses} (last ${when(a.lastAccessAt)})${a.grant ? `; access ${a.grant.state}` : ''}`,
    reviewForm(session, a, i, refresh),
  ]);
  const doneRows = reviewed.alerts.map((a) => [
    when(a.raisedAt),
    kind(a),
    who(a),
    person(a),
    a.text,
    el('strong', { class: a.review?.outcome === 'inappropriate' ? 'error' : 'ok' }, a.review?.outcome === 'inappropriate' ? 'Inappropriate' : 'Appropriate'),
    `${a.review?.note ?? ''} — ${a.review?.reviewedBy ?? ''}, ${a.review ? when(a.review.reviewedAt) : ''}${a.grant?.state === 'revoked' ? '; access ended' : ''}`,
  ]);
  return [
    el('h2', {}, 'Break-glass review'),
    el('p', { class: 'muted' }, 'Every emergency (break-glass) access and every self-declared relationship waits here until a privacy officer records whether it was appropriate. The outcome is kept in the audit; an inappropriate access ends at once.'),
    table(`${open.alerts.length} awaiting review`, ['Raised', 'Kind', 'Who', 'Person', 'Reason given', 'Accesses', 'Review'], openRows),
    table(`${reviewed.alerts.length} reviewed`, ['Raised', 'Kind', 'Who', 'Person', 'Reason given', 'Outcome', 'Note'], doneRows),
  ];
}

interface RolloutView {
  enforced: boolean;
  stages: Record<'pilot' | 'staged' | 'live', Array<{ ods: string; name: string }>>;
  groups: Array<{ id: string; name: string; stage: string; users: string[] }>;
  users: Array<{ id: string; name: string; role: string; organisation?: string; stage: string; allowed: boolean; group?: string }>;
}

export async function renderRollout(session: Session): Promise<Node[]> {
  const view = await api<RolloutView>(session, '/app/admin/rollout');
  const orgName = new Map(Object.values(view.stages).flat().map((o) => [o.ods, o.name]));
  return [
    el('h2', {}, 'Roll-out stages'),
    view.enforced
      ? el('p', { class: 'muted' }, 'Enforced: at organisations in pilot or staged roll-out, only the users of a group for that stage see the shared record; the others are told why they see nothing.')
      : el('p', { class: 'error' }, 'Not enforced: this locality has no roll-out groups, so the stage is only a label and every user of every organisation sees the record.'),
    table('Organisations by stage', ['Stage', 'Organisations'], (['pilot', 'staged', 'live'] as const).map((stage) => [stage, view.stages[stage].map((o) => `${o.name} (${o.ods})`).join(', ') || 'None'])),
    table('Roll-out groups', ['Group', 'Admitted at', 'Users'], view.groups.map((g) => [g.name, g.stage === 'pilot' ? 'pilot and staged organisations' : 'staged organisations', String(g.users.length)])),
    table(
      'Who may use the record now',
      ['Name', 'Role', 'Organisation', 'Stage', 'Access'],
      view.users.map((u) => [u.name, roleTitle(u.role), orgName.get(u.organisation ?? '') ?? u.organisation ?? '—', u.stage, u.allowed ? (u.group ? `Yes (${u.group})` : 'Yes') : el('strong', { class: 'error' }, 'No — not in a group for this stage')]),
    ),
  ];
}

interface AuthorityView {
  id: string;
  kind: string;
  relationship: string;
  proxyName: string;
  proxyNhsNumber: string;
  validFrom: string;
  validTo?: string;
  status: string;
  inForce: boolean;
  recordedBy: string;
  evidence: string;
}

const PROXY_KIND_OPTIONS: Array<[string, string]> = [
  ['parent', 'Parent or guardian'],
  ['lasting-power-of-attorney', 'Lasting power of attorney (health and welfare)'],
  ['court-appointed-deputy', 'Court-appointed deputy'],
  ['carer', 'Carer'],
];

function field(id: string, label: string, input: HTMLElement): HTMLElement {
  input.id = id;
  input.setAttribute('name', id);
  return el('div', {}, el('label', { for: id }, label), input);
}

/** Record who may act for whom (after checking the evidence), look up a person's authorities, and end one. */
export async function renderProxyAccess(session: Session): Promise<Node[]> {
  const kind = el('select', {});
  for (const [value, text] of PROXY_KIND_OPTIONS) kind.append(el('option', { value }, text));
  const proxyNhs = el('input', { inputmode: 'numeric', autocomplete: 'off', size: '14' });
  const proxyName = el('input', { autocomplete: 'off' });
  const subjectNhs = el('input', { inputmode: 'numeric', autocomplete: 'off', size: '14' });
  const evidence = el('textarea', { rows: '2', cols: '40' });
  const status = el('p', { role: 'status' });
  const list = el('div', { 'aria-live': 'polite' });
  const form = el(
    'form',
    { 'aria-labelledby': 'proxy-record-title' },
    el('h3', { id: 'proxy-record-title' }, 'Record an authority to act for someone'),
    field('proxy-kind', 'Kind of authority', kind),
    field('proxy-nhs', 'NHS number of the person who will act (the proxy)', proxyNhs),
    field('proxy-name', 'Their name', proxyName),
    field('subject-nhs', 'NHS number of the person they act for', subjectNhs),
    field('proxy-evidence', 'Evidence seen (kept in the audit)', evidence),
    el('div', {}, el('button', { type: 'submit', class: 'primary' }, 'Record authority')),
    status,
  );
  const show = async (nhs: string) => {
    const view = await api<{ authorities: AuthorityView[] }>(session, `/app/admin/proxy-authorities?subject=${encodeURIComponent(nhs.replace(/\s/g, ''))}`);
    const rows = view.authorities.map((a) => {
      const end = el('button', { type: 'button', class: 'secondary' }, 'End this authority');
      end.addEventListener('click', async () => {
        try {
          await api(session, '/app/admin/proxy-authorities/revoke', { method: 'POST', body: JSON.stringify({ subjectNhsNumber: nhs, authorityId: a.id, reason: 'Ended by staff in admin' }) });
          await show(nhs);
        } catch (error) {
          status.className = 'error';
          status.textContent = (error as Error).message;
        }
      });
      return [`${a.proxyName} (NHS No. ${a.proxyNhsNumber})`, a.relationship, `${a.validFrom.slice(0, 10)}${a.validTo ? ` to ${a.validTo.slice(0, 10)}` : ''}`, a.inForce ? 'In force' : a.status === 'revoked' ? 'Ended' : 'Not in force', a.evidence, a.inForce ? end : ''];
    });
    list.replaceChildren(table(`Who may act for NHS No. ${nhs}`, ['Proxy', 'Authority', 'Dates', 'State', 'Evidence', ''], rows));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api(session, '/app/admin/proxy-authorities', {
        method: 'POST',
        body: JSON.stringify({ kind: kind.value, proxyNhsNumber: proxyNhs.value.replace(/\s/g, ''), proxyName: proxyName.value, subjectNhsNumber: subjectNhs.value.replace(/\s/g, ''), evidence: evidence.value }),
      });
      status.className = 'ok';
      status.textContent = `Recorded: ${proxyName.value} may now act for NHS No. ${subjectNhs.value}.`;
      await show(subjectNhs.value.replace(/\s/g, ''));
    } catch (error) {
      status.className = 'error';
      status.textContent = (error as Error).message;
    }
  });
  return [
    el('h2', {}, 'Proxy access'),
    el('p', { class: 'muted' }, 'A parent, carer, attorney or deputy signs in to the citizen portal as themselves and acts for the person only under an authority recorded here, after the evidence has been checked. Each change is kept in the audit; every access they make shows in the person\'s "who has looked at my record".'),
    form,
    list,
  ];
}
