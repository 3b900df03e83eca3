import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CodeSystems, HEADING_IDS, ODS_CODE_SYSTEM } from '@openidcr/model';
import { DEFAULT_ROLES, jobRoleCodeOf, parseRoles, roleQualifies } from './roles/roles.js';
import { declareRelationship, findRelationship, InMemoryRelationshipSource, RelationshipSchema } from './relationship/relationship.js';
import { breakGlassGrantValid, requestBreakGlass } from './break-glass/break-glass.js';
import { consentFromFhir, latestConsent, latestConsents, type ConsentRecord } from './consent/records.js';
import { InMemoryConsentSource, createConsentModel, type ConsentModel } from './consent/models.js';
import { sourceOrganisationOf, sourceOfOrganisation, SOURCE_ORGANISATION_EXTENSION } from './record/source.js';
import { labelsOf } from './record/labels.js';
import { createLocalityPolicy } from './locality/policy.js';
import { exampleIsa } from './isa/example.js';
import { decide } from './decision/decide.js';
import { request, USERS } from './decision/scenarios.fixtures.js';

describe('roles [REQ-GOV-010, REQ-GOV-018]', () => {
  it('default roles use only registry headings and NHS code shapes', () => {
    for (const role of DEFAULT_ROLES) {
      for (const h of role.headings) expect(HEADING_IDS).toContain(h);
      for (const c of role.sdsJobRoleCodes) expect(c).toMatch(/^R\d{4}$/);
    }
    expect(DEFAULT_ROLES.map((r) => r.id)).toEqual(['gp', 'hospital-clinician', 'nurse', 'pharmacist', 'mental-health-clinician', 'social-worker', 'care-coordinator', 'administrator', 'privacy-officer']);
    const byId = Object.fromEntries(DEFAULT_ROLES.map((r) => [r.id, r]));
    expect(byId['social-worker']!.headings).not.toContain('results');
    expect(byId['privacy-officer']!.headings).toEqual([]);
    expect(byId['administrator']!.headings).toEqual(['demographics', 'care-team', 'appointments']);
  });

  it('reads the job role from an SDS role code', () => {
    expect(jobRoleCodeOf('S8000:G8000:R8000')).toBe('R8000');
    expect(jobRoleCodeOf('R8014')).toBe('R8014');
    expect(jobRoleCodeOf(undefined)).toBeUndefined();
  });

  it('qualifies a user by job role or by activity code', () => {
    const pharmacist = DEFAULT_ROLES.find((r) => r.id === 'pharmacist')!;
    expect(roleQualifies(pharmacist, { sdsRoleCode: 'S8000:G8000:R1290', activityCodes: [] })).toBe(true);
    expect(roleQualifies(pharmacist, { sdsRoleCode: 'R8009', activityCodes: ['B0570'] })).toBe(true);
    expect(roleQualifies(pharmacist, { sdsRoleCode: 'R8009', activityCodes: [] })).toBe(false);
    expect(roleQualifies({ ...pharmacist, sdsJobRoleCodes: [], activityCodes: [] }, { activityCodes: [] })).toBe(true);
  });

  it('a locality can define its own roles; bad ones are named', () => {
    const ok = parseRoles([{ id: 'paramedic', title: 'Paramedic', description: 'Ambulance clinician.', headings: ['allergies', 'medications'], clinicalAccess: true, mayBreakGlass: true }]);
    expect(ok.ok).toBe(true);
    const bad = parseRoles([{ id: 'Para Medic', title: '', description: 'x', headings: ['gossip'], clinicalAccess: true }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['roles[0].id', 'roles[0].title', 'roles[0].headings[0]']));
    const dup = parseRoles([DEFAULT_ROLES[0], DEFAULT_ROLES[0]]);
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.issues[0]).toMatchObject({ code: 'duplicate-role', path: 'roles[1].id' });
  });

  it('a locality\'s own role drives decisions', () => {
    const made = createLocalityPolicy({
      isa: exampleIsa,
      roles: [...DEFAULT_ROLES.filter((r) => r.id !== 'pharmacist'), { ...DEFAULT_ROLES.find((r) => r.id === 'pharmacist')!, headings: ['medications', 'allergies'] }],
    });
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    const decision = decide(request(USERS.hospitalPharmacist, { policy: made.policy }));
    expect(decision.visibleHeadings).toEqual(['medications', 'allergies']);
  });

  it('createLocalityPolicy names bad fields of the ISA and the roles together', () => {
    const made = createLocalityPolicy({ isa: { ...exampleIsa, reviewDate: 'soon' }, roles: [{ id: 'x' }] });
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['isa.reviewDate', 'roles[0].title']));
  });
});

