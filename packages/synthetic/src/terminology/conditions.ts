/**
 * The curated problem list: SNOMED CT disorders with their UK preferred terms, how common each is by age band,
 * the medicines that treat it (keys into MEDICINES), the tests that monitor it (keys into LAB_PANELS) and which
 * service manages it. Codes in the model's SensitiveCodeLists (mental health, sexual health, HIV) are used as they
 * are there, so the labels the generator puts on them are the ones governance expects.
 */
export type Manager = 'gp' | 'mental-health';

export interface ConditionDef {
  key: string;
  code: string;
  display: string;
  /** Probability of having it by age band: <18, 18-39, 40-64, 65-79, 80+. */
  prevalence: readonly [number, number, number, number, number];
  sex?: 'male' | 'female';
  /** Prevalence multiplier for the other sex when `sex` is set (0 = never). */
  otherSexFactor?: number;
  minAge: number;
  maxAge?: number;
  /** Alternative treatment regimens; one is chosen per patient (may be empty: managed without medicines). */
  regimens: readonly (readonly string[])[];
  panels: readonly string[];
  manager: Manager;
  /** A specialty the GP may have referred to, with the receiving organisation kind. */
  referral?: { specialty: string; to: 'acute' | 'mental-health' | 'community' };
  /** Resolved episodes (infections) rather than lifelong problems. */
  resolves?: boolean;
  /** Chance that the problem led to a hospital admission at some point. */
  admissionChance?: number;
}

const c = (def: ConditionDef): ConditionDef => def;

