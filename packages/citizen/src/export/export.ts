import { escapeHtml } from '@openidcr/governance';
import type { Bundle, ResourceLike } from '@openidcr/model';
import type { AccessLogEntry } from '../access-log/entry.js';
import type { PreferencesView } from '../preferences/preferences.js';
import type { MyRecordSummary } from '../record/summary.js';
import type { WhatMattersView } from '../what-matters/what-matters.js';
import { htmlPage } from '../notice/notice.js';

/**
 * Everything held about the person as one FHIR Bundle (type `collection`): their record, their sharing choices
 * (Consent), their statements with Provenance, and the access log as AuditEvents. Pure.
 */
export function exportBundle(input: { id: string; now: Date; resources: readonly ResourceLike[] }): Bundle {
  return {
    resourceType: 'Bundle',
    id: input.id,
    meta: { lastUpdated: input.now.toISOString() },
    type: 'collection',
    timestamp: input.now.toISOString(),
    total: input.resources.length,
    entry: input.resources.map((resource) => ({ fullUrl: `urn:uuid:${resource.resourceType}-${resource.id ?? ''}`, resource })),
  } as Bundle;
}

function when(iso: string | undefined): string {
  if (!iso) return 'Not known';
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, hh, mm] = m;
  const date = [d, mo ? months[Number(mo) - 1] : undefined, y].filter(Boolean).join('-');
  return hh ? `${date} ${hh}:${mm}` : date;
}

/** The same export as a readable HTML page: the record by heading, choices, statements and who has looked. */
export function exportHtml(input: { summary: MyRecordSummary; preferences: PreferencesView | undefined; whatMatters: WhatMattersView; accessLog: readonly AccessLogEntry[]; now: Date }): string {
  const { summary } = input;
  const e = escapeHtml;
  const parts: string[] = [
    `<h1>Your shared care record</h1>`,
    `<p>${e(summary.person.name)}, NHS number ${e(summary.person.nhsNumber.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3'))}. Copy made ${e(when(input.now.toISOString()))} (UTC).</p>`,
  ];
  if (summary.withheld) parts.push(`<p>${e(summary.withheld.reason)}</p>`);
  parts.push('<h2>What matters to you</h2>');
  parts.push(input.whatMatters.statements.length > 0 ? `<ol>${input.whatMatters.statements.map((s) => `<li>${e(s)}</li>`).join('')}</ol>` : '<p>You have not written anything yet.</p>');
  for (const heading of summary.headings) {
    parts.push(`<h2>${e(heading.title)}</h2>`);
    if (heading.items.length === 0) {
      parts.push('<p>Nothing recorded.</p>');
      continue;
    }
    parts.push(
      `<table><caption>${e(heading.title)}</caption><thead><tr><th scope="col">What</th><th scope="col">Details</th><th scope="col">Date</th><th scope="col">Status</th><th scope="col">Recorded by</th></tr></thead><tbody>${heading.items
        .map((i) => `<tr><th scope="row">${e(i.text)}</th><td>${e(i.detail ?? '')}</td><td>${e(when(i.date))}</td><td>${e(i.status ?? '')}</td><td>${e(i.source ?? 'Not known')}</td></tr>`)
        .join('')}</tbody></table>`,
    );
  }
  if (input.preferences) {
    const p = input.preferences;
    parts.push('<h2>Your sharing choices</h2>', `<p>${p.sharing === 'shared' ? 'Your record is shared with the professionals caring for you.' : 'You have opted out: your record is not shared, except in an emergency.'}</p>`);
    if (p.objectsTo.length > 0) parts.push(`<p>You have asked these organisations not to share your record: ${e(p.objectsTo.map((o) => o.name).join(', '))}.</p>`);
    if (p.history.length > 0)
      parts.push(
        `<table><caption>Choices you have made</caption><thead><tr><th scope="col">Reference</th><th scope="col">Choice</th><th scope="col">When</th><th scope="col">Made by</th></tr></thead><tbody>${p.history
          .map((h) => `<tr><th scope="row">${e(h.reference ?? '')}</th><td>${h.decision === 'opt-out' ? 'Opted out' : 'Opted back in'}${h.organisation ? ` (${e(h.organisation.name)})` : ''}</td><td>${e(when(h.recordedAt))}</td><td>${e(h.recordedBy)}</td></tr>`)
          .join('')}</tbody></table>`,
      );
  }
  parts.push('<h2>Who has looked at your record</h2>');
  parts.push(
    input.accessLog.length === 0
      ? '<p>Nobody has looked at your record.</p>'
      : `<table><caption>Every access to your record, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What they did</th><th scope="col">Why</th></tr></thead><tbody>${input.accessLog
          .map(
            (a) =>
              `<tr><th scope="row">${e(when(a.when))}</th><td>${e([a.who.name, a.who.role, a.who.organisation?.name].filter(Boolean).join(', '))}</td><td>${e(a.action)}${a.outcome === 'refused' ? ' (refused)' : ''}${a.breakGlass ? ` <span class="flag">Emergency access: ${e(a.breakGlass.reason)}</span>` : ''}</td><td>${e(a.purpose)}</td></tr>`,
          )
          .join('')}</tbody></table>`,
  );
  return htmlPage('Your shared care record', parts.join('\n'));
}