describe('legitimate relationship [REQ-GOV-011]', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it('declaring one needs a reason and expires within 24 hours', () => {
    const base = { id: 'd1', personId: 'p', userId: 'u', organisation: 'X9C', now: '2026-11-22T10:00:00Z' };
    expect(declareRelationship({ ...base, reason: 'short' })).toMatchObject({ ok: false, error: { code: 'reason-too-short', field: 'reason' } });
    expect(declareRelationship({ ...base, reason: 'Home visit requested by daughter', hours: 48 })).toMatchObject({ ok: false, error: { code: 'duration-out-of-range' } });
    const made = declareRelationship({ ...base, reason: 'Home visit requested by daughter', hours: 2 });
    expect(made).toMatchObject({ ok: true, relationship: { kind: 'self-declared', end: '2026-11-22T12:00:00.000Z' } });
  });

  it('a self-declared relationship without reason or end is rejected by the schema', () => {
    const parsed = RelationshipSchema.safeParse({ id: 'r', personId: 'p', kind: 'self-declared', userId: 'u', start: '2026-11-22T10:00:00Z' });
    expect(parsed.success).toBe(false);
  });

  it('prefers a real relationship over a declared one, and registration over everything', async () => {
    const declared = { id: 'a', personId: 'p', kind: 'self-declared' as const, userId: 'u', organisation: 'X9C', start: '2026-11-22T09:00:00Z', end: '2026-11-22T12:00:00Z', reason: 'visit requested' };
    const referral = { id: 'b', personId: 'p', kind: 'referral' as const, organisation: 'X9C', start: '2026-11-01T00:00:00Z' };
    const user = { id: 'u', organisation: { ods: 'X9C' } };
    expect(findRelationship([declared, referral], user, { personId: 'p' }, now)?.kind).toBe('referral');
    expect(findRelationship([declared], user, { personId: 'p', registeredGpOds: 'X9C' }, now)?.kind).toBe('registration');
    expect(findRelationship([declared], { id: 'other', organisation: { ods: 'X9C' } }, { personId: 'p' }, now)).toBeUndefined();
    const source = new InMemoryRelationshipSource([declared, referral]);
    expect(await source.relationshipsFor('p')).toHaveLength(2);
    expect(await source.relationshipsFor('q')).toEqual([]);
  });
});

describe('break-glass [REQ-GOV-013]', () => {
  const base = { id: 'g', userId: 'u', personId: 'p', organisation: 'X9A', reasonCode: 'emergency-care', reasonText: 'Collapsed, unable to give history', now: '2026-11-22T10:00:00Z' };
  it('needs a known reason code, a reason of 20+ characters and at most 4 hours', () => {
    expect(requestBreakGlass({ ...base, reasonCode: 'curiosity' })).toMatchObject({ ok: false, error: { code: 'reason-code-unknown', field: 'reasonCode' } });
    expect(requestBreakGlass({ ...base, reasonText: 'urgent' })).toMatchObject({ ok: false, error: { code: 'reason-too-short', field: 'reasonText' } });
    expect(requestBreakGlass({ ...base, minutes: 600 })).toMatchObject({ ok: false, error: { code: 'duration-out-of-range' } });
    const ok = requestBreakGlass(base);
    expect(ok).toMatchObject({ ok: true, grant: { expiresAt: '2026-11-22T14:00:00.000Z' } });
  });
  it('is valid only for its user, person, organisation and time', () => {
    const r = requestBreakGlass(base);
    if (!r.ok) throw new Error('grant');
    const t = Date.parse('2026-11-22T11:00:00Z');
    expect(breakGlassGrantValid(r.grant, { id: 'u', organisation: { ods: 'X9A' } }, 'p', t)).toBe(true);
    expect(breakGlassGrantValid(r.grant, { id: 'u', organisation: { ods: 'X9C' } }, 'p', t)).toBe(false);
    expect(breakGlassGrantValid(r.grant, { id: 'u', organisation: { ods: 'X9A' } }, 'p', Date.parse('2026-11-22T14:00:00Z'))).toBe(false);
  });
});

