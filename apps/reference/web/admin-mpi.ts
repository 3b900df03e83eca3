import { api, el, type Session } from './session.js';

interface Person {
  personId: string;
  nhsNumber?: string;
  demographics: { family?: string; given?: string; birthDate?: string; postcode?: string };
}
interface Link {
  personId: string;
  candidatePersonId: string;
  score: number;
  explanation: string[];
  person?: Person;
  candidate?: Person;
}
interface Side {
  personId: string;
  nhsNumber?: string;
  demographics: Person['demographics'];
  resources: Record<string, number>;
  sources: string[];
  consents: number;
  relationships: number;
}
interface Preview {
  survivor: Side;
  merged: Side;
  effect: string[];
  warnings: string[];
  blocked?: string;
}
interface Merge {
  survivorId: string;
  mergedId: string;
  mergedAt: string;
  reason: string;
  survivor?: Person;
  merged?: Person;
}

const who = (p: Person | Side | undefined, id: string) => {
  const d = p?.demographics ?? {};
  const name = [d.family?.toUpperCase(), d.given].filter(Boolean).join(', ') || 'Name not known';
  return `${name}, born ${d.birthDate ?? 'not known'}, NHS No. ${p?.nhsNumber ?? 'not known'} (${id})`;
};

function table(caption: string, head: string[], rows: Array<Array<Node | string>>): HTMLTableElement {
  const t = el('table', { class: 'data' }, el('caption', {}, caption));
  t.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: String(head.length) }, 'None.')));
  for (const r of rows) body.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
  t.append(body);
  return t;
}

let formCount = 0;

/** A reason box and a confirm button; the decision is sent only with a reason. */
function decisionForm(label: string, confirmText: string, onConfirm: (reason: string) => Promise<string>): HTMLFormElement {
  const id = `reason-${++formCount}`;
  const input = el('textarea', { id, name: 'reason', rows: '2', cols: '50', 'aria-required': 'true', 'aria-describedby': `${id}-status` });
  const status = el('p', { id: `${id}-status`, role: 'status' });
  const form = el('form', { class: 'decision', novalidate: '' }, el('label', { for: id }, label), input, el('div', {}, el('button', { type: 'submit', class: 'primary' }, confirmText)), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    if (reason.length < 5) {
      status.className = 'error';
      status.textContent = 'Say why, in a few words: the reason is kept in the audit.';
      input.focus();
      return;
    }
    try {
      form.querySelector('button')!.setAttribute('disabled', '');
      status.className = 'ok';
      status.textContent = await onConfirm(reason);
    } catch (error) {
      form.querySelector('button')!.removeAttribute('disabled');
      status.className = 'error';
      status.textContent = (error as Error).message;
    }
  });
  return form;
}

function previewPanel(preview: Preview): HTMLElement {
  const items = (s: Side) => Object.entries(s.resources).map(([type, n]) => `${n} ${type}`).join(', ') || 'no items';
  const panel = el(
    'div',
    { class: 'preview' },
    el('h4', {}, 'What will happen'),
    el('ul', {}, ...preview.effect.map((e) => el('li', {}, e))),
    el('p', {}, el('strong', {}, 'Kept: '), who(preview.survivor, preview.survivor.personId), ` — ${items(preview.survivor)}`),
    el('p', {}, el('strong', {}, 'Merged in: '), who(preview.merged, preview.merged.personId), ` — ${items(preview.merged)}`),
  );
  if (preview.warnings.length > 0) panel.append(el('h4', {}, 'Check before you confirm'), el('ul', { class: 'warnings' }, ...preview.warnings.map((w) => el('li', {}, w))));
  if (preview.blocked) panel.append(el('p', { class: 'error', role: 'alert' }, `This cannot be merged: ${preview.blocked}`));
  return panel;
}

/** The identity review tab: matches waiting for a decision (with a preview and a reason), and merges that can be undone. */
export async function renderMpi(session: Session): Promise<Node[]> {
  const [queue, merges] = await Promise.all([api<{ items: Link[] }>(session, '/app/admin/mpi/review'), api<{ items: Merge[] }>(session, '/app/admin/mpi/merges')]);
  const rows = queue.items.map((link) => {
    const cell = el('div');
    const same = el('button', { type: 'button', class: 'primary', 'data-decide': 'linked' }, 'Same person…');
    const different = el('button', { type: 'button', class: 'secondary', 'data-decide': 'rejected' }, 'Different people…');
    same.addEventListener('click', async () => {
      const preview = await api<Preview>(session, `/app/admin/mpi/preview?${new URLSearchParams({ personId: link.personId, candidatePersonId: link.candidatePersonId })}`);
      cell.replaceChildren(previewPanel(preview));
      if (!preview.blocked)
        cell.append(
          decisionForm('Why are they the same person?', 'Confirm: merge into one person', async (reason) => {
            await api(session, '/app/admin/mpi/review', { method: 'POST', body: JSON.stringify({ personId: link.personId, candidatePersonId: link.candidatePersonId, decision: 'linked', reason }) });
            return 'Merged: clinicians now see one person.';
          }),
        );
    });
    different.addEventListener('click', () => {
      cell.replaceChildren(
        decisionForm('Why are they different people?', 'Confirm: different people', async (reason) => {
          await api(session, '/app/admin/mpi/review', { method: 'POST', body: JSON.stringify({ personId: link.personId, candidatePersonId: link.candidatePersonId, decision: 'rejected', reason }) });
          return 'Recorded: they stay two people.';
        }),
      );
    });
    cell.append(same, ' ', different);
    return [who(link.person, link.personId), who(link.candidate, link.candidatePersonId), link.score.toFixed(2), el('ul', {}, ...link.explanation.map((e) => el('li', {}, e))), cell];
  });
  const mergeRows = merges.items.map((m) => {
    const cell = el('div');
    const undo = el('button', { type: 'button', class: 'secondary', 'data-unmerge': m.mergedId }, 'Unmerge…');
    undo.addEventListener('click', () => {
      cell.replaceChildren(
        el('p', {}, `Unmerging moves back exactly what this merge moved: the items, identifiers, consents and care relationships of ${m.mergedId} become a separate person again.`),
        decisionForm('Why is this merge wrong?', 'Confirm: unmerge', async (reason) => {
          await api(session, '/app/admin/mpi/unmerge', { method: 'POST', body: JSON.stringify({ survivorId: m.survivorId, mergedId: m.mergedId, reason }) });
          return 'Unmerged: they are two people again.';
        }),
      );
    });
    cell.append(undo);
    return [who(m.survivor, m.survivorId), who(m.merged, m.mergedId), new Date(m.mergedAt).toLocaleString('en-GB'), m.reason, cell];
  });
  return [
    el('h2', {}, 'Identity review queue'),
    el('p', { class: 'muted' }, 'Possible matches below the automatic link threshold. Nothing is linked without a decision here; every decision needs a reason and is audited.'),
    table('Candidate links', ['Person', 'Possible match', 'Score', 'Why', 'Decision'], rows),
    el('h3', {}, 'Merged people'),
    table('Merges in force', ['Kept', 'Merged in', 'When', 'Why', 'Undo'], mergeRows),
  ];
}
