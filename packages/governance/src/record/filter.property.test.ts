import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CodeSystems, HEADING_IDS, ODS_CODE_SYSTEM, Sensitivity, headingOf, headingTag, sensitivityOfCode, type PurposeOfUseCode } from '@openidcr/model';
import { decide } from '../decision/decide.js';
import { FILTER_ELEMENTS, filterProjection, filterRecord, REFERENCE_RESOURCE_TYPES } from './filter.js';
import { sourceOrganisationOf } from './source.js';
import type { Decision, DecisionRequest, DecisionUser } from '../decision/types.js';
import { DEFAULT_ROLES, ORGANISATION_KINDS } from '../roles/roles.js';
import { EXAMPLE_ORGANISATIONS } from '../isa/example.js';
import { PERSON, NOW, USERS, basePolicy, consent, policyWith, relationship } from '../decision/scenarios.fixtures.js';
import { requestBreakGlass } from '../break-glass/break-glass.js';

const ODS = [...EXAMPLE_ORGANISATIONS.map((o) => o.ods), 'R1H'];
const POLICIES = [
  basePolicy,
  policyWith((i) => { i.consentModel = { kind: 'explicit-share', itemShareOutRequired: true }; }),
  policyWith((i) => { i.consentModel = { kind: 'explicit-share' }; }),
  policyWith((i) => { i.consentModel = { kind: 'practice-activation' }; delete i.parties[1]!.activation; }),
  policyWith((i) => { i.consentModel = { kind: 'consent-to-view' }; }),
  policyWith((i) => { i.parties[5]!.status = 'suspended'; i.parties[4]!.status = 'signed'; }),
];
const TYPES = ['Patient', 'Condition', 'MedicationStatement', 'AllergyIntolerance', 'Observation', 'Immunization', 'Encounter', 'Appointment', 'ServiceRequest', 'DocumentReference', 'EpisodeOfCare', 'CareTeam', 'Flag', 'Consent', 'Provenance', 'Organization', 'Practitioner', 'Basic'];
const SENSITIVE_CODES = ['86406008', '76272004', '52637005', '386639001', '58214004', '397940009', '407374003'];
const BENIGN_CODES = ['44054006', '38341003', '195967001'];

const codingArb = fc.constantFrom(
  ...Object.keys(Sensitivity).map((code) => ({ system: CodeSystems.actCode, code })),
  ...['U', 'L', 'M', 'N', 'R', 'V'].map((code) => ({ system: CodeSystems.confidentiality, code })),
  { system: CodeSystems.sharing, code: 'share-out' },
  { system: CodeSystems.sharing, code: 'private' },
  { system: CodeSystems.actReason, code: 'HTEST' },
);

const resourceArb = fc.record({
  resourceType: fc.constantFrom(...TYPES),
  source: fc.oneof(
    fc.constantFrom(...ODS).map((ods) => ({ kind: 'meta', value: `${ODS_CODE_SYSTEM}|${ods}` })),
    fc.constantFrom(...ODS).map((ods) => ({ kind: 'meta', value: ods })),
    fc.constantFrom(...ODS).map((ods) => ({ kind: 'ext', value: ods })),
    fc.constantFrom({ kind: 'none', value: '' }, { kind: 'meta', value: 'http://example.org/system#x' }, { kind: 'meta', value: `${ODS_CODE_SYSTEM}|bad code` }),
  ),
  security: fc.array(codingArb, { maxLength: 3 }),
  tag: fc.array(fc.oneof(codingArb, fc.constantFrom(...HEADING_IDS).map((h) => headingTag(h))), { maxLength: 2 }),
  code: fc.option(fc.constantFrom(...SENSITIVE_CODES, ...BENIGN_CODES), { nil: undefined }),
});

type Item = { resourceType: string; id: string; secret: string; meta: Record<string, unknown>; extension?: unknown[]; code?: unknown };

type RawResource = typeof resourceArb extends fc.Arbitrary<infer T> ? T : never;

