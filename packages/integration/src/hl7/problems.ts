/**
 * Problems a source system can cause, as values. `severity` decides the acknowledgement: `reject` (AR/CR: the message
 * could not be read or is not for us) or `error` (AE/CE: it was read but could not be applied).
 */

/** HL7 table 0357 (message error condition codes) used in ERR-3 and ERR-1.4. */
export const Hl7ErrorCodes = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataTypeError: 102,
  tableValueNotFound: 103,
  unsupportedMessageType: 200,
  unsupportedEventCode: 201,
  unsupportedProcessingId: 202,
  unsupportedVersionId: 203,
  unknownKeyIdentifier: 204,
  duplicateKeyIdentifier: 205,
  applicationRecordLocked: 206,
  applicationInternalError: 207,
} as const;

/** Where in a message a problem sits (HL7 ERL data type: segment, sequence, field, repetition, component). */
export interface Hl7Location {
  segment: string;
  /** 1-based occurrence of the segment in the message. */
  sequence?: number | undefined;
  field?: number | undefined;
  repetition?: number | undefined;
  component?: number | undefined;
}

export interface Hl7Problem {
  /** Stable machine code, e.g. `msh-encoding-characters`, `field-invalid`. */
  code: string;
  /** Human message naming the field, e.g. `PID.7: "Aug 15, 1942" is not an HL7 date`. */
  message: string;
  severity: 'reject' | 'error';
  /** HL7 table 0357 code for the ERR segment. */
  hl7Code: number;
  location?: Hl7Location | undefined;
}

export function reject(code: string, message: string, hl7Code: number, location?: Hl7Location): Hl7Problem {
  return { code, message, severity: 'reject', hl7Code, location };
}

export function businessError(code: string, message: string, hl7Code: number, location?: Hl7Location): Hl7Problem {
  return { code, message, severity: 'error', hl7Code, location };
}

/** `PID.7` or `PID.3.1` for messages and for ERR text. */
export function fieldName(location: Hl7Location): string {
  let name = location.segment;
  if (location.field !== undefined) name += `.${location.field}`;
  if (location.component !== undefined) name += `.${location.component}`;
  return name;
}
