import {
  buildExampleIsa,
  checkIsa,
  escapeMarkdown,
  IsaSchema,
  ORGANISATION_KIND_TITLES,
  renderIsa,
  type Isa,
  type IsaInput,
  type IsaIssue,
  type OrganisationKind,
} from '@openidcr/governance';
import { slugOf, type Answers } from '../answers/answers.js';

/** Something the locality must settle before the agreement can be signed and put in force. */
export interface IsaTodo {
  /** Where in the ISA (`parties[2].signatory`), or `(agreement)`. */
  path: string;
  text: string;
}

/** The draft ISA, what `checkIsa` finds in it, and what the partners still have to decide. */
export interface IsaDraft {
  isa: Isa;
  findings: IsaIssue[];
  todos: IsaTodo[];
}

const HEALTH_RECIPIENT_KINDS: readonly OrganisationKind[] = ['gp-practice', 'acute-trust', 'mental-health-trust', 'community-services'];
/** Kinds the example agreement has a sharing rule for; the others receive but are not yet sources. */
const SOURCE_KINDS: readonly OrganisationKind[] = [...HEALTH_RECIPIENT_KINDS, 'local-authority'];

function addYears(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y + years, m - 1, d));
  // 29 February plus a year is 1 March: step back to 28 February.
  if (date.getUTCMonth() !== m - 1) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}

/**
 * The draft Information Sharing Agreement for direct care that the answers describe: governance's example agreement
 * (each kind of organisation sharing the headings it holds) for these organisations, with the chosen consent model,
 * dated from today, every party `proposed` (nobody has signed yet) and the agreement `draft`. Until the partners sign
 * and the agreement is made `active`, the record shares nothing: the policy point enforces it, not this tool.
 */
export function buildDraftIsa(answers: Answers, now: Date): IsaDraft {
  const today = now.toISOString().slice(0, 10);
  const slug = slugOf(answers.name);
  const example = buildExampleIsa(answers.organisations, { locality: answers.name, id: `${slug}-direct-care` });
  const present = new Set(answers.organisations.map((o) => o.kind));
  // Kinds outside the example's four health kinds (pharmacies, hospices, ambulance services) receive the health records too.
  const extraRecipients = [...present].filter((kind) => !SOURCE_KINDS.includes(kind));
  const igContact = answers.igContact ?? `${answers.name} Care Record information governance team`;
  const privacyUrl = answers.privacyUrl ?? `https://${slug}.example/privacy`;

  const input: IsaInput = {
    ...example,
    version: '0.1',
    title: `${answers.name} Care Record: Information Sharing Agreement for Direct Care`,
    status: 'draft',
    validFrom: today,
    validTo: addYears(today, 3),
    reviewDate: addYears(today, 1),
    parties: example.parties.map((party) => ({ ods: party.ods, name: party.name, kind: party.kind, controllerRole: party.controllerRole, status: 'proposed' as const })),
    sharing: example.sharing.map((rule) => ({
      ...rule,
      to: rule.to.map((recipient) =>
        recipient.organisationKinds.includes('gp-practice') && !recipient.roles ? { ...recipient, organisationKinds: [...recipient.organisationKinds, ...extraRecipients] } : recipient,
      ),
    })),
    consentModel: { kind: answers.consentModel },
    optOut: {
      howToObject: `Tell your GP practice, or contact the ${answers.name} Care Record team (${igContact}).`,
      contact: igContact,
    },
    fairProcessing: { ...example.fairProcessing, url: privacyUrl },
    dpiaRef: undefined,
  };
  const isa = IsaSchema.parse(input);
  const findings = checkIsa(isa, now.toISOString());

  const todos: IsaTodo[] = [];
  const todo = (path: string, text: string) => todos.push({ path, text });
  todo('(agreement)', 'Circulate this draft to every partner\'s information governance lead and Caldicott Guardian; change what the partners disagree with in isa.json.');
  isa.parties.forEach((party, i) => {
    todo(`parties[${i}]`, `${party.name} (${party.ods}): name the signatory, Caldicott Guardian and Data Protection Officer; when it has signed, set its status to "signed", and to "active" on its go-live day.`);
  });
  isa.parties.forEach((party, i) => {
    if (!isa.sharing.some((rule) => rule.from.includes(party.ods)))
      todo(`parties[${i}]`, `${party.name} shares nothing in this draft: decide which headings a ${ORGANISATION_KIND_TITLES[party.kind]} shares, and add a sharing rule.`);
  });
  if (answers.consentModel === 'practice-activation')
    todo('parties[].activation', 'Under practice activation, record when and by whom each organisation switched sharing on in its own system (activation); until then its data does not flow.');
  todo('dpiaRef', 'Complete the data protection impact assessment (DPIA) and record its reference.');
  if (!answers.privacyUrl) todo('fairProcessing.url', `Publish the privacy notice and put its address here (the draft says ${privacyUrl}).`);
  if (!answers.igContact) todo('optOut.contact', 'Give the information governance team\'s contact details (email or phone) people can use to object.');
  todo('status', 'When the partners have signed, set the agreement\'s status to "active": until then the record shows nobody\'s data to anybody.');
  return { isa, findings, todos };
}

/**
 * The ISA in plain English (governance's `renderIsa`), headed by a draft notice and what the partners must still
 * resolve: the open decisions and each `checkIsa` finding with its place in the agreement.
 */
export function renderDraftIsa(draft: IsaDraft, now: Date): string {
  const rendered = renderIsa(draft.isa, 'markdown');
  const newline = rendered.indexOf('\n');
  const title = newline < 0 ? rendered : rendered.slice(0, newline);
  const body = newline < 0 ? '' : rendered.slice(newline + 1);
  const lines = [
    title,
    '',
    `> **Draft for discussion: not in force.** Made by create-openidcr on ${now.toISOString().slice(0, 10)} from the answers given. It is a starting point for the partners to edit, not legal advice. The machine-readable agreement is \`isa.json\`; after editing it, \`npm run isa\` checks it and writes this file again.`,
    '',
    '## Still to resolve',
    '',
    ...draft.todos.map((t) => `- [ ] ${escapeMarkdown(t.text)} (\`${t.path}\`)`),
    '',
  ];
  lines.push(...findingsMarkdown(draft.findings), '');
  return `${lines.join('\n')}${body}`;
}

/** `checkIsa` findings as a Markdown section (also written by the generated project's `npm run isa`). */
export function findingsMarkdown(findings: readonly IsaIssue[]): string[] {
  const out = ['### What the ISA check found', ''];
  if (findings.length === 0) return [...out, 'No contradictions or gaps.'];
  out.push('| Severity | Where | What |', '| --- | --- | --- |');
  for (const finding of findings) {
    const what = finding.message.startsWith(`${finding.path}: `) ? finding.message.slice(finding.path.length + 2) : finding.message;
    out.push(`| ${finding.severity === 'error' ? 'Error' : 'Warning'} | \`${finding.path}\` | ${escapeMarkdown(what)} |`);
  }
  return out;
}