function build(raw: RawResource[]): Item[] {
  return raw.map((r, index) => {
    const item: Item = { resourceType: r.resourceType, id: `item-${index}`, secret: `SECRET-${index}-${r.security.map((s) => s.code).join('')}`, meta: { security: r.security, tag: r.tag } };
    if (r.source.kind === 'meta') item.meta.source = r.source.value;
    if (r.source.kind === 'ext') item.extension = [{ url: 'https://openidcr.org/StructureDefinition/source-organisation', valueIdentifier: { system: ODS_CODE_SYSTEM, value: r.source.value } }];
    if (r.code) item.code = { coding: [{ system: CodeSystems.snomed, code: r.code }] };
    return item;
  });
}

const randomUserArb: fc.Arbitrary<DecisionUser> = fc.record({
  id: fc.constantFrom('u1', 'u2'),
  name: fc.constant('A User'),
  roleId: fc.constantFrom(...DEFAULT_ROLES.map((r) => r.id), 'porter'),
  sdsRoleCode: fc.constantFrom('R8000', 'S8000:G8000:R8001', 'R8014', 'R1290', 'R8009', 'R0001', 'R8003', undefined),
  organisation: fc.record({ ods: fc.constantFrom(...ODS), kind: fc.constantFrom(...ORGANISATION_KINDS) }),
  activityCodes: fc.subarray(['B0360', 'B0570', 'B0015']),
});
/** Mostly real users of the locality (so permits are common), sometimes anything at all. */
const userArb: fc.Arbitrary<DecisionUser> = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.values(USERS)) }, { weight: 1, arbitrary: randomUserArb });
const rarely = fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const requestArb: fc.Arbitrary<DecisionRequest> = fc
  .record({
    user: userArb,
    purposeOfUse: fc.oneof({ weight: 6, arbitrary: fc.constant<PurposeOfUseCode>('TREAT') }, { weight: 3, arbitrary: fc.constantFrom<PurposeOfUseCode>('ETREAT', 'BTG', 'HOPERAT', 'HRESCH') }),
    policy: fc.oneof({ weight: 3, arbitrary: fc.constant(basePolicy) }, { weight: 3, arbitrary: fc.constantFrom(...POLICIES) }),
    sealed: rarely,
    restricted: rarely,
    ndoo: fc.boolean(),
    registeredGpOds: fc.constantFrom(...ODS),
    consents: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.subarray([
      consent('share', 'deny', { dateTime: '2026-10-15T00:00:00Z' }),
      consent('share', 'deny', { organisation: 'Y90001' }),
      consent('disclose', 'permit', { organisation: 'Y90001' }),
      consent('access', 'permit', { organisation: 'X9A' }),
      consent('share', 'permit', { dateTime: '2026-11-01T00:00:00Z' }),
    ]) }),
    relationships: fc.subarray([relationship('encounter', 'X9A'), relationship('episode', 'X9M'), relationship('care-team', 'Y90002'), relationship('care-team', 'X9L'), relationship('referral', 'X9C'), relationship('self-declared', 'Y90002', { userId: 'u1', reason: 'Home visit request from carer', end: '2026-11-22T20:00:00Z' })]),
    withGrant: fc.boolean(),
    ctvAnswer: fc.constantFrom('granted', 'denied', 'unable', undefined),
  })
  .map((r) => {
    const grant = requestBreakGlass({ id: 'g', userId: r.user.id, personId: PERSON, organisation: r.user.organisation.ods, reasonCode: 'emergency-care', reasonText: 'Emergency admission, no history available', now: '2026-11-22T09:00:00Z' });
    return {
      user: r.user,
      purposeOfUse: r.purposeOfUse,
      patient: { personId: PERSON, registeredGpOds: r.registeredGpOds, sealed: r.sealed, restricted: r.restricted, nationalDataOptOut: r.ndoo },
      policy: r.policy,
      consents: r.consents,
      relationships: r.relationships,
      breakGlass: r.withGrant && grant.ok ? grant.grant : undefined,
      consentToView: r.ctvAnswer
        ? { id: 'c', personId: PERSON, organisation: r.user.organisation.ods, userId: r.user.id, answer: r.ctvAnswer, recordedAt: '2026-11-22T09:00:00Z', expiresAt: '2026-11-22T12:00:00Z' }
        : undefined,
      now: NOW,
    };
  });

