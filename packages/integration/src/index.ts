// HL7 v2: reading and writing
export * from './hl7/delimiters.js';
export * from './hl7/escape.js';
export * from './hl7/problems.js';
export * from './hl7/split.js';
export * from './hl7/message.js';
export * from './hl7/writer.js';
export * from './hl7/ack.js';
// Source profiles
export * from './profiles/profile.js';
export * from './profiles/shipped.js';
// HL7 v2 → FHIR
export type { MappedResource, MappingContext, PatientFacts } from './mapping/context.js';
export { stableId } from './mapping/context.js';
export { hl7DateTime, hl7Date } from './mapping/datatypes.js';
export { specFor, supportedMessageTypes, prepareMessage, finishResources, sourceOfMessage, sourceOrganisation, type MessageSpec, type PreparedMessage, type ResourceSource } from './mapping/index.js';
// Master patient index
export * from './mpi/matching.js';
export * from './mpi/mpi.js';
// Durable ingest
export * from './ingest/keyed-lock.js';
export * from './ingest/memory.js';
export * from './ingest/ingestor.js';
export * from './ingest/fhir-bundle.js';
export * from './ingest/relationships.js';
// Transport
export * from './mllp/framing.js';
export * from './mllp/server.js';
export * from './mllp/client.js';
export * from './http/hl7-endpoint.js';
export * from './fhir/http-sink.js';
