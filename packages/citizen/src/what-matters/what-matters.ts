import { CodeSystems, headingTag, type Observation, type Provenance, type ResourceLike } from '@openidcr/model';
import { z } from 'zod';

/** OpenIDCR's code system for what a citizen writes. */
export const CITIZEN_CODE_SYSTEM = 'https://openidcr.org/CodeSystem/citizen';
/** The Observation.code of "what matters to me". */
export const WHAT_MATTERS_CODE = { system: CITIZEN_CODE_SYSTEM, code: 'what-matters-to-me', display: 'What matters to me' } as const;
/** The `meta.tag` marking an item the person wrote themselves (the only patient-authored item in the record). */
export const PATIENT_AUTHORED_TAG = { system: CITIZEN_CODE_SYSTEM, code: 'patient-authored', display: 'Written by the person' } as const;

export const MAX_STATEMENTS = 3;
export const MAX_STATEMENT_LENGTH = 200;

/** `PUT /citizen/me/what-matters` body. */
export const WhatMattersChangeSchema = z.strictObject({
  statements: z
    .array(
      z
        .string()
        .trim()
        .min(1, 'write something, or remove this statement')
        .max(MAX_STATEMENT_LENGTH, `at most ${MAX_STATEMENT_LENGTH} characters`),
    )
    .max(MAX_STATEMENTS, `at most ${MAX_STATEMENTS} statements`),
  /** The version the person was editing (0 when they had none): a newer version written meanwhile is not overwritten. */
  expectedVersion: z.number().int().nonnegative(),
});
export type WhatMattersChange = z.output<typeof WhatMattersChangeSchema>;

/** The statements as shown: the citizen's own page and the clinician's record. */
export interface WhatMattersView {
  statements: string[];
  /** 0 when the person has written nothing. */
  version: number;
  /** ISO instant of this version. */
  updated?: string | undefined;
  /** Who wrote this version: the person, or someone acting for them. */
  author?: string | undefined;
}

/** The stable id of a person's statements resource: one resource, versioned. */
export function whatMattersId(personId: string): string {
  return `what-matters-${personId}`.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
}

/** True for the "what matters to me" Observation. */
export function isWhatMatters(resource: ResourceLike): boolean {
  if (resource.resourceType !== 'Observation') return false;
  const coding = (resource.code as { coding?: Array<{ system?: string; code?: string }> } | undefined)?.coding;
  return coding?.some((c) => c.system === WHAT_MATTERS_CODE.system && c.code === WHAT_MATTERS_CODE.code) ?? false;
}

/** Who wrote a version: the person, or a proxy on their behalf. */
export type WhatMattersAuthor =
  | { kind: 'self'; nhsNumber: string; name: string }
  | { kind: 'proxy'; nhsNumber: string; name: string; relationship: string };

/**
 * The statements as a FHIR Observation (status final, category social-history, code `what-matters-to-me`, one
 * `component` per statement with `valueString`), tagged as patient-authored and placed under the demographics heading
 * so that every role that sees the person sees it. The `performer` is the author.
 */
export function whatMattersObservation(input: { personId: string; statements: readonly string[]; author: WhatMattersAuthor; now: Date }): Observation {
  const { personId, statements, author, now } = input;
  return {
    resourceType: 'Observation',
    id: whatMattersId(personId),
    meta: { tag: [headingTag('demographics'), { ...PATIENT_AUTHORED_TAG }] },
    status: 'final',
    category: [{ coding: [{ system: CodeSystems.observationCategory, code: 'social-history', display: 'Social History' }] }],
    code: { coding: [{ ...WHAT_MATTERS_CODE }], text: 'What matters to me' },
    subject: { reference: `Patient/${personId}` },
    effectiveDateTime: now.toISOString(),
    issued: now.toISOString(),
    performer: [{ identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: author.nhsNumber }, display: authorText(author) }],
    ...(statements.length === 0 ? { dataAbsentReason: { text: 'The person has removed their statements' } } : {}),
    component: statements.map((statement, index) => ({
      code: { coding: [{ system: CITIZEN_CODE_SYSTEM, code: `statement-${index + 1}`, display: `Statement ${index + 1}` }] },
      valueString: statement,
    })),
  } as Observation;
}

function authorText(author: WhatMattersAuthor): string {
  return author.kind === 'self' ? author.name : `${author.name} (${author.relationship}, on behalf of the person)`;
}

/** The Provenance of one version: the person (or their proxy, on their behalf) as author, the version as target. */
export function whatMattersProvenance(input: { personId: string; personName: string; version: number; author: WhatMattersAuthor; now: Date }): Provenance {
  const { personId, version, author, now } = input;
  const id = whatMattersId(personId);
  const person = { reference: `Patient/${personId}`, display: input.personName };
  return {
    resourceType: 'Provenance',
    id: `${id}-v${version}`.slice(0, 64),
    target: [{ reference: `Observation/${id}/_history/${version}` }],
    recorded: now.toISOString(),
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: version === 1 ? 'CREATE' : 'UPDATE' }] },
    agent: [
      author.kind === 'self'
        ? { type: { coding: [{ system: CodeSystems.provenanceParticipant, code: 'author', display: 'Author' }] }, who: person }
        : {
            type: { coding: [{ system: CodeSystems.provenanceParticipant, code: 'author', display: 'Author' }] },
            who: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: author.nhsNumber }, display: authorText(author) },
            onBehalfOf: person,
          },
    ],
  } as Provenance;
}

/** Reads the statements back from the Observation (the clinician viewer's path: FHIR in, view-model out). Pure. */
export function whatMattersFromObservation(observation: ResourceLike | undefined): WhatMattersView {
  if (!observation || !isWhatMatters(observation)) return { statements: [], version: 0 };
  const components = (observation.component as Array<{ valueString?: unknown }> | undefined) ?? [];
  const performer = (observation.performer as Array<{ display?: string }> | undefined)?.[0]?.display;
  return {
    statements: components.map((c) => c.valueString).filter((s): s is string => typeof s === 'string' && s.length > 0),
    version: Number(observation.meta?.versionId ?? 0) || 0,
    updated: typeof observation.issued === 'string' ? observation.issued : undefined,
    author: performer,
  };
}
