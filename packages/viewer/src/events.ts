import type { Patient } from '@openidcr/model';

/** `idcr-patient-selected`: a person was chosen (search result, virtual ward row). */
export interface PatientSelectedDetail {
  patientId: string | undefined;
  nhsNumber: string | undefined;
  patient?: Patient;
}

/** `idcr-access-denied`: the server refused; `breakGlassAvailable` says whether emergency access may be asked. */
export interface AccessDeniedDetail {
  patientId: string | undefined;
  message: string;
  breakGlassAvailable: boolean;
}

/** `idcr-break-glass-request`: the person asked to open a record in an emergency. */
export interface BreakGlassRequestDetail {
  patientId: string | undefined;
}

/** `idcr-break-glass-granted`: the server granted emergency access. */
export interface BreakGlassGrantedDetail {
  patientId: string;
  reason: string;
}

/** `idcr-search`: a valid search was submitted. */
export type PatientSearchDetail = { by: 'nhs-number'; nhsNumber: string } | { by: 'name'; family: string; given: string; birthDate: string };

/** `idcr-record-loaded`: the record finished loading. */
export interface RecordLoadedDetail {
  patientId: string;
  resources: number;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'idcr-patient-selected': CustomEvent<PatientSelectedDetail>;
    'idcr-access-denied': CustomEvent<AccessDeniedDetail>;
    'idcr-break-glass-request': CustomEvent<BreakGlassRequestDetail>;
    'idcr-break-glass-granted': CustomEvent<BreakGlassGrantedDetail>;
    'idcr-break-glass-cancel': CustomEvent<Record<string, never>>;
    'idcr-search': CustomEvent<PatientSearchDetail>;
    'idcr-record-loaded': CustomEvent<RecordLoadedDetail>;
  }
}

/** Dispatches a typed, bubbling, composed event. */
export function emit<K extends keyof GlobalEventHandlersEventMap>(
  target: EventTarget,
  type: K,
  detail: GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: true }));
}
