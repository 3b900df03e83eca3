import { consentFromFhir, latestConsent, OdsCodeSchema, type ConsentModel, type ConsentRecord, type Isa } from '@openidcr/governance';
import { CodeSystems, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, type Consent } from '@openidcr/model';
import { z } from 'zod';

/** What a choice is about: the whole record (an objection or not), or one organisation sharing out / looking in. */
export const CHOICE_SUBJECTS = ['record', 'share-out', 'share-in'] as const;
export type ChoiceSubject = (typeof CHOICE_SUBJECTS)[number];
const ACTION_CODE: Record<ChoiceSubject, string | undefined> = { record: undefined, 'share-out': 'disclose', 'share-in': 'access' };

/** The choices a person makes about sharing, in the words they see. */
export const SHARING_DECISIONS = ['opt-out', 'opt-in'] as const;
export type SharingDecision = (typeof SHARING_DECISIONS)[number];

/** `PUT /citizen/me/preferences` body: one choice, about the whole record or about one organisation's information. */
export const PreferenceChangeSchema = z
  .strictObject({
    decision: z.enum(SHARING_DECISIONS),
    /** An ODS code of a party to the agreement: the choice is about that organisation sharing what it holds. */
    organisation: OdsCodeSchema.optional(),
    /**
     * What the choice is about (explicit consent model): `record` (default) taking part at all; `share-out` that
     * `organisation` may share what it holds; `share-in` that `organisation` may look at what others share.
     */
    about: z.enum(CHOICE_SUBJECTS).optional(),
  })
  .refine((c) => c.about === undefined || c.about === 'record' || c.organisation !== undefined, { path: ['organisation'], error: 'choose the organisation a share-out or share-in choice is about' });
export type PreferenceChange = z.output<typeof PreferenceChangeSchema>;

/** Identifier system of the receipt reference numbers (also `Consent.identifier`). */
export const RECEIPT_SYSTEM = 'https://openidcr.org/Id/consent-receipt';
/** Extensions on a Consent recorded for someone by a contact-centre member of staff. */
export const RECORDED_BY_EXTENSION = 'https://openidcr.org/StructureDefinition/recorded-by';
export const VERIFICATION_NOTE_EXTENSION = 'https://openidcr.org/StructureDefinition/verification-note';
/** Extension naming a proxy who made the choice for the person. */
export const ON_BEHALF_EXTENSION = 'https://openidcr.org/StructureDefinition/made-on-behalf-by';

/** Who made the choice and how it reached the record. */
export type ChoiceMadeBy =
  | { kind: 'self'; nhsNumber: string; name: string }
  | { kind: 'proxy'; nhsNumber: string; name: string; relationship: string }
  | { kind: 'contact-centre'; userId: string; name: string; organisation: string; callerName: string; verification: { method: string; note: string } };

