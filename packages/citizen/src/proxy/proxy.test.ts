import { describe, expect, it } from 'vitest';
import { ageOn, assessProxy, DEFAULT_PROXY_RULES, type ProxyAuthority } from './proxy.js';

const authority = (over: Partial<ProxyAuthority> = {}): ProxyAuthority => ({
  id: 'a1',
  kind: 'parent',
  proxyNhsNumber: '9434765919',
  proxyName: 'Sarah Barnes',
  subjectPersonId: 'child',
  status: 'active',
  validFrom: '2020-01-01T00:00:00Z',
  recordedBy: 'gp-1',
  evidence: 'Birth certificate',
  ...over,
});

describe('ageOn', () => {
  it('counts whole years, turning on the birthday itself', () => {
    expect(ageOn('2015-06-02', new Date('2026-06-01T23:59:59Z'))).toBe(10);
    expect(ageOn('2015-06-02', new Date('2026-06-02T00:00:00Z'))).toBe(11);
    expect(ageOn('2016-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(9);
    expect(ageOn('not a date', new Date())).toBeUndefined();
  });
});

describe('assessProxy [REQ-CIT-007]', () => {
  const subject = { personId: 'child', birthDate: '2015-06-02' };
  it('lets a parent act until the day before the child turns 11, and not on the birthday', () => {
    expect(assessProxy([authority()], subject, 'record', DEFAULT_PROXY_RULES, new Date('2026-06-01T12:00:00Z')).ok).toBe(true);
    expect(assessProxy([authority()], subject, 'record', DEFAULT_PROXY_RULES, new Date('2026-06-02T12:00:00Z'))).toEqual({ ok: false, refusal: 'subject-too-old' });
  });

  it('refuses a parent when the child\'s birth date is not known (the age limit cannot be checked)', () => {
    expect(assessProxy([authority()], { personId: 'child' }, 'record', DEFAULT_PROXY_RULES, new Date('2026-06-01T12:00:00Z'))).toEqual({ ok: false, refusal: 'subject-too-old' });
  });

  it('refuses an authority for someone else, one not yet started, expired or revoked', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(assessProxy([authority({ subjectPersonId: 'other' })], subject, 'record', DEFAULT_PROXY_RULES, now)).toEqual({ ok: false, refusal: 'no-authority' });
    expect(assessProxy([authority({ validFrom: '2026-07-01T00:00:00Z' })], subject, 'record', DEFAULT_PROXY_RULES, now)).toEqual({ ok: false, refusal: 'authority-not-in-force' });
    expect(assessProxy([authority({ validTo: '2026-06-01T12:00:00Z' })], subject, 'record', DEFAULT_PROXY_RULES, now)).toEqual({ ok: false, refusal: 'authority-not-in-force' });
    expect(assessProxy([authority({ status: 'revoked' })], subject, 'record', DEFAULT_PROXY_RULES, now)).toEqual({ ok: false, refusal: 'authority-not-in-force' });
  });

  it('limits a carer to the actions and headings the rules give, and a locality can switch a kind off', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const carer = [authority({ kind: 'carer' })];
    const adult = { personId: 'child', birthDate: '1940-01-01' };
    const read = assessProxy(carer, adult, 'record', DEFAULT_PROXY_RULES, now);
    expect(read.ok && [...read.grant.headings]).toEqual(['demographics', 'care-team', 'medications', 'allergies', 'appointments']);
    expect(assessProxy(carer, adult, 'preferences', DEFAULT_PROXY_RULES, now)).toEqual({ ok: false, refusal: 'action-not-allowed' });
    const { carer: _carer, ...noCarers } = DEFAULT_PROXY_RULES;
    expect(assessProxy(carer, adult, 'record', noCarers, now)).toEqual({ ok: false, refusal: 'kind-not-allowed' });
  });
});
