import { DEFAULT_ROLES, LEGAL_BASIS_TEXT, ORGANISATION_KIND_TITLES, escapeHtml, escapeMarkdown, type ConsentModel, type Isa, type RoleDefinition } from '@openidcr/governance';
import { getHeading, SensitiveValueSets, type HeadingId, type SensitiveValueSet } from '@openidcr/model';
import type { FairProcessingNotice, NoticeSection } from './notice-model.js';

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The fair processing notice for the public, generated from the locality's sharing agreement so the two cannot
 * disagree: who shares, what, with whom, why, the law that allows it, how to opt out, who to contact. Pure.
 */
export function noticeFromIsa(isa: Isa, options: { consentModel: ConsentModel; roles?: readonly RoleDefinition[]; preferencesUrl?: string; sensitiveSets?: readonly SensitiveValueSet[] }): FairProcessingNotice {
  const roles = options.roles ?? DEFAULT_ROLES;
  const sensitiveSets = options.sensitiveSets ?? SensitiveValueSets;
  const active = isa.parties.filter((p) => p.status === 'active');
  const partyName = new Map(isa.parties.map((p) => [p.ods, p.name]));
  const roleTitle = new Map(roles.map((r) => [r.id, r.title.toLowerCase()]));
  const sharedHeadings = new Set<HeadingId>();
  for (const rule of isa.sharing) if (rule.to.length > 0) for (const h of rule.headings) sharedHeadings.add(h);
  const direct = isa.purposes.filter((p) => p.direct);
  const sections: NoticeSection[] = [
    {
      id: 'what',
      title: `What the ${isa.locality} shared care record is`,
      paragraphs: [
        `The health and care organisations that look after you in ${isa.locality} share some of the information they hold about you, so that the people caring for you can see it when they need it, wherever you are seen. Nobody can change your information through the shared record: only the organisation that recorded it can change it, in its own system.`,
      ],
    },
    {
      id: 'who',
      title: 'Who shares your information',
      paragraphs: [`${active.length} organisations take part:`],
      list: active.map((p) => `${p.name} (${ORGANISATION_KIND_TITLES[p.kind]})`),
    },
    {
      id: 'shared',
      title: 'What is shared, and who can see it',
      paragraphs: [
        'Each professional sees only the parts their job needs, and only for people they are caring for.',
        // Generated from the same value sets the record's policy labels items with, and the roles cleared for each label.
        `Especially sensitive information is shown outside the organisation that recorded it only to the professionals cleared for it: ${list(
          sensitiveSets.map((set) => {
            const cleared = roles.filter((r) => r.clearedSensitivities.includes(set.label)).map((r) => (/^[A-Z]{2}/.test(r.title) ? r.title : r.title.charAt(0).toLowerCase() + r.title.slice(1)));
            return `${set.notice} (${cleared.length === 0 ? 'nobody' : list(cleared.map((t) => `${t}s`))})`;
          }),
        )}.`,
      ],
      table: {
        caption: 'Information shared, who shares it and who can see it',
        head: ['Information', 'Shared by', 'Can be seen by'],
        rows: isa.sharing.map((rule) => [
          rule.headings.map((h) => getHeading(h).title).join(', '),
          list(rule.from.map((ods) => partyName.get(ods) ?? ods)),
          rule.to.length === 0
            ? 'Nobody'
            : rule.to
                .map((r) => `${list(r.organisationKinds.map((k) => ORGANISATION_KIND_TITLES[k]))} staff${r.roles ? ` (${list(r.roles.map((id) => roleTitle.get(id) ?? id))} only)` : ''}`)
                .join('; '),
        ]),
      },
      list: [...sharedHeadings].map((h) => `${getHeading(h).title}: ${getHeading(h).description}`),
    },
    {
      id: 'why',
      title: 'Why it is shared',
      paragraphs: [
        ...isa.purposes.map((p) => `${p.title}: ${p.description}`),
        ...(isa.notCovered.length > 0 ? [`Your information in the shared record is never used for ${list(isa.notCovered)}.`] : []),
      ],
    },
    {
      id: 'law',
      title: 'The law that allows it',
      paragraphs: [
        direct.length > 0 ? 'Sharing information to care for you is allowed by law without asking your permission each time, because it is part of providing your care:' : 'The sharing rests on:',
      ],
      list: isa.legalBases.map((b) => b.description ?? LEGAL_BASIS_TEXT[b.kind]),
    },
    {
      id: 'choices',
      title: 'Your choices',
      paragraphs: [
        options.consentModel.description,
        `You can object (opt out) at any time, and change your mind later. Your choice takes effect straight away. ${isa.optOut.howToObject}`,
        ...(options.preferencesUrl ? [`Make or change your choice online: ${options.preferencesUrl}`] : []),
        'The National Data Opt-out is a separate choice about research and planning; it does not stop information being shared for your care.',
      ],
    },
    {
      id: 'looked',
      title: 'Seeing who has looked at your record',
      paragraphs: [
        `Every time someone looks at your shared record, it is recorded: when, which organisation, their role and why. You can see this list yourself. It is kept for ${isa.retention.auditLogYears} years and cannot be changed without it being detected. If someone opens your record in an emergency without the usual checks, it is marked and reviewed.`,
      ],
    },
    { id: 'kept', title: 'How long information is kept', paragraphs: [isa.retention.sharedRecord] },
    {
      id: 'rights',
      title: 'Your rights',
      paragraphs: [`To get a copy of your information: ${isa.rights.subjectAccess}`, `To complain: ${isa.rights.complaints}`],
    },
    {
      id: 'contact',
      title: 'Who to contact',
      paragraphs: [isa.optOut.contact, `Full details of the agreement: ${isa.fairProcessing.url}`],
    },
  ];
  return {
    title: `How your information is shared: ${isa.locality} shared care record`,
    locality: isa.locality,
    agreement: { id: isa.id, version: isa.version },
    sections,
  };
}