/** Independent statement of what may pass, from the decision alone (sensitivity from @openidcr/model's own lookup). */
function allowedByDecision(item: Item, decision: Decision): boolean {
  if (decision.effect !== 'permit') return false;
  const heading = headingOf(item as never);
  if (heading === undefined) {
    if (!REFERENCE_RESOURCE_TYPES.has(item.resourceType)) return false;
  } else {
    if (!decision.visibleHeadings.includes(heading)) return false;
    const source = sourceOrganisationOf(item as never);
    const permission = decision.sources.find((s) => s.ods === source);
    if (!source || permission?.effect !== 'permit' || !permission.headings.includes(heading)) return false;
    if (source === decision.redaction.viewerOds) return true;
  }
  const shareOutRequired = heading !== undefined && decision.redaction.requireShareOutFlag;
  const codings = [...((item.meta.security as Array<{ system: string; code: string }>) ?? []), ...((item.meta.tag as Array<{ system: string; code: string }>) ?? [])];
  if (codings.some((c) => c.system === CodeSystems.sharing && c.code === 'private')) return false;
  if (shareOutRequired && !codings.some((c) => c.system === CodeSystems.sharing && c.code === 'share-out')) return false;
  const conf = codings.filter((c) => c.system === CodeSystems.confidentiality).map((c) => c.code);
  if (conf.includes('V') || (conf.includes('R') && decision.redaction.maxConfidentiality !== 'R')) return false;
  const labels = new Set(codings.filter((c) => c.system === CodeSystems.actCode && c.code in Sensitivity).map((c) => c.code));
  const code = (item.code as { coding: Array<{ system: string; code: string }> } | undefined)?.coding[0];
  for (const label of sensitivityOfCode(code?.system, code?.code)) labels.add(label);
  return [...labels].every((label) => decision.redaction.clearedSensitivities.includes(label as never));
}

