import { z } from 'zod';
import { HEADING_IDS, isValidNhsNumber, type HeadingId } from '@openidcr/model';

/** The kinds of recorded authority under which one person may act for another. */
export const PROXY_KINDS = ['parent', 'lasting-power-of-attorney', 'court-appointed-deputy', 'carer'] as const;
export type ProxyKind = (typeof PROXY_KINDS)[number];

/** Plain-English names of the proxy kinds, as the access log and receipts show them. */
export const PROXY_KIND_TEXT: Record<ProxyKind, string> = {
  parent: 'parent or guardian',
  'lasting-power-of-attorney': 'lasting power of attorney (health and welfare)',
  'court-appointed-deputy': 'court-appointed deputy',
  carer: 'carer',
};

/** What a proxy may do through the citizen API. */
export const PROXY_ACTIONS = ['record', 'access-log', 'preferences', 'export', 'what-matters'] as const;
export type ProxyAction = (typeof PROXY_ACTIONS)[number];

const isoDateTime = z.iso.datetime({ offset: true });

/** A recorded authority for one person (the proxy) to act for another (the subject). */
export const ProxyAuthoritySchema = z.object({
  id: z.string().min(1),
  kind: z.enum(PROXY_KINDS),
  proxyNhsNumber: z.string().refine(isValidNhsNumber, 'proxyNhsNumber: not a valid NHS number'),
  proxyName: z.string().min(1),
  /** The patient key of the person acted for. */
  subjectPersonId: z.string().min(1),
  status: z.enum(['active', 'revoked']),
  validFrom: isoDateTime,
  validTo: isoDateTime.optional(),
  /** Who recorded and checked the authority (e.g. a GP practice user id) and what evidence they saw. */
  recordedBy: z.string().min(1),
  evidence: z.string().min(1),
});
export type ProxyAuthority = z.output<typeof ProxyAuthoritySchema>;

const HeadingIdEnum = z.enum(HEADING_IDS);

/** What one kind of proxy may see and do, in a locality. */
export const ProxyRuleSchema = z.object({
  headings: z.array(HeadingIdEnum),
  actions: z.array(z.enum(PROXY_ACTIONS)),
  /** Access ends on the subject's birthday at this age (parents of young children); absent: no age limit. */
  untilSubjectAge: z.number().int().positive().optional(),
  /** Items carrying a sensitivity label (sexual health, mental health, ...) are never shown to this proxy. */
  hideSensitive: z.boolean().default(true),
});
export type ProxyRule = z.output<typeof ProxyRuleSchema>;

/** A locality's proxy rules, by kind; a kind left out cannot act at all. */
export const ProxyRulesSchema = z.partialRecord(z.enum(PROXY_KINDS), ProxyRuleSchema);
export type ProxyRules = z.output<typeof ProxyRulesSchema>;
export type ProxyRulesInput = z.input<typeof ProxyRulesSchema>;

/**
 * Default rules, after NHS England's guidance on proxy access to GP online services: a parent sees a child's record
 * until the child's 11th birthday (from 11 a young person may keep things private and needs their own access); an
 * attorney or a deputy for health and welfare acts fully for the person; a carer sees what they need to help with
 * day-to-day care (contacts, medicines, allergies, appointments) and may add "what matters" statements, but cannot
 * change the person's sharing choices.
 */
export const DEFAULT_PROXY_RULES: ProxyRules = ProxyRulesSchema.parse({
  parent: { headings: [...HEADING_IDS], actions: [...PROXY_ACTIONS], untilSubjectAge: 11 },
  'lasting-power-of-attorney': { headings: [...HEADING_IDS], actions: [...PROXY_ACTIONS] },
  'court-appointed-deputy': { headings: [...HEADING_IDS], actions: [...PROXY_ACTIONS] },
  carer: { headings: ['demographics', 'care-team', 'medications', 'allergies', 'appointments'], actions: ['record', 'what-matters'] },
});

/** Why a proxy claim is refused. */
export type ProxyRefusal = 'no-authority' | 'authority-not-in-force' | 'kind-not-allowed' | 'subject-too-old' | 'action-not-allowed';

/** A proxy's standing for one request: the authority used and what the locality's rules let them see and do. */
export interface ProxyGrant {
  authority: ProxyAuthority;
  rule: ProxyRule;
  headings: ReadonlySet<HeadingId>;
}

/** Age in whole years on `now` of a person born on `birthDate` (YYYY-MM-DD). */
export function ageOn(birthDate: string, now: Date): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = now.getUTCFullYear() - y;
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  if (beforeBirthday) age--;
  return age;
}

/**
 * Decides whether a proxy may act for a subject now, for one action: an active authority in force, of a kind the
 * locality allows, within its age limit, allowing the action. Pure: no I/O, the clock passed in.
 */
export function assessProxy(
  authorities: readonly ProxyAuthority[],
  subject: { personId: string; birthDate?: string | undefined },
  action: ProxyAction,
  rules: ProxyRules,
  now: Date,
): { ok: true; grant: ProxyGrant } | { ok: false; refusal: ProxyRefusal } {
  const mine = authorities.filter((a) => a.subjectPersonId === subject.personId);
  if (mine.length === 0) return { ok: false, refusal: 'no-authority' };
  const at = now.getTime();
  const inForce = mine.filter((a) => a.status === 'active' && Date.parse(a.validFrom) <= at && (a.validTo === undefined || at < Date.parse(a.validTo)));
  if (inForce.length === 0) return { ok: false, refusal: 'authority-not-in-force' };
  let refusal: ProxyRefusal = 'kind-not-allowed';
  for (const authority of inForce) {
    const rule = rules[authority.kind];
    if (!rule) continue;
    if (rule.untilSubjectAge !== undefined) {
      const age = subject.birthDate ? ageOn(subject.birthDate, now) : undefined;
      if (age === undefined || age >= rule.untilSubjectAge) {
        refusal = 'subject-too-old';
        continue;
      }
    }
    if (!rule.actions.includes(action)) {
      refusal = 'action-not-allowed';
      continue;
    }
    return { ok: true, grant: { authority, rule, headings: new Set(rule.headings) } };
  }
  return { ok: false, refusal };
}

/** What the person asking is told when a proxy claim is refused (the same words whoever the subject is). */
export const PROXY_REFUSAL_TEXT: Record<ProxyRefusal, string> = {
  'no-authority': 'You have no recorded authority to act for this person.',
  'authority-not-in-force': 'Your authority to act for this person is not in force (revoked, expired or not yet started).',
  'kind-not-allowed': 'This locality does not allow your kind of authority to use the citizen service.',
  'subject-too-old': 'Parental access ends when a child reaches the age this locality sets; the young person can ask for their own access.',
  'action-not-allowed': 'Your authority does not allow this.',
};
