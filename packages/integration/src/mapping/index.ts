import { CodeSystems, isOdsCodeShape, ODS_CODE_SYSTEM, Sensitivity, sensitivityOfCode, type SensitivityCode } from '@openidcr/model';
import { Hl7Segment, type Hl7Message } from '../hl7/message.js';
import { businessError, Hl7ErrorCodes, reject, type Hl7Problem } from '../hl7/problems.js';
import type { SourceProfile } from '../profiles/profile.js';
import { mapAllergies, mapDiagnoses, mapVisit } from './adt.js';
import { mapAppointment } from './appointments.js';
import { stableId, type MappedResource, type MappingContext, type PatientFacts } from './context.js';
import { hl7DateTime } from './datatypes.js';
import { mapDocument } from './documents.js';
import { mapImmunizations, mapMedicationRequests, mapMedicationStatements, mapProblems } from './medications.js';
import { REFERENCE_DATA_TYPES, resolveParticipants } from './participants.js';
import { readPatientFacts } from './patient.js';
import { mapOrders, mapReferral } from './referrals.js';
import { mapResults } from './results.js';

/** How one message type is read: the segments it cannot do without, and its mapping. */
export interface MessageSpec {
  /** `ADT^A01` or `ORU` (any trigger). */
  type: string;
  /** Segments the standard's abstract message structure requires: a message without them is rejected. */
  required: readonly string[];
  /** Whether PID is optional in the structure (ORU, SIU): without it the message is logged, nothing mapped. */
  patientOptional?: boolean;
  map: (ctx: MappingContext) => MappedResource[];
  /** A40-style: the message merges the MRG person into the PID person. */
  merge?: boolean;
}

const adtEncounter = (ctx: MappingContext) => [...mapVisit(ctx), ...mapDiagnoses(ctx), ...mapAllergies(ctx)];
const adtPerson = (ctx: MappingContext) => [...mapDiagnoses(ctx), ...mapAllergies(ctx)];
const spec = (type: string, required: string[], map: MessageSpec['map'], merge = false, patientOptional = false): MessageSpec => ({ type, required, map, merge, patientOptional });

/**
 * Conformance profiles a sender can declare in MSH-21, with the stricter structure they promise. The NHS ITK HL7 v2
 * specification requires PV1 in its encounter events, so an ITK A08 without PV1 is incomplete (a cut-off message),
 * while a plain v2 sender's A01 without PV1 is only thin.
 */
const DECLARED_PROFILES: Record<string, Record<string, readonly string[]>> = {
  ITKV1: Object.fromEntries(['A01', 'A02', 'A03', 'A04', 'A05', 'A08', 'A11', 'A12', 'A13'].map((t) => [`ADT^${t}`, ['EVN', 'PID', 'PV1']])),
};

const SPECS: MessageSpec[] = [
  ...['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A11', 'A12', 'A13', 'A38'].map((t) => spec(`ADT^${t}`, ['PID'], adtEncounter)),
  ...['A28', 'A31', 'A24', 'A37', 'A60'].map((t) => spec(`ADT^${t}`, ['PID'], adtPerson)),
  spec('ADT^A40', ['PID', 'MRG'], () => [], true),
  spec('ADT^A34', ['PID', 'MRG'], () => [], true),
  spec('ORU^R01', ['OBR'], mapResults, false, true),
  spec('ORU^R30', ['OBR'], mapResults, false, true),
  ...['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T07', 'T08', 'T09', 'T10', 'T11'].map((t) => spec(`MDM^${t}`, ['PID', 'TXA'], mapDocument)),
  ...['I12', 'I13', 'I14', 'I15'].map((t) => spec(`REF^${t}`, ['PID', 'RF1'], mapReferral)),
  ...['S12', 'S13', 'S14', 'S15', 'S17', 'S26'].map((t) => spec(`SIU^${t}`, ['SCH'], mapAppointment, false, true)),
  spec('RDE^O11', ['PID', 'RXE'], mapMedicationRequests),
  spec('RDE^O25', ['PID', 'RXE'], mapMedicationRequests),
  spec('OMP^O09', ['PID', 'RXO'], mapMedicationRequests),
  spec('RDS^O13', ['PID', 'RXD'], mapMedicationStatements),
  spec('VXU^V04', ['PID', 'RXA'], mapImmunizations),
  spec('PPR^PC1', ['PID', 'PRB'], mapProblems),
  spec('PPR^PC2', ['PID', 'PRB'], mapProblems),
  spec('PPR^PC3', ['PID', 'PRB'], mapProblems),
  spec('ORM^O01', ['PID', 'OBR'], mapOrders),
  spec('OML^O21', ['PID', 'OBR'], mapOrders),
];
const BY_TYPE = new Map(SPECS.map((s) => [s.type, s]));