describe('consents [REQ-GOV-005, REQ-GOV-006]', () => {
  const recordArb: fc.Arbitrary<ConsentRecord> = fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    personId: fc.constantFrom('p', 'q'),
    status: fc.constantFrom('active', 'inactive', 'entered-in-error'),
    action: fc.constantFrom('share', 'disclose', 'access'),
    decision: fc.constantFrom('permit', 'deny'),
    organisation: fc.option(fc.constantFrom('Y90001', 'X9A'), { nil: undefined }),
    dateTime: fc.constantFrom('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-12-01T00:00:00Z'),
    purposes: fc.option(fc.constant(['TREAT' as const]), { nil: undefined }),
  }) as fc.Arbitrary<ConsentRecord>;

  it('the one-pass index gives the same latest consent as a search per key', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), fc.constantFrom('TREAT', 'ETREAT'), (records, purpose) => {
        const now = Date.parse('2026-11-22T10:00:00Z');
        const index = latestConsents(records, 'p', purpose, now);
        for (const action of ['share', 'disclose', 'access'] as const)
          for (const org of [undefined, 'Y90001', 'X9A']) expect(index.get(action, org)).toBe(latestConsent(records, 'p', action, org, purpose, now));
      }),
    );
  });

  it('reads a FHIR Consent: objection, share-out, share-in', () => {
    const fhir = (action: string | undefined, type: 'permit' | 'deny', ods?: string) => ({
      resourceType: 'Consent',
      id: 'c1',
      status: 'active',
      dateTime: '2026-11-01T09:00:00Z',
      patient: { reference: 'Patient/person-1' },
      ...(ods ? { organization: [{ identifier: { system: ODS_CODE_SYSTEM, value: ods } }] } : {}),
      provision: { type, ...(action ? { action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: action }] }] } : {}) },
    });
    expect(consentFromFhir(fhir(undefined, 'deny'))).toMatchObject({ ok: true, consent: { personId: 'person-1', action: 'share', decision: 'deny' } });
    expect(consentFromFhir(fhir('disclose', 'permit', 'Y90001'))).toMatchObject({ ok: true, consent: { action: 'disclose', organisation: 'Y90001' } });
    expect(consentFromFhir(fhir('access', 'permit', 'X9A'))).toMatchObject({ ok: true, consent: { action: 'access', organisation: 'X9A' } });
    const bad = consentFromFhir({ ...fhir(undefined, 'deny'), patient: { reference: 'Group/1' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]).toMatch(/^Consent\.patient\.reference/);
  });

  it('a locality can plug in its own consent model', () => {
    const everyoneMustAsk: ConsentModel = {
      kind: 'local-always-ask',
      description: 'Always ask.',
      assess: () => ({
        blocks: [{ code: 'custom:ask-first', text: 'Our locality asks every time.', breakGlassOverrides: true }],
        sourceFinding: () => undefined,
        requireItemShareOut: false,
        reasons: [],
        obligations: [],
      }),
    };
    const made = createLocalityPolicy({ isa: exampleIsa, consentModel: everyoneMustAsk });
    if (!made.ok) throw new Error('policy');
    const decision = decide(request(USERS.ae, { policy: made.policy }));
    expect(decision).toMatchObject({ effect: 'deny', breakGlassAvailable: true, reasons: [{ code: 'custom:ask-first' }] });
    expect(decision.context.consentModel).toBe('local-always-ask');
  });

  it('each built-in model describes itself in plain English', () => {
    for (const kind of ['implied-opt-out', 'explicit-share', 'practice-activation', 'consent-to-view'] as const) {
      const model = createConsentModel(kind === 'explicit-share' ? { kind, itemShareOutRequired: false } : kind === 'consent-to-view' ? { kind, maxMinutes: 60 } : { kind });
      expect(model.kind).toBe(kind);
      expect(model.description.length).toBeGreaterThan(80);
    }
  });

  it('in-memory consent source returns a person\'s records', async () => {
    const source = new InMemoryConsentSource([{ id: 'c', personId: 'p', status: 'active', action: 'share', decision: 'deny', dateTime: '2026-01-01T00:00:00Z' }]);
    expect(await source.consentsFor('p')).toHaveLength(1);
    expect(await source.consentsFor('x')).toEqual([]);
  });
});

