import '@openidcr/citizen/define/idcr-my-record';
import '@openidcr/citizen/define/idcr-access-log';
import '@openidcr/citizen/define/idcr-sharing-preferences';
import '@openidcr/citizen/define/idcr-fair-processing-notice';
import '@openidcr/citizen/define/idcr-what-matters';
import { api, currentSession, el, renderHeader, renderSignIn, type Session } from './session.js';
import { actingForPanel } from './citizen-proxy.js';

const APP = 'citizen';
const main = document.querySelector('main')!;
type Props = Record<string, unknown>;

const TABS: Array<[string, string]> = [
  ['record', 'My record'],
  ['access', 'Who has looked'],
  ['sharing', 'Sharing choices'],
  ['matters', 'What matters to me'],
  ['download', 'Download my record'],
  ['notice', 'How my data is used'],
];

function start(session: Session | undefined) {
  renderHeader(APP, 'Your shared care record', session);
  document.querySelector('nav.tabs')?.remove();
  if (!session) {
    const notice = el('section', { class: 'panel' }, el('h2', {}, 'How your information is shared'));
    const component = document.createElement('idcr-fair-processing-notice') as unknown as HTMLElement & Props;
    notice.append(component);
    void fetch('/citizen/notice', { headers: { Accept: 'application/json' } })
      .then((r) => r.json())
      .then((n) => {
        component.notice = n;
        component.status = 'ready';
      });
    void renderSignIn(APP, main, (u) => u.role === 'citizen', (s) => start(s)).then(() => main.append(notice));
    return;
  }
  const nav = el('nav', { class: 'tabs', 'aria-label': 'Your record' });
  for (const [id, title] of TABS) {
    const b = el('button', { type: 'button', 'data-tab': id, 'aria-current': 'false' }, title);
    b.addEventListener('click', () => show(session, id));
    nav.append(b);
  }
  document.querySelector('header.app')!.after(nav);
  // A proxy (carer, parent, attorney) chooses whose record they are looking at; the tab shown again for that person.
  void actingForPanel(session, () => show(session, new URLSearchParams(location.search).get('tab') ?? 'record')).then((panel) => panel && nav.after(panel));
  show(session, new URLSearchParams(location.search).get('tab') ?? 'record');
}

function component(tag: string, props: Props = {}): HTMLElement & Props {
  const node = document.createElement(tag) as HTMLElement & Props;
  Object.assign(node, { status: 'loading', ...props });
  return node;
}

async function load(node: HTMLElement & Props, work: () => Promise<Props>) {
  try {
    Object.assign(node, await work(), { status: 'ready' });
  } catch (error) {
    Object.assign(node, { status: 'error', errorMessage: (error as Error).message });
  }
}

function show(session: Session, tab: string) {
  history.replaceState(null, '', `?tab=${tab}`);
  for (const b of document.querySelectorAll('nav.tabs button')) b.setAttribute('aria-current', b.getAttribute('data-tab') === tab ? 'page' : 'false');
  const panel = el('section', { class: 'panel', 'aria-label': TABS.find(([id]) => id === tab)?.[1] ?? '' });
  main.replaceChildren(panel);
  if (tab === 'record') {
    const node = component('idcr-my-record');
    panel.append(node);
    void load(node, async () => ({ summary: await api(session, '/citizen/me/record') }));
  } else if (tab === 'access') {
    const node = component('idcr-access-log');
    panel.append(node);
    void load(node, async () => ({ page: await api(session, '/citizen/me/access-log') }));
    node.addEventListener('idcr-load-more', (event) => {
      const cursor = (event as CustomEvent<{ cursor: string }>).detail.cursor;
      node.loadingMore = true;
      void api<{ entries: unknown[]; nextCursor?: string }>(session, `/citizen/me/access-log?cursor=${encodeURIComponent(cursor)}`).then(
        (page) => {
          const current = node.page as { entries: unknown[] };
          Object.assign(node, { page: { ...page, entries: [...current.entries, ...page.entries] }, loadingMore: false });
        },
        (error: Error) => Object.assign(node, { loadingMore: false, errorMessage: error.message }),
      );
    });
  } else if (tab === 'sharing') {
    const node = component('idcr-sharing-preferences');
    panel.append(node);
    void load(node, async () => ({ preferences: await api(session, '/citizen/me/preferences') }));
    node.addEventListener('idcr-preference-change', (event) => {
      const body = (event as CustomEvent).detail;
      void api(session, '/citizen/me/preferences', { method: 'PUT', body: JSON.stringify(body) }).then(
        async (receipt) => Object.assign(node, { receipt, preferences: await api(session, '/citizen/me/preferences'), status: 'ready' }),
        (error: Error) => Object.assign(node, { status: 'error', errorMessage: error.message }),
      );
    });
  } else if (tab === 'matters') {
    const node = component('idcr-what-matters');
    panel.append(node);
    void load(node, async () => ({ value: await api(session, '/citizen/me/what-matters') }));
    node.addEventListener('idcr-what-matters-change', (event) => {
      const body = (event as CustomEvent).detail;
      void api(session, '/citizen/me/what-matters', { method: 'PUT', body: JSON.stringify(body) }).then(
        (value) => Object.assign(node, { value, saved: true, status: 'ready' }),
        (error: Error) => Object.assign(node, { status: 'error', errorMessage: error.message }),
      );
    });
  } else if (tab === 'download') {
    const status = el('p', { role: 'status' });
    const download = async (format: 'fhir' | 'html') => {
      status.textContent = 'Preparing your download…';
      const res = await fetch(`/citizen/me/export${format === 'html' ? '?format=html' : ''}`, { headers: { Authorization: `Bearer ${session.token}`, ...(session.actingFor ? { 'Idcr-Acting-For': session.actingFor } : {}) } });
      if (!res.ok) {
        status.textContent = `Download failed (${res.status}).`;
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = el('a', { href: url, download: format === 'html' ? 'my-care-record.html' : 'my-care-record.fhir.json' });
      a.click();
      URL.revokeObjectURL(url);
      status.textContent = 'Downloaded.';
    };
    const readable = el('button', { type: 'button', class: 'primary' }, 'Download a readable copy (HTML)');
    const fhir = el('button', { type: 'button', class: 'secondary' }, 'Download as data (FHIR JSON)');
    readable.addEventListener('click', () => void download('html'));
    fhir.addEventListener('click', () => void download('fhir'));
    panel.append(el('h2', {}, 'Download everything held about you'), el('p', {}, 'This is your right of access under UK GDPR. The copy includes every item the shared record holds about you.'), readable, ' ', fhir, status);
  } else if (tab === 'notice') {
    const node = component('idcr-fair-processing-notice');
    panel.append(node);
    void load(node, async () => ({ notice: await (await fetch('/citizen/notice', { headers: { Accept: 'application/json' } })).json() }));
  }
}

start(currentSession(APP));
