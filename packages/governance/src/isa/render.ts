import { getHeading, PurposeOfUse, type PurposeOfUseCode } from '@openidcr/model';
import type { Isa } from './schema.js';
import { DEFAULT_ROLES, ORGANISATION_KIND_TITLES, type RoleDefinition } from '../roles/roles.js';
import { createConsentModel } from '../consent/models.js';

/** Plain-English wording of the standard legal bases. */
export const LEGAL_BASIS_TEXT: Record<Isa['legalBases'][number]['kind'], string> = {
  'uk-gdpr-6-1-e': 'UK GDPR Article 6(1)(e): the sharing is needed to carry out a task in the public interest (providing health and care services).',
  'uk-gdpr-9-2-h': 'UK GDPR Article 9(2)(h): health information is used to provide health or social care, by or under the responsibility of a professional who owes a duty of confidentiality.',
  'cldc-implied-consent': 'Common law duty of confidentiality: met by implied consent, because the information is shared only with people directly caring for the person, who would reasonably expect it.',
  'hsca-2012-s251b': 'Health and Social Care Act 2012, section 251B: a duty to share information for a person\'s direct care where it is in their interest.',
  'uk-gdpr-6-1-c': 'UK GDPR Article 6(1)(c): the sharing is needed to meet a legal obligation.',
  'uk-gdpr-9-2-g': 'UK GDPR Article 9(2)(g): reasons of substantial public interest (for example safeguarding).',
  other: 'Other legal basis.',
};

type Block =
  | { kind: 'p'; text: string }
  | { kind: 'ul'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] };
interface Section {
  title: string;
  blocks: Block[];
}

const STATUS_TEXT = { proposed: 'Proposed', signed: 'Signed, not yet live', active: 'Active', suspended: 'Suspended', withdrawn: 'Withdrawn' } as const;
const CONTROLLER_TEXT = { controller: 'Data controller', 'joint-controller': 'Joint data controller', processor: 'Data processor' } as const;

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function longDate(iso: string): string {
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return `${d} ${months[m - 1]} ${y}`;
}

