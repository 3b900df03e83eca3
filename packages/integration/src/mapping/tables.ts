import type { Hl7Table } from './datatypes.js';

const v2 = (table: string) => `http://terminology.hl7.org/CodeSystem/v2-${table}`;

/** HL7 table 0270, document type (TXA-2): a letter's type in words, not `DS`. */
export const DOCUMENT_TYPE: Hl7Table = {
  system: v2('0270'),
  codes: {
    AR: 'Autopsy report',
    CD: 'Cardiodiagnostics',
    CN: 'Consultation',
    DI: 'Diagnostic imaging',
    DS: 'Discharge summary',
    ED: 'Emergency department report',
    HP: 'History and physical examination',
    OP: 'Operative report',
    PC: 'Psychiatric consultation',
    PH: 'Psychiatric history and physical examination',
    PN: 'Procedure note',
    PR: 'Progress note',
    SP: 'Surgical pathology',
    TS: 'Transfer summary',
  },
};

/** HL7 table 0276, appointment reason (SCH-7). */
export const APPOINTMENT_REASON: Hl7Table = {
  system: v2('0276'),
  codes: { CHECKUP: 'A routine check-up', EMERGENCY: 'Emergency appointment', FOLLOWUP: 'A follow up visit from a previous appointment', ROUTINE: 'Routine appointment', WALKIN: 'A previously unscheduled walk-in visit' },
};

/** HL7 table 0277, appointment type (SCH-8). */
export const APPOINTMENT_TYPE: Hl7Table = {
  system: v2('0277'),
  codes: { Complete: 'Request to add a completed appointment', Normal: 'Routine schedule request type', Tentative: 'A request for a tentative appointment' },
};

/** No HL7 table: a bare code is kept under the sender's own system for the field (`.../local/<ODS>/SCH-6`). */
export const SENDER_CODES: Hl7Table = { system: '', codes: {} };

/** The table's own spelling of a code, matched without regard to case, or undefined when the table lacks it. */
export function tableCode(table: Hl7Table, code: string): string | undefined {
  const upper = code.toUpperCase();
  return Object.keys(table.codes).find((k) => k.toUpperCase() === upper);
}