/** The mapping for a message, by MSH-9 (message code and trigger event). */
export function specFor(message: Hl7Message): MessageSpec | undefined {
  const h = message.header;
  return BY_TYPE.get(`${h.messageCode}^${h.triggerEvent}`);
}

/** Message types with a FHIR mapping. */
export function supportedMessageTypes(): string[] {
  return SPECS.map((s) => s.type);
}

/** A message read far enough to identify its person: what the MPI needs, and what the mapping will use. */
export interface PreparedMessage {
  message: Hl7Message;
  profile: SourceProfile;
  spec: MessageSpec | undefined;
  ods: string;
  /** `urn:ods:<ODS>`: written into every resource's meta.source (a URI, see `metaSourceOf`). */
  metaSource: string;
  sourceTime: string | undefined;
  patient: PatientFacts | undefined;
  /** Prior identifiers from MRG (A40). */
  mergeFrom: PatientFacts | undefined;
  problems: Hl7Problem[];
  warnings: string[];
}

/**
 * `meta.source` for a sender: `urn:ods:<ODS>`, a URI (meta.source is one) naming the source organisation by its ODS
 * code, which every OpenIDCR reader of the source organisation (governance, store, citizen, viewer) understands.
 */
export function metaSourceOf(ods: string): string {
  return `urn:ods:${ods}`;
}

/** The source organisation: the profile's ODS code, else MSH-4 when it has the shape of one, else the sender's name. */
export function sourceOrganisation(message: Hl7Message, profile: SourceProfile): string {
  if (profile.odsCode) return profile.odsCode;
  const facility = message.header.sendingFacility.trim().toUpperCase();
  if (isOdsCodeShape(facility)) return facility;
  const app = message.header.sendingApplication.trim();
  return (facility || app || 'UNKNOWN').replace(/[^A-Za-z0-9]+/g, '-').slice(0, 64);
}

