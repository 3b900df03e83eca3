import { z } from 'zod';
import type { IngestBatch, DeadLetterInput } from '@openidcr/model';
import { StoreError } from '../errors.js';

const instant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date-time');
const nonEmpty = z.string().min(1);
const localIdentifier = z.object({ assigningAuthority: nonEmpty, value: nonEmpty });
const demographics = z.object({
  family: z.string().optional(),
  given: z.string().optional(),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  postcode: z.string().optional(),
});

/** A person of the master patient index, as an initial load takes it. */
export const personSchema = z.object({
  personId: nonEmpty,
  nhsNumber: z.string().optional(),
  demographics,
  localIds: z.array(localIdentifier),
  status: z.enum(['confirmed', 'provisional']),
  mergedInto: nonEmpty.optional(),
});

const identityChange = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('upsert-person'),
    person: z.object({
      personId: nonEmpty,
      nhsNumber: z.string().optional(),
      demographics,
      status: z.enum(['confirmed', 'provisional']),
    }),
  }),
  z.object({ kind: z.literal('add-local-identifier'), personId: nonEmpty, identifier: localIdentifier }),
  z.object({
    kind: z.literal('link-candidate'),
    personId: nonEmpty,
    candidatePersonId: nonEmpty,
    score: z.number().finite(),
    status: z.enum(['review', 'linked', 'rejected']),
    explanation: z.array(z.string()),
  }),
  z.object({ kind: z.literal('merge'), survivorId: nonEmpty, mergedId: nonEmpty, reason: z.string() }),
  z.object({ kind: z.literal('unmerge'), survivorId: nonEmpty, mergedId: nonEmpty, reason: z.string() }),
]);

const resource = z.object({ resourceType: nonEmpty, id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id') });

export const batchResourceSchema = z.object({
  patientKey: nonEmpty.optional(),
  resource,
  sourceTime: instant.optional(),
  keepIfAbsent: z.array(z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'must name a top-level element')).optional(),
});

const relationship = z.object({
  patientKey: nonEmpty,
  id: nonEmpty,
  userId: nonEmpty,
  organisation: nonEmpty.optional(),
  kind: nonEmpty,
  source: z.string().optional(),
  startedAt: instant,
  endedAt: instant.optional(),
  from: z.object({ resourceType: nonEmpty, id: nonEmpty }).optional(),
});

const ingestBatch = z.object({
  message: z.object({
    sender: nonEmpty,
    controlId: nonEmpty,
    contentHash: nonEmpty,
    messageType: z.string(),
    receivedAt: instant,
    raw: z.string(),
    ack: z.string(),
    outcome: z.enum(['accepted', 'rejected', 'error']),
    patientKey: nonEmpty.optional(),
    warnings: z.array(z.string()).optional(),
  }),
  resources: z.array(batchResourceSchema),
  identity: z.array(identityChange),
  relationships: z.array(relationship).optional(),
});

const deadLetter = z.object({
  sender: z.string().optional(),
  controlId: z.string().optional(),
  channel: z.string().optional(),
  raw: z.string(),
  error: z.string(),
  receivedAt: instant,
});

function fail(error: z.ZodError, root: string): never {
  const issue = error.issues[0];
  const field = [root, ...(issue?.path ?? []).map(String)].filter((part) => part.length > 0).join('.');
  throw new StoreError('invalid-input', `${field}: ${issue?.message ?? 'invalid'}`, field);
}

type Loose = Record<string, unknown> | undefined | null;

/**
 * What is checked of a resource to store: its key fields. The rest of the body is kept exactly as it came (the store
 * does not judge FHIR content), so only those fields are handed to zod, not a copy of the whole resource.
 */
function project(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const { patientKey, sourceTime, resource, keepIfAbsent } = item as { patientKey?: unknown; sourceTime?: unknown; resource?: Loose; keepIfAbsent?: unknown };
  const projected: Record<string, unknown> = { patientKey, sourceTime, keepIfAbsent };
  if (resource !== undefined) {
    projected.resource = typeof resource === 'object' && resource !== null ? { resourceType: resource.resourceType, id: resource.id } : resource;
  }
  return projected;
}

/** Checks the key fields of resources to store; an invalid one is an `invalid-input` StoreError naming the field. */
export function checkBatchResources(items: readonly unknown[], root: string, offset = 0): void {
  const parsed = batchResources.safeParse(items.map(project));
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const [index, ...rest] = issue?.path ?? [];
  const field = [root, String(offset + Number(index)), ...rest.map(String)].join('.');
  throw new StoreError('invalid-input', `${field}: ${issue?.message ?? 'invalid'}`, field);
}

const batchResources = z.array(batchResourceSchema);

/** Checks an ingest batch's shape; an invalid one is an `invalid-input` StoreError naming the field. */
export function parseBatch(input: unknown): IngestBatch {
  const candidate = typeof input === 'object' && input !== null && Array.isArray((input as { resources?: unknown }).resources)
    ? { ...input, resources: ((input as { resources: unknown[] }).resources).map(project) }
    : input;
  const parsed = ingestBatch.safeParse(candidate);
  if (!parsed.success) fail(parsed.error, 'batch');
  return input as IngestBatch;
}

/** Checks a dead letter's shape. */
export function parseDeadLetter(input: unknown): DeadLetterInput {
  const parsed = deadLetter.safeParse(input);
  if (!parsed.success) fail(parsed.error, 'deadLetter');
  return input as DeadLetterInput;
}