/** The agreement as sections of plain English: one source for both output formats. */
function sections(isa: Isa, roles: readonly RoleDefinition[]): Section[] {
  const roleTitle = new Map(roles.map((r) => [r.id, r.title]));
  const partyName = new Map(isa.parties.map((p) => [p.ods, p.name]));
  const purposeTitle = new Map(isa.purposes.map((p) => [p.id, p.title.toLowerCase()]));
  const consentModel = createConsentModel(isa.consentModel);
  const out: Section[] = [];

  out.push({
    title: 'About this agreement',
    blocks: [
      {
        kind: 'p',
        text: `This agreement sets out how the organisations below share information about the people they care for in ${isa.locality}, through a shared care record. It is version ${isa.version}, in force from ${longDate(isa.validFrom)}${isa.validTo ? ` to ${longDate(isa.validTo)}` : ''}, and will be reviewed by ${longDate(isa.reviewDate)}.${isa.dpiaRef ? ` The data protection impact assessment for it is ${isa.dpiaRef}.` : ''}`,
      },
      { kind: 'p', text: 'The shared record is read-only: information is only ever changed by the organisation that recorded it, in its own system.' },
    ],
  });

  out.push({
    title: 'Who is sharing',
    blocks: [
      {
        kind: 'table',
        head: ['Organisation', 'ODS code', 'Type', 'Role', 'Status', 'Caldicott Guardian'],
        rows: isa.parties.map((p) => [p.name, p.ods, ORGANISATION_KIND_TITLES[p.kind], CONTROLLER_TEXT[p.controllerRole], STATUS_TEXT[p.status], p.caldicottGuardian?.name ?? 'Not named']),
      },
      { kind: 'p', text: 'Only organisations whose status is Active share or see information. A suspended organisation neither shares nor sees anything.' },
    ],
  });

  out.push({
    title: 'Why information is shared',
    blocks: [
      { kind: 'ul', items: isa.purposes.map((p) => `${p.title}: ${p.description}${p.direct ? '' : ' This is not direct care, so the National Data Opt-out is applied.'}`) },
      ...(isa.notCovered.length > 0 ? [{ kind: 'p' as const, text: `This agreement does not allow the information to be used for ${list(isa.notCovered)}. Any such use needs its own agreement and legal basis.` }] : []),
    ],
  });

  out.push({
    title: 'The law that allows it',
    blocks: [{ kind: 'ul', items: isa.legalBases.map((b) => b.description ?? LEGAL_BASIS_TEXT[b.kind]) }],
  });

  out.push({
    title: 'What is shared, and with whom',
    blocks: [
      {
        kind: 'table',
        head: ['From', 'Information', 'Seen by', 'For'],
        rows: isa.sharing.map((rule) => [
          list(rule.from.map((ods) => partyName.get(ods) ?? ods)),
          rule.headings.map((h) => getHeading(h).title).join('; '),
          rule.to.length === 0
            ? 'Nobody'
            : rule.to
                .map((r) => `${list(r.organisationKinds.map((k) => ORGANISATION_KIND_TITLES[k]))} staff${r.roles ? ` in these roles only: ${r.roles.map((id) => roleTitle.get(id) ?? id).join(', ')}` : ''}`)
                .join('; '),
          list(rule.purposes.map((id) => purposeTitle.get(id) ?? id)),
        ]),
      },
      {
        kind: 'p',
        text: 'Within that, each professional sees only the parts of the record their role needs (for example, a pharmacist sees medicines, allergies, problems and results), and only for people they have a care relationship with. Especially sensitive information (sexual health, HIV, fertility treatment, gender reassignment, termination of pregnancy, safeguarding) is not shown outside the organisation that recorded it.',
      },
    ],
  });

  out.push({
    title: 'Consent and the right to object',
    blocks: [
      { kind: 'p', text: consentModel.description },
      { kind: 'p', text: `How to object: ${isa.optOut.howToObject} Contact: ${isa.optOut.contact}.` },
      { kind: 'p', text: 'The National Data Opt-out does not apply to sharing for direct care; it is applied to any use for research or planning. Records that are sealed or restricted are never shared.' },
      {
        kind: 'p',
        text: `In an emergency, a professional may open a record they could not otherwise see ("break-glass"). They must give a reason, the access lasts a few hours at most, and a privacy officer reviews every case. Purposes of use recognised: ${list(isa.purposes.flatMap((p) => p.purposesOfUse).map((c) => PurposeOfUse[c as PurposeOfUseCode].display))}.`,
      },
    ],
  });

  out.push({ title: 'Keeping information secure', blocks: [{ kind: 'ul', items: [...isa.security.measures] }] });
  out.push({
    title: 'How long information and logs are kept',
    blocks: [
      { kind: 'p', text: isa.retention.sharedRecord },
      { kind: 'p', text: `A record of every access (who looked, at whose record, what, when and why) is kept for ${isa.retention.auditLogYears} years in a log that cannot be changed without detection.` },
    ],
  });
  out.push({
    title: 'Telling people, and their rights',
    blocks: [
      { kind: 'p', text: `The public notice about this sharing is at ${isa.fairProcessing.url}.` },
      ...(isa.fairProcessing.commitments.length > 0 ? [{ kind: 'ul' as const, items: [...isa.fairProcessing.commitments] }] : []),
      { kind: 'p', text: `Access to records: ${isa.rights.subjectAccess}` },
      { kind: 'p', text: `Complaints: ${isa.rights.complaints}` },
    ],
  });
  out.push({
    title: 'If something goes wrong',
    blocks: [{ kind: 'p', text: `Each partner tells the others, and where required the Information Commissioner's Office, of a personal data breach affecting shared information within ${isa.breachNotificationHours} hours of becoming aware of it.` }],
  });
  out.push({ title: 'Leaving or ending the agreement', blocks: [{ kind: 'p', text: isa.termination }] });
  out.push({
    title: 'Signatures',
    blocks: [
      { kind: 'p', text: 'By signing, each organisation agrees to share and protect information as this agreement says.' },
      {
        kind: 'table',
        head: ['Organisation', 'Signed by', 'Job title', 'Date'],
        rows: isa.parties.map((p) => [p.name, p.signatory?.name ?? '', p.signatory?.jobTitle ?? '', p.signatory?.signedOn ? longDate(p.signatory.signedOn) : '']),
      },
    ],
  });
  return out;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escape text so Markdown shows it literally (no links, emphasis, HTML or table breaks). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>|~]/g, '\\$&')
    .replace(/\r?\n/g, ' ')
    .replace(/^([#+-]|\d+\.)/, '\\$1');
}

function renderMarkdown(isa: Isa, roles: readonly RoleDefinition[]): string {
  const lines: string[] = [`# ${escapeMarkdown(isa.title)}`, ''];
  sections(isa, roles).forEach((section, index) => {
    lines.push(`## ${index + 1}. ${escapeMarkdown(section.title)}`, '');
    for (const block of section.blocks) {
      if (block.kind === 'p') lines.push(escapeMarkdown(block.text), '');
      else if (block.kind === 'ul') lines.push(...block.items.map((item) => `- ${escapeMarkdown(item)}`), '');
      else {
        lines.push(`| ${block.head.map(escapeMarkdown).join(' | ')} |`, `|${block.head.map(() => ' --- ').join('|')}|`);
        for (const row of block.rows) lines.push(`| ${row.map((cell) => escapeMarkdown(cell) || ' ').join(' | ')} |`);
        lines.push('');
      }
    }
  });
  return lines.join('\n');
}

function renderHtml(isa: Isa, roles: readonly RoleDefinition[]): string {
  const parts: string[] = [`<article class="idcr-isa" lang="en-GB">`, `<h1>${escapeHtml(isa.title)}</h1>`];
  sections(isa, roles).forEach((section, index) => {
    parts.push(`<section>`, `<h2>${index + 1}. ${escapeHtml(section.title)}</h2>`);
    for (const block of section.blocks) {
      if (block.kind === 'p') parts.push(`<p>${escapeHtml(block.text)}</p>`);
      else if (block.kind === 'ul') parts.push(`<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
      else
        parts.push(
          `<table><caption>${escapeHtml(section.title)}</caption><thead><tr>${block.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${block.rows
            .map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`)
            .join('')}</tbody></table>`,
        );
    }
    parts.push(`</section>`);
  });
  parts.push(`</article>`);
  return parts.join('\n');
}

/**
 * The agreement in plain English that a non-lawyer partner can read and sign, as Markdown or an HTML fragment
 * (every field escaped). Role ids in recipient groups are shown by their titles from `roles` (default roles if omitted).
 */
export function renderIsa(isa: Isa, format: 'markdown' | 'html', options: { roles?: readonly RoleDefinition[] } = {}): string {
  const roles = options.roles ?? DEFAULT_ROLES;
  return format === 'html' ? renderHtml(isa, roles) : renderMarkdown(isa, roles);
}
