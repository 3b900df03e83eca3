import type { AuditEvent } from '@openidcr/governance';
import type { HeadingId } from '@openidcr/model';
import type { ProxyKind } from '../proxy/proxy.js';

/** Someone acting for the person under a recorded authority. */
export type ProxyActor = { kind: 'proxy'; nhsNumber: string; name: string; proxyKind: ProxyKind; authorityId: string };

/** Who acted through the citizen API, as the audit records it (`proxyKind: 'none'`: a refused claim with no authority). */
export type CitizenActor =
  | { kind: 'self'; nhsNumber: string; name: string }
  | ProxyActor
  | { kind: 'proxy'; nhsNumber: string; name: string; proxyKind: 'none'; authorityId: 'none' }
  | { kind: 'contact-centre'; userId: string; name: string; roleId: string; organisation: { ods: string; kind: string } };

/** What was done through the citizen API; recorded in the audit as `citizen-action:<action>`. */
export const CITIZEN_ACTIONS = {
  'read-record': 'Looked at your record',
  'read-access-log': 'Looked at who has seen your record',
  'read-preferences': 'Looked at your sharing choices',
  'change-preferences': 'Changed your sharing choice',
  export: 'Downloaded a copy of your record',
  'read-what-matters': 'Looked at what matters to you',
  'change-what-matters': 'Changed what matters to you',
  'refused-proxy': 'Tried to act for you without authority',
} as const;
export type CitizenAction = keyof typeof CITIZEN_ACTIONS;

/** Role ids the audit records for people using the citizen API (professionals keep their locality role id). */
export const CITIZEN_ROLE = 'citizen';
export const PROXY_ROLE_PREFIX = 'citizen-proxy:';

const ACTOR_REASON = 'citizen-actor:';
const ACTION_REASON = 'citizen-action:';

/** The actor and action of a citizen API event, read back from its reasons; undefined for other events. */
export function citizenEventOf(event: Pick<AuditEvent, 'reasons'>): { actor: CitizenActor['kind']; action: CitizenAction } | undefined {
  const actor = event.reasons.find((r) => r.startsWith(ACTOR_REASON))?.slice(ACTOR_REASON.length);
  const action = event.reasons.find((r) => r.startsWith(ACTION_REASON))?.slice(ACTION_REASON.length);
  if ((actor === 'self' || actor === 'proxy' || actor === 'contact-centre') && action !== undefined && action in CITIZEN_ACTIONS)
    return { actor, action: action as CitizenAction };
  return undefined;
}

export interface CitizenAuditInput {
  id: string;
  now: Date;
  actor: CitizenActor;
  personId: string;
  action: CitizenAction;
  /** `GET /citizen/me/record`: the request as made (method and path, no query values that could hold data). */
  query: string;
  outcome: 'permit' | 'deny';
  headings?: readonly HeadingId[];
  /** Extra reason codes (e.g. `proxy-refused:no-authority`, `receipt:ABCD-1234`). */
  reasons?: readonly string[];
  policy: string;
  consentModel: string;
}

/**
 * The audit event for one citizen API request, in governance's shape so it joins the one hash-chained log. A write
 * (a consent or "what matters" change) is recorded with `action: 'read'` because governance's event has no write
 * action yet; the `citizen-action:` reason says what was done.
 */
export function citizenAuditEvent(input: CitizenAuditInput): AuditEvent {
  const { actor } = input;
  const user =
    actor.kind === 'contact-centre'
      ? { id: actor.userId, name: actor.name, roleId: actor.roleId, organisation: actor.organisation.ods, organisationKind: actor.organisation.kind }
      : {
          id: `nhs:${actor.nhsNumber}`,
          name: actor.name,
          roleId: actor.kind === 'self' ? CITIZEN_ROLE : `${PROXY_ROLE_PREFIX}${actor.proxyKind}`,
          organisation: '',
          organisationKind: 'citizen',
        };
  return {
    id: input.id,
    recorded: input.now.toISOString(),
    action: input.action === 'read-access-log' || input.action === 'read-record' || input.action === 'export' ? 'search' : 'read',
    query: input.query,
    outcome: input.outcome,
    user,
    purposeOfUse: 'PATRQT',
    personId: input.personId,
    headings: [...(input.headings ?? [])],
    sources: [],
    reasons: [
      `${ACTOR_REASON}${actor.kind}`,
      `${ACTION_REASON}${input.action}`,
      ...(actor.kind === 'proxy' ? [`proxy-authority:${actor.authorityId}`] : []),
      ...(input.reasons ?? []),
    ],
    policy: input.policy,
    consentModel: input.consentModel,
    flagged: false,
  };
}