/** Checks the message against its profile and structure and reads the person; no I/O. */
export function prepareMessage(message: Hl7Message, profile: SourceProfile): PreparedMessage {
  const problems: Hl7Problem[] = [];
  const warnings: string[] = [];
  const h = message.header;
  const ods = sourceOrganisation(message, profile);
  if (!profile.odsCode && !isOdsCodeShape(h.sendingFacility.trim().toUpperCase())) {
    warnings.push(`MSH.4: sending facility ${JSON.stringify(h.sendingFacility)} is not an ODS code and the channel profile sets none`);
  }
  const prepared: PreparedMessage = {
    message,
    profile,
    spec: specFor(message),
    ods,
    metaSource: metaSourceOf(ods),
    sourceTime: undefined,
    patient: undefined,
    mergeFrom: undefined,
    problems,
    warnings,
  };
  if (h.messageCode === 'ACK' || h.messageCode === 'MCF') {
    problems.push(reject('ack-as-message', `MSH.9: ${message.type} is an acknowledgement, not a message to store`, Hl7ErrorCodes.unsupportedMessageType, { segment: 'MSH', sequence: 1, field: 9 }));
    return prepared;
  }
  if (!profile.processingIds.includes(h.processingId.charAt(0).toUpperCase())) {
    problems.push(reject('processing-id', `MSH.11: processing id ${JSON.stringify(h.processingId)} not accepted on this channel (${profile.processingIds.join(', ')})`, Hl7ErrorCodes.unsupportedProcessingId, { segment: 'MSH', sequence: 1, field: 11 }));
  }
  if (profile.sendingApplication && h.sendingApplication !== profile.sendingApplication) {
    problems.push(reject('wrong-sender', `MSH.3: sending application ${JSON.stringify(h.sendingApplication)} is not ${JSON.stringify(profile.sendingApplication)}, which this channel expects`, Hl7ErrorCodes.unknownKeyIdentifier, { segment: 'MSH', sequence: 1, field: 3 }));
  }
  if (profile.sendingFacility && h.sendingFacility !== profile.sendingFacility) {
    problems.push(reject('wrong-sender', `MSH.4: sending facility ${JSON.stringify(h.sendingFacility)} is not ${JSON.stringify(profile.sendingFacility)}, which this channel expects`, Hl7ErrorCodes.unknownKeyIdentifier, { segment: 'MSH', sequence: 1, field: 4 }));
  }
  if (!prepared.spec && profile.unmappedMessages === 'reject') {
    problems.push(reject('unsupported-type', `MSH.9: no mapping for ${message.type} on this channel`, Hl7ErrorCodes.unsupportedMessageType, { segment: 'MSH', sequence: 1, field: 9 }));
  }
  if (problems.length > 0) return prepared;

  const declared = message.segment('MSH')!.get(21).toUpperCase().replace(/[^A-Z0-9]/g, '').replace(/0$/, '');
  const stricter = DECLARED_PROFILES[declared]?.[`${h.messageCode}^${h.triggerEvent}`];
  for (const name of new Set([...(prepared.spec?.required ?? []), ...(stricter ?? [])])) {
    if (!message.segment(name)) {
      const why = stricter?.includes(name) && !prepared.spec?.required.includes(name) ? ` (required by the declared profile ${message.segment('MSH')!.get(21)}; truncated message?)` : ' (truncated message?)';
      problems.push(reject('segment-missing', `${name}: required segment missing from ${message.type}${why}`, Hl7ErrorCodes.segmentSequence, { segment: name }));
    }
  }
  if (problems.length > 0) return prepared;
  if (!h.controlId) warnings.push('MSH.10: no message control id; duplicates are recognised by content only');
  if (prepared.spec?.patientOptional && !message.segment('PID')) {
    warnings.push(`PID: ${message.type} names no patient; logged, nothing mapped`);
  }
  if (prepared.spec && !prepared.spec.patientOptional && !prepared.spec.required.includes('PID') && !message.segment('PID')) {
    warnings.push(`PID: ${message.type} names no patient; logged, nothing mapped`);
  }

  // EVN-2 (recorded) wins over MSH-7: it says when the change happened at the source, which orders updates.
  const evn = message.segment('EVN');
  const evnTime = evn ? hl7DateTime(evn.get(2), profile.timeZone) : undefined;
  const mshTime = hl7DateTime(h.dateTime, profile.timeZone);
  if (evnTime === null) warnings.push(`EVN.2: ${JSON.stringify(evn?.get(2))} is not an HL7 date/time; MSH-7 used`);
  if (mshTime === null) warnings.push(`MSH.7: ${JSON.stringify(h.dateTime)} is not an HL7 date/time`);
  prepared.sourceTime = evnTime || mshTime || undefined;

  const pid = message.segment('PID');
  if (pid && prepared.spec) prepared.patient = readPatientFacts(message, pid, profile, ods, problems, warnings);
  if (prepared.spec?.merge) {
    const mrg = message.segment('MRG')!;
    // MRG-1 is a PID-3-shaped list of the merged person's identifiers (MRG-7 their name): read it as a PID.
    const asPid = new Hl7Segment('MRG', [[], [['']].map((c) => [c]), mrg.fields[2] ?? [[['']]], mrg.fields[1] ?? [[['']]], [[['']]], mrg.fields[7] ?? [[['']]]], mrg.sequence, message.delimiters);
    const facts = readPatientFacts(message, asPid, profile, ods, [], warnings);
    if (!facts.nhsNumber && facts.localIds.length === 0) {
      problems.push(businessError('no-identifier', 'MRG.1: no prior identifier to merge from', Hl7ErrorCodes.requiredFieldMissing, { segment: 'MRG', sequence: 1, field: 1 }));
    }
    prepared.mergeFrom = facts;
  }
  return prepared;
}

