import { CodeSystems } from './systems.js';

/** A FHIR Coding with a code and a display: the shape every shipped value set entry takes. */
export interface CodedConcept {
  system: string;
  code: string;
  display: string;
}

/** HL7 v3 Confidentiality codes, lowest to highest. */
export const Confidentiality = {
  U: { system: CodeSystems.confidentiality, code: 'U', display: 'unrestricted' },
  L: { system: CodeSystems.confidentiality, code: 'L', display: 'low' },
  M: { system: CodeSystems.confidentiality, code: 'M', display: 'moderate' },
  N: { system: CodeSystems.confidentiality, code: 'N', display: 'normal' },
  R: { system: CodeSystems.confidentiality, code: 'R', display: 'restricted' },
  V: { system: CodeSystems.confidentiality, code: 'V', display: 'very restricted' },
} as const satisfies Record<string, CodedConcept>;

/** The confidentiality code letters, lowest to highest. */
export type ConfidentialityCode = keyof typeof Confidentiality;

/**
 * HL7 v3 ActCode sensitivity categories used as security labels on sensitive items.
 * The sensitivity of an item decides who, beyond its originating organisation, may see it.
 */
export const Sensitivity = {
  HIV: { system: CodeSystems.actCode, code: 'HIV', display: 'HIV/AIDS information sensitivity' },
  STD: { system: CodeSystems.actCode, code: 'STD', display: 'sexually transmitted disease information sensitivity' },
  SEX: { system: CodeSystems.actCode, code: 'SEX', display: 'sexuality and reproductive health information sensitivity' },
  PSY: { system: CodeSystems.actCode, code: 'PSY', display: 'psychiatry disorder information sensitivity' },
  MH: { system: CodeSystems.actCode, code: 'MH', display: 'mental health information sensitivity' },
  ETH: { system: CodeSystems.actCode, code: 'ETH', display: 'substance abuse information sensitivity' },
  SDV: { system: CodeSystems.actCode, code: 'SDV', display: 'sexual assault, abuse, or domestic violence information sensitivity' },
  GDIS: { system: CodeSystems.actCode, code: 'GDIS', display: 'genetic disease information sensitivity' },
} as const satisfies Record<string, CodedConcept>;

/** The sensitivity category codes OpenIDCR understands. */
export type SensitivityCode = keyof typeof Sensitivity;

/** HL7 v3 purposes of use. */
export const PurposeOfUse = {
  TREAT: { system: CodeSystems.actReason, code: 'TREAT', display: 'treatment' },
  ETREAT: { system: CodeSystems.actReason, code: 'ETREAT', display: 'emergency treatment' },
  BTG: { system: CodeSystems.actReason, code: 'BTG', display: 'break the glass' },
  HOPERAT: { system: CodeSystems.actReason, code: 'HOPERAT', display: 'healthcare operations' },
  HRESCH: { system: CodeSystems.actReason, code: 'HRESCH', display: 'healthcare research' },
  PATRQT: { system: CodeSystems.actReason, code: 'PATRQT', display: 'patient requested' },
} as const satisfies Record<string, CodedConcept>;

/** The purpose-of-use codes OpenIDCR understands. */
export type PurposeOfUseCode = keyof typeof PurposeOfUse;

/** True when a coding is one of the sensitivity categories. */
export function isSensitivityLabel(coding: { system?: string | undefined; code?: string | undefined }): boolean {
  return coding.system === CodeSystems.actCode && coding.code !== undefined && coding.code in Sensitivity;
}
