import { ByPerson } from '../locality/by-person.js';
import { instant } from '../time/instant.js';
import type { PurposeOfUseCode } from '@openidcr/model';
import type { OrganisationKind } from '../roles/roles.js';
import type { ConsentModelConfig } from '../isa/schema.js';
import type { AnyReasonCode, DecisionPatient, Obligation, Reason } from '../decision/types.js';
import { latestConsents, type ConsentRecord, type ConsentToView } from './records.js';

/** An organisation as a consent model sees it. `activatedAt`: epoch ms of its practice activation, if any. */
export interface ConsentParty {
  ods: string;
  name: string;
  kind: OrganisationKind;
  activatedAt?: number | undefined;
}

/** What a consent model is asked about. `now` is epoch ms. */
export interface ConsentInput {
  userId: string;
  viewer: ConsentParty;
  purposeOfUse: PurposeOfUseCode;
  patient: DecisionPatient;
  consents: readonly ConsentRecord[];
  consentToView?: ConsentToView | undefined;
  now: number;
}

/** One finding against sharing, and whether break-glass may set it aside. */
export interface ConsentFinding {
  code: AnyReasonCode;
  text: string;
  breakGlassOverrides: boolean;
}

/** A consent model's answer for one request. */
export interface ConsentAssessment {
  /** Findings that stop the whole shared view. */
  blocks: ConsentFinding[];
  /** A finding that stops one other organisation's data reaching this viewer, or undefined when it may flow. */
  sourceFinding(source: ConsentParty): ConsentFinding | undefined;
  /** Items from other organisations need the share-out flag (explicit model). */
  requireItemShareOut: boolean;
  /** Reasons that explain a permit (e.g. consent-to-view granted). */
  reasons: Reason[];
  obligations: Obligation[];
}

/** A consent model: a locality picks one of ours (`createConsentModel`) or writes its own against this interface. */
export interface ConsentModel {
  readonly kind: string;
  /** A plain-English paragraph for the ISA and the fair processing notice. */
  readonly description: string;
  assess(input: ConsentInput): ConsentAssessment;
}

const noSourceFinding = (): undefined => undefined;

/** Objection (opt-out), whole-record and per source organisation: common to every model here. */
type LatestConsents = ReturnType<typeof latestConsents>;
const NO_CONSENTS: LatestConsents = { get: () => undefined };

function objections(input: ConsentInput): { blocks: ConsentFinding[]; objectsTo: (ods: string) => boolean; latest: LatestConsents } {
  const { consents, patient, purposeOfUse, now } = input;
  const blocks: ConsentFinding[] = [];
  if (consents.length === 0) return { blocks, objectsTo: () => false, latest: NO_CONSENTS };
  const latest = latestConsents(consents, patient.personId, purposeOfUse, now);
  const general = latest.get('share', undefined);
  if (general?.decision === 'deny')
    blocks.push({
      code: 'objection',
      text: 'The person has objected to their record being shared. Only break-glass (emergency or safeguarding) can open it.',
      breakGlassOverrides: true,
    });
  return { blocks, objectsTo: (ods) => latest.get('share', ods)?.decision === 'deny', latest };
}

/** A finding per organisation, built once: findings are immutable, and a decision may meet the same one millions of times. */
function findingPer(build: (party: ConsentParty) => ConsentFinding): (party: ConsentParty) => ConsentFinding {
  const memo = new Map<string, ConsentFinding>();
  return (party) => {
    let finding = memo.get(party.ods);
    if (!finding) memo.set(party.ods, (finding = Object.freeze(build(party))));
    return finding;
  };
}

const sourceObjection = findingPer((source) => ({
  code: 'source-objection',
  text: `The person has objected to ${source.name} sharing their record.`,
  breakGlassOverrides: true,
}));

/** Implied consent with opt-out (Leeds, Bristol): everything the ISA allows flows unless the person objected. */
export function impliedOptOutModel(): ConsentModel {
  return {
    kind: 'implied-opt-out',
    description:
      'Implied consent with the right to object: information is shared for your direct care unless you tell us you object. If you object, professionals outside the organisation that recorded the information will not see it, except in an emergency or to keep someone safe, and every such access is checked.',
    assess(input) {
      const { blocks, objectsTo } = objections(input);
      return {
        blocks,
        sourceFinding: input.consents.length === 0 ? noSourceFinding : (source) => (objectsTo(source.ods) ? sourceObjection(source) : undefined),
        requireItemShareOut: false,
        reasons: [],
        obligations: [],
      };
    },
  };
}

