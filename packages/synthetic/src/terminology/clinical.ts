/** Allergies, reactions, vaccinations, documents and other coded items the history uses (SNOMED CT). */

export interface Coded {
  code: string;
  display: string;
}

export interface AllergyDef extends Coded {
  category: 'medication' | 'food' | 'environment';
  /** HL7 v2 table 0127 allergen type: DA drug, FA food, EA environmental. */
  v2Type: 'DA' | 'FA' | 'EA';
  reactions: readonly Coded[];
  /** Medicine keys that must not be prescribed to someone with this allergy. */
  excludes?: readonly string[];
}

/** The "no known allergies" assertion: an AllergyIntolerance with this code. */
export const NO_KNOWN_ALLERGY: Coded = { code: '716186003', display: 'No known allergy' };

const RASH: Coded = { code: '271807003', display: 'Eruption of skin' };
const ANAPHYLAXIS: Coded = { code: '39579001', display: 'Anaphylaxis' };
const URTICARIA: Coded = { code: '126485001', display: 'Urticaria' };
const DYSPNOEA: Coded = { code: '267036007', display: 'Dyspnoea' };
const ANGIOEDEMA: Coded = { code: '41291007', display: 'Angioedema' };
const SNEEZING: Coded = { code: '76067001', display: 'Sneezing' };
const ITCHING: Coded = { code: '418290006', display: 'Itching' };

export const ALLERGIES: readonly AllergyDef[] = [
  { code: '91936005', display: 'Allergy to penicillin', category: 'medication', v2Type: 'DA', reactions: [RASH, URTICARIA, ANAPHYLAXIS],
    excludes: ['amoxicillin250', 'amoxicillin250child'] },
  { code: '293586001', display: 'Allergy to aspirin', category: 'medication', v2Type: 'DA', reactions: [URTICARIA, DYSPNOEA, ANGIOEDEMA],
    excludes: ['aspirin75', 'naproxen500'] },
  { code: '91935009', display: 'Allergy to peanuts', category: 'food', v2Type: 'FA', reactions: [ANAPHYLAXIS, URTICARIA, ANGIOEDEMA] },
  { code: '300913006', display: 'Shellfish allergy', category: 'food', v2Type: 'FA', reactions: [URTICARIA, ANGIOEDEMA] },
  { code: '91930004', display: 'Allergy to eggs', category: 'food', v2Type: 'FA', reactions: [RASH, URTICARIA] },
  { code: '418689008', display: 'Allergy to grass pollen', category: 'environment', v2Type: 'EA', reactions: [SNEEZING, ITCHING] },
  { code: '232350006', display: 'House dust mite allergy', category: 'environment', v2Type: 'EA', reactions: [SNEEZING, DYSPNOEA] },
  { code: '300916003', display: 'Latex allergy', category: 'environment', v2Type: 'EA', reactions: [RASH, ITCHING, ANAPHYLAXIS] },
];

/** Vaccinations as GP systems record them: the SNOMED CT vaccination procedure, with the vaccine's plain name. */
export interface VaccineDef extends Coded {
  key: string;
  vaccine: string;
  route: 'IM' | 'SC';
}

export const VACCINES: readonly VaccineDef[] = [
  { key: 'flu', code: '86198006', display: 'Influenza vaccination', vaccine: 'Seasonal influenza vaccine', route: 'IM' },
  { key: 'pneumo', code: '12866006', display: 'Pneumococcal vaccination', vaccine: 'Pneumococcal polysaccharide vaccine', route: 'IM' },
  { key: 'mmr', code: '38598009', display: 'Measles, mumps and rubella vaccination', vaccine: 'Measles, mumps and rubella vaccine', route: 'SC' },
  { key: 'hpv', code: '428570002', display: 'Human papillomavirus vaccination', vaccine: 'Human papillomavirus vaccine', route: 'IM' },
  { key: 'shingles', code: '722215002', display: 'Administration of vaccine product containing only Human alphaherpesvirus 3 antigen', vaccine: 'Shingles vaccine', route: 'IM' },
  { key: 'covid', code: '1324681000000101', display: 'Administration of first dose of severe acute respiratory syndrome coronavirus 2 vaccine', vaccine: 'COVID-19 mRNA vaccine', route: 'IM' },
  { key: 'bcg', code: '42284007', display: 'BCG vaccination', vaccine: 'Bacillus Calmette-Guerin vaccine', route: 'SC' },
];

export const DOCUMENT_TYPES = {
  dischargeSummary: { code: '373942005', display: 'Discharge summary' },
  clinicLetter: { code: '371531000', display: 'Report of clinical encounter' },
} as const;

/** Referral (ServiceRequest.code). */
export const PATIENT_REFERRAL: Coded = { code: '3457005', display: 'Patient referral' };
/** Hospital admission (Encounter.type). */
export const HOSPITAL_ADMISSION: Coded = { code: '32485007', display: 'Hospital admission' };

/** Why someone was admitted, by condition key, and the wards that take them. Ward names are as a PAS shows them. */
export const WARDS_BY_CONDITION: Record<string, readonly string[]> = {
  pneumonia: ['Respiratory Ward 12', 'Acute Medical Unit'],
  copd: ['Respiratory Ward 12', 'Acute Medical Unit'],
  'fractured-nof': ['Trauma & Orthopaedics Ward 7'],
  hf: ['Cardiology Ward 4', 'Acute Medical Unit'],
  af: ['Cardiology Ward 4'],
  ihd: ['Coronary Care Unit', 'Cardiology Ward 4'],
  stroke: ['Stroke Unit'],
  uti: ['Elderly Care Ward 3', 'Acute Medical Unit'],
  schizophrenia: ['Acute Medical Unit'],
};

/** Outpatient clinics of the acute trust, by specialty. */
export const CLINICS: readonly string[] = ['Cardiology', 'Respiratory medicine', 'Diabetes', 'Trauma and orthopaedics', 'Nephrology', 'Neurology', 'General medicine', 'Ophthalmology', 'Dermatology'];
