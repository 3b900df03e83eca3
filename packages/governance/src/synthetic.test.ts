import { describe, expect, it } from 'vitest';
import { generateLocality, generatePatients } from '@openidcr/synthetic';
import { CodeSystems, Sensitivity, headingOf } from '@openidcr/model';
import { buildExampleIsa } from './isa/example.js';
import { checkIsa } from './isa/check.js';
import { createLocalityPolicy } from './locality/policy.js';
import { decide } from './decision/decide.js';
import { filterRecord } from './record/filter.js';
import { sourceOrganisationOf } from './record/source.js';
import type { OrganisationKind } from './roles/roles.js';
import type { DecisionUser } from './decision/types.js';

// @openidcr/synthetic calls council social care `social-care`; the ISA's organisation kind is `local-authority`.
const KIND: Record<string, OrganisationKind> = { 'social-care': 'local-authority' };

describe('the synthetic locality through the policy [REQ-GOV-004, REQ-GOV-012]', () => {
  const locality = generateLocality({ seed: 42 });
  const organisations = locality.organisations.map((o) => ({ ods: o.ods, name: o.name, kind: KIND[o.kind] ?? (o.kind as OrganisationKind) }));
  const isa = buildExampleIsa(organisations, { locality: locality.name, id: 'synthetic-direct-care' });
  const made = createLocalityPolicy({ isa });
  if (!made.ok) throw new Error(made.issues.map((i) => i.message).join('; '));
  const policy = made.policy;
  const records = [...generatePatients({ seed: 42, patients: 120 }, locality)];
  const acute = organisations.find((o) => o.kind === 'acute-trust')!;
  const now = '2026-06-01T12:00:00Z';

  it('builds a clean example ISA for its 8 organisations', () => {
    expect(isa.parties).toHaveLength(8);
    expect(checkIsa(isa, now)).toEqual([]);
  });

  it('every item of every synthetic record has a source organisation the policy recognises', () => {
    for (const record of records)
      for (const resource of record.resources) {
        if (headingOf(resource) === undefined) continue;
        expect(organisations.map((o) => o.ods), JSON.stringify(resource.meta)).toContain(sourceOrganisationOf(resource as never));
      }
  });

  it('the registered GP sees every item their practice recorded; A&E sees no sensitive item from elsewhere', () => {
    let gpKept = 0;
    let aeWithheldSensitive = 0;
    for (const record of records) {
      const practice = sourceOrganisationOf(record.patient as never)!;
      const gpUser = locality.users.find((u) => u.role === 'gp' && u.ods === practice);
      const aeUser = locality.users.find((u) => u.role === 'hospital-clinician' && u.ods === acute.ods)!;
      const asUser = (u: typeof aeUser): DecisionUser => ({ id: u.id, name: u.name, roleId: u.role, sdsRoleCode: u.sdsRoleCode, organisation: { ods: u.ods, kind: organisations.find((o) => o.ods === u.ods)!.kind }, activityCodes: [] });
      const patient = { personId: record.patient.id!, registeredGpOds: practice };
      if (gpUser) {
        const decision = decide({ user: asUser(gpUser), purposeOfUse: 'TREAT', patient, policy, consents: [], relationships: [], now });
        expect(decision.effect).toBe('permit');
        const own = record.resources.filter((r) => headingOf(r) !== undefined && sourceOrganisationOf(r as never) === practice);
        const { kept } = filterRecord(record.resources, decision);
        for (const r of own) expect(kept).toContain(r);
        gpKept += kept.length;
      }
      const relationships = [{ id: `enc-${record.index}`, personId: patient.personId, kind: 'encounter' as const, organisation: acute.ods, start: '2026-06-01T08:00:00Z' }];
      const decision = decide({ user: asUser(aeUser), purposeOfUse: 'TREAT', patient, policy, consents: [], relationships, now });
      expect(decision.effect).toBe('permit');
      const result = filterRecord(record.resources, decision);
      for (const w of result.withheld) if (w.reason === 'sensitive' || w.reason === 'confidentiality') aeWithheldSensitive += w.count;
      for (const r of result.kept) {
        if (sourceOrganisationOf(r as never) === acute.ods) continue;
        const labels = (r.meta?.security ?? []).filter((c) => c.system === CodeSystems.actCode && c.code !== undefined && c.code in Sensitivity);
        expect(labels, r.id).toEqual([]);
      }
    }
    expect(gpKept).toBeGreaterThan(100);
    expect(aeWithheldSensitive).toBeGreaterThan(0);
  });
});