describe('source organisation and labels', () => {
  it('reads meta.source as system|code, a bare ODS code, or the extension', () => {
    expect(sourceOrganisationOf({ meta: { source: `${ODS_CODE_SYSTEM}|Y90001` } })).toBe('Y90001');
    expect(sourceOrganisationOf({ meta: { source: 'X9A' } })).toBe('X9A');
    expect(sourceOrganisationOf({ meta: { source: 'urn:ods:Y90003' } })).toBe('Y90003');
    expect(sourceOrganisationOf({ meta: { source: 'urn:ods:X9M:RIO' } })).toBe('X9M');
    expect(sourceOrganisationOf({ meta: { source: 'urn:ods:not ods:RIO' } })).toBeUndefined();
    expect(sourceOrganisationOf({ extension: [{ url: SOURCE_ORGANISATION_EXTENSION, valueIdentifier: { system: ODS_CODE_SYSTEM, value: 'X9L' } }] })).toBe('X9L');
    expect(sourceOrganisationOf({ meta: { source: 'https://example.org/feed#1' } })).toBeUndefined();
    expect(sourceOrganisationOf({ meta: { source: `${ODS_CODE_SYSTEM}|lower` } })).toBeUndefined();
    expect(sourceOrganisationOf({ extension: [{ url: SOURCE_ORGANISATION_EXTENSION, valueIdentifier: { system: 'other', value: 'X9L' } }] })).toBeUndefined();
    expect(sourceOfOrganisation('X9M')).toBe(`${ODS_CODE_SYSTEM}|X9M`);
  });

  it('labels come from security labels, clinical codes and sharing flags', () => {
    const labels = labelsOf({
      meta: { security: [{ system: CodeSystems.confidentiality, code: 'N' }, { system: CodeSystems.confidentiality, code: 'R' }, { system: CodeSystems.actCode, code: 'SEX' }], tag: [{ system: CodeSystems.sharing, code: 'share-out' }] },
      code: { coding: [{ system: CodeSystems.snomed, code: '86406008' }] },
    });
    expect(labels).toEqual({ sensitivities: ['SEX', 'HIV'], confidentiality: 'R', sharedOut: true, private: false });
    expect(labelsOf({})).toEqual({ sensitivities: [], confidentiality: undefined, sharedOut: false, private: false });
  });
});

describe('decision input schemas', () => {
  it('parse a token-derived user and name bad fields', async () => {
    const { DecisionUserSchema, DecisionPatientSchema } = await import('./decision/schemas.js');
    expect(DecisionUserSchema.parse({ ...USERS.ae, activityCodes: undefined })).toMatchObject({ activityCodes: [], sdsRoleCode: 'S8000:G8000:R8000' });
    const bad = DecisionUserSchema.safeParse({ ...USERS.ae, sdsRoleCode: 'doctor', organisation: { ods: 'x', kind: 'hospital' } });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues.map((i) => i.path.join('.'))).toEqual(['sdsRoleCode', 'organisation.ods', 'organisation.kind']);
    expect(DecisionPatientSchema.safeParse({ personId: '' }).success).toBe(false);
  });
});