function labelsOf(resource: Record<string, unknown>): Set<SensitivityCode> {
  const labels = new Set<SensitivityCode>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.coding)) {
      for (const c of v.coding as { system?: string; code?: string }[]) for (const l of sensitivityOfCode(c.system, c.code)) labels.add(l);
    }
  };
  for (const key of ['code', 'valueCodeableConcept', 'medicationCodeableConcept', 'vaccineCode', 'reasonCode', 'type', 'conclusionCode']) visit(resource[key]);
  return labels;
}

/** Where a set of resources came from: enough to label them and write their Provenance. */
export interface ResourceSource {
  profile: SourceProfile;
  ods: string;
  metaSource: string;
  sourceTime: string | undefined;
  /** `ADT^A01`, `FHIR Bundle` */
  messageType: string;
  controlId: string;
  /** Who to name as the agent (the sending application). */
  agentDisplay: string;
  /** `hl7v2-message` or `fhir-bundle`: the kind of thing the Provenance entity identifies. */
  entityKind: string;
}

/** The resource source of a prepared HL7 message. */
export function sourceOfMessage(prepared: PreparedMessage): ResourceSource {
  const h = prepared.message.header;
  return {
    profile: prepared.profile,
    ods: prepared.ods,
    metaSource: prepared.metaSource,
    sourceTime: prepared.sourceTime,
    messageType: `HL7 v2 ${prepared.message.type}`,
    controlId: h.controlId,
    agentDisplay: h.sendingApplication || prepared.ods,
    entityKind: 'hl7v2-message',
  };
}

/** Adds meta.source, security labels (from sensitivity rules and the profile) and one Provenance for the message. */
export function finishResources(
  prepared: ResourceSource,
  resources: MappedResource[],
  provenance: { receivedAt: string; contentHash: string },
): MappedResource[] {
  const out: MappedResource[] = [];
  const byRef = new Map<string, Set<SensitivityCode>>();
  resources = resolveParticipants(prepared, resources);
  for (const r of resources) {
    // The person and the people and places of care are not clinical items: they carry no sensitivity labels.
    const clinical = r.resourceType !== 'Patient' && !REFERENCE_DATA_TYPES.has(r.resourceType);
    const labels = clinical ? labelsOf(r) : new Set<SensitivityCode>();
    if (clinical) for (const l of prepared.profile.sensitivity) labels.add(l);
    byRef.set(`${r.resourceType}/${r.id}`, labels);
  }
  // A report is as sensitive as its most sensitive result.
  for (const r of resources) {
    if (r.resourceType !== 'DiagnosticReport' || !Array.isArray(r.result)) continue;
    const mine = byRef.get(`DiagnosticReport/${r.id}`)!;
    for (const ref of r.result as { reference: string }[]) for (const l of byRef.get(ref.reference) ?? []) mine.add(l);
  }
  for (const r of resources) {
    const labels = [...byRef.get(`${r.resourceType}/${r.id}`)!].map((code) => ({ ...Sensitivity[code] }));
    const meta = { ...(r.meta ?? {}), source: prepared.metaSource } as Record<string, unknown>;
    if (labels.length > 0) meta.security = labels;
    out.push({ ...r, meta } as MappedResource);
  }
  if (out.length === 0) return out;
  out.push({
    resourceType: 'Provenance',
    id: stableId('prov', prepared, prepared.controlId, provenance.contentHash),
    meta: { source: prepared.metaSource },
    target: out.map((r) => ({ reference: `${r.resourceType}/${r.id}` })),
    occurredDateTime: prepared.sourceTime,
    recorded: provenance.receivedAt,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE', display: 'revise' }], text: prepared.messageType },
    agent: [
      {
        type: { coding: [{ system: CodeSystems.provenanceParticipant, code: 'author', display: 'Author' }] },
        who: { identifier: { system: ODS_CODE_SYSTEM, value: prepared.ods }, display: prepared.agentDisplay },
      },
    ],
    entity: [
      {
        role: 'source',
        what: {
          identifier: { system: `https://openidcr.org/Id/${prepared.entityKind}/${encodeURIComponent(prepared.ods)}`, value: prepared.controlId },
          display: `${prepared.messageType} ${prepared.controlId} (sha256 ${provenance.contentHash.slice(0, 12)})`,
        },
      },
    ],
  } as MappedResource);
  if (!prepared.sourceTime) delete (out.at(-1) as Record<string, unknown>).occurredDateTime;
  return out;
}