const RECEIPT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A reference number a person can read out on the phone: `ABCD-2345`, no 0/O or 1/I. From random bytes. */
export function receiptReference(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += RECEIPT_ALPHABET[(bytes[i] ?? 0) % RECEIPT_ALPHABET.length];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/**
 * The FHIR Consent for one choice (scope `patient-privacy`, LOINC 59284-0 patient consent): `provision.type` deny
 * for an opt-out, permit to opt back in, with no `provision.action` so governance reads it as a whole-record `share`
 * choice, narrowed to one organisation by `organization`. The person is the `performer`: the decision is theirs
 * whoever recorded it.
 */
export function consentForChoice(input: {
  id: string;
  personId: string;
  person: { nhsNumber: string; name: string };
  change: PreferenceChange;
  madeBy: ChoiceMadeBy;
  receipt: string;
  now: Date;
}): Consent {
  const { change, madeBy } = input;
  const at = input.now.toISOString();
  const extension: Array<Record<string, unknown>> = [];
  if (madeBy.kind === 'contact-centre') {
    extension.push({ url: RECORDED_BY_EXTENSION, valueReference: { identifier: { system: 'https://fhir.nhs.uk/Id/sds-user-id', value: madeBy.userId }, display: `${madeBy.name} (${madeBy.organisation})` } });
    extension.push({ url: VERIFICATION_NOTE_EXTENSION, valueString: `${madeBy.verification.method}: ${madeBy.verification.note}` });
  }
  if (madeBy.kind === 'proxy')
    extension.push({ url: ON_BEHALF_EXTENSION, valueReference: { identifier: { system: NHS_NUMBER_SYSTEM, value: madeBy.nhsNumber }, display: `${madeBy.name} (${madeBy.relationship})` } });
  return {
    resourceType: 'Consent',
    id: input.id,
    ...(extension.length > 0 ? { extension } : {}),
    identifier: [{ system: RECEIPT_SYSTEM, value: input.receipt }],
    status: 'active',
    scope: { coding: [{ system: CodeSystems.consentScope, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: CodeSystems.loinc, code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${input.personId}` },
    dateTime: at,
    performer: [{ identifier: { system: NHS_NUMBER_SYSTEM, value: input.person.nhsNumber }, display: input.person.name }],
    ...(change.organisation ? { organization: [{ identifier: { system: ODS_CODE_SYSTEM, value: change.organisation } }] } : {}),
    ...(madeBy.kind === 'contact-centre'
      ? { verification: [{ verified: true, verifiedWith: { display: madeBy.callerName }, verificationDate: at }] }
      : {}),
    provision: {
      type: change.decision === 'opt-out' ? 'deny' : 'permit',
      period: { start: at },
      ...(ACTION_CODE[change.about ?? 'record'] ? { action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: ACTION_CODE[change.about ?? 'record'] }] }] } : {}),
    },
  } as Consent;
}

/** A choice as the person is shown it. */
export interface PreferenceHistoryItem {
  reference: string | undefined;
  decision: SharingDecision;
  organisation?: { ods: string; name: string } | undefined;
  /** What the choice was about (explicit model): the whole record, or an organisation sharing out / looking in. */
  about?: ChoiceSubject | undefined;
  recordedAt: string;
  /** `You`, `Jane Smith (parent or guardian)`, `Contact centre: A. Clerk (Northshire Council)`. */
  recordedBy: string;
}

/** What `GET /citizen/me/preferences` returns: where the person stands now, what they can do, and their history. */
export interface PreferencesView {
  consentModel: { kind: string; description: string };
  /** Whether the person's record is shared across the locality now. */
  sharing: 'shared' | 'not-shared';
  /** Organisations whose information the person has asked not to be shared, now. */
  objectsTo: Array<{ ods: string; name: string }>;
  /** Explicit model: organisations the person has agreed may share out what they hold, now. */
  sharesOut?: Array<{ ods: string; name: string }> | undefined;
  /** Explicit model: organisations the person has agreed may look at what others share, now. */
  sharesIn?: Array<{ ods: string; name: string }> | undefined;
  /** Organisations a choice can name (the parties to the agreement). */
  organisations: Array<{ ods: string; name: string }>;
  howToObject: string;
  contact: string;
  history: PreferenceHistoryItem[];
}

function readConsents(consents: readonly Consent[]): Array<{ record: ConsentRecord; fhir: Consent }> {
  const out: Array<{ record: ConsentRecord; fhir: Consent }> = [];
  for (const fhir of consents) {
    const read = consentFromFhir(fhir);
    if (read.ok) out.push({ record: read.consent, fhir });
  }
  return out;
}

function recordedByText(consent: Consent, personNhs: string): string {
  const ext = (url: string) => (consent.extension as Array<{ url: string; valueReference?: { display?: string } }> | undefined)?.find((e) => e.url === url);
  const clerk = ext(RECORDED_BY_EXTENSION);
  if (clerk) return `Contact centre: ${clerk.valueReference?.display ?? 'staff member'}`;
  const proxy = ext(ON_BEHALF_EXTENSION);
  if (proxy) return proxy.valueReference?.display ?? 'Someone acting for you';
  const performer = (consent.performer as Array<{ identifier?: { value?: string } }> | undefined)?.[0]?.identifier?.value;
  return performer === personNhs ? 'You' : 'Your care provider';
}

/**
 * The person's standing under the locality's consent model, computed the way the policy point computes it (the latest
 * whole-record `share` choice in effect, and per-organisation objections), so what the page says is what the next
 * decision does. Pure.
 */
export function preferencesView(input: { personId: string; nhsNumber: string; consents: readonly Consent[]; isa: Isa; consentModel: ConsentModel; now: Date }): PreferencesView {
  const { isa, consentModel, personId, now } = input;
  const read = readConsents(input.consents).filter((c) => c.record.personId === personId);
  const records = read.map((c) => c.record);
  const at = now.getTime();
  const purpose = isa.purposes.find((p) => p.direct)?.purposesOfUse[0] ?? 'TREAT';
  const latest = (organisation: string | undefined) => latestConsent(records, personId, 'share', organisation, purpose, at);
  const organisations = isa.parties.map((p) => ({ ods: p.ods, name: p.name }));
  const nameOf = (ods: string) => organisations.find((o) => o.ods === ods)?.name ?? ods;
  const history = read
    .filter((c) => c.record.action === 'share' || c.record.action === 'disclose' || c.record.action === 'access')
    .sort((a, b) => Date.parse(b.record.dateTime) - Date.parse(a.record.dateTime))
    .map((c) => ({
      reference: (c.fhir.identifier as Array<{ system?: string; value?: string }> | undefined)?.find((i) => i.system === RECEIPT_SYSTEM)?.value,
      decision: c.record.decision === 'deny' ? ('opt-out' as const) : ('opt-in' as const),
      ...(c.record.organisation ? { organisation: { ods: c.record.organisation, name: nameOf(c.record.organisation) } } : {}),
      about: c.record.action === 'disclose' ? ('share-out' as const) : c.record.action === 'access' ? ('share-in' as const) : ('record' as const),
      recordedAt: c.record.dateTime,
      recordedBy: recordedByText(c.fhir, input.nhsNumber),
    }));
  return {
    consentModel: { kind: consentModel.kind, description: consentModel.description },
    sharing: latest(undefined)?.decision === 'deny' ? 'not-shared' : 'shared',
    objectsTo: organisations.filter((o) => latest(o.ods)?.decision === 'deny'),
    sharesOut: organisations.filter((o) => latestConsent(records, personId, 'disclose', o.ods, purpose, at)?.decision === 'permit'),
    sharesIn: organisations.filter((o) => latestConsent(records, personId, 'access', o.ods, purpose, at)?.decision === 'permit'),
    organisations,
    howToObject: isa.optOut.howToObject,
    contact: isa.optOut.contact,
    history,
  };
}

/** The confirmation a person gets for a choice: keep the reference number to quote it later. */
export interface ConsentReceipt {
  reference: string;
  consentId: string;
  decision: SharingDecision;
  organisation?: { ods: string; name: string } | undefined;
  recordedAt: string;
  recordedBy: string;
  /** What happens now, in plain English. */
  effect: string;
}

export function receiptFor(consent: Consent, change: PreferenceChange, isa: Isa, personNhs: string): ConsentReceipt {
  const organisation = change.organisation ? { ods: change.organisation, name: isa.parties.find((p) => p.ods === change.organisation)?.name ?? change.organisation } : undefined;
  const about = change.about ?? 'record';
  const effect =
    about === 'share-out' && organisation
      ? change.decision === 'opt-in'
        ? `From now on, ${organisation.name} may share the information it holds about you with the other organisations caring for you (each of them also needs your agreement to look).`
        : `From now on, ${organisation.name} will not share the information it holds about you.`
      : about === 'share-in' && organisation
        ? change.decision === 'opt-in'
          ? `From now on, professionals at ${organisation.name} may look at the information other organisations share about you.`
          : `From now on, professionals at ${organisation.name} will not see what other organisations share about you, except in an emergency.`
        : change.decision === 'opt-out'
      ? organisation
        ? `From now on, ${organisation.name} will not share your record with other organisations, except in an emergency or to keep someone safe. Every such access is checked.`
        : 'From now on, your record will not be shared with professionals outside the organisation that recorded it, except in an emergency or to keep someone safe. Every such access is checked.'
      : organisation
        ? `From now on, ${organisation.name} may share your record again with the professionals caring for you.`
        : 'From now on, your record may be shared again with the professionals caring for you.';
  return {
    reference: (consent.identifier as Array<{ system?: string; value?: string }>).find((i) => i.system === RECEIPT_SYSTEM)?.value ?? '',
    consentId: consent.id ?? '',
    decision: change.decision,
    ...(organisation ? { organisation } : {}),
    recordedAt: consent.dateTime ?? '',
    recordedBy: recordedByText(consent, personNhs),
    effect,
  };
}
