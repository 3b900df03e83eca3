import { BREAK_GLASS_REASONS, DEFAULT_ROLES, type AuditStore, type ChainedAuditEvent, type Isa, type RoleDefinition } from '@openidcr/governance';
import { getHeading, isHeadingId, PurposeOfUse, type PurposeOfUseCode } from '@openidcr/model';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CITIZEN_ACTIONS, citizenEventOf, PROXY_ROLE_PREFIX } from '../router/audit.js';
import { PROXY_KIND_TEXT, PROXY_KINDS, type ProxyKind } from '../proxy/proxy.js';
import type { AccessLogEntry, AccessLogPage } from './entry.js';

/** How much the access log tells the person about who looked. */
export interface AccessLogDisclosure {
  /**
   * Show professionals' names, not only their role and organisation. Off by default: most UK sharing agreements
   * tell people the organisation and role, and give names on request through the organisation's privacy officer.
   */
  nameProfessionals: boolean;
}

/** Purposes of use in the words a member of the public uses. */
export const PURPOSE_TEXT: Record<PurposeOfUseCode, string> = {
  TREAT: 'Your care',
  ETREAT: 'Emergency care',
  BTG: 'Emergency access to your record',
  HOPERAT: 'Running the service',
  HRESCH: 'Research',
  PATRQT: 'At your request',
};

function purposeText(code: string): string {
  return code in PURPOSE_TEXT ? PURPOSE_TEXT[code as PurposeOfUseCode] : (PurposeOfUse[code as PurposeOfUseCode]?.display ?? code);
}

function proxyKindOf(roleId: string): ProxyKind | undefined {
  const kind = roleId.startsWith(PROXY_ROLE_PREFIX) ? roleId.slice(PROXY_ROLE_PREFIX.length) : undefined;
  return kind !== undefined && (PROXY_KINDS as readonly string[]).includes(kind) ? (kind as ProxyKind) : undefined;
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Maps one audit event of a person's record to what the person is shown. Pure. */
export function toAccessLogEntry(
  event: ChainedAuditEvent,
  context: { isa: Isa; roles?: readonly RoleDefinition[] | undefined; disclosure: AccessLogDisclosure },
): AccessLogEntry {
  const roles = context.roles ?? DEFAULT_ROLES;
  const citizen = citizenEventOf(event);
  const organisation = context.isa.parties.find((p) => p.ods === event.user.organisation);
  const parts = event.outcome === 'permit' ? event.headings.filter(isHeadingId).map((h) => getHeading(h).title) : [];
  const base = {
    id: event.id,
    when: event.recorded,
    purpose: purposeText(event.purposeOfUse),
    outcome: event.outcome === 'permit' ? ('allowed' as const) : ('refused' as const),
    parts,
  };
  if (citizen?.actor === 'self') return { ...base, who: { kind: 'you', role: 'You' }, action: CITIZEN_ACTIONS[citizen.action] };
  if (citizen?.actor === 'proxy') {
    const kind = proxyKindOf(event.user.roleId);
    // Someone acting for the person is always named: the person has a right to know who holds that authority.
    return {
      ...base,
      who: { kind: 'proxy', role: kind ? `${sentence(PROXY_KIND_TEXT[kind])} acting for you` : 'Someone asking to act for you, with no recorded authority', name: event.user.name },
      action: CITIZEN_ACTIONS[citizen.action],
    };
  }
  const roleTitle = roles.find((r) => r.id === event.user.roleId)?.title ?? event.user.roleId;
  const who = {
    kind: citizen?.actor === 'contact-centre' ? ('contact-centre' as const) : ('professional' as const),
    organisation: { ods: event.user.organisation, name: organisation?.name ?? event.user.organisation },
    role: citizen?.actor === 'contact-centre' ? `${roleTitle} (contact centre, on your behalf)` : roleTitle,
    ...(context.disclosure.nameProfessionals ? { name: event.user.name } : {}),
  };
  const breakGlass = event.breakGlass
    ? { reason: BREAK_GLASS_REASONS[event.breakGlass.reasonCode as keyof typeof BREAK_GLASS_REASONS] ?? 'Emergency access' }
    : undefined;
  const action = citizen
    ? CITIZEN_ACTIONS[citizen.action]
    : event.outcome === 'permit'
      ? 'Looked at your record'
      : 'Asked to look at your record and was refused';
  return { ...base, who, action, ...(breakGlass ? { breakGlass } : {}) };
}

const CursorSchema = z.object({ v: z.literal(1), p: z.string().length(16), b: z.number().int().nonnegative(), t: z.number().int().nonnegative() });

function personTag(personId: string, secret: string): string {
  return createHash('sha256').update(`${secret}\n${personId}`).digest('hex').slice(0, 16);
}

/** A cursor continues one person's listing only: it carries a tag of their patient key, checked on every page. */
export function encodeAccessLogCursor(personId: string, secret: string, beforeSeq: number, total: number): string {
  return Buffer.from(JSON.stringify({ v: 1, p: personTag(personId, secret), b: beforeSeq, t: total }), 'utf8').toString('base64url');
}

export function decodeAccessLogCursor(token: string, personId: string, secret: string): { ok: true; beforeSeq: number; total: number } | { ok: false; message: string } {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) return { ok: false, message: 'cursor: not a cursor from this access log' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'cursor: not a cursor from this access log' };
  }
  const parsed = CursorSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: 'cursor: not a cursor from this access log' };
  if (parsed.data.p !== personTag(personId, secret)) return { ok: false, message: 'cursor: belongs to another listing; start again without a cursor' };
  return { ok: true, beforeSeq: parsed.data.b, total: parsed.data.t };
}

/**
 * One page of a person's access log, newest first. The first page fixes the listing at the newest event then held,
 * so accesses made while paging (including the reading of this log itself) appear on the next fresh listing, and the
 * pages of one listing add up to `total`, the number of audit events of the person at the first page.
 */
export async function readAccessLog(
  audit: AuditStore,
  personId: string,
  page: { limit: number; cursor?: { beforeSeq: number; total: number } | undefined },
  map: (event: ChainedAuditEvent) => AccessLogEntry,
  encode: (beforeSeq: number, total: number) => string,
): Promise<AccessLogPage> {
  const events = await audit.read({ personId });
  const beforeSeq = page.cursor?.beforeSeq ?? Number.POSITIVE_INFINITY;
  const inListing = events.filter((e) => e.seq < beforeSeq);
  const total = page.cursor?.total ?? inListing.length;
  const newestFirst = inListing.reverse();
  const slice = newestFirst.slice(0, page.limit);
  const last = slice[slice.length - 1];
  return {
    entries: slice.map(map),
    total,
    ...(newestFirst.length > page.limit && last ? { nextCursor: encode(last.seq, total) } : {}),
  };
}