/** The notice as Markdown, every field escaped. */
export function renderNoticeMarkdown(notice: FairProcessingNotice): string {
  const lines = [`# ${escapeMarkdown(notice.title)}`, ''];
  for (const section of notice.sections) {
    lines.push(`## ${escapeMarkdown(section.title)}`, '');
    for (const p of section.paragraphs) lines.push(escapeMarkdown(p), '');
    if (section.table) {
      lines.push(`| ${section.table.head.map(escapeMarkdown).join(' | ')} |`, `|${section.table.head.map(() => ' --- ').join('|')}|`);
      for (const row of section.table.rows) lines.push(`| ${row.map((c) => escapeMarkdown(c) || ' ').join(' | ')} |`);
      lines.push('');
    }
    if (section.list) lines.push(...section.list.map((item) => `- ${escapeMarkdown(item)}`), '');
  }
  lines.push(`Agreement ${escapeMarkdown(notice.agreement.id)}, version ${escapeMarkdown(notice.agreement.version)}.`, '');
  return lines.join('\n');
}

/** The notice as an HTML fragment (`<article>`), every field escaped; `page` wraps it in a whole accessible page. */
export function renderNoticeHtml(notice: FairProcessingNotice, options: { page?: boolean } = {}): string {
  const parts = [`<article class="idcr-notice" lang="en-GB">`, `<h1>${escapeHtml(notice.title)}</h1>`];
  for (const section of notice.sections) {
    parts.push(`<section aria-labelledby="notice-${section.id}">`, `<h2 id="notice-${section.id}">${escapeHtml(section.title)}</h2>`);
    for (const p of section.paragraphs) parts.push(`<p>${escapeHtml(p)}</p>`);
    if (section.table)
      parts.push(
        `<table><caption>${escapeHtml(section.table.caption)}</caption><thead><tr>${section.table.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${section.table.rows
          .map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
    if (section.list) parts.push(`<ul>${section.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
    parts.push('</section>');
  }
  parts.push(`<p>Agreement ${escapeHtml(notice.agreement.id)}, version ${escapeHtml(notice.agreement.version)}.</p>`, '</article>');
  const article = parts.join('\n');
  return options.page ? htmlPage(notice.title, article) : article;
}

/** A whole, plain, accessible HTML page (NHS colours and fonts) around a fragment. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: Arial, 'Helvetica Neue', sans-serif; color: #212b32; background: #f0f4f5; margin: 0; line-height: 1.5; }
main { max-width: 960px; margin: 0 auto; padding: 1rem 1.5rem 3rem; background: #fff; }
h1 { font-size: 2rem; line-height: 1.2; } h2 { font-size: 1.5rem; margin-top: 2rem; border-top: 1px solid #d8dde0; padding-top: 1rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; } caption { text-align: left; font-weight: bold; padding: 0.5rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #d8dde0; padding: 0.5rem 0.75rem 0.5rem 0; }
a { color: #005eb8; } a:focus { outline: 3px solid transparent; background: #ffb81c; color: #212b32; box-shadow: 0 4px #212b32; }
.flag { color: #d5281b; font-weight: bold; }
</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}
