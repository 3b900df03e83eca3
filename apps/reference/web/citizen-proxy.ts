import { api, el, type Session } from './session.js';

/** Proxy access in the citizen portal: choose whose record you are looking at, and see what that allows. */

interface Person {
  nhsNumber: string;
  name: string;
  relationship: string;
  actions: string[];
  headings: string[];
  hideSensitive: boolean;
  validTo?: string;
}

const ACTION_TEXT: Record<string, string> = {
  record: 'see their record',
  'access-log': 'see who has looked at their record',
  preferences: 'make their sharing choices',
  export: 'download their record',
  'what-matters': 'add what matters to them',
};

/** The chooser, or undefined when the signed-in person acts for no one. `changed` runs after each choice. */
export async function actingForPanel(session: Session, changed: () => void): Promise<HTMLElement | undefined> {
  const { people } = await api<{ people: Person[] }>({ ...session, actingFor: undefined }, '/app/citizen/acting-for').catch(() => ({ people: [] as Person[] }));
  if (people.length === 0) return undefined;
  const select = el('select', { id: 'acting-for', name: 'acting-for' });
  select.append(el('option', { value: '' }, `Myself (${session.user.name})`));
  for (const p of people) select.append(el('option', { value: p.nhsNumber }, `${p.name} — as their ${p.relationship}`));
  const allows = el('p', { id: 'acting-for-allows', role: 'status' });
  const describe = () => {
    const person = people.find((p) => p.nhsNumber === select.value);
    allows.textContent = person
      ? `You are acting for ${person.name} as their ${person.relationship}. You may ${person.actions.map((a) => ACTION_TEXT[a] ?? a).join(', ')}.${person.hideSensitive ? ' Sensitive items are not shown to you.' : ''}${person.validTo ? ` Until ${person.validTo.slice(0, 10)}.` : ''} Everything you look at is recorded and shown to ${person.name}.`
      : 'You are looking at your own record.';
  };
  select.value = session.actingFor ?? '';
  describe();
  select.addEventListener('change', () => {
    session.actingFor = select.value || undefined;
    describe();
    changed();
  });
  return el('section', { class: 'panel', 'aria-labelledby': 'acting-for-title' }, el('h2', { id: 'acting-for-title' }, 'Whose record'), el('label', { for: 'acting-for' }, 'Whose record are you looking at?'), select, allows);
}