describe('filterRecord properties [REQ-GOV-019, REQ-GOV-012]', () => {
  it('no request without permit ever gets a resource through, and every kept item is allowed by the decision', () => {
    let permits = 0;
    let denies = 0;
    fc.assert(
      fc.property(requestArb, fc.array(resourceArb, { maxLength: 40 }), (req, raw) => {
        const record = build(raw);
        const decision = decide(req);
        const { kept, withheld, withheldTotal } = filterRecord(record, decision);
        if (decision.effect === 'permit') permits++;
        else denies++;
        if (decision.effect !== 'permit') expect(kept).toEqual([]);
        for (const item of kept) expect(allowedByDecision(item, decision), item.id).toBe(true);
        for (const item of record) if (!kept.includes(item)) expect(allowedByDecision(item, decision), item.id).toBe(false);
        expect(kept.length + withheldTotal).toBe(record.length);
        expect(withheld.reduce((n, w) => n + w.count, 0)).toBe(withheldTotal);
      }),
      { numRuns: 400 },
    );
    // The generator must exercise both outcomes, or the property proves nothing.
    expect(permits, `permits ${permits}`).toBeGreaterThan(30);
    expect(denies, `denies ${denies}`).toBeGreaterThan(30);
  });

  it('no withheld item, id or label ever leaks into the result', () => {
    fc.assert(
      fc.property(requestArb, fc.array(resourceArb, { minLength: 1, maxLength: 30 }), (req, raw) => {
        const record = build(raw);
        const decision = decide(req);
        const result = filterRecord(record, decision);
        const summary = JSON.stringify(result.withheld);
        const keptJson = JSON.stringify(result.kept);
        for (const item of record) {
          if (result.kept.includes(item)) continue;
          expect(keptJson).not.toContain(`"${item.id}"`);
          expect(summary).not.toContain(item.id);
          expect(summary).not.toContain(item.secret);
        }
        // The summary carries only reason codes, counts and fixed texts.
        for (const w of result.withheld) expect(Object.keys(w).sort()).toEqual(['count', 'reason', 'text']);
        // No kept item from another organisation carries a sensitivity label the role is not cleared for.
        for (const item of result.kept) {
          if (headingOf(item as never) !== undefined && sourceOrganisationOf(item as never) === decision.redaction.viewerOds) continue;
          for (const c of (item.meta.security as Array<{ system: string; code: string }>) ?? [])
            if (c.system === CodeSystems.actCode && c.code in Sensitivity) expect(decision.redaction.clearedSensitivities).toContain(c.code);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a forged deny decision that still lists headings and sources lets nothing through', () => {
    fc.assert(
      fc.property(fc.array(resourceArb, { maxLength: 30 }), (raw) => {
        const permit = decide({ user: { id: 'u', name: 'n', roleId: 'gp', sdsRoleCode: 'R8000', organisation: { ods: 'Y90001', kind: 'gp-practice' }, activityCodes: [] }, purposeOfUse: 'TREAT', patient: { personId: PERSON, registeredGpOds: 'Y90001' }, policy: basePolicy, consents: [], relationships: [], now: NOW });
        expect(permit.effect).toBe('permit');
        const forged: Decision = { ...permit, effect: 'deny' };
        const record = build(raw);
        const result = filterRecord(record, forged);
        expect(result.kept).toEqual([]);
        expect(result.withheldTotal).toBe(record.length);
      }),
    );
  });
});

describe('headingOfItem', () => {
  it('gives the same heading as headingOf in @openidcr/model for any type and tags', async () => {
    const { headingOfItem } = await import('./filter.js');
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES, 'PractitionerRole', 'Unknown'),
        fc.array(fc.oneof(fc.constantFrom(...HEADING_IDS).map((h) => headingTag(h)), fc.constant({ system: CodeSystems.heading, code: 'nonsense' }), codingArb), { maxLength: 3 }),
        (resourceType, tag) => {
          const resource = { resourceType, meta: { tag } };
          expect(headingOfItem(resource)).toBe(headingOf(resource));
        },
      ),
    );
  });
});

/** A record as stored: the coded element is any of those the sensitive code lists are checked on, plus clinical noise. */
const storedRecordArb = fc
  .array(fc.tuple(resourceArb, fc.constantFrom('code', 'medicationCodeableConcept', 'vaccineCode', 'type', 'reasonCode', 'valueCodeableConcept')), { maxLength: 30 })
  .map((pairs) =>
    build(pairs.map(([raw]) => raw)).map((item, i) => {
      const element = pairs[i]![1];
      const stored: Record<string, unknown> = { ...item, subject: { reference: 'Patient/p' }, note: [{ text: `note ${i}` }], status: 'final' };
      if (item.code !== undefined && element !== 'code') {
        delete stored.code;
        stored[element] = element === 'reasonCode' || element === 'type' ? [item.code] : item.code;
      }
      return stored as Item;
    }),
  );

describe('filterRecord on resources cut down to FILTER_ELEMENTS [REQ-GOV-019]', () => {
  it('keeps the same items and withholds the same counts as on the whole resources', () => {
    let kept = 0;
    fc.assert(
      fc.property(requestArb, storedRecordArb, (req, record) => {
        const decision = decide(req);
        const whole = filterRecord(record, decision);
        const cut = filterRecord(record.map(filterProjection), decision);
        expect(cut.kept.map((r) => r.id)).toEqual(whole.kept.map((r) => r.id));
        // Whole items, the very objects given: a caller may send each kept item's stored text.
        for (const r of whole.kept) expect(record).toContain(r);
        expect(cut.withheld).toEqual(whole.withheld);
        for (const r of cut.kept) expect(Object.keys(r).every((k) => FILTER_ELEMENTS.includes(k))).toBe(true);
        kept += whole.kept.length;
      }),
      { numRuns: 1500 },
    );
    expect(kept, 'the generator must keep items, or the property proves nothing').toBeGreaterThan(50);
  });

  it('reads no top-level element of a resource outside FILTER_ELEMENTS', () => {
    const read = new Set<string>();
    const watched = (resource: Item): Item =>
      new Proxy(resource, {
        get(target, key, receiver) {
          if (typeof key === 'string') read.add(key);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    fc.assert(
      fc.property(requestArb, storedRecordArb, (req, record) => {
        const resources = record.map(watched);
        const decision = decide(req);
        filterRecord(resources, decision);
        for (const resource of resources) sourceOrganisationOf(resource as never);
      }),
      { numRuns: 300 },
    );
    expect([...read].filter((key) => !FILTER_ELEMENTS.includes(key))).toEqual([]);
    // The watch saw the reads it must see (a Proxy that saw nothing would prove nothing).
    expect([...read]).toEqual(expect.arrayContaining(['resourceType', 'meta', 'extension', 'code', 'medicationCodeableConcept']));
  });
});
