/**
 * The curated laboratory catalogue: LOINC tests with UCUM units and UK adult reference ranges, grouped in the
 * panels a GP or ward requests (the panel is coded in SNOMED CT where a well-known concept exists).
 */
export interface LabTest {
  key: string;
  loinc: string;
  display: string;
  /** Short name as printed on a lab report and sent in OBX-3.2. */
  short: string;
  unit?: string;
  low?: number;
  high?: number;
  /** Typical value of a well person. */
  mean?: number;
  sd?: number;
  decimals?: number;
  /** Sex-specific ranges (female) where the female range differs. */
  femaleLow?: number;
  femaleHigh?: number;
  femaleMean?: number;
  coded?: boolean;
}

export interface LabPanel {
  key: string;
  system: 'snomed' | 'loinc';
  code: string;
  display: string;
  tests: readonly string[];
  /** An optional comment the lab adds (NTE), e.g. about sample quality. */
  comments?: readonly string[];
}

export const LAB_TESTS: readonly LabTest[] = [
  { key: 'hb', loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', short: 'Haemoglobin', unit: 'g/L', low: 130, high: 180, mean: 148, sd: 12, decimals: 0, femaleLow: 115, femaleHigh: 165, femaleMean: 135 },
  { key: 'wbc', loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', short: 'White cell count', unit: '10*9/L', low: 4, high: 11, mean: 7, sd: 2, decimals: 1 },
  { key: 'plt', loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', short: 'Platelets', unit: '10*9/L', low: 150, high: 400, mean: 260, sd: 60, decimals: 0 },
  { key: 'na', loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', short: 'Sodium', unit: 'mmol/L', low: 133, high: 146, mean: 139, sd: 3, decimals: 0 },
  { key: 'k', loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', short: 'Potassium', unit: 'mmol/L', low: 3.5, high: 5.3, mean: 4.3, sd: 0.45, decimals: 1 },
  { key: 'urea', loinc: '22664-7', display: 'Urea [Moles/volume] in Serum or Plasma', short: 'Urea', unit: 'mmol/L', low: 2.5, high: 7.8, mean: 5.2, sd: 1.6, decimals: 1 },
  { key: 'creat', loinc: '14682-9', display: 'Creatinine [Moles/volume] in Serum or Plasma', short: 'Creatinine', unit: 'umol/L', low: 59, high: 104, mean: 82, sd: 14, decimals: 0, femaleLow: 45, femaleHigh: 84, femaleMean: 66 },
  { key: 'egfr', loinc: '62238-1', display: 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)', short: 'eGFR', unit: 'mL/min/{1.73_m2}', low: 60, mean: 88, sd: 14, decimals: 0 },
  { key: 'alt', loinc: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', short: 'ALT', unit: 'U/L', low: 0, high: 41, mean: 24, sd: 10, decimals: 0 },
  { key: 'alp', loinc: '6768-6', display: 'Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma', short: 'Alkaline phosphatase', unit: 'U/L', low: 30, high: 130, mean: 80, sd: 25, decimals: 0 },
  { key: 'bili', loinc: '14631-6', display: 'Bilirubin.total [Moles/volume] in Serum or Plasma', short: 'Bilirubin', unit: 'umol/L', low: 0, high: 21, mean: 10, sd: 5, decimals: 0 },
  { key: 'alb', loinc: '1751-7', display: 'Albumin [Mass/volume] in Serum or Plasma', short: 'Albumin', unit: 'g/L', low: 35, high: 50, mean: 42, sd: 3.5, decimals: 0 },
  { key: 'chol', loinc: '14647-2', display: 'Cholesterol [Moles/volume] in Serum or Plasma', short: 'Total cholesterol', unit: 'mmol/L', high: 5, mean: 5, sd: 1, decimals: 1 },
  { key: 'hdl', loinc: '14646-4', display: 'Cholesterol in HDL [Moles/volume] in Serum or Plasma', short: 'HDL cholesterol', unit: 'mmol/L', low: 1, mean: 1.4, sd: 0.35, decimals: 1 },
  { key: 'trig', loinc: '14927-8', display: 'Triglyceride [Moles/volume] in Serum or Plasma', short: 'Triglycerides', unit: 'mmol/L', high: 1.7, mean: 1.4, sd: 0.6, decimals: 1 },
  { key: 'hba1c', loinc: '59261-8', display: 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol', short: 'HbA1c (IFCC)', unit: 'mmol/mol', low: 20, high: 41, mean: 36, sd: 4, decimals: 0 },
  { key: 'tsh', loinc: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma', short: 'TSH', unit: 'm[IU]/L', low: 0.27, high: 4.2, mean: 1.8, sd: 0.9, decimals: 2 },
  { key: 'ft4', loinc: '14920-3', display: 'Thyroxine (T4) free [Moles/volume] in Serum or Plasma', short: 'Free T4', unit: 'pmol/L', low: 12, high: 22, mean: 16, sd: 2.2, decimals: 1 },
  { key: 'crp', loinc: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', short: 'CRP', unit: 'mg/L', low: 0, high: 5, mean: 3, sd: 2, decimals: 0 },
  { key: 'ntprobnp', loinc: '33762-6', display: 'Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma', short: 'NT-proBNP', unit: 'ng/L', low: 0, high: 400, mean: 150, sd: 80, decimals: 0 },
  { key: 'chlamydia', loinc: '43304-5', display: 'Chlamydia trachomatis rRNA [Presence] in Specimen by Probe and target amplification method', short: 'Chlamydia trachomatis NAAT', coded: true },
  { key: 'gonorrhoea', loinc: '43305-2', display: 'Neisseria gonorrhoeae rRNA [Presence] in Specimen by Probe and target amplification method', short: 'Neisseria gonorrhoeae NAAT', coded: true },
];

export const LAB_PANELS: readonly LabPanel[] = [
  { key: 'fbc', system: 'snomed', code: '26604007', display: 'Complete blood count', tests: ['hb', 'wbc', 'plt'] },
  { key: 'ue', system: 'snomed', code: '252167001', display: 'Urea and electrolytes', tests: ['na', 'k', 'urea', 'creat', 'egfr'],
    comments: ['Sample slightly haemolysed; potassium may be falsely raised & should be repeated if clinically indicated.'] },
  { key: 'lft', system: 'snomed', code: '26958001', display: 'Hepatic function panel', tests: ['alt', 'alp', 'bili', 'alb'] },
  { key: 'lipids', system: 'snomed', code: '16254007', display: 'Lipid panel', tests: ['chol', 'hdl', 'trig'],
    comments: ['Non-fasting sample. Target total cholesterol <5.0 mmol/L; see NICE CG181 ^ QRISK3.'] },
  { key: 'hba1c', system: 'snomed', code: '43396009', display: 'Hemoglobin A1c measurement', tests: ['hba1c'],
    comments: ['HbA1c of 48 mmol/mol or more is consistent with diabetes | interpret with caution in anaemia.'] },
  { key: 'tft', system: 'snomed', code: '35650009', display: 'Thyroid panel', tests: ['tsh', 'ft4'] },
  { key: 'crp', system: 'snomed', code: '55235003', display: 'C-reactive protein measurement', tests: ['crp'] },
  { key: 'ntprobnp', system: 'loinc', code: '33762-6', display: 'Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma', tests: ['ntprobnp'] },
  { key: 'sti', system: 'loinc', code: '43304-5', display: 'Chlamydia trachomatis rRNA [Presence] in Specimen by Probe and target amplification method', tests: ['chlamydia', 'gonorrhoea'],
    comments: ['Dual NAAT on first-void urine~vulvovaginal swab. Partner notification via the sexual health service.'] },
];

const testsByKey = new Map(LAB_TESTS.map((t) => [t.key, t]));
const panelsByKey = new Map(LAB_PANELS.map((p) => [p.key, p]));

export function labTest(key: string): LabTest {
  const t = testsByKey.get(key);
  if (!t) throw new Error(`unknown lab test ${key}`);
  return t;
}

export function labPanel(key: string): LabPanel {
  const p = panelsByKey.get(key);
  if (!p) throw new Error(`unknown lab panel ${key}`);
  return p;
}

/** SNOMED CT qualifiers for coded (presence) results. */
export const DETECTED = { code: '260373001', display: 'Detected' } as const;
export const NOT_DETECTED = { code: '260415000', display: 'Not detected' } as const;
