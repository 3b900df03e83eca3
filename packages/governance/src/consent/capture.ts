import { z } from 'zod';
import { CodeSystems, ODS_CODE_SYSTEM } from '@openidcr/model';
import { instant } from '../time/instant.js';
import { ConsentToViewSchema, type ConsentRecord, type ConsentToView } from './records.js';

/**
 * Capturing consent: the FHIR R4 Consent resources the store keeps for each kind of answer, and reading them back.
 * Share-in / share-out / objection are ordinary `patient-privacy` Consents that `consentFromFhir` reads
 * (`provision.action` `access` / `disclose`, or none for the whole record). A consent-to-view answer given at the
 * point of care is a Consent with the category `consent-to-view` of OpenIDCR's code system: the policy point reads it
 * with `consentToViewFromFhir` (never as a share record) and passes the current one to `decide`.
 */
export const CONSENT_CATEGORY_SYSTEM = 'https://openidcr.org/CodeSystem/consent-category';
export const CONSENT_TO_VIEW_CODE = 'consent-to-view';
/** Extension carrying the consent-to-view answer (`granted`, `denied`, `extended`, `unable`). */
export const CONSENT_TO_VIEW_ANSWER_EXTENSION = 'https://openidcr.org/StructureDefinition/consent-to-view-answer';
const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
const SDS_USER_SYSTEM = 'https://fhir.nhs.uk/Id/sds-user-id';
const isoInstant = z.iso.datetime({ offset: true });

/** The consentaction code of each of our actions (none for a whole-record `share`). */
const CODE_OF_ACTION: Record<ConsentRecord['action'], string | undefined> = { share: undefined, disclose: 'disclose', access: 'access' };

/** True when a stored FHIR Consent is a consent-to-view answer (not a share-in / share-out / objection). */
export function isConsentToViewFhir(json: unknown): boolean {
  const category = (json as { category?: unknown } | null)?.category;
  if (!Array.isArray(category)) return false;
  return category.some((c: { coding?: Array<{ system?: string; code?: string }> }) =>
    Array.isArray(c?.coding) && c.coding.some((coding) => coding?.system === CONSENT_CATEGORY_SYSTEM && coding.code === CONSENT_TO_VIEW_CODE),
  );
}

