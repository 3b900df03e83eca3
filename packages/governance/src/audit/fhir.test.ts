import { describe, expect, it } from 'vitest';
import { BALP_PROFILES, AUDIT_CHAIN_EXTENSION, toFhirAuditEvent } from './fhir.js';
import { auditEventFor } from './event.js';
import { InMemoryAuditStore, recordDecision } from './store.js';
import { decide } from '../decision/decide.js';
import { request, USERS, PERSON } from '../decision/scenarios.fixtures.js';
import { requestBreakGlass } from '../break-glass/break-glass.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('toFhirAuditEvent (IHE BALP style) [REQ-GOV-016]', () => {
  it('a permitted heading view is a PatientQuery with the user, role, organisation, purpose and data categories', async () => {
    const store = new InMemoryAuditStore();
    const chained = await recordDecision(store, decide(request(USERS.hospitalPharmacist)), { id: 'ae-1', action: 'search', query: 'GET /MedicationStatement?patient=person-1' });
    const fhir = toFhirAuditEvent(chained, { observer: { display: 'Northshire Care Record', ods: 'X9A' } }) as Json;
    expect(fhir.resourceType).toBe('AuditEvent');
    expect(fhir.meta.profile).toEqual([BALP_PROFILES.PatientQuery]);
    expect(fhir.type).toMatchObject({ code: 'rest' });
    expect(fhir.subtype[0]).toMatchObject({ code: 'search-type' });
    expect(fhir.action).toBe('E');
    expect(fhir.outcome).toBe('0');
    expect(fhir.recorded).toBe('2026-11-22T10:00:00Z');
    const user = fhir.agent.find((a: Json) => a.requestor);
    expect(user.who).toMatchObject({ identifier: { value: USERS.hospitalPharmacist.id }, display: USERS.hospitalPharmacist.name });
    expect(user.type.coding[0]).toMatchObject({ code: 'IRCP' });
    expect(user.role.flatMap((r: Json) => r.coding.map((c: Json) => c.code))).toEqual(['pharmacist', 'R1290']);
    expect(user.purposeOfUse[0].coding[0]).toMatchObject({ code: 'TREAT' });
    expect(user.policy).toEqual(['northshire-direct-care|1.0']);
    expect(fhir.agent.some((a: Json) => a.who?.identifier?.value === 'X9A')).toBe(true);
    const patient = fhir.entity.find((e: Json) => e.role.code === '1');
    expect(patient.what.reference).toBe(`Patient/${PERSON}`);
    expect(patient.type.code).toBe('1');
    const categories = fhir.entity.filter((e: Json) => e.role.code === '4').map((e: Json) => e.detail[0].valueString);
    expect(categories).toEqual(['demographics', 'problems', 'medications', 'allergies', 'results']);
    const query = fhir.entity.find((e: Json) => e.role.code === '24');
    expect(atob(query.query)).toBe('GET /MedicationStatement?patient=person-1');
    const chain = fhir.extension.find((x: Json) => x.url === AUDIT_CHAIN_EXTENSION);
    expect(chain.extension.find((x: Json) => x.url === 'hash').valueString).toBe(chained.hash);
  });

  it('a denied read is a PatientRead with outcome 4 and the reasons', () => {
    const event = auditEventFor(decide(request(USERS.ae, { relationships: [] })), { id: 'ae-2', action: 'read' });
    const fhir = toFhirAuditEvent(event) as Json;
    expect(fhir.meta.profile).toEqual([BALP_PROFILES.PatientRead]);
    expect(fhir.action).toBe('R');
    expect(fhir.outcome).toBe('4');
    expect(fhir.outcomeDesc).toBe('no-legitimate-relationship');
    expect(fhir.entity).toHaveLength(1);
    expect(fhir.extension).toBeUndefined();
  });

  it('break-glass access is flagged and carries its reason', () => {
    const grant = requestBreakGlass({ id: 'bg', userId: USERS.ae.id, personId: PERSON, organisation: 'X9A', reasonCode: 'emergency-care', reasonText: 'Unresponsive on arrival, no history', now: '2026-11-22T09:50:00Z' });
    if (!grant.ok) throw new Error('grant');
    const event = auditEventFor(decide(request(USERS.ae, { relationships: [], breakGlass: grant.grant }, 'BTG')), { id: 'ae-3' });
    expect(event.flagged).toBe(true);
    const fhir = toFhirAuditEvent(event) as Json;
    expect(fhir.meta.tag[0]).toMatchObject({ code: 'break-glass' });
    expect(fhir.purposeOfEvent[0].coding[0]).toMatchObject({ code: 'BTG' });
    const user = fhir.agent.find((a: Json) => a.requestor);
    expect(user.extension[0].valueString).toBe('emergency-care: Unresponsive on arrival, no history');
  });
});

describe('exported AuditEvents validate against the model\'s FHIR R4 schema [REQ-GOV-016]', () => {
  it('permit, deny and break-glass events all parse as AuditEvent', async () => {
    const { parseResourceOf } = await import('@openidcr/model');
    const store = new InMemoryAuditStore();
    const grant = requestBreakGlass({ id: 'bg', userId: USERS.ae.id, personId: PERSON, organisation: 'X9A', reasonCode: 'emergency-care', reasonText: 'Unresponsive on arrival, no history', now: '2026-11-22T09:50:00Z' });
    if (!grant.ok) throw new Error('grant');
    const events = [
      await recordDecision(store, decide(request(USERS.gpA)), { id: 'v1', action: 'search', query: 'GET /Condition?patient=person-1' }),
      await recordDecision(store, decide(request(USERS.ae, { relationships: [] })), { id: 'v2', action: 'read' }),
      await recordDecision(store, decide(request(USERS.ae, { relationships: [], breakGlass: grant.grant }, 'BTG')), { id: 'v3' }),
    ];
    for (const event of events) {
      const result = parseResourceOf('AuditEvent', toFhirAuditEvent(event, { observer: { display: 'Northshire Care Record' } }));
      expect(result.ok, JSON.stringify(result)).toBe(true);
    }
  });
});
