export * from './hl7/delimiters.js';
export * from './hl7/escape.js';
export * from './hl7/problems.js';
export * from './hl7/split.js';
export * from './hl7/message.js';
export * from './hl7/writer.js';
export * from './hl7/ack.js';
