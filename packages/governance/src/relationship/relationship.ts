import { instant } from '../time/instant.js';
import { z } from 'zod';
import { ByPerson } from '../locality/by-person.js';
import { OdsCodeSchema } from '../isa/schema.js';

const isoDateTime = z.iso.datetime({ offset: true });

/** Kinds of legitimate relationship (Caldicott principle 4: need to know). */
export const RELATIONSHIP_KINDS = ['registration', 'encounter', 'episode', 'care-team', 'referral', 'self-declared'] as const;
export type RelationshipKind = (typeof RELATIONSHIP_KINDS)[number];

/**
 * A legitimate relationship between a professional (or their organisation) and a person. Fed by registration (PDS),
 * open encounters and episodes (ADT), care teams, referrals, or declared by the user with a reason. Every kind has an
 * end: a self-declared one must have one.
 */
export const RelationshipSchema = z
  .object({
    id: z.string().min(1),
    personId: z.string().min(1),
    kind: z.enum(RELATIONSHIP_KINDS),
    /** The organisation the relationship is with (any user of it); or a single `userId`. */
    organisation: OdsCodeSchema.optional(),
    userId: z.string().min(1).optional(),
    start: isoDateTime,
    end: isoDateTime.optional(),
    reason: z.string().optional(),
  })
  .refine((r) => r.organisation !== undefined || r.userId !== undefined, { message: 'organisation or userId is required', path: ['organisation'] })
  .refine((r) => r.kind !== 'self-declared' || (r.userId !== undefined && r.end !== undefined && (r.reason?.trim().length ?? 0) > 0), {
    message: 'a self-declared relationship needs userId, reason and end',
    path: ['reason'],
  });
export type Relationship = z.output<typeof RelationshipSchema>;

/** Defaults for declaring a relationship. */
export const SELF_DECLARED_RELATIONSHIP = { minReasonLength: 10, maxHours: 24 } as const;

export interface DeclareRelationshipInput {
  id: string;
  personId: string;
  userId: string;
  organisation: string;
  reason: string;
  now: string;
  hours?: number;
}

/**
 * Declare a legitimate relationship (self-claimed LR): needs a reason of at least 10 characters, expires (24 h at most).
 * The decision that uses it carries an alert obligation and a flagged audit event.
 */
export function declareRelationship(input: DeclareRelationshipInput):
  | { ok: true; relationship: Relationship }
  | { ok: false; error: { code: string; field: string; message: string } } {
  const reason = input.reason.trim();
  if (reason.length < SELF_DECLARED_RELATIONSHIP.minReasonLength)
    return { ok: false, error: { code: 'reason-too-short', field: 'reason', message: `reason: give at least ${SELF_DECLARED_RELATIONSHIP.minReasonLength} characters saying why you need to see this record` } };
  const hours = input.hours ?? SELF_DECLARED_RELATIONSHIP.maxHours;
  if (!(hours > 0 && hours <= SELF_DECLARED_RELATIONSHIP.maxHours))
    return { ok: false, error: { code: 'duration-out-of-range', field: 'hours', message: `hours: between 0 and ${SELF_DECLARED_RELATIONSHIP.maxHours}` } };
  const start = instant(input.now);
  if (Number.isNaN(start)) return { ok: false, error: { code: 'invalid-now', field: 'now', message: 'now: not an ISO date-time' } };
  const parsed = RelationshipSchema.safeParse({
    id: input.id,
    personId: input.personId,
    kind: 'self-declared',
    organisation: input.organisation,
    userId: input.userId,
    start: new Date(start).toISOString(),
    end: new Date(start + hours * 3_600_000).toISOString(),
    reason,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    return { ok: false, error: { code: 'invalid-relationship', field, message: `${field}: ${issue.message}` } };
  }
  return { ok: true, relationship: parsed.data };
}

/** The order relationships are preferred in when several apply: a declared one only when nothing else does. */
const PREFERENCE: Record<RelationshipKind, number> = { registration: 0, 'care-team': 1, episode: 2, encounter: 3, referral: 4, 'self-declared': 5 };

/**
 * The relationship that gives this user a legitimate relationship with the person at `now` (epoch ms), if any.
 * Registration with the user's own GP practice counts without a record (`registeredGpOds`). Self-declared ones count
 * only when `acceptSelfDeclared` (the user's role may declare).
 */
export function findRelationship(
  relationships: readonly Relationship[],
  user: { id: string; organisation: { ods: string } },
  patient: { personId: string; registeredGpOds?: string | undefined },
  now: number,
  options: { acceptSelfDeclared?: boolean } = {},
): Pick<Relationship, 'kind' | 'id'> | undefined {
  const acceptSelfDeclared = options.acceptSelfDeclared ?? true;
  if (patient.registeredGpOds !== undefined && patient.registeredGpOds === user.organisation.ods)
    return { kind: 'registration', id: `registration:${patient.registeredGpOds}` };
  let best: Relationship | undefined;
  for (const r of relationships) {
    if (r.personId !== patient.personId) continue;
    if (r.userId !== undefined ? r.userId !== user.id : r.organisation !== user.organisation.ods) continue;
    if (r.userId !== undefined && r.organisation !== undefined && r.organisation !== user.organisation.ods) continue;
    if (instant(r.start) > now) continue;
    if (r.end !== undefined && instant(r.end) <= now) continue;
    if (r.kind === 'self-declared' && (!acceptSelfDeclared || r.end === undefined || r.userId === undefined || !r.reason)) continue;
    if (best === undefined || PREFERENCE[r.kind] < PREFERENCE[best.kind]) best = r;
  }
  return best;
}

/** Where the policy enforcement point gets relationships from (a store, an ADT-fed table, a FHIR server). */
export interface RelationshipSource {
  relationshipsFor(personId: string): Promise<Relationship[]>;
}

/** An in-memory `RelationshipSource`, for tests and small localities. */
export class InMemoryRelationshipSource implements RelationshipSource {
  readonly #records: ByPerson<Relationship>;

  constructor(initial: Iterable<Relationship> = []) {
    this.#records = new ByPerson(initial);
  }

  add(relationship: Relationship): void {
    this.#records.add(relationship);
  }

  async relationshipsFor(personId: string): Promise<Relationship[]> {
    return this.#records.of(personId);
  }
}
