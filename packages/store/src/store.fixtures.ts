import { createHash } from 'node:crypto';
import type { BatchResource, IngestBatch, ResourceLike } from '@openidcr/model';
import { CodeSystems, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, localIdentifierSystem } from '@openidcr/model';

/** Named FHIR resources and batches for the store's tests. */

export function patient(id: string, options: {
  family?: string;
  given?: string[];
  birthDate?: string;
  postcode?: string;
  nhsNumber?: string;
  localId?: { assigningAuthority: string; value: string };
  gpOds?: string;
  gpReference?: string;
  source?: string;
} = {}): ResourceLike & { id: string } {
  const identifier: Array<{ system: string; value: string }> = [];
  if (options.nhsNumber) identifier.push({ system: NHS_NUMBER_SYSTEM, value: options.nhsNumber });
  if (options.localId) identifier.push({ system: localIdentifierSystem(options.localId.assigningAuthority), value: options.localId.value });
  const generalPractitioner: Array<Record<string, unknown>> = [];
  if (options.gpOds) generalPractitioner.push({ identifier: { system: ODS_CODE_SYSTEM, value: options.gpOds } });
  if (options.gpReference) generalPractitioner.push({ reference: options.gpReference });
  return {
    resourceType: 'Patient',
    id,
    meta: { source: options.source ?? `${ODS_CODE_SYSTEM}|B86001` },
    identifier,
    name: [{ use: 'official', family: options.family ?? 'Smith', given: options.given ?? ['John'] }],
    gender: 'male',
    birthDate: options.birthDate ?? '1960-03-12',
    address: options.postcode ? [{ use: 'home', postalCode: options.postcode }] : [],
    generalPractitioner,
  };
}

export function observation(id: string, effective: string | undefined, options: { code?: string; security?: Array<{ system: string; code: string }>; source?: string } = {}): ResourceLike & { id: string } {
  return {
    resourceType: 'Observation',
    id,
    meta: { source: options.source ?? 'urn:ods:RR8', security: options.security ?? [] },
    status: 'final',
    code: { coding: [{ system: CodeSystems.loinc, code: options.code ?? '718-7', display: 'Haemoglobin' }] },
    ...(effective === undefined ? {} : { effectiveDateTime: effective }),
    valueQuantity: { value: 135, unit: 'g/L' },
  };
}

export function condition(id: string, onset: string): ResourceLike & { id: string } {
  return {
    resourceType: 'Condition',
    id,
    meta: { source: 'urn:ods:B86001' },
    code: { coding: [{ system: CodeSystems.snomed, code: '44054006', display: 'Diabetes mellitus type 2' }] },
    onsetDateTime: onset,
  };
}

export function encounter(id: string, options: { status?: string; classCode?: string; start?: string } = {}): ResourceLike & { id: string } {
  return {
    resourceType: 'Encounter',
    id,
    meta: { source: 'urn:ods:RR8' },
    status: options.status ?? 'in-progress',
    class: { system: CodeSystems.encounterClass, code: options.classCode ?? 'IMP' },
    period: { start: options.start ?? '2026-11-20T10:00:00Z' },
  };
}

export function organization(id: string, ods: string): ResourceLike & { id: string } {
  return { resourceType: 'Organization', id, identifier: [{ system: ODS_CODE_SYSTEM, value: ods }], name: `Practice ${ods}` };
}

let counter = 0;

/** A batch as integration would hand it over, with a unique control id unless one is given. */
export function batch(
  sender: string,
  resources: BatchResource[],
  options: Partial<Pick<IngestBatch, 'identity'>> & { controlId?: string; raw?: string; ack?: string; patientKey?: string } = {},
): IngestBatch {
  counter++;
  const raw = options.raw ?? `MSH|^~\\&|${sender}|...|${counter}|${Math.random()}`;
  return {
    message: {
      sender,
      controlId: options.controlId ?? `CTL${counter}-${Date.now()}`,
      contentHash: createHash('sha256').update(raw).digest('hex'),
      messageType: 'ADT^A08',
      receivedAt: new Date().toISOString(),
      raw,
      ack: options.ack ?? `MSA|AA|${counter}`,
      outcome: 'accepted',
      patientKey: options.patientKey,
    },
    resources,
    identity: options.identity ?? [],
  };
}
