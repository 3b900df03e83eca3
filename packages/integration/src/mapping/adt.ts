import { CodeSystems, headingTag } from '@openidcr/model';
import type { Hl7Segment } from '../hl7/message.js';
import { notEmpty, practitionerRef, prune } from './datatypes.js';
import { patientRef, reader, stableId, type MappedResource, type MappingContext } from './context.js';

const CLASS: Record<string, { code: string; display: string }> = {
  I: { code: 'IMP', display: 'inpatient encounter' },
  O: { code: 'AMB', display: 'ambulatory' },
  E: { code: 'EMER', display: 'emergency' },
  P: { code: 'PRENC', display: 'pre-admission' },
  R: { code: 'AMB', display: 'ambulatory' },
  B: { code: 'AMB', display: 'ambulatory' },
  C: { code: 'AMB', display: 'ambulatory' },
  N: { code: 'AMB', display: 'ambulatory' },
};

/** The source's key for a visit: PV1-19 visit number, else the admission time; none when the PV1 has neither. */
function visitKey(pv1: Hl7Segment): string | undefined {
  const visitNumber = pv1.get(19).trim();
  const admitted = pv1.get(44).trim();
  return visitNumber || (admitted ? `admit:${admitted}` : undefined);
}

function locationDisplay(pv1: Hl7Segment, field: number): string | undefined {
  const parts = [pv1.text(field, 1), pv1.text(field, 2), pv1.text(field, 3)].map((s) => s.trim()).filter(Boolean);
  const facility = pv1.text(field, 4).trim();
  if (parts.length === 0) return undefined;
  return facility ? `${parts.join(' ')} (${facility})` : parts.join(' ');
}

/** Encounter status by trigger event, with PV1-45 (discharge time) deciding for updates. */
function encounterStatus(trigger: string, discharged: boolean): string {
  switch (trigger) {
    case 'A03':
      return 'finished';
    case 'A05':
    case 'A14':
      return 'planned';
    case 'A11':
    case 'A27':
    case 'A38':
      return 'cancelled';
    case 'A13':
      return 'in-progress';
    default:
      return discharged ? 'finished' : 'in-progress';
  }
}

/** PV1 → Encounter (admit, transfer, discharge, cancel), or a social care involvement for social care senders. */
export function mapVisit(ctx: MappingContext): MappedResource[] {
  const pv1 = ctx.message.segment('PV1');
  if (!pv1) return [];
  const patientClass = pv1.get(2).trim().toUpperCase();
  const trigger = ctx.message.header.triggerEvent;
  const key = visitKey(pv1);
  if (!key) {
    // A registration (a GP's A04, an A08 with only a patient class) is not an attendance: without a visit number or
    // an admission time nothing could ever discharge, cancel or update the visit, so it would stay open for good.
    if (patientClass || pv1.get(3).trim() || pv1.get(45).trim()) {
      ctx.warnings.push(`PV1.19/PV1.44: no visit number and no admission time; ${ctx.message.type} is read as a registration, not an attendance, and no ${ctx.profile.quirks.visitsAreEpisodes ? 'social care involvement' : 'Encounter'} is recorded`);
    }
    return [];
  }
  const r = reader(ctx, pv1);
  const start = r.softDateTime(44);
  const end = trigger === 'A13' ? undefined : r.softDateTime(45);
  const status = encounterStatus(trigger, end !== undefined);
  const attending = practitionerRef(pv1, 7);
  const visitIdentifier = pv1.get(19).trim() ? [{ system: `https://openidcr.org/Id/visit/${encodeURIComponent(ctx.ods)}`, value: pv1.get(19).trim() }] : undefined;

  if (ctx.profile.quirks.visitsAreEpisodes) {
    const epStatus = status === 'finished' ? 'finished' : status === 'cancelled' ? 'cancelled' : status === 'planned' ? 'planned' : 'active';
    return [
      prune({
        resourceType: 'EpisodeOfCare',
        id: stableId('eoc', ctx, ctx.patientSourceKey, key),
        meta: { tag: [headingTag('social-care')] },
        identifier: visitIdentifier,
        status: epStatus,
        type: notEmpty([pv1.get(10).trim() ? { text: pv1.text(10).trim() } : undefined, { text: 'Social care involvement' }]).slice(0, 1),
        patient: patientRef(ctx),
        managingOrganization: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: ctx.ods } },
        period: { start, end },
        careManager: attending,
      }) as MappedResource,
    ];
  }

  const cls = CLASS[patientClass] ?? { code: 'AMB', display: 'ambulatory' };
  const location = locationDisplay(pv1, 3);
  const prior = trigger === 'A02' ? locationDisplay(pv1, 6) : undefined;
  return [
    prune({
      resourceType: 'Encounter',
      id: stableId('enc', ctx, ctx.patientSourceKey, key),
      identifier: visitIdentifier,
      status,
      class: { system: CodeSystems.encounterClass, code: cls.code, display: cls.display },
      serviceType: pv1.get(10).trim() ? { text: pv1.text(10).trim() } : undefined,
      subject: patientRef(ctx),
      participant: attending ? [{ individual: attending }] : undefined,
      period: { start, end },
      location: notEmpty([
        prior ? { location: { display: prior }, status: 'completed' } : undefined,
        location ? { location: { display: location }, status: status === 'finished' ? 'completed' : 'active' } : undefined,
      ]),
      serviceProvider: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: ctx.ods } },
    }) as MappedResource,
  ];
}

