import { CodeSystems } from '@openidcr/model';

/**
 * The curated dm+d list: Virtual Medicinal Products (VMPs) with their dm+d names. Each id was checked against a
 * published source (OpenCodelists dm+d lists, NHS sample records, terminology-server examples); medicines whose id
 * could not be checked were left out rather than guessed (so, for example, there is no levothyroxine or insulin).
 */
export interface Medicine {
  key: string;
  code: string;
  display: string;
  /** Dose instruction as a prescriber writes it. */
  dose: string;
  /** HL7 v2 give amount/units for RXE: amount, unit (e.g. 1, 'tablet'). */
  amount: number;
  unit: 'tablet' | 'capsule' | 'dose';
  /** Course length in days for acute prescriptions; undefined for repeats. */
  courseDays?: number;
}

const m = (key: string, code: string, display: string, dose: string, amount: number, unit: Medicine['unit'], courseDays?: number): Medicine =>
  courseDays === undefined ? { key, code, display, dose, amount, unit } : { key, code, display, dose, amount, unit, courseDays };

export const MEDICINES: readonly Medicine[] = [
  m('metformin500', '325278007', 'Metformin 500mg tablets', 'One tablet twice a day with meals', 1, 'tablet'),
  m('amlodipine5', '319283006', 'Amlodipine 5mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('simvastatin40', '320000009', 'Simvastatin 40mg tablets', 'One tablet at night', 1, 'tablet'),
  m('aspirin75', '319773006', 'Aspirin 75mg dispersible tablets', 'One tablet once a day', 1, 'tablet'),
  m('paracetamol500', '322236009', 'Paracetamol 500mg tablets', 'Two tablets up to four times a day when required', 2, 'tablet'),
  m('amoxicillin250', '323509004', 'Amoxicillin 250mg capsules', 'Two capsules three times a day for 5 days', 2, 'capsule', 5),
  m('amoxicillin250child', '323509004', 'Amoxicillin 250mg capsules', 'One capsule three times a day for 5 days', 1, 'capsule', 5),
  m('furosemide40', '317972000', 'Furosemide 40mg tablets', 'One tablet each morning', 1, 'tablet'),
  m('furosemide20', '317971007', 'Furosemide 20mg tablets', 'One tablet each morning', 1, 'tablet'),
  m('salbutamol', '39113611000001102', 'Salbutamol 100micrograms/dose inhaler CFC free', 'Two puffs up to four times a day when required', 2, 'dose'),
  m('ramipril5', '318902004', 'Ramipril 5mg capsules', 'One capsule once a day', 1, 'capsule'),
  m('ramipril10', '318906001', 'Ramipril 10mg capsules', 'One capsule once a day', 1, 'capsule'),
  m('lisinopril5', '318858008', 'Lisinopril 5mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('lisinopril10', '318859000', 'Lisinopril 10mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('losartan50', '318956006', 'Losartan 50mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('candesartan8', '318979007', 'Candesartan 8mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('candesartan16', '318980005', 'Candesartan 16mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('bisoprolol5', '318590006', 'Bisoprolol 5mg tablets', 'One tablet each morning', 1, 'tablet'),
  m('bisoprolol10', '318591005', 'Bisoprolol 10mg tablets', 'One tablet each morning', 1, 'tablet'),
  m('spironolactone25', '318056008', 'Spironolactone 25mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('tramadol50', '322623000', 'Tramadol 50mg capsules', 'One or two capsules up to four times a day when required', 1, 'capsule'),
  m('codeine60', '322504003', 'Codeine 60mg tablets', 'One tablet up to four times a day when required', 1, 'tablet'),
  m('naproxen500', '329807003', 'Naproxen 500mg tablets', 'One tablet twice a day with food', 1, 'tablet'),
  m('citalopram20', '321987003', 'Citalopram 20mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('citalopram10', '321989000', 'Citalopram 10mg tablets', 'One tablet once a day', 1, 'tablet'),
  m('fluoxetine20', '321949006', 'Fluoxetine 20mg capsules', 'One capsule once a day', 1, 'capsule'),
];

const byKey = new Map(MEDICINES.map((medicine) => [medicine.key, medicine]));

/** The medicine with this key; throws on an unknown key, which is a programming error in the curated lists. */
export function medicine(key: string): Medicine {
  const found = byKey.get(key);
  if (!found) throw new Error(`unknown medicine key ${key}`);
  return found;
}

/** The dm+d coding of a medicine. */
export function medicineCoding(med: Medicine): { system: string; code: string; display: string } {
  return { system: CodeSystems.dmd, code: med.code, display: med.display };
}
