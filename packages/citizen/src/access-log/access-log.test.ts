import { describe, expect, it } from 'vitest';
import { exampleIsa, type ChainedAuditEvent } from '@openidcr/governance';
import { decodeAccessLogCursor, encodeAccessLogCursor, toAccessLogEntry } from './access-log.js';

const event = (over: Partial<ChainedAuditEvent> = {}): ChainedAuditEvent => ({
  id: 'e1',
  recorded: '2026-06-01T10:00:00.000Z',
  action: 'search',
  outcome: 'permit',
  user: { id: 'u1', name: 'Dr Asha Patel', roleId: 'pharmacist', organisation: 'X9C', organisationKind: 'community-services' },
  purposeOfUse: 'TREAT',
  personId: 'p1',
  headings: ['medications', 'allergies'],
  sources: ['Y90001'],
  reasons: ['legitimate-relationship'],
  policy: 'isa|1',
  consentModel: 'implied-opt-out',
  flagged: false,
  seq: 0,
  prevHash: '0'.repeat(64),
  hash: 'h',
  ...over,
});

describe('toAccessLogEntry [REQ-CIT-003]', () => {
  it('says which organisation and role looked, why, and what they saw, without the name unless the locality says so', () => {
    const hidden = toAccessLogEntry(event(), { isa: exampleIsa, disclosure: { nameProfessionals: false } });
    expect(hidden).toEqual({
      id: 'e1',
      when: '2026-06-01T10:00:00.000Z',
      purpose: 'Your care',
      outcome: 'allowed',
      parts: ['Medications', 'Allergies and adverse reactions'],
      who: { kind: 'professional', organisation: { ods: 'X9C', name: 'Northshire Community Health Services' }, role: 'Pharmacist' },
      action: 'Looked at your record',
    });
    expect(toAccessLogEntry(event(), { isa: exampleIsa, disclosure: { nameProfessionals: true } }).who.name).toBe('Dr Asha Patel');
  });

  it('flags break-glass with the reason category, never the free text', () => {
    const entry = toAccessLogEntry(event({ purposeOfUse: 'BTG', flagged: true, breakGlass: { grantId: 'g', reasonCode: 'safeguarding', reasonText: 'free text that may hold clinical detail' } }), {
      isa: exampleIsa,
      disclosure: { nameProfessionals: false },
    });
    expect(entry.breakGlass).toEqual({ reason: 'Safeguarding concern for the person or someone else' });
    expect(JSON.stringify(entry)).not.toContain('free text');
    expect(entry.purpose).toBe('Emergency access to your record');
  });

  it('shows nothing seen for a refusal', () => {
    expect(toAccessLogEntry(event({ outcome: 'deny' }), { isa: exampleIsa, disclosure: { nameProfessionals: false } })).toMatchObject({ outcome: 'refused', parts: [], action: 'Asked to look at your record and was refused' });
  });
});

describe('access-log cursors', () => {
  it('continue only the listing of the person they were made for, with the same secret', () => {
    const token = encodeAccessLogCursor('p1', 's', 17, 40);
    expect(decodeAccessLogCursor(token, 'p1', 's')).toEqual({ ok: true, beforeSeq: 17, total: 40 });
    expect(decodeAccessLogCursor(token, 'p2', 's').ok).toBe(false);
    expect(decodeAccessLogCursor(token, 'p1', 'other-secret').ok).toBe(false);
    expect(decodeAccessLogCursor('!!', 'p1', 's').ok).toBe(false);
    expect(decodeAccessLogCursor(Buffer.from('{"v":1}').toString('base64url'), 'p1', 's').ok).toBe(false);
  });
});