/** A share-in (`access`), share-out (`disclose`) or whole-record (`share`) choice as a FHIR Consent. */
export function shareConsentToFhir(input: {
  id: string;
  /** The Patient resource id (or person id) the Consent is about. */
  patientId: string;
  action: ConsentRecord['action'];
  decision: ConsentRecord['decision'];
  organisation?: string | undefined;
  dateTime: string;
  /** Who recorded it: a user id (SDS) and display. */
  recordedBy?: { id: string; display: string } | undefined;
  status?: 'active' | 'inactive' | undefined;
}): Record<string, unknown> & { resourceType: 'Consent'; id: string; status: string } {
  const code = CODE_OF_ACTION[input.action];
  return {
    resourceType: 'Consent',
    id: input.id,
    status: input.status ?? 'active',
    scope: { coding: [{ system: CodeSystems.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CodeSystems.loinc, code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${input.patientId}` },
    dateTime: input.dateTime,
    ...(input.recordedBy ? { performer: [{ identifier: { system: SDS_USER_SYSTEM, value: input.recordedBy.id }, display: input.recordedBy.display }] } : {}),
    ...(input.organisation ? { organization: [{ identifier: { system: ODS_CODE_SYSTEM, value: input.organisation } }] } : {}),
    provision: {
      type: input.decision,
      period: { start: input.dateTime },
      ...(code ? { action: [{ coding: [{ system: CONSENT_ACTION_SYSTEM, code }] }] } : {}),
    },
  };
}

/** A consent-to-view answer as a FHIR Consent (who asked, when, for what purpose, until when). */
export function consentToViewToFhir(
  ctv: ConsentToView,
  extra: { patientId: string; userName?: string | undefined; purposeOfUse?: string | undefined },
): Record<string, unknown> & { resourceType: 'Consent'; id: string; status: string } {
  return {
    resourceType: 'Consent',
    id: ctv.id,
    status: 'active',
    extension: [{ url: CONSENT_TO_VIEW_ANSWER_EXTENSION, valueCode: ctv.answer }],
    scope: { coding: [{ system: CodeSystems.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: CONSENT_TO_VIEW_CODE, display: 'Consent to view at the point of care' }] }],
    patient: { reference: `Patient/${extra.patientId}` },
    dateTime: ctv.recordedAt,
    performer: [{ identifier: { system: SDS_USER_SYSTEM, value: ctv.userId }, ...(extra.userName ? { display: extra.userName } : {}) }],
    organization: [{ identifier: { system: ODS_CODE_SYSTEM, value: ctv.organisation } }],
    provision: {
      type: ctv.answer === 'denied' ? 'deny' : 'permit',
      period: { start: ctv.recordedAt, end: ctv.expiresAt },
      actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PROV' }] }, reference: { identifier: { system: ODS_CODE_SYSTEM, value: ctv.organisation } } }],
      ...(extra.purposeOfUse ? { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: extra.purposeOfUse }] } : {}),
    },
  };
}

const StoredCtvSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  extension: z.array(z.object({ url: z.string(), valueCode: z.string().optional() })),
  performer: z.array(z.object({ identifier: z.object({ value: z.string().min(1) }) })).min(1),
  organization: z.array(z.object({ identifier: z.object({ value: z.string() }) })).min(1),
  dateTime: z.string(),
  provision: z.object({ period: z.object({ start: z.string().optional(), end: z.string() }) }),
});

/** Reads a stored consent-to-view Consent back (`personId` is the caller's person key); inactive ones are not current. */
export function consentToViewFromFhir(json: unknown, personId: string): { ok: true; consentToView: ConsentToView; active: boolean } | { ok: false; issues: string[] } {
  const parsed = StoredCtvSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `Consent.${i.path.join('.')}: ${i.message}`) };
  const c = parsed.data;
  const read = ConsentToViewSchema.safeParse({
    id: c.id,
    personId,
    organisation: c.organization[0]!.identifier.value,
    userId: c.performer[0]!.identifier.value,
    answer: c.extension.find((e) => e.url === CONSENT_TO_VIEW_ANSWER_EXTENSION)?.valueCode,
    recordedAt: c.dateTime,
    expiresAt: c.provision.period.end,
  });
  if (!read.success) return { ok: false, issues: read.error.issues.map((i) => `Consent.${i.path.join('.')}: ${i.message}`) };
  return { ok: true, consentToView: read.data, active: c.status === 'active' };
}

/** The latest consent-to-view answer at `organisation` for the person in effect at `now` (epoch ms), if any. */
export function currentConsentToView(answers: readonly ConsentToView[], personId: string, organisation: string, now: number): ConsentToView | undefined {
  let current: ConsentToView | undefined;
  for (const answer of answers) {
    if (answer.personId !== personId || answer.organisation !== organisation) continue;
    if (instant(answer.recordedAt) > now || now >= instant(answer.expiresAt)) continue;
    if (!current || instant(answer.recordedAt) >= instant(current.recordedAt)) current = answer;
  }
  return current;
}

/**
 * Share-out of a single item (explicit model, `itemShareOutRequired`): a Consent of the source organisation whose
 * `provision.data` names the item (`meaning: instance`). `provision.type` permit shares it out, deny withdraws that.
 * The policy point reads the latest per item and treats the item as carrying the sharing `share-out` flag.
 */
export function itemShareOutToFhir(input: {
  id: string;
  patientId: string;
  organisation: string;
  /** `Type/id` of the item. */
  item: string;
  shared: boolean;
  dateTime: string;
  recordedBy?: { id: string; display: string } | undefined;
}): Record<string, unknown> & { resourceType: 'Consent'; id: string; status: string } {
  const base = shareConsentToFhir({ id: input.id, patientId: input.patientId, action: 'disclose', decision: input.shared ? 'permit' : 'deny', organisation: input.organisation, dateTime: input.dateTime, recordedBy: input.recordedBy });
  return { ...base, provision: { ...(base.provision as Record<string, unknown>), data: [{ meaning: 'instance', reference: { reference: input.item } }] } };
}

/** True when a stored Consent is about single items (`provision.data`), not a whole organisation. */
export function isItemConsentFhir(json: unknown): boolean {
  const data = (json as { provision?: { data?: unknown } } | null)?.provision?.data;
  return Array.isArray(data) && data.length > 0;
}

/** The items an item-level Consent shares out (or withdraws), with when; undefined when it is not one we read. */
export function itemShareOutFromFhir(json: unknown): { items: string[]; shared: boolean; organisation: string | undefined; dateTime: string; active: boolean } | undefined {
  const parsed = z
    .object({
      status: z.string(),
      dateTime: isoInstant,
      organization: z.array(z.object({ identifier: z.object({ value: z.string() }).optional() })).optional(),
      provision: z.object({ type: z.enum(['permit', 'deny']), data: z.array(z.object({ reference: z.object({ reference: z.string().regex(/^[A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/) }) })).min(1) }),
    })
    .safeParse(json);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  return { items: c.provision.data.map((d) => d.reference.reference), shared: c.provision.type === 'permit', organisation: c.organization?.[0]?.identifier?.value, dateTime: c.dateTime, active: c.status === 'active' };
}

/** From a person's item-level Consents, the items shared out now (the latest active record per item wins). */
export function sharedOutItems(consents: readonly unknown[]): Set<string> {
  const latest = new Map<string, { at: number; shared: boolean }>();
  for (const json of consents) {
    const read = itemShareOutFromFhir(json);
    if (!read || !read.active) continue;
    const at = instant(read.dateTime);
    for (const item of read.items) {
      const seen = latest.get(item);
      if (!seen || at >= seen.at) latest.set(item, { at, shared: read.shared });
    }
  }
  return new Set([...latest].filter(([, v]) => v.shared).map(([k]) => k));
}
