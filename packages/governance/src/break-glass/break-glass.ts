import { instant } from '../time/instant.js';
import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true });

/** Why a professional needs emergency access. `safeguarding` also overrides an objection (documented decision). */
export const BREAK_GLASS_REASONS = {
  'emergency-care': 'Emergency care: the person needs treatment now and cannot be asked',
  'patient-unable-to-consent': 'The person cannot give or refuse permission (unconscious, lacks capacity)',
  safeguarding: 'Safeguarding concern for the person or someone else',
  'legal-requirement': 'Required by law or a court order',
  'public-interest': 'Serious risk to public health or safety',
} as const;
export type BreakGlassReasonCode = keyof typeof BREAK_GLASS_REASONS;

/** Defaults: a reason of at least 20 characters; a grant lasts 4 hours at most. */
export const BREAK_GLASS_LIMITS = { minReasonLength: 20, maxMinutes: 240 } as const;

export const BreakGlassGrantSchema = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  personId: z.string().min(1),
  organisation: z.string().min(1),
  reasonCode: z.enum(Object.keys(BREAK_GLASS_REASONS) as [BreakGlassReasonCode, ...BreakGlassReasonCode[]]),
  reasonText: z.string().min(BREAK_GLASS_LIMITS.minReasonLength),
  grantedAt: isoDateTime,
  expiresAt: isoDateTime,
});
/** A break-glass grant: for one user, one person, a short time. */
export type BreakGlassGrant = z.output<typeof BreakGlassGrantSchema>;

export interface BreakGlassRequest {
  id: string;
  userId: string;
  personId: string;
  organisation: string;
  reasonCode: string;
  reasonText: string;
  now: string;
  minutes?: number;
}

export interface BreakGlassError {
  code: 'reason-code-unknown' | 'reason-too-short' | 'duration-out-of-range' | 'invalid-request';
  field: string;
  message: string;
}

/**
 * Grant break-glass access, or say what is wrong with the request. The grant is an input to `decide` with purpose
 * `BTG`; every decision using it raises a privacy-officer alert and a flagged audit event.
 */
export function requestBreakGlass(request: BreakGlassRequest): { ok: true; grant: BreakGlassGrant } | { ok: false; error: BreakGlassError } {
  if (!(request.reasonCode in BREAK_GLASS_REASONS))
    return { ok: false, error: { code: 'reason-code-unknown', field: 'reasonCode', message: `reasonCode: one of ${Object.keys(BREAK_GLASS_REASONS).join(', ')}` } };
  const text = request.reasonText.trim();
  if (text.length < BREAK_GLASS_LIMITS.minReasonLength)
    return { ok: false, error: { code: 'reason-too-short', field: 'reasonText', message: `reasonText: say why, in at least ${BREAK_GLASS_LIMITS.minReasonLength} characters` } };
  const minutes = request.minutes ?? BREAK_GLASS_LIMITS.maxMinutes;
  if (!(minutes > 0 && minutes <= BREAK_GLASS_LIMITS.maxMinutes))
    return { ok: false, error: { code: 'duration-out-of-range', field: 'minutes', message: `minutes: between 1 and ${BREAK_GLASS_LIMITS.maxMinutes}` } };
  const start = instant(request.now);
  const parsed = BreakGlassGrantSchema.safeParse({
    id: request.id,
    userId: request.userId,
    personId: request.personId,
    organisation: request.organisation,
    reasonCode: request.reasonCode,
    reasonText: text,
    grantedAt: Number.isNaN(start) ? request.now : new Date(start).toISOString(),
    expiresAt: Number.isNaN(start) ? request.now : new Date(start + minutes * 60_000).toISOString(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: { code: 'invalid-request', field: issue.path.join('.'), message: `${issue.path.join('.')}: ${issue.message}` } };
  }
  return { ok: true, grant: parsed.data };
}

/** True when the grant is for this user, person and organisation, and `now` (epoch ms) is inside it. */
export function breakGlassGrantValid(
  grant: BreakGlassGrant,
  user: { id: string; organisation: { ods: string } },
  personId: string,
  now: number,
): boolean {
  return (
    grant.userId === user.id &&
    grant.personId === personId &&
    grant.organisation === user.organisation.ods &&
    grant.reasonText.trim().length >= BREAK_GLASS_LIMITS.minReasonLength &&
    instant(grant.grantedAt) <= now &&
    now < instant(grant.expiresAt)
  );
}