export const CONDITIONS: readonly ConditionDef[] = [
  c({ key: 'hypertension', code: '38341003', display: 'Hypertension', prevalence: [0, 0.04, 0.2, 0.45, 0.6], minAge: 25,
    regimens: [['amlodipine5'], ['ramipril5'], ['lisinopril10'], ['losartan50'], ['amlodipine5', 'ramipril10'], ['candesartan8']],
    panels: ['ue'], manager: 'gp' }),
  c({ key: 't2dm', code: '44054006', display: 'Type 2 diabetes mellitus', prevalence: [0, 0.02, 0.08, 0.16, 0.18], minAge: 25,
    regimens: [['metformin500'], ['metformin500', 'simvastatin40']], panels: ['hba1c', 'ue', 'lipids'], manager: 'gp',
    referral: { specialty: 'Diabetes', to: 'acute' } }),
  c({ key: 'asthma', code: '195967001', display: 'Asthma', prevalence: [0.09, 0.08, 0.07, 0.07, 0.06], minAge: 3,
    regimens: [['salbutamol']], panels: [], manager: 'gp' }),
  c({ key: 'copd', code: '13645005', display: 'Chronic obstructive lung disease', prevalence: [0, 0.005, 0.04, 0.09, 0.1], minAge: 40,
    regimens: [['salbutamol']], panels: ['fbc'], manager: 'gp', referral: { specialty: 'Respiratory medicine', to: 'acute' },
    admissionChance: 0.35 }),
  c({ key: 'af', code: '49436004', display: 'Atrial fibrillation', prevalence: [0, 0, 0.02, 0.07, 0.15], minAge: 40,
    regimens: [['bisoprolol5'], ['bisoprolol10']], panels: ['ue', 'fbc'], manager: 'gp', referral: { specialty: 'Cardiology', to: 'acute' },
    admissionChance: 0.2 }),
  c({ key: 'ihd', code: '414545008', display: 'Ischaemic heart disease', prevalence: [0, 0.002, 0.03, 0.1, 0.15], minAge: 35,
    regimens: [['aspirin75', 'simvastatin40', 'bisoprolol5'], ['aspirin75', 'simvastatin40']], panels: ['lipids', 'ue'], manager: 'gp',
    referral: { specialty: 'Cardiology', to: 'acute' }, admissionChance: 0.3 }),
  c({ key: 'hf', code: '84114007', display: 'Heart failure', prevalence: [0, 0, 0.008, 0.04, 0.08], minAge: 45,
    regimens: [['furosemide40', 'ramipril5', 'bisoprolol5'], ['furosemide20', 'candesartan8', 'spironolactone25']],
    panels: ['ue', 'ntprobnp'], manager: 'gp', referral: { specialty: 'Cardiology', to: 'acute' }, admissionChance: 0.5 }),
  c({ key: 'stroke', code: '230690007', display: 'Cerebrovascular accident', prevalence: [0, 0, 0.01, 0.04, 0.08], minAge: 40,
    regimens: [['aspirin75', 'simvastatin40']], panels: ['lipids'], manager: 'gp', admissionChance: 0.9 }),
  c({ key: 'ckd', code: '709044004', display: 'Chronic kidney disease', prevalence: [0, 0.005, 0.03, 0.12, 0.25], minAge: 30,
    regimens: [['ramipril5'], []], panels: ['ue', 'fbc'], manager: 'gp', referral: { specialty: 'Nephrology', to: 'acute' } }),
  c({ key: 'hypothyroid', code: '40930008', display: 'Hypothyroidism', prevalence: [0.001, 0.01, 0.04, 0.06, 0.07], sex: 'female',
    otherSexFactor: 0.2, minAge: 10, regimens: [[]], panels: ['tft'], manager: 'gp' }),
  c({ key: 'oa', code: '396275006', display: 'Osteoarthritis', prevalence: [0, 0.01, 0.1, 0.25, 0.35], minAge: 35,
    regimens: [['paracetamol500'], ['paracetamol500', 'naproxen500'], ['codeine60'], ['tramadol50']], panels: [], manager: 'gp',
    referral: { specialty: 'Trauma and orthopaedics', to: 'acute' } }),
  c({ key: 'hyperlipidaemia', code: '55822004', display: 'Hyperlipidaemia', prevalence: [0, 0.02, 0.12, 0.2, 0.2], minAge: 20,
    regimens: [['simvastatin40']], panels: ['lipids', 'lft'], manager: 'gp' }),
  c({ key: 'depression', code: '35489007', display: 'Depressive disorder', prevalence: [0.01, 0.08, 0.08, 0.06, 0.05], minAge: 12,
    regimens: [['citalopram20'], ['fluoxetine20'], []], panels: [], manager: 'gp',
    referral: { specialty: 'Talking therapies', to: 'mental-health' } }),
  c({ key: 'anxiety', code: '197480006', display: 'Anxiety disorder', prevalence: [0.02, 0.07, 0.06, 0.04, 0.03], minAge: 8,
    regimens: [['citalopram10'], []], panels: [], manager: 'gp' }),
  c({ key: 'schizophrenia', code: '58214004', display: 'Schizophrenia', prevalence: [0, 0.005, 0.005, 0.003, 0.002], minAge: 16,
    regimens: [[]], panels: ['lipids', 'hba1c'], manager: 'mental-health', referral: { specialty: 'Community mental health team', to: 'mental-health' },
    admissionChance: 0.2 }),
  c({ key: 'bipolar', code: '13746004', display: 'Bipolar disorder', prevalence: [0, 0.008, 0.008, 0.005, 0.003], minAge: 16,
    regimens: [[]], panels: ['tft', 'ue'], manager: 'mental-health', referral: { specialty: 'Community mental health team', to: 'mental-health' } }),
  c({ key: 'dementia', code: '52448006', display: 'Dementia', prevalence: [0, 0, 0.003, 0.04, 0.2], minAge: 55,
    regimens: [[]], panels: ['fbc', 'tft'], manager: 'gp', referral: { specialty: 'Memory assessment service', to: 'mental-health' } }),
  c({ key: 'epilepsy', code: '84757009', display: 'Epilepsy', prevalence: [0.005, 0.008, 0.008, 0.007, 0.006], minAge: 1,
    regimens: [[]], panels: [], manager: 'gp', referral: { specialty: 'Neurology', to: 'acute' } }),
  c({ key: 'obesity', code: '414916001', display: 'Obesity', prevalence: [0.05, 0.15, 0.25, 0.22, 0.12], minAge: 5,
    regimens: [[]], panels: ['hba1c'], manager: 'gp' }),
  c({ key: 'osteoporosis', code: '64859006', display: 'Osteoporosis', prevalence: [0, 0, 0.03, 0.12, 0.22], sex: 'female',
    otherSexFactor: 0.25, minAge: 45, regimens: [[]], panels: [], manager: 'gp' }),
  c({ key: 'gord', code: '235595009', display: 'Gastro-oesophageal reflux disease', prevalence: [0.005, 0.04, 0.08, 0.1, 0.1], minAge: 10,
    regimens: [[]], panels: [], manager: 'gp' }),
  c({ key: 'migraine', code: '37796009', display: 'Migraine', prevalence: [0.02, 0.1, 0.08, 0.03, 0.01], minAge: 8,
    regimens: [['paracetamol500']], panels: [], manager: 'gp' }),
  c({ key: 'frailty', code: '248279007', display: 'Frailty', prevalence: [0, 0, 0, 0.1, 0.35], minAge: 65,
    regimens: [[]], panels: ['fbc'], manager: 'gp', referral: { specialty: 'Community frailty service', to: 'community' } }),
  c({ key: 'learning-disability', code: '110359009', display: 'Intellectual disability', prevalence: [0.004, 0.004, 0.004, 0.003, 0.002],
    minAge: 2, regimens: [[]], panels: [], manager: 'gp' }),
  c({ key: 'hiv', code: '86406008', display: 'Human immunodeficiency virus infection', prevalence: [0, 0.002, 0.002, 0.001, 0],
    minAge: 18, regimens: [[]], panels: ['fbc', 'lft'], manager: 'gp' }),
  c({ key: 'genital-herpes', code: '33839006', display: 'Genital herpes simplex', prevalence: [0, 0.015, 0.008, 0, 0], minAge: 16,
    regimens: [[]], panels: [], manager: 'gp' }),
  // Resolved episodes.
  c({ key: 'chlamydia', code: '105629000', display: 'Chlamydial infection', prevalence: [0.005, 0.05, 0.01, 0, 0], minAge: 16, maxAge: 55,
    regimens: [[]], panels: ['sti'], manager: 'gp', resolves: true }),
  c({ key: 'gonorrhoea', code: '15628003', display: 'Gonorrhoea', prevalence: [0, 0.012, 0.004, 0, 0], minAge: 16, maxAge: 55,
    regimens: [[]], panels: ['sti'], manager: 'gp', resolves: true }),
  c({ key: 'uti', code: '68566005', display: 'Urinary tract infectious disease', prevalence: [0.02, 0.08, 0.08, 0.12, 0.2], sex: 'female',
    otherSexFactor: 0.3, minAge: 1, regimens: [[]], panels: ['ue', 'crp'], manager: 'gp', resolves: true, admissionChance: 0.05 }),
  c({ key: 'bronchitis', code: '10509002', display: 'Acute bronchitis', prevalence: [0.05, 0.08, 0.1, 0.12, 0.15], minAge: 16,
    regimens: [['amoxicillin250']], panels: ['crp'], manager: 'gp', resolves: true }),
  c({ key: 'otitis-media', code: '65363002', display: 'Otitis media', prevalence: [0.3, 0, 0, 0, 0], minAge: 1, maxAge: 15,
    regimens: [['amoxicillin250child'], []], panels: [], manager: 'gp', resolves: true }),
  c({ key: 'pneumonia', code: '233604007', display: 'Pneumonia', prevalence: [0.01, 0.01, 0.02, 0.05, 0.1], minAge: 1,
    regimens: [['amoxicillin250']], panels: ['fbc', 'crp', 'ue'], manager: 'gp', resolves: true, admissionChance: 0.6 }),
  c({ key: 'fractured-nof', code: '5913000', display: 'Fracture of neck of femur', prevalence: [0, 0, 0.002, 0.015, 0.05], minAge: 60,
    regimens: [['paracetamol500']], panels: ['fbc', 'ue'], manager: 'gp', resolves: true, admissionChance: 1 }),
  c({ key: 'back-pain', code: '279039007', display: 'Low back pain', prevalence: [0.01, 0.1, 0.15, 0.12, 0.1], minAge: 14,
    regimens: [['naproxen500'], ['paracetamol500']], panels: [], manager: 'gp', resolves: true }),
  c({ key: 'sinusitis', code: '36971009', display: 'Sinusitis', prevalence: [0.01, 0.06, 0.06, 0.04, 0.02], minAge: 5,
    regimens: [[]], panels: [], manager: 'gp', resolves: true }),
];

/** The index of an age in the prevalence bands. */
export function ageBand(age: number): 0 | 1 | 2 | 3 | 4 {
  if (age < 18) return 0;
  if (age < 40) return 1;
  if (age < 65) return 2;
  if (age < 80) return 3;
  return 4;
}
