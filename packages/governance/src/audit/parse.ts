import { z } from 'zod';
import type { ChainedAuditEvent } from './event.js';

// Loose objects: unknown members are kept, never stripped, so a row that gained a field still fails `verifyChain`.
const ChainedAuditEventSchema = z.looseObject({
  id: z.string(),
  recorded: z.string(),
  action: z.enum(['read', 'search']),
  outcome: z.enum(['permit', 'deny']),
  user: z.looseObject({ id: z.string(), name: z.string(), roleId: z.string(), organisation: z.string(), organisationKind: z.string() }),
  purposeOfUse: z.string(),
  personId: z.string(),
  headings: z.array(z.string()),
  sources: z.array(z.string()),
  reasons: z.array(z.string()),
  policy: z.string(),
  consentModel: z.string(),
  flagged: z.boolean(),
  seq: z.number().int().nonnegative(),
  prevHash: z.string(),
  hash: z.string(),
});

/**
 * Check the shape of audit rows read back from storage or an export before verifying or showing them. Content is
 * kept exactly as given (nothing stripped or defaulted), so the hash chain is verified over what was stored.
 */
export function parseAuditEvents(input: unknown): { ok: true; events: ChainedAuditEvent[] } | { ok: false; issues: string[] } {
  const parsed = z.array(ChainedAuditEventSchema).safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `events.${i.path.join('.')}: ${i.message}`) };
  return { ok: true, events: input as ChainedAuditEvent[] };
}
