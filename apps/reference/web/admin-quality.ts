import { api, el, type Session } from './session.js';

interface Check {
  label: string;
  required: string;
  found: string;
  met: boolean;
}
interface Card {
  channel: string;
  sender: string;
  organisation: string;
  measures: Record<string, number | undefined>;
  counts: { accepted: number; rejected: number; deadLetters: number; withWarnings: number };
  findings: string[];
  gate: { state: 'live' | 'passing' | 'trial'; summary: string; checks: Check[] };
}

const pct = (n: number | undefined) => (n === undefined ? 'Not measured' : `${Math.round(n * 1000) / 10}%`);

/** The data-quality tab: a scorecard per source channel, with its gate ("trial: not yet passing …" or "passing"). */
export async function renderDataQuality(session: Session): Promise<Node[]> {
  const report = await api<{ window: number; channels: Card[] }>(session, '/app/admin/data-quality');
  const out: Node[] = [
    el('h2', {}, 'Data quality by source'),
    el('p', { class: 'muted' }, `Measured from the message log (content: the newest ${report.window} messages) and the dead letters. A channel with a data-quality gate stays in trial until it meets every threshold: its data is stored but not shown to clinicians.`),
  ];
  for (const card of report.channels) {
    const m = card.measures;
    const section = el('section', { class: 'scorecard', 'aria-labelledby': `dq-${card.channel}` }, el('h3', { id: `dq-${card.channel}` }, `${card.channel} (${card.organisation})`));
    section.append(el('p', { class: card.gate.state === 'trial' ? 'error' : 'ok', 'data-gate': card.gate.state }, el('strong', {}, 'Gate: '), card.gate.summary));
    const t = el('table', { class: 'data' }, el('caption', {}, `Scorecard of ${card.channel}`));
    t.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Measure'), el('th', { scope: 'col' }, 'Found'), el('th', { scope: 'col' }, 'Needed'), el('th', { scope: 'col' }, 'Met'))));
    const needed = new Map(card.gate.checks.map((c) => [c.label, c]));
    const body = el('tbody');
    const row = (label: string, found: string) => {
      const check = needed.get(label);
      body.append(el('tr', {}, el('th', { scope: 'row' }, label), el('td', {}, found), el('td', {}, check?.required ?? 'not required'), el('td', {}, check ? (check.met ? 'met' : 'not met') : '–')));
    };
    row('Messages received', String(card.counts.accepted));
    row('NHS number completeness', pct(m.nhsNumberCompleteness));
    row('NHS number validity', pct(m.nhsNumberValidity));
    row('Name agreement', pct(m.nameAgreement));
    row('Coded in a national system', pct(m.codedShare));
    row('Rejected', `${pct(m.rejectRate)} (${card.counts.rejected}, ${card.counts.deadLetters} in dead letters)`);
    row('Delay (95% of messages)', m.delayMinutesP95 === undefined ? 'Not measured' : `${Math.round(m.delayMinutesP95)} minutes`);
    t.append(body);
    section.append(t);
    if (card.findings.length > 0) section.append(el('h4', {}, 'What is wrong'), el('ul', {}, ...card.findings.map((f) => el('li', {}, f))));
    else section.append(el('p', {}, 'Nothing found wrong.'));
    out.push(section);
  }
  return out;
}
