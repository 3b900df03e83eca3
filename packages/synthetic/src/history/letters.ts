import { formatNhsNumber } from '@openidcr/model';
import type { DocumentItem, Person } from './model.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 12-Mar-1960, the NHS clinical date format. */
export function clinicalDate(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCDate()).padStart(2, '0')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

function header(person: Person): string[] {
  return [
    `Patient: ${person.family.toUpperCase()}, ${person.given.join(' ')}${person.prefix ? ` (${person.prefix})` : ''}`,
    `NHS No. ${formatNhsNumber(person.nhsNumber)}   Born ${clinicalDate(person.birthMs)}`,
    `Address: ${[...person.address.line, person.address.city, person.address.postalCode].join(', ')}`,
    `GP: ${person.gp.name}, ${person.practice.name} (${person.practice.ods})`,
  ];
}

function medicationLines(person: Person, atMs: number): string[] {
  const current = person.medications.filter((m) => m.startMs <= atMs && (m.endMs === undefined || m.endMs > atMs));
  if (current.length === 0) return ['  None'];
  return current.map((m) => `  ${m.medicine.display} - ${m.medicine.dose}`);
}

function allergyLine(person: Person): string {
  if (person.allergyStatus === 'nka') return 'Allergies: No known allergies';
  if (person.allergyStatus === 'none') return 'Allergies: Not recorded';
  return `Allergies: ${person.allergies.map((a) => `${a.def.display} (${a.reaction.display.toLowerCase()})`).join('; ')}`;
}

/** The plain-text lines of a discharge summary. */
export function dischargeSummaryLines(person: Person, doc: DocumentItem): string[] {
  const admission = doc.admission;
  if (!admission || admission.dischargedMs === undefined) return [];
  const wards = admission.wards.map((w) => w.ward).join(' -> ') || 'Acute Medical Unit';
  return [
    `DISCHARGE SUMMARY - ${doc.org.name}`,
    ...header(person),
    `Admitted ${clinicalDate(admission.admittedMs)}, discharged ${clinicalDate(admission.dischargedMs)}. Ward(s): ${wards}`,
    `Consultant: ${admission.consultant.name}`,
    `Primary diagnosis: ${admission.problem?.def.display ?? 'Unwell, cause not established'}`,
    allergyLine(person),
    'Medications on discharge:',
    ...medicationLines(person, admission.dischargedMs),
    'Actions for GP: please review in 2/52 & repeat U&E; results pending at discharge will be sent to you.',
    `Signed: ${doc.author.name}`,
  ];
}

/** The plain-text lines of an outpatient clinic letter to the GP. */
export function clinicLetterLines(person: Person, doc: DocumentItem): string[] {
  const appt = doc.appointment;
  if (!appt) return [];
  const problem = appt.referral?.problem.def.display ?? appt.service;
  return [
    `${appt.service.toUpperCase()} CLINIC - ${doc.org.name}`,
    ...header(person),
    `Seen in clinic on ${clinicalDate(appt.startMs)} by ${appt.clinician.name}.`,
    `Dear ${person.gp.name},`,
    `Thank you for referring this patient with ${problem.toLowerCase()}. Examination today was reassuring.`,
    allergyLine(person),
    'Current medication:',
    ...medicationLines(person, appt.startMs),
    'Plan: continue current treatment; we will see them again in 3-6 months | sooner if concerned.',
    `Yours sincerely, ${doc.author.name}`,
  ];
}
