import { instant } from '../time/instant.js';
import { z } from 'zod';
import { OdsCodeSchema, PurposeOfUseCodeSchema } from '../isa/schema.js';

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * A person's consent or objection, shaped like a FHIR R4 Consent (scope `patient-privacy`) reduced to what the policy
 * reads. `action`:
 * - `share`: taking part in the shared record at all (a `deny` is an objection / opt-out; with `organisation`, an
 *   objection to that one organisation's data being shared);
 * - `disclose`: share-out, recorded by the source `organisation` (explicit model);
 * - `access`: share-in, recorded by the viewing `organisation` (explicit model).
 * The latest active record in effect wins (`dateTime`), as with coded dissent in a GP record.
 */
export const ConsentRecordSchema = z.object({
  id: z.string().min(1),
  personId: z.string().min(1),
  status: z.enum(['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error']),
  action: z.enum(['share', 'disclose', 'access']),
  decision: z.enum(['permit', 'deny']),
  organisation: OdsCodeSchema.optional(),
  dateTime: isoDateTime,
  period: z.object({ start: isoDateTime.optional(), end: isoDateTime.optional() }).optional(),
  /** Purposes the provision is limited to; absent means all. */
  purposes: z.array(PurposeOfUseCodeSchema).optional(),
  /** Who recorded it: a user id, or `patient` for self-service. */
  recordedBy: z.string().optional(),
});
export type ConsentRecord = z.output<typeof ConsentRecordSchema>;

/**
 * A consent-to-view answer given at the point of care (SCR / MIG style): recorded, and time-limited by `expiresAt`.
 * `unable` means the person could not be asked (e.g. unconscious): it admits emergency treatment only, with an alert.
 */
export const ConsentToViewSchema = z.object({
  id: z.string().min(1),
  personId: z.string().min(1),
  organisation: OdsCodeSchema,
  userId: z.string().min(1),
  answer: z.enum(['granted', 'denied', 'extended', 'unable']),
  recordedAt: isoDateTime,
  expiresAt: isoDateTime,
});
export type ConsentToView = z.output<typeof ConsentToViewSchema>;

/** True when the record is active, and its period (if any) contains `now` (epoch ms). */
export function consentInEffect(record: ConsentRecord, now: number): boolean {
  if (record.status !== 'active') return false;
  if (instant(record.dateTime) > now) return false;
  const start = record.period?.start;
  const end = record.period?.end;
  if (start !== undefined && instant(start) > now) return false;
  if (end !== undefined && instant(end) <= now) return false;
  return true;
}

/**
 * The latest consent record in effect for a person, an action and an organisation (undefined `organisation` matches
 * records without one), applying to the purpose of use.
 */
export function latestConsent(
  consents: readonly ConsentRecord[],
  personId: string,
  action: ConsentRecord['action'],
  organisation: string | undefined,
  purpose: string,
  now: number,
): ConsentRecord | undefined {
  let latest: ConsentRecord | undefined;
  let latestAt = -Infinity;
  for (const record of consents) {
    if (record.personId !== personId || record.action !== action || record.organisation !== organisation) continue;
    if (record.purposes !== undefined && !record.purposes.includes(purpose as never)) continue;
    if (!consentInEffect(record, now)) continue;
    const at = instant(record.dateTime);
    if (at >= latestAt) {
      latest = record;
      latestAt = at;
    }
  }
  return latest;
}

/**
 * The latest record in effect for each action and organisation, in one pass: `get(action, organisation)`.
 * Same answer as `latestConsent` for every key.
 */
export function latestConsents(
  consents: readonly ConsentRecord[],
  personId: string,
  purpose: string,
  now: number,
): { get(action: ConsentRecord['action'], organisation: string | undefined): ConsentRecord | undefined } {
  // action → organisation ('' for none) → latest record; nested so no key strings are built per lookup.
  const latest = new Map<string, Map<string, ConsentRecord>>();
  for (const record of consents) {
    if (record.personId !== personId) continue;
    if (record.purposes !== undefined && !record.purposes.includes(purpose as never)) continue;
    if (!consentInEffect(record, now)) continue;
    let byOrganisation = latest.get(record.action);
    if (!byOrganisation) latest.set(record.action, (byOrganisation = new Map()));
    const organisation = record.organisation ?? '';
    const current = byOrganisation.get(organisation);
    if (!current || instant(record.dateTime) >= instant(current.dateTime)) byOrganisation.set(organisation, record);
  }
  return { get: (action, organisation) => latest.get(action)?.get(organisation ?? '') };
}

/** A FHIR R4 Consent, as far as `consentFromFhir` reads it. */
interface FhirConsentLike {
  resourceType: 'Consent';
  id?: string;
  status: string;
  dateTime?: string;
  patient?: { reference?: string };
  organization?: Array<{ identifier?: { system?: string; value?: string }; reference?: string }>;
  provision?: {
    type?: 'permit' | 'deny';
    period?: { start?: string; end?: string };
    action?: Array<{ coding?: Array<{ system?: string; code?: string }> }>;
    purpose?: Array<{ system?: string; code?: string }>;
  };
}

const FhirConsentSchema = z.object({
  resourceType: z.literal('Consent'),
  id: z.string().min(1),
  status: z.string(),
  dateTime: isoDateTime,
  patient: z.object({ reference: z.string().regex(/^Patient\/.+/, 'patient.reference: Patient/<id>') }),
  organization: z.array(z.object({ identifier: z.object({ system: z.string().optional(), value: z.string() }).optional() })).optional(),
  provision: z.object({
    type: z.enum(['permit', 'deny']),
    period: z.object({ start: isoDateTime.optional(), end: isoDateTime.optional() }).optional(),
    action: z.array(z.object({ coding: z.array(z.object({ system: z.string().optional(), code: z.string() })).optional() })).optional(),
    purpose: z.array(z.object({ system: z.string().optional(), code: z.string() })).optional(),
  }),
});

/** HL7 consentaction codes read as our actions: `disclose` → share-out, `access` → share-in, else whole-record. */
const ACTION_OF_CODE: Record<string, ConsentRecord['action']> = { disclose: 'disclose', access: 'access', use: 'share', collect: 'share' };

/**
 * Read a FHIR R4 Consent into a `ConsentRecord`: `patient.reference` gives the person id, `organization[0].identifier`
 * the ODS code, `provision.type` the decision, `provision.action` the action (absent: whole-record `share`).
 */
export function consentFromFhir(json: unknown): { ok: true; consent: ConsentRecord } | { ok: false; issues: string[] } {
  const parsed = FhirConsentSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `Consent.${i.path.join('.')}: ${i.message}`) };
  const fhir = parsed.data;
  const actionCode = fhir.provision.action?.[0]?.coding?.[0]?.code;
  const candidate = {
    id: fhir.id,
    personId: fhir.patient.reference.slice('Patient/'.length),
    status: fhir.status,
    action: (actionCode && ACTION_OF_CODE[actionCode]) ?? 'share',
    decision: fhir.provision.type,
    organisation: fhir.organization?.[0]?.identifier?.value,
    dateTime: fhir.dateTime,
    period: fhir.provision.period,
    purposes: fhir.provision.purpose?.map((p) => p.code),
  };
  const record = ConsentRecordSchema.safeParse(candidate);
  if (!record.success) return { ok: false, issues: record.error.issues.map((i) => `Consent.${i.path.join('.')}: ${i.message}`) };
  return { ok: true, consent: record.data };
}

export type { FhirConsentLike };
