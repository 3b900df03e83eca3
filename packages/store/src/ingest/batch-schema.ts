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

const resource = z.looseObject({ resourceType: nonEmpty, id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR id') });

export const batchResourceSchema = z.object({
  patientKey: nonEmpty.optional(),
  resource,
  sourceTime: instant.optional(),
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

/** Checks an ingest batch's shape; an invalid one is an `invalid-input` StoreError naming the field. */
export function parseBatch(input: unknown): IngestBatch {
  const parsed = ingestBatch.safeParse(input);
  if (!parsed.success) fail(parsed.error, 'batch');
  return input as IngestBatch;
}

/** Checks a dead letter's shape. */
export function parseDeadLetter(input: unknown): DeadLetterInput {
  const parsed = deadLetter.safeParse(input);
  if (!parsed.success) fail(parsed.error, 'deadLetter');
  return input as DeadLetterInput;
}