/** DG1 → Condition. Keyed by the diagnosis code so a repeat of the same diagnosis replaces, not duplicates. */
export function mapDiagnoses(ctx: MappingContext): MappedResource[] {
  return ctx.message.all('DG1').flatMap((dg1) => {
    const r = reader(ctx, dg1);
    const code = r.coded(3) ?? (dg1.text(4).trim() ? { text: dg1.text(4).trim() } : undefined);
    if (!code) {
      ctx.warnings.push(`DG1.3: diagnosis ${dg1.sequence} has no code or description; skipped`);
      return [];
    }
    const key = code.coding?.[0] ? `${code.coding[0].system}|${code.coding[0].code}` : `text:${code.text}`;
    const onset = r.softDateTime(5);
    const type = dg1.get(6).trim().toUpperCase();
    return [
      prune({
        resourceType: 'Condition',
        id: stableId('cond', ctx, ctx.patientSourceKey, key),
        identifier: dg1.get(20).trim() ? [{ value: dg1.get(20).trim() }] : undefined,
        clinicalStatus: { coding: [{ system: CodeSystems.conditionClinical, code: 'active' }] },
        verificationStatus: { coding: [{ system: CodeSystems.conditionVerification, code: type === 'A' || type === 'W' ? 'provisional' : 'confirmed' }] },
        category: [{ coding: [{ system: CodeSystems.conditionCategory, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
        code,
        subject: patientRef(ctx),
        onsetDateTime: onset,
        recordedDate: onset ?? ctx.sourceTime,
        asserter: practitionerRef(dg1, 16),
      }) as MappedResource,
    ];
  });
}

/**
 * AL1-2 / IAM-2 (HL7 table 0127, allergen type) → AllergyIntolerance.category and .type, as the IG's ConceptMaps
 * `table-hl70127-to-allergy-intolerance-category` and `-type` say: an animal allergy is `biologic`; miscellaneous
 * allergy (MA) and miscellaneous contraindication (MC) have no category; every code but MC is an allergy.
 */
const ALLERGY_CATEGORY: Record<string, string> = {
  DA: 'medication',
  FA: 'food',
  EA: 'environment',
  AA: 'biologic',
  PA: 'environment',
  LA: 'environment',
};
const ALLERGY_TYPES = new Set(['DA', 'FA', 'MA', 'EA', 'AA', 'PA', 'LA']);
const SEVERITY: Record<string, 'severe' | 'moderate' | 'mild'> = { SV: 'severe', MO: 'moderate', MI: 'mild' };

/** AL1 (and IAM in A60) → AllergyIntolerance, keyed by allergen. */
export function mapAllergies(ctx: MappingContext): MappedResource[] {
  const segments = [...ctx.message.all('AL1'), ...ctx.message.all('IAM')];
  return segments.flatMap((seg) => {
    const r = reader(ctx, seg);
    const isIam = seg.name === 'IAM';
    const code = r.coded(3);
    if (!code) {
      ctx.warnings.push(`${seg.name}.3: allergen missing in ${seg.name} ${seg.sequence}; skipped`);
      return [];
    }
    const key = code.coding?.[0] ? `${code.coding[0].system}|${code.coding[0].code}` : `text:${code.text}`;
    const typeCode = seg.get(2).trim().toUpperCase();
    const severity = SEVERITY[seg.get(4).trim().toUpperCase()];
    const reactions = notEmpty(seg.repetitions(5).map((_, i) => seg.text(5, 1, i).trim() || seg.text(5, 2, i).trim())).filter(Boolean);
    const action = isIam ? seg.get(6).trim().toUpperCase() : '';
    const removed = action === 'D';
    return [
      prune({
        resourceType: 'AllergyIntolerance',
        id: stableId('alg', ctx, ctx.patientSourceKey, key),
        clinicalStatus: removed ? undefined : { coding: [{ system: CodeSystems.allergyClinical, code: 'active' }] },
        verificationStatus: { coding: [{ system: CodeSystems.allergyVerification, code: removed ? 'entered-in-error' : 'confirmed' }] },
        type: ALLERGY_TYPES.has(typeCode) ? 'allergy' : undefined,
        category: ALLERGY_CATEGORY[typeCode] ? [ALLERGY_CATEGORY[typeCode]] : undefined,
        criticality: severity === 'severe' ? 'high' : severity ? 'low' : undefined,
        code,
        patient: patientRef(ctx),
        onsetDateTime: isIam ? r.softDateTime(11) : undefined,
        recordedDate: (isIam ? r.softDateTime(13) : r.softDateTime(6)) ?? ctx.sourceTime,
        reaction: reactions.length ? [{ manifestation: reactions.map((text) => ({ text })), severity }] : undefined,
      }) as MappedResource,
    ];
  });
}
