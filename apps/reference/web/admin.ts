import { api, currentSession, el, renderHeader, renderSignIn, roleTitle, type Session } from './session.js';
import { renderMpi } from './admin-mpi.js';
import { renderDataQuality } from './admin-quality.js';
import { renderPrivacyQueue, renderProxyAccess, renderRollout } from './admin-governance.js';

const APP = 'admin';
const main = document.querySelector('main')!;

const TABS: Array<[string, string]> = [
  ['isa', 'Sharing agreement'],
  ['organisations', 'Organisations'],
  ['users', 'Users and roles'],
  ['audit', 'Audit'],
  ['privacy', 'Break-glass review'],
  ['rollout', 'Roll-out'],
  ['proxy', 'Proxy access'],
  ['mpi', 'Identity review'],
  ['integration', 'Integration'],
  ['data-quality', 'Data quality'],
  ['benefits', 'Benefits'],
];

function start(session: Session | undefined) {
  renderHeader(APP, 'Shared care record administration', session);
  if (!session) {
    void renderSignIn(APP, main, (u) => u.role === 'administrator' || u.role === 'privacy-officer', (s) => start(s));
    return;
  }
  const nav = el('nav', { class: 'tabs', 'aria-label': 'Administration' });
  for (const [id, title] of TABS) {
    const b = el('button', { type: 'button', 'data-tab': id, 'aria-current': 'false' }, title);
    b.addEventListener('click', () => void show(session, id));
    nav.append(b);
  }
  document.querySelector('header.app')!.after(nav);
  void show(session, new URLSearchParams(location.search).get('tab') ?? 'isa');
}

function table(caption: string, head: string[], rows: Array<Array<Node | string>>): HTMLTableElement {
  const t = el('table', { class: 'data' }, el('caption', {}, caption));
  t.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: String(head.length) }, 'None.')));
  for (const r of rows) body.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
  t.append(body);
  return t;
}

async function show(session: Session, tab: string) {
  history.replaceState(null, '', `?tab=${tab}`);
  for (const b of document.querySelectorAll('nav.tabs button')) b.setAttribute('aria-current', b.getAttribute('data-tab') === tab ? 'page' : 'false');
  const panel = el('section', { class: 'panel', 'aria-live': 'polite' }, el('p', {}, 'Loading…'));
  main.replaceChildren(panel);
  try {
    panel.replaceChildren(...(await render(session, tab)));
  } catch (error) {
    panel.replaceChildren(el('p', { class: 'error', role: 'alert' }, (error as Error).message));
  }
}

interface IsaView { title: string; html: string; issues: Array<{ severity: string; code: string; path: string; message: string }> }
interface Org { ods: string; name: string; kind: string; stage: string; isaStatus: string; activation?: { at: string } }
interface AuditRow { seq: number; recordedAt: string; patientKey?: string; userId?: string; event: { outcome?: string; user?: { name?: string; roleId?: string; organisation?: string }; query?: string; headings?: string[]; breakGlass?: unknown; flagged?: boolean; reasons?: string[] } }
interface DeadLetter { id: string; sender?: string; channel?: string; error: string; receivedAt: string; attempts: number; replayedAt?: string }

