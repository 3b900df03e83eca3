import { CodeSystems, ODS_CODE_SYSTEM, type IngestRelationship, type ResourceLike } from '@openidcr/model';

/**
 * How long the legitimate relationships a feed gives last. Every relationship has an end (governance reference A2:
 * "each relationship has a time-to-live"): an encounter or episode ends when the source says so, plus a grace period
 * for what follows (the discharge letter, late results, the follow-up call); an open referral expires if nothing
 * closes it.
 */
export interface RelationshipRules {
  /** Days a relationship lasts after its encounter or episode ended (discharge, episode closed) or its referral was completed. */
  graceAfterEndDays: number;
  /** Days an open referral gives the receiving organisation access, counted from when it was made. */
  openReferralDays: number;
  /**
   * Days an open visit that is not a hospital stay (an outpatient, emergency or community attendance, which often
   * never gets a discharge message) gives access, counted from the latest message about it. An inpatient or
   * pre-admission encounter stays open until discharge or cancellation.
   */
  openVisitDays: number;
}

/**
 * 28 days after discharge (a month of letters, results and follow-up); a referral for 26 weeks (18-week RTT plus
 * slack); an open attendance for a year after the latest message about it.
 */
export const DEFAULT_RELATIONSHIP_RULES: RelationshipRules = { graceAfterEndDays: 28, openReferralDays: 182, openVisitDays: 365 };
/** v3 ActCode classes of a hospital stay (inpatient, acute and non-acute inpatient, pre-admission, short stay). */
const STAY_CLASSES = new Set(['IMP', 'ACUTE', 'NONAC', 'PRENC', 'SS']);

const DAY = 86_400_000;
const OPEN_ENCOUNTER = new Set(['planned', 'arrived', 'triaged', 'in-progress', 'onleave']);
const OPEN_EPISODE = new Set(['planned', 'waitlist', 'active', 'onhold']);
const OPEN_REFERRAL = new Set(['draft', 'active', 'on-hold']);
/** SNOMED CT 3457005 |Patient referral|: the category the REF mapping gives a referral (orders to a lab are not referrals). */
const PATIENT_REFERRAL = '3457005';

interface Context {
  personId: string;
  /** ODS code of the sender: the organisation an encounter or episode is with when the resource does not say. */
  ods: string;
  /** `ADT^A01` ... */
  messageType: string;
  sourceTime: string | undefined;
}

function odsOf(reference: unknown): string | undefined {
  const identifier = (reference as { identifier?: { system?: unknown; value?: unknown } } | undefined)?.identifier;
  return identifier?.system === ODS_CODE_SYSTEM && typeof identifier.value === 'string' && identifier.value ? identifier.value : undefined;
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

const iso = (t: number): string => new Date(t).toISOString();

/**
 * The legitimate relationships a message's resources give the organisations providing the care: an open Encounter
 * (admission, attendance, a community or mental health caseload visit) or EpisodeOfCare (a social care involvement)
 * with the organisation that provides it, and a referral with the organisation it was sent to. Each is for every user
 * of that organisation (`userId` `*`), starts when the care did (or when the message says, if earlier), and ends when
 * the encounter, episode or referral ends plus the grace period, at once when it was cancelled. Ids derive from the
 * resource's, so a re-sent or updated message (the discharge) replaces the relationship instead of adding one.
 */
export function relationshipsFrom(resources: readonly (ResourceLike & { id: string })[], ctx: Context, rules: RelationshipRules = DEFAULT_RELATIONSHIP_RULES): IngestRelationship[] {
  const out: IngestRelationship[] = [];
  const eventTime = time(ctx.sourceTime);
  const grace = rules.graceAfterEndDays * DAY;
  const source = `${ctx.messageType} ${ctx.ods}`;
  const add = (resource: ResourceLike & { id: string }, kind: string, organisation: string | undefined, start: number | undefined, end: number | undefined) => {
    if (!organisation || start === undefined) return;
    out.push({
      patientKey: ctx.personId,
      id: `rel-${resource.id}`,
      userId: '*',
      organisation,
      kind,
      source,
      startedAt: iso(start),
      endedAt: end === undefined ? undefined : iso(Math.max(end, start)),
      from: { resourceType: resource.resourceType, id: resource.id },
    });
  };
  const earliest = (...values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length ? Math.min(...known) : undefined;
  };
  for (const resource of resources) {
    const status = typeof resource.status === 'string' ? resource.status : '';
    const period = (resource.period ?? {}) as { start?: unknown; end?: unknown };
    if (resource.resourceType === 'Encounter' || resource.resourceType === 'EpisodeOfCare') {
      const isEncounter = resource.resourceType === 'Encounter';
      const organisation = odsOf(isEncounter ? resource.serviceProvider : resource.managingOrganization) ?? ctx.ods;
      const start = earliest(time(period.start), eventTime);
      if ((isEncounter ? OPEN_ENCOUNTER : OPEN_EPISODE).has(status)) {
        const stay = !isEncounter || STAY_CLASSES.has(String((resource.class as { code?: unknown } | undefined)?.code ?? ''));
        const latest = Math.max(start ?? 0, eventTime ?? 0);
        add(resource, isEncounter ? 'encounter' : 'episode', organisation, start, stay || start === undefined ? undefined : latest + rules.openVisitDays * DAY);
      }
      else if (status === 'finished') {
        const ended = time(period.end) ?? eventTime;
        add(resource, isEncounter ? 'encounter' : 'episode', organisation, start, ended === undefined ? undefined : ended + grace);
      } else if (status === 'cancelled' || status === 'entered-in-error') {
        // Cancelled (A11, A38): whatever it gave ends now; it is kept (ended) so that the access it allowed is explained.
        add(resource, isEncounter ? 'encounter' : 'episode', organisation, start, eventTime ?? start);
      }
      continue;
    }
    if (resource.resourceType === 'ServiceRequest') {
      const categories = Array.isArray(resource.category) ? (resource.category as Array<{ coding?: Array<{ system?: string; code?: string }> }>) : [];
      const isReferral = categories.some((c) => c.coding?.some((coding) => coding.system === CodeSystems.snomed && coding.code === PATIENT_REFERRAL));
      if (!isReferral) continue;
      const performers = Array.isArray(resource.performer) ? resource.performer : [];
      const organisation = performers.map(odsOf).find((o) => o !== undefined);
      const start = earliest(time(resource.authoredOn), eventTime);
      if (start === undefined) continue;
      if (OPEN_REFERRAL.has(status)) add(resource, 'referral', organisation, start, start + rules.openReferralDays * DAY);
      else if (status === 'completed') add(resource, 'referral', organisation, start, (eventTime ?? start) + grace);
      else add(resource, 'referral', organisation, start, eventTime ?? start);
    }
  }
  return out;
}
