import { describe, expect, it } from 'vitest';
import { ODS_CODE_SYSTEM, isOdsCodeShape, parseResource } from '@openidcr/model';
import { generateLocality } from './locality.js';
import type { UserRole } from './locality.js';

const ROLES: UserRole[] = ['gp', 'hospital-clinician', 'nurse', 'pharmacist', 'mental-health-clinician', 'social-worker', 'care-coordinator', 'administrator', 'privacy-officer'];

describe('generateLocality', () => {
  it('has 4 GP practices, an acute trust, a mental health trust, community services and adult social care', () => {
    const locality = generateLocality({ seed: 42 });
    const kinds = locality.organisations.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'gp-practice')).toHaveLength(4);
    for (const kind of ['acute-trust', 'mental-health-trust', 'community-services', 'social-care'] as const) expect(kinds.filter((k) => k === kind)).toHaveLength(1);
    expect(new Set(locality.organisations.map((o) => o.ods)).size).toBe(8);
    for (const org of locality.organisations) {
      expect(isOdsCodeShape(org.ods)).toBe(true);
      expect(org.resource.identifier).toContainEqual({ system: ODS_CODE_SYSTEM, value: org.ods });
      expect(parseResource(org.resource).ok).toBe(true);
    }
    for (const org of locality.organisations.filter((o) => o.kind === 'gp-practice')) expect(org.ods).toMatch(/^[A-Z]\d{5}$/);
    for (const org of locality.organisations.filter((o) => o.kind.endsWith('trust') || o.kind === 'community-services')) expect(org.ods).toMatch(/^R[A-Z0-9]{2}$/);
  });

  it('has users of every role, each at an organisation of the locality with an SDS access role and a valid Practitioner', () => {
    const locality = generateLocality({ seed: 42 });
    const ods = new Set(locality.organisations.map((o) => o.ods));
    for (const role of ROLES) expect(locality.users.some((u) => u.role === role), role).toBe(true);
    for (const user of locality.users) {
      expect(ods.has(user.ods)).toBe(true);
      expect(user.sdsRoleCode).toMatch(/^R\d{4}$/);
      expect(user.practitioner.id).toBe(user.id);
      expect(parseResource(user.practitioner).ok).toBe(true);
    }
    expect(new Set(locality.users.map((u) => u.id)).size).toBe(locality.users.length);
    const council = locality.organisations.find((o) => o.kind === 'social-care');
    expect(locality.users.some((u) => u.role === 'social-worker' && u.ods === council?.ods)).toBe(true);
  });

  it('depends only on the seed', () => {
    expect(JSON.stringify(generateLocality({ seed: 9 }))).toBe(JSON.stringify(generateLocality({ seed: 9 })));
    expect(JSON.stringify(generateLocality({ seed: 9 }))).not.toBe(JSON.stringify(generateLocality({ seed: 10 })));
    expect(generateLocality().seed).toBe(42);
  });
});
