/** Sign-in with the development issuer, the session token, and a small JSON fetch helper shared by the web apps. */
export interface DemoUser {
  id: string;
  name: string;
  role: string;
  organisation?: string;
  organisationName?: string;
  nhsNumber?: string;
}

export interface Session {
  token: string;
  user: DemoUser;
  expiresAt: number;
  /** The NHS number of the person a proxy acts for (citizen portal), sent as `Idcr-Acting-For`. */
  actingFor?: string | undefined;
}

const ROLE_TITLES: Record<string, string> = {
  gp: 'GP',
  'hospital-clinician': 'Hospital clinician',
  nurse: 'Nurse',
  pharmacist: 'Pharmacist',
  'mental-health-clinician': 'Mental health clinician',
  'social-worker': 'Social worker',
  'care-coordinator': 'Care coordinator',
  administrator: 'Administrator',
  'privacy-officer': 'Privacy officer',
  citizen: 'Member of the public',
};

export const roleTitle = (role: string) => ROLE_TITLES[role] ?? role;

export function currentSession(app: string): Session | undefined {
  const raw = sessionStorage.getItem(`idcr-session-${app}`);
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  if (session.expiresAt < Date.now() + 30_000) {
    sessionStorage.removeItem(`idcr-session-${app}`);
    return undefined;
  }
  return session;
}

export async function signIn(app: string, user: DemoUser): Promise<Session> {
  const res = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: user.id }) });
  const body = (await res.json()) as { access_token?: string; expires_in?: number; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(body.error_description ?? `sign-in failed (${res.status})`);
  const session = { token: body.access_token, user, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
  sessionStorage.setItem(`idcr-session-${app}`, JSON.stringify(session));
  return session;
}

export function signOut(app: string): void {
  sessionStorage.removeItem(`idcr-session-${app}`);
  location.reload();
}

export async function demoUsers(): Promise<DemoUser[]> {
  const res = await fetch('/app/session/users');
  if (!res.ok) throw new Error('This locality signs in through its own identity provider.');
  return (await res.json()) as DemoUser[];
}

/** A JSON request with the session's bearer token; errors carry the OperationOutcome's diagnostics. */
export async function api<T>(session: Session, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { Accept: 'application/json, application/fhir+json', Authorization: `Bearer ${session.token}`, ...(session.actingFor ? { 'Idcr-Acting-For': session.actingFor } : {}), ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const diagnostics = (body as { issue?: Array<{ diagnostics?: string }> } | undefined)?.issue?.map((i) => i.diagnostics).join('; ');
    throw new Error(diagnostics || `${res.status} ${res.statusText}`);
  }
  return body as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

/** The sign-in panel: demo users grouped by organisation, filtered to the ones this app serves. */
export async function renderSignIn(app: string, container: HTMLElement, accept: (u: DemoUser) => boolean, onSignedIn: (s: Session) => void): Promise<void> {
  container.replaceChildren(el('p', {}, 'Loading demo users…'));
  let users: DemoUser[];
  try {
    users = (await demoUsers()).filter(accept);
  } catch (error) {
    container.replaceChildren(el('p', { class: 'error' }, (error as Error).message));
    return;
  }
  const panel = el('section', { class: 'panel', 'aria-labelledby': 'signin-title' }, el('h2', { id: 'signin-title' }, 'Sign in as a demo user'));
  panel.append(el('p', { class: 'muted' }, 'Development sign-in for the synthetic locality. A real locality signs in through its identity provider (NHS CIS2 or its own OIDC issuer).'));
  const groups = new Map<string, DemoUser[]>();
  for (const u of users) {
    const key = u.organisationName ?? 'Members of the public';
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  for (const [org, list] of groups) {
    panel.append(el('h3', {}, org));
    const grid = el('div', { class: 'users' });
    for (const u of list) {
      const button = el('button', { type: 'button', 'data-user': u.id }, u.name, el('span', { class: 'role' }, roleTitle(u.role)));
      button.addEventListener('click', async () => {
        try {
          onSignedIn(await signIn(app, u));
        } catch (error) {
          panel.append(el('p', { class: 'error', role: 'alert' }, (error as Error).message));
        }
      });
      grid.append(button);
    }
    panel.append(grid);
  }
  container.replaceChildren(panel);
}

export function renderHeader(app: string, title: string, session: Session | undefined): void {
  const header = document.querySelector('header.app')!;
  header.replaceChildren(el('h1', {}, title));
  if (session) {
    const who = el('span', { class: 'who' }, `${session.user.name} — ${roleTitle(session.user.role)}${session.user.organisationName ? `, ${session.user.organisationName}` : ''}`);
    const out = el('button', { type: 'button' }, 'Sign out');
    out.addEventListener('click', () => signOut(app));
    header.append(who, out);
  }
}
