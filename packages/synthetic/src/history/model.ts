import type { SensitivityCode } from '@openidcr/model';
import type { SyntheticOrganisation, SyntheticUser } from '../locality/locality.js';
import type { ConditionDef } from '../terminology/conditions.js';
import type { Medicine } from '../terminology/medicines.js';
import type { AllergyDef, Coded, VaccineDef } from '../terminology/clinical.js';
import type { LabPanel, LabTest } from '../terminology/labs.js';

/**
 * One person's history as plain facts. Both renderers (FHIR resources and HL7 v2 messages) read this, so the two
 * outputs always tell the same story. Times are UTC milliseconds.
 */
export interface Person {
  seed: number;
  index: number;
  id: string;
  nhsNumber: string;
  family: string;
  given: string[];
  prefix: string;
  gender: 'male' | 'female' | 'unknown';
  birthMs: number;
  address: { line: string[]; city: string; district: string; postalCode: string };
  phone: string;
  mobile?: string;
  practice: SyntheticOrganisation;
  gp: SyntheticUser;
  registeredMs: number;
  /** Local identifiers by organisation ODS code (hospital MRN, council case number, ...). */
  localIds: Record<string, string>;
  problems: Problem[];
  medications: MedicationCourse[];
  /** `nka`: an explicit "no known allergy" record; `none`: nothing recorded. */
  allergyStatus: 'known' | 'nka' | 'none';
  allergies: AllergyItem[];
  allergyRecordedMs: number;
  immunisations: ImmunisationItem[];
  reports: LabReport[];
  admissions: Admission[];
  referrals: Referral[];
  appointments: AppointmentItem[];
  documents: DocumentItem[];
  episodes: CareEpisode[];
  /** When the GP system last sent a summary update (A31). */
  summaryUpdatedMs: number;
}

export interface Item {
  /** Sequence number within the person, for stable ids. */
  n: number;
  labels: SensitivityCode[];
}

export interface Problem extends Item {
  def: ConditionDef;
  onsetMs: number;
  abatementMs?: number;
  recordedBy: SyntheticUser;
  org: SyntheticOrganisation;
}

export interface MedicationCourse extends Item {
  medicine: Medicine;
  problem: Problem;
  startMs: number;
  endMs?: number;
  status: 'active' | 'completed' | 'stopped';
  prescriber: SyntheticUser;
  org: SyntheticOrganisation;
  /** Prescription number (ORC-2). */
  orderNumber: string;
}

export interface AllergyItem extends Item {
  def: AllergyDef;
  reaction: Coded;
  severity: 'mild' | 'moderate' | 'severe';
  recordedMs: number;
}

export interface ImmunisationItem extends Item {
  def: VaccineDef;
  atMs: number;
  by: SyntheticUser;
  org: SyntheticOrganisation;
  lot: string;
}

export interface LabResult {
  n: number;
  test: LabTest;
  /** Numeric value, or a coded presence result. */
  value: number | { code: string; display: string };
  /** The text as the lab prints it, when not a plain number (e.g. eGFR `>90`). */
  text?: string;
  flag?: 'H' | 'L' | 'A';
  low?: number;
  high?: number;
}

export interface LabReport extends Item {
  panel: LabPanel;
  collectedMs: number;
  reportedMs: number;
  requester: SyntheticUser;
  requesterOrg: SyntheticOrganisation;
  lab: SyntheticOrganisation;
  results: LabResult[];
  comment?: string;
  accession: string;
  /** The admission during which the sample was taken, for inpatient requests. */
  admission?: Admission;
}

export interface Admission extends Item {
  problem?: Problem;
  admittedMs: number;
  dischargedMs?: number;
  wards: Array<{ ward: string; bed: string; fromMs: number }>;
  consultant: SyntheticUser;
  org: SyntheticOrganisation;
  visitNumber: string;
  /** A PAS update (A08) recorded during the stay. */
  updateMs?: number;
}

export interface Referral extends Item {
  problem: Problem;
  authoredMs: number;
  from: SyntheticUser;
  fromOrg: SyntheticOrganisation;
  to: SyntheticOrganisation;
  specialty: string;
  priority: 'routine' | 'urgent';
  status: 'active' | 'completed';
  referralId: string;
}

export interface AppointmentItem extends Item {
  org: SyntheticOrganisation;
  clinician: SyntheticUser;
  service: string;
  location: string;
  startMs: number;
  minutes: number;
  status: 'booked' | 'fulfilled' | 'cancelled' | 'noshow';
  /** When the booking was made (SIU S12). */
  bookedMs: number;
  referral?: Referral;
  appointmentId: string;
}

export interface DocumentItem extends Item {
  kind: 'discharge-summary' | 'clinic-letter';
  org: SyntheticOrganisation;
  author: SyntheticUser;
  atMs: number;
  title: string;
  lines: string[];
  admission?: Admission;
  appointment?: AppointmentItem;
  documentNumber: string;
}

export interface CareEpisode extends Item {
  kind: 'social-care' | 'mental-health' | 'community';
  org: SyntheticOrganisation;
  manager: SyntheticUser;
  service: string;
  startMs: number;
  endMs?: number;
  problem?: Problem;
}
