import { z } from 'zod';

/** Stages a roll-out group admits its users at: pilot users also use organisations in staged roll-out. */
export const ROLLOUT_GROUP_STAGES = ['pilot', 'staged'] as const;

const userId = z.string().min(1).max(128);

/** A named group of users admitted before their organisation is live (the pilot's 500 users, then the next wave). */
export const RolloutGroupSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'),
  name: z.string().min(1),
  /** `pilot`: admitted at organisations in pilot or staged roll-out; `staged`: at organisations in staged roll-out. */
  stage: z.enum(ROLLOUT_GROUP_STAGES),
  /** User ids (token subjects) in the group. */
  users: z.array(userId).min(1, 'list at least one user id'),
});
export type RolloutGroup = z.output<typeof RolloutGroupSchema>;

/**
 * Staged roll-out, enforced: a professional at an organisation whose `stage` is `live` uses the record; at a `pilot`
 * organisation only the users of a pilot group; at a `staged` organisation the users of a pilot or staged group.
 * Everyone else sees nothing and is told why. Without this section, `stage` is only a label.
 */
export const RolloutSchema = z.strictObject({
  groups: z.array(RolloutGroupSchema).default([]),
});
export type Rollout = z.output<typeof RolloutSchema>;

/** Whether a professional is inside the current roll-out stage of their organisation, and why not. */
export type RolloutAccess =
  | { allowed: true; stage: 'pilot' | 'staged' | 'live' | 'not-enforced'; group?: string | undefined }
  | { allowed: false; stage: 'pilot' | 'staged' | 'unknown-organisation'; message: string };

interface RolloutLocality {
  organisations: ReadonlyArray<{ ods: string; name: string; stage: 'pilot' | 'staged' | 'live' }>;
  rollout?: Rollout | undefined;
}

/** Decides roll-out access for one professional (pure). */
export function rolloutAccess(locality: RolloutLocality, user: { id: string; organisation?: { ods: string } | undefined }): RolloutAccess {
  if (!locality.rollout) return { allowed: true, stage: 'not-enforced' };
  const org = locality.organisations.find((o) => o.ods === user.organisation?.ods);
  if (!org) return { allowed: false, stage: 'unknown-organisation', message: 'Your organisation is not one of this shared care record\'s organisations, so it shows you nothing.' };
  if (org.stage === 'live') return { allowed: true, stage: 'live' };
  const admits = org.stage === 'pilot' ? ['pilot'] : ['pilot', 'staged'];
  const group = locality.rollout.groups.find((g) => admits.includes(g.stage) && g.users.includes(user.id));
  if (group) return { allowed: true, stage: org.stage, group: group.id };
  const stageText = org.stage === 'pilot' ? 'the pilot' : 'staged roll-out';
  return {
    allowed: false,
    stage: org.stage,
    message: `${org.name} is in ${stageText} of the shared care record, and you are not in a ${org.stage === 'pilot' ? 'pilot' : 'pilot or roll-out'} user group yet, so it shows you no patient information. Ask your organisation's shared care record lead to add you to the group, or wait until ${org.name} goes live.`,
  };
}

/** Who is in each stage: organisations by stage, the groups, and (for demo users) who may use the record now. */
export function rolloutSummary(
  locality: RolloutLocality,
  users: ReadonlyArray<{ id: string; name: string; role: string; organisation?: string | undefined }>,
): {
  enforced: boolean;
  stages: Record<'pilot' | 'staged' | 'live', Array<{ ods: string; name: string }>>;
  groups: RolloutGroup[];
  users: Array<{ id: string; name: string; role: string; organisation?: string | undefined; stage: string; allowed: boolean; group?: string | undefined }>;
} {
  const stages = { pilot: [], staged: [], live: [] } as Record<'pilot' | 'staged' | 'live', Array<{ ods: string; name: string }>>;
  for (const org of locality.organisations) stages[org.stage].push({ ods: org.ods, name: org.name });
  return {
    enforced: Boolean(locality.rollout),
    stages,
    groups: locality.rollout?.groups ?? [],
    users: users
      .filter((u) => u.role !== 'citizen')
      .map((u) => {
        const access = rolloutAccess(locality, { id: u.id, organisation: u.organisation ? { ods: u.organisation } : undefined });
        return { id: u.id, name: u.name, role: u.role, organisation: u.organisation, stage: access.stage, allowed: access.allowed, ...(access.allowed && access.group ? { group: access.group } : {}) };
      }),
  };
}