async function render(session: Session, tab: string): Promise<Node[]> {
  if (tab === 'privacy') return renderPrivacyQueue(session, () => void show(session, tab));
  if (tab === 'rollout') return renderRollout(session);
  if (tab === 'proxy') return renderProxyAccess(session);
  if (tab === 'isa') {
    const isa = await api<IsaView>(session, '/app/admin/isa');
    const frame = el('iframe', { title: isa.title, sandbox: '', style: 'width:100%;height:60vh;border:1px solid #d8dde0' });
    frame.srcdoc = isa.html;
    const checks = isa.issues.length === 0 ? el('p', { class: 'ok' }, 'The agreement has no contradictions or gaps.') : table('Checks', ['Severity', 'Where', 'Problem'], isa.issues.map((i) => [i.severity, i.path, i.message]));
    return [el('h2', {}, isa.title), checks, frame];
  }
  if (tab === 'organisations') {
    const orgs = await api<Org[]>(session, '/app/admin/organisations');
    return [
      el('h2', {}, 'Organisations and go-live'),
      el('p', { class: 'muted' }, 'Start small: pilot organisations first, then staged roll-out. Data from a party flows only once it is active in the agreement.'),
      table('Organisations', ['ODS', 'Name', 'Kind', 'Go-live stage', 'In the agreement', 'Activated'], orgs.map((o) => [o.ods, o.name, o.kind, o.stage, o.isaStatus, o.activation?.at?.slice(0, 10) ?? '—'])),
    ];
  }
  if (tab === 'users') {
    const { users, mode } = await api<{ mode: string; users: Array<{ id: string; name: string; role: string; organisationName?: string }> }>(session, '/app/admin/users');
    return [
      el('h2', {}, 'Users and roles'),
      el('p', { class: 'muted' }, mode === 'dev' ? 'Demo users of the development issuer.' : 'Users come from the identity provider; roles are mapped from its claims.'),
      table('Users', ['Name', 'Role', 'Organisation', 'Id'], users.map((u) => [u.name, roleTitle(u.role), u.organisationName ?? '—', u.id])),
    ];
  }
  if (tab === 'audit') {
    const form = el('form', { class: 'row' });
    const patient = el('input', { id: 'a-patient', name: 'patient', size: '38' });
    const user = el('input', { id: 'a-user', name: 'user', size: '30' });
    form.append(el('div', {}, el('label', { for: 'a-patient' }, 'Patient id'), patient), el('div', {}, el('label', { for: 'a-user' }, 'User id'), user), el('div', {}, el('button', { class: 'primary', type: 'submit' }, 'Search')));
    const results = el('div');
    const verify = el('p', {});
    const run = async () => {
      const q = new URLSearchParams();
      if (patient.value.trim()) q.set('patient', patient.value.trim());
      if (user.value.trim()) q.set('user', user.value.trim());
      const page = await api<{ items: AuditRow[] }>(session, `/app/admin/audit?${q}`);
      results.replaceChildren(
        table(
          `${page.items.length} audit events`,
          ['#', 'When', 'Who', 'Patient', 'What', 'Outcome'],
          page.items.map((r) => [
            String(r.seq),
            r.recordedAt.replace('T', ' ').slice(0, 19),
            `${r.event.user?.name ?? r.userId ?? ''} (${r.event.user?.roleId ?? ''}, ${r.event.user?.organisation ?? ''})`,
            r.patientKey ?? '—',
            r.event.query ?? '',
            `${r.event.outcome ?? ''}${r.event.breakGlass ? ' — BREAK-GLASS' : ''}${r.event.flagged ? ' (flagged)' : ''}`,
          ]),
        ),
      );
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void run().catch((error: Error) => results.replaceChildren(el('p', { class: 'error' }, error.message)));
    });
    const check = el('button', { type: 'button', class: 'secondary' }, 'Verify the hash chain');
    check.addEventListener('click', async () => {
      const result = await api<{ ok: boolean; checked?: number; index?: number; reason?: string }>(session, '/app/admin/audit/verify');
      verify.className = result.ok ? 'ok' : 'error';
      verify.textContent = result.ok ? `Chain intact${result.checked !== undefined ? ` (${result.checked} events)` : ''}.` : `Chain broken at event ${result.index}: ${result.reason ?? ''}`;
    });
    await run();
    return [el('h2', {}, 'Audit'), form, check, verify, results];
  }
  if (tab === 'mpi') return renderMpi(session);
  if (tab === 'data-quality') return renderDataQuality(session);
  if (tab === 'integration') {
    const [channels, letters] = await Promise.all([
      api<{ channels: Array<{ id: string; sender: string; profile: string; mllpPort?: number }>; recentMessages: Array<{ sender: string; controlId: string; messageType: string; outcome: string; receivedAt: string; warnings?: string[] }> }>(session, '/app/admin/channels'),
      api<{ items: DeadLetter[] }>(session, '/app/admin/dead-letters'),
    ]);
    const letterRows = letters.items.map((d) => {
      const cell = el('span');
      if (d.replayedAt) cell.append(`Replayed ${d.replayedAt.slice(0, 19)}`);
      else {
        const b = el('button', { type: 'button', class: 'secondary', 'data-replay': d.id }, 'Replay');
        b.addEventListener('click', async () => {
          try {
            const r = await api<{ accepted: boolean; ack: string }>(session, `/app/admin/dead-letters/${encodeURIComponent(d.id)}/replay`, { method: 'POST' });
            cell.replaceChildren(r.accepted ? 'Replayed and accepted' : `Still rejected: ${r.ack.split('\n').find((l) => l.startsWith('MSA')) ?? ''}`);
          } catch (error) {
            cell.replaceChildren(el('span', { class: 'error', role: 'alert' }, `Replay failed: ${(error as Error).message}`));
          }
        });
        cell.append(b);
      }
      return [d.receivedAt.slice(0, 19), d.sender ?? '—', d.channel ?? '—', d.error, String(d.attempts), cell];
    });
    return [
      el('h2', {}, 'Integration channels'),
      table('Channels', ['Channel', 'Sender', 'Profile', 'MLLP port'], channels.channels.map((c) => [c.id, c.sender, c.profile, c.mllpPort ? String(c.mllpPort) : 'HTTP only'])),
      table('Dead letters', ['Received', 'Sender', 'Channel', 'Why', 'Attempts', ''], letterRows),
      table('Recent messages', ['Received', 'Sender', 'Control id', 'Type', 'Outcome'], channels.recentMessages.map((m) => [m.receivedAt.slice(0, 19), m.sender, m.controlId, m.messageType, `${m.outcome}${m.warnings?.length ? ` (${m.warnings.join(', ')})` : ''}`])),
    ];
  }
  if (tab === 'benefits') {
    const b = await api<{
      views: { total: number; permitted: number; denied: number; breakGlass: number };
      byRole: Record<string, number>;
      byOrganisation: Record<string, number>;
      byDay: Array<{ day: string; views: number }>;
      feedback: Record<string, number>;
      savings: { avoidedAdmissions: number; avoidedHomeVisits: number; phoneCalls: number; total: number };
    }>(session, '/app/admin/benefits');
    const money = (n: number) => `£${n.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
    const bars = (caption: string, data: Record<string, number>) => {
      const max = Math.max(1, ...Object.values(data));
      return table(caption, ['', 'Views', ''], Object.entries(data).sort((a, c) => c[1] - a[1]).map(([k, v]) => [roleTitle(k), String(v), el('span', { class: 'bar', style: `width:${Math.round((v / max) * 200)}px`, 'aria-hidden': 'true' })]));
    };
    return [
      el('h2', {}, 'Benefits'),
      el('p', {}, `${b.views.total} record views (${b.views.permitted} permitted, ${b.views.denied} denied, ${b.views.breakGlass} break-glass).`),
      el('p', { class: 'notice' }, `Estimated savings from feedback: ${money(b.savings.total)} — admissions avoided ${money(b.savings.avoidedAdmissions)}, home visits avoided ${money(b.savings.avoidedHomeVisits)}, phone calls saved ${money(b.savings.phoneCalls)}.`),
      table('Feedback on record views', ['What the record did', 'Times'], Object.entries(b.feedback).map(([k, v]) => [k.replace(/-/g, ' '), String(v)])),
      bars('Views by role', b.byRole),
      bars('Views by organisation', b.byOrganisation),
      table('Views by day', ['Day', 'Views'], b.byDay.map((d) => [d.day, String(d.views)])),
    ];
  }
  return [el('p', {}, 'Unknown page.')];
}

start(currentSession(APP));
