import {
  businessError,
  codeSystemUri,
  defineSourceProfile,
  Hl7ErrorCodes,
  stableId,
  type Channel,
  type Hl7Segment,
  type MappedResource,
  type MappingContext,
  type SourceProfile,
} from '@openidcr/integration';

// #region profile
/**
 * Northshire Hospice's clinical system. What differs from a plain HL7 v2 sender:
 * - MSH-4 is the hospice's name, not its ODS code, so the profile names the ODS code;
 * - PID-3 carries no assigning authority: the NHS number is typed `NHSNO` and the hospice number `HOSPNO`;
 * - sex is sent as NHS data dictionary digits (1 male, 2 female), which the default profile already reads;
 * - a `ZRS` segment carries the person's ReSPECT recommendation, with its date as DD/MM/YYYY (see `mapRespect`).
 */
const defined = defineSourceProfile({
  id: 'northshire-hospice',
  name: 'Northshire Hospice clinical system',
  kind: 'other',
  odsCode: 'X9H',
  sendingApplication: 'HOSPICECARE',
  identifiers: {
    nhsNumberTypes: ['NH', 'NHSNO'],
    localAuthority: 'X9H-HOSPNO',
  },
  processingIds: ['P'],
});
if (!defined.ok) throw new Error(defined.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
export const hospiceProfile: SourceProfile = defined.profile;
// #endregion profile

// #region mapping
const SNOMED = 'http://snomed.info/sct';

/** `14/03/2026` → `2026-03-14`; undefined when it is not a real day written that way. */
export function dayMonthYear(text: string): string | undefined {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text.trim());
  if (!match) return undefined;
  const [, dd, mm, yyyy] = match as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd)));
  const iso = `${yyyy}-${mm}-${dd}`;
  return date.toISOString().slice(0, 10) === iso ? iso : undefined;
}

/** `Dr Chidi Okafor` from an XCN (`G8401234^Okafor^Chidi^^^Dr`). */
function personName(segment: Hl7Segment, field: number): string | undefined {
  const [family, given, prefix] = [segment.get(field, 2), segment.get(field, 3), segment.get(field, 6)];
  return [prefix, given, family].filter(Boolean).join(' ') || undefined;
}

/**
 * `ZRS` (ReSPECT recommendation): 1 set id, 2 CPR recommendation (CWE), 3 date completed (DD/MM/YYYY),
 * 4 completed by (XCN), 5 preferred place of care (CWE), 6 person involved in the discussion (Y/N).
 * Each becomes an active alert `Flag`, the way shared care records show a CPR decision to every professional.
 */
export function mapRespect(ctx: MappingContext): MappedResource[] {
  return ctx.message.all('ZRS').map((zrs, index) => {
    const at = (field: number) => ({ segment: 'ZRS', sequence: index + 1, field });
    const code = zrs.get(2, 1);
    const display = zrs.get(2, 2);
    if (!code) ctx.problems.push(businessError('respect-no-recommendation', 'ZRS.2: the CPR recommendation is required', Hl7ErrorCodes.requiredFieldMissing, at(2)));
    const completed = dayMonthYear(zrs.text(3));
    if (!completed)
      ctx.problems.push(businessError('respect-date', `ZRS.3: expected the date completed as DD/MM/YYYY, found ${JSON.stringify(zrs.text(3))}`, Hl7ErrorCodes.dataTypeError, at(3)));
    const place = zrs.get(5, 2);
    const author = personName(zrs, 4);
    return {
      resourceType: 'Flag',
      // The same set id from the same sender for the same person replaces the flag when the form is reviewed.
      id: stableId('respect', ctx, ctx.patientSourceKey, zrs.text(1) || String(index + 1)),
      status: 'active',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
      code: {
        coding: [{ system: codeSystemUri(ctx.profile, zrs.get(2, 3), ctx.ods) ?? SNOMED, code, display }],
        text: `ReSPECT: ${display || code}${place ? `. Preferred place of care: ${place}` : ''}${zrs.text(6) === 'Y' ? '. Discussed with the person' : ''}`,
      },
      subject: { reference: `Patient/${ctx.personId}` },
      ...(completed ? { period: { start: completed } } : {}),
      ...(author ? { author: { display: author } } : {}),
    };
  });
}

/** The channel the locality configures for the hospice feed (MLLP port, HTTP endpoint or `openidcr ingest`). */
export const hospiceChannel: Channel = { name: 'northshire-hospice', profile: hospiceProfile, mapExtra: mapRespect };
// #endregion mapping