/**
 * Explicit share-out / share-in (SystmOne EDSM): the recording organisation must have the person's permission to
 * share out, and the viewing organisation must have recorded the person's permission to share in. Share-in at the
 * viewer never unlocks what the source did not share out ("the GP owns the data"); break-glass can stand in for a
 * missing share-in only.
 */
export function explicitShareModel(options: { itemShareOutRequired?: boolean } = {}): ConsentModel {
  const itemShareOutRequired = options.itemShareOutRequired ?? false;
  const shareOutMissing = findingPer((source) => ({
    code: 'share-out-missing',
    text: `${source.name} has not shared this person's record out (no share-out consent recorded there). Only ${source.name} can change this.`,
    breakGlassOverrides: false,
  }));
  const shareInMissing = findingPer((viewer) => ({
    code: 'share-in-missing',
    text: `No share-in consent is recorded at ${viewer.name}: ask the person for permission to view and record it.`,
    breakGlassOverrides: true,
  }));
  return {
    kind: 'explicit-share',
    description:
      'Explicit consent to share: each organisation shares your record only if you have agreed that it may ("share out"), and another organisation sees it only if you have also agreed there that it may look ("share in"). Agreeing at one place never overrides a "no" at another.' +
      (itemShareOutRequired ? ' Each entry is shared only if the professional recording it marked it as shareable.' : ' Entries marked private are never shared.'),
    assess(input) {
      const { blocks, objectsTo, latest } = objections(input);
      const { viewer } = input;
      const shareIn = latest.get('access', viewer.ods);
      // Consent to view given at the viewing organisation now (the clinician's "the patient agrees to you viewing
      // now") stands in for share-in until it expires, unless a later share-in refusal was recorded there.
      const ctv = input.consentToView;
      const viewingAgreed =
        ctv !== undefined &&
        (ctv.answer === 'granted' || ctv.answer === 'extended') &&
        ctv.personId === input.patient.personId &&
        ctv.organisation === viewer.ods &&
        instant(ctv.recordedAt) <= input.now &&
        input.now < instant(ctv.expiresAt) &&
        !(shareIn?.decision === 'deny' && instant(shareIn.dateTime) > instant(ctv.recordedAt));
      const sharedIn = shareIn?.decision === 'permit' || viewingAgreed;
      return {
        blocks,
        sourceFinding(source) {
          if (objectsTo(source.ods)) return sourceObjection(source);
          const shareOut = latest.get('disclose', source.ods);
          if (shareOut?.decision !== 'permit') return shareOutMissing(source);
          if (!sharedIn) return shareInMissing(viewer);
          return undefined;
        },
        requireItemShareOut: itemShareOutRequired,
        reasons: viewingAgreed && shareIn?.decision !== 'permit' ? [{ code: 'consent-to-view-granted', text: 'The person gave permission to view, recorded at the point of care.' }] : [],
        obligations: [],
      };
    },
  };
}

/**
 * Practice activation (EMIS / MIG Data Sharing Manager): a GP practice's data flows only once the practice has
 * activated the agreement in its own system, and nothing is shown to an organisation until it has activated too.
 * Objections are honoured as in the implied model.
 */
export function practiceActivationModel(): ConsentModel {
  const notActivated = findingPer((source) => ({ code: 'practice-not-activated', text: `${source.name} has not activated the sharing agreement, so its data is not shared.`, breakGlassOverrides: false }));
  return {
    kind: 'practice-activation',
    description:
      'Implied consent with the right to object, switched on practice by practice: your GP practice\'s information is shared only once your practice has formally activated the agreement, and you can object at any time.',
    assess(input) {
      const { blocks, objectsTo } = objections(input);
      const { viewer, now } = input;
      if (viewer.activatedAt === undefined || viewer.activatedAt > now)
        blocks.push({
          code: 'viewer-not-activated',
          text: `${viewer.name} has not activated the sharing agreement, so it sees no shared data yet.`,
          breakGlassOverrides: false,
        });
      return {
        blocks,
        sourceFinding(source) {
          if (source.kind === 'gp-practice' && (source.activatedAt === undefined || source.activatedAt > now))
            return notActivated(source);
          if (objectsTo(source.ods)) return sourceObjection(source);
          return undefined;
        },
        requireItemShareOut: false,
        reasons: [],
        obligations: [],
      };
    },
  };
}

