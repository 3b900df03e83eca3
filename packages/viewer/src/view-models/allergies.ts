import type { AllergyIntolerance } from '@openidcr/model';
import { conceptText, formatClinicalDate, NOT_KNOWN } from '../format/clinical.js';
import { byDateDescending } from './dates.js';
import { resourcesOfHeading, type RecordContent } from './record-bundle.js';
import { sourceOf } from './source.js';

/** SNOMED CT concepts that record the absence of allergies ("no known allergy" and its kinds). */
export const NO_KNOWN_ALLERGY_CODES = new Set(['716186003', '409137002', '428607008', '429625007', '1003774007', '1003776009']);

/** The banner's allergy indicator: exactly one of these. */
export type AllergyState = 'Known allergies' | 'No known allergies' | 'Allergies not recorded' | 'Allergies unavailable';

export interface AllergyRow {
  id: string | undefined;
  substance: string;
  reactions: string;
  severity: string;
  /** `High risk` when criticality is high: shown in words, not by colour. */
  criticality: string | undefined;
  category: string;
  recorded: string;
  recordedIso: string | undefined;
  source: string;
}

export interface AllergiesView {
  state: AllergyState;
  rows: AllergyRow[];
  /** Set when the record says "no known allergies", with when and by whom. */
  noKnownAllergies: { recorded: string; source: string } | undefined;
}

const status = (a: AllergyIntolerance, system: 'clinical' | 'verification') =>
  (system === 'clinical' ? a.clinicalStatus : a.verificationStatus)?.coding?.find((c) => c.code)?.code;

/** True for a record that says the person has no known allergies. */
export function isNoKnownAllergy(allergy: AllergyIntolerance): boolean {
  return (allergy.code?.coding ?? []).some((c) => c.code !== undefined && NO_KNOWN_ALLERGY_CODES.has(c.code));
}

function counts(allergy: AllergyIntolerance): boolean {
  const verification = status(allergy, 'verification');
  if (verification === 'refuted' || verification === 'entered-in-error') return false;
  const clinical = status(allergy, 'clinical');
  return clinical === undefined || clinical === 'active';
}

/**
 * Allergies as the viewer shows them. `available` is false when the heading could not be read (error, denial, or
 * items withheld by policy): then the state is `Allergies unavailable` unless a known allergy is visible anyway.
 */
export function toAllergiesView(content: RecordContent, available = true): AllergiesView {
  const all = resourcesOfHeading<AllergyIntolerance>(content, 'allergies').filter(counts);
  const nka = all.filter(isNoKnownAllergy).sort(byDateDescending((a) => a.recordedDate));
  const allergies = all.filter((a) => !isNoKnownAllergy(a)).sort(byDateDescending((a) => a.recordedDate));
  const rows: AllergyRow[] = allergies.map((a) => {
    const reactions = (a.reaction ?? []).flatMap((r) => r.manifestation.map(conceptText)).filter((t): t is string => Boolean(t));
    const severities = [...new Set((a.reaction ?? []).map((r) => r.severity).filter(Boolean))] as string[];
    return {
      id: a.id,
      substance: conceptText(a.code) ?? conceptText(a.reaction?.[0]?.substance) ?? NOT_KNOWN,
      reactions: reactions.length > 0 ? reactions.join(', ') : NOT_KNOWN,
      severity: severities.length > 0 ? severities.map((s) => s[0]!.toUpperCase() + s.slice(1)).join(', ') : NOT_KNOWN,
      criticality: a.criticality === 'high' ? 'High risk' : undefined,
      category: [a.type === 'intolerance' ? 'Intolerance' : a.type === 'allergy' ? 'Allergy' : undefined, ...(a.category ?? [])]
        .filter(Boolean)
        .map((c) => c![0]!.toUpperCase() + c!.slice(1))
        .join(', ') || NOT_KNOWN,
      recorded: formatClinicalDate(a.recordedDate ?? a.onsetDateTime),
      recordedIso: a.recordedDate ?? a.onsetDateTime,
      source: sourceOf(content, a)?.name ?? NOT_KNOWN,
    };
  });
  const latestNka = nka[0];
  const noKnownAllergies = latestNka
    ? { recorded: formatClinicalDate(latestNka.recordedDate), source: sourceOf(content, latestNka)?.name ?? NOT_KNOWN }
    : undefined;
  let state: AllergyState;
  if (rows.length > 0) state = 'Known allergies';
  else if (!available) state = 'Allergies unavailable';
  else if (noKnownAllergies) state = 'No known allergies';
  else state = 'Allergies not recorded';
  return { state, rows, noKnownAllergies };
}
