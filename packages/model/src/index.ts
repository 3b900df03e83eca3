export * from './identifiers/nhs-number.js';
export * from './identifiers/ods.js';
export * from './codes/systems.js';
export * from './codes/security-labels.js';
export * from './codes/sensitive-codes.js';
export * from './headings/headings.js';
export * from './ingest/contract.js';
export * from './fhir/index.js';