/**
 * Consent to view at the point of care (SCR, MIG): before seeing other organisations' data the professional asks the
 * person and records the answer, which lasts `maxMinutes` at most. `unable` (cannot be asked) admits emergency
 * treatment (ETREAT) only, with an alert. A refusal blocks everything but break-glass.
 */
export function consentToViewModel(options: { maxMinutes?: number } = {}): ConsentModel {
  const maxMs = (options.maxMinutes ?? 480) * 60_000;
  return {
    kind: 'consent-to-view',
    description:
      'Permission to view: each time a professional outside the organisation that recorded your information needs to look at it, they ask you first and record your answer. Your answer lasts for that episode of care only. If you cannot be asked in an emergency they may look, and that access is checked.',
    assess(input) {
      const { blocks, objectsTo } = objections(input);
      const reasons: Reason[] = [];
      const obligations: Obligation[] = [];
      const ctv = input.consentToView;
      const valid =
        ctv !== undefined &&
        ctv.personId === input.patient.personId &&
        ctv.organisation === input.viewer.ods &&
        instant(ctv.recordedAt) <= input.now &&
        input.now < instant(ctv.expiresAt) &&
        instant(ctv.expiresAt) - instant(ctv.recordedAt) <= maxMs;
      if (!valid) {
        blocks.push({ code: 'consent-to-view-required', text: 'Ask the person for permission to view their shared record, and record the answer.', breakGlassOverrides: true });
        obligations.push({ kind: 'prompt-consent-to-view', text: 'Ask for and record permission to view.' });
      } else if (ctv.answer === 'denied') {
        blocks.push({ code: 'consent-to-view-refused', text: 'The person has refused permission to view their shared record.', breakGlassOverrides: true });
      } else if (ctv.answer === 'unable') {
        if (input.purposeOfUse === 'ETREAT') {
          reasons.push({ code: 'consent-to-view-emergency', text: 'The person could not be asked; viewing for emergency treatment.' });
          obligations.push({ kind: 'alert-privacy-officer', reason: 'consent-to-view-emergency', text: 'Record viewed without permission: the person could not be asked (emergency treatment).' });
        } else {
          blocks.push({ code: 'consent-to-view-required', text: 'The person could not be asked: viewing without permission is for emergency treatment only.', breakGlassOverrides: true });
        }
      } else {
        reasons.push({ code: 'consent-to-view-granted', text: 'The person gave permission to view.' });
      }
      return {
        blocks,
        sourceFinding: input.consents.length === 0 ? noSourceFinding : (source) => (objectsTo(source.ods) ? sourceObjection(source) : undefined),
        requireItemShareOut: false,
        reasons,
        obligations,
      };
    },
  };
}

/** The built-in consent model an ISA names. */
export function createConsentModel(config: ConsentModelConfig): ConsentModel {
  switch (config.kind) {
    case 'implied-opt-out':
      return impliedOptOutModel();
    case 'explicit-share':
      return explicitShareModel({ itemShareOutRequired: config.itemShareOutRequired });
    case 'practice-activation':
      return practiceActivationModel();
    case 'consent-to-view':
      return consentToViewModel({ maxMinutes: config.maxMinutes });
  }
}

/** Where the policy enforcement point gets a person's consents from. */
export interface ConsentSource {
  consentsFor(personId: string): Promise<ConsentRecord[]>;
}

/** An in-memory `ConsentSource`, for tests and small localities. */
export class InMemoryConsentSource implements ConsentSource {
  readonly #records: ByPerson<ConsentRecord>;

  constructor(initial: Iterable<ConsentRecord> = []) {
    this.#records = new ByPerson(initial);
  }

  add(record: ConsentRecord): void {
    this.#records.add(record);
  }

  async consentsFor(personId: string): Promise<ConsentRecord[]> {
    return this.#records.of(personId);
  }
}
