import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTestRangeNhsNumber } from '@openidcr/model';
import { generateLocality } from '../locality/locality.js';
import { generatePatients } from '../population/population.js';
import type { SyntheticPatientRecord } from '../population/population.js';
import { unescapeHl7 } from './encoding.js';
import { misspell } from './messages.js';
import type { SyntheticHl7Message } from './messages.js';

interface Segment {
  get(field: string): unknown;
}
interface ParsedHl7 {
  transform(): void;
  get(field: string, index?: number): unknown;
  getSegments(name?: string): Segment[];
}
const require = createRequire(import.meta.url);
const HL7 = require('hl7-standard') as new (text: string) => ParsedHl7;

function parse(message: SyntheticHl7Message): ParsedHl7 {
  const hl7 = new HL7(message.text);
  hl7.transform();
  return hl7;
}

/** The raw fields of a segment line, split on | (MSH numbered from MSH-1 = '|'). */
function fields(message: SyntheticHl7Message, name: string): string[][] {
  return message.text
    .split('\r')
    .filter((line) => line.startsWith(`${name}|`))
    .map((line) => (name === 'MSH' ? ['MSH', '|', ...line.split('|').slice(1)] : line.split('|')));
}

let records: SyntheticPatientRecord[] = [];
let messages: SyntheticHl7Message[] = [];
const parsed = new Map<SyntheticHl7Message, ParsedHl7>();
let faulty: SyntheticPatientRecord[] = [];

beforeAll(() => {
  records = [...generatePatients({ seed: 42, patients: 200 })];
  messages = records.flatMap((r) => r.messages);
  // Parsing every message once with hl7-standard is itself the first check: transform() throws on what it cannot read.
  for (const message of messages) parsed.set(message, parse(message));
  faulty = [...generatePatients({ seed: 42, patients: 300, faultRate: 0.15 })];
}, 120_000);

describe('HL7 v2 messages', () => {
  it('all parse with hl7-standard, with MSH naming the sender ODS code, type and version', () => {
    const locality = generateLocality({ seed: 42 });
    const ods = new Set(locality.organisations.map((o) => o.ods));
    for (const message of messages) {
      const hl7 = parsed.get(message) as ParsedHl7;
      expect(hl7.getSegments('MSH')).toHaveLength(1);
      expect(hl7.get('MSH.4')).toBe(message.sender);
      expect(ods.has(message.sender)).toBe(true);
      const [type, trigger] = message.type.split('^');
      expect(hl7.get('MSH.9.1')).toBe(type);
      expect(hl7.get('MSH.9.2')).toBe(trigger);
      expect(hl7.get('MSH.10')).toBe(message.controlId);
      expect(['2.4', '2.5.1']).toContain(hl7.get('MSH.12'));
      expect(hl7.getSegments('PID')).toHaveLength(1);
      expect(message.text.endsWith('\r')).toBe(true);
      expect(message.text).not.toContain('\n');
    }
  });

  it('carry the NHS number (NHS/NH) and a local identifier in PID-3', () => {
    for (const record of records) {
      for (const message of record.messages) {
        const reps = (fields(message, 'PID')[0]?.[3] ?? '').split('~').map((r) => r.split('^'));
        const nhs = reps.find((r) => r[3] === 'NHS' && r[4] === 'NH');
        expect(nhs?.[0]).toBe(record.nhsNumber);
        expect(isTestRangeNhsNumber(nhs?.[0] ?? '')).toBe(true);
        if (message.stream !== 'gp' || message.type.startsWith('ADT')) expect(reps.some((r) => r[4] === 'MR' && r[3] === message.sender)).toBe(true);
      }
    }
  });

  it('come from each source system as its message types, in send order per patient', () => {
    const types = new Set([...messages, ...faulty.flatMap((r) => r.messages)].map((m) => `${m.stream} ${m.type}`));
    for (const expected of ['gp ADT^A28', 'gp ADT^A04', 'gp ADT^A31', 'gp RDE^O11', 'gp VXU^V04', 'gp REF^I12', 'acute ADT^A01', 'acute ADT^A03', 'acute ADT^A08', 'acute ADT^A02', 'acute SIU^S12', 'acute MDM^T02', 'lims ORU^R01', 'social-care ADT^A04', 'mental-health ADT^A04', 'community ADT^A04']) {
      expect(types, expected).toContain(expected);
    }
    for (const record of records) {
      const times = record.messages.map((m) => m.sentAt);
      expect([...times].sort()).toEqual(times);
      const ids = record.messages.map((m) => m.controlId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('have the expected segments: ADT with EVN/PV1 (AL1, DG1), ORU with OBX per result and reference ranges, MDM with one OBX TX per line', () => {
    let rangesChecked = 0;
    for (const record of records) {
      for (const message of record.messages) {
        const hl7 = parsed.get(message) as ParsedHl7;
        const count = (name: string): number => hl7.getSegments(name).length;
        if (message.type.startsWith('ADT')) {
          expect(count('EVN')).toBe(1);
          expect(count('PV1')).toBe(1);
          expect(fields(message, 'EVN')[0]?.[1]).toBe(message.type.split('^')[1]);
        }
        if (message.type === 'ADT^A31') {
          const allergies = record.resources.filter((r) => r.resourceType === 'AllergyIntolerance').length;
          expect(count('AL1')).toBe(allergies);
        }
        if (message.type === 'ADT^A01') expect(count('PD1')).toBe(1);
        if (message.type === 'ORU^R01') {
          const accession = fields(message, 'OBR')[0]?.[3]?.split('^')[0];
          const report = record.resources.find((r) => r.resourceType === 'DiagnosticReport' && JSON.stringify(r.identifier).includes(`"${accession}"`));
          expect(report).toBeDefined();
          expect(count('OBX')).toBe((report?.result as unknown[]).length);
          expect(count('NTE')).toBe(report?.conclusion ? 1 : 0);
          for (const obx of fields(message, 'OBX')) {
            expect(['NM', 'ST', 'CE']).toContain(obx[2]);
            if (obx[2] === 'NM') {
              expect(obx[7]).toMatch(/^(\d+(\.\d+)?-\d+(\.\d+)?|<\d+(\.\d+)?|>\d+(\.\d+)?)$/);
              expect(['H', 'L', 'N']).toContain(obx[8]);
              const value = Number(obx[5]);
              const range = obx[7] ?? '';
              const [low, high] = range.includes('-') ? range.split('-').map(Number) : range.startsWith('<') ? [undefined, Number(range.slice(1))] : [Number(range.slice(1)), undefined];
              const expected = high !== undefined && value > high ? 'H' : low !== undefined && value < low ? 'L' : 'N';
              expect(obx[8]).toBe(expected);
              rangesChecked++;
            }
          }
        }
        if (message.type === 'MDM^T02') {
          const number = fields(message, 'TXA')[0]?.[12]?.split('^')[0];
          const doc = record.resources.find((r) => r.resourceType === 'DocumentReference' && JSON.stringify(r.masterIdentifier).includes(`"${number}"`));
          const text = Buffer.from((doc?.content as Array<{ attachment: { data: string } }>)[0]?.attachment.data ?? '', 'base64').toString('utf8');
          const obx = fields(message, 'OBX');
          expect(obx.every((o) => o[2] === 'TX')).toBe(true);
          expect(obx.map((o) => unescapeHl7(o[5] ?? '')).join('\n')).toBe(text);
        }
        if (message.type === 'REF^I12') {
          expect(count('RF1')).toBe(1);
          expect(count('PRD')).toBe(2);
        }
        if (message.type === 'SIU^S12') for (const name of ['SCH', 'RGS', 'AIS', 'AIL', 'AIP']) expect(count(name)).toBe(1);
        if (message.type === 'VXU^V04') expect(count('RXA')).toBe(1);
        if (message.type === 'RDE^O11') for (const name of ['ORC', 'RXE', 'TQ1', 'RXR']) expect(count(name)).toBe(1);
      }
    }
    expect(rangesChecked).toBeGreaterThan(100);
  });

  it('escape delimiters in field content', () => {
    const escaped = messages.filter((m) => /\\[TSFRE]\\/.test(m.text));
    expect(escaped.length).toBeGreaterThan(0);
    for (const message of escaped) {
      for (const line of message.text.split('\r').filter((l) => l.length > 0)) {
        // Once the escape sequences are taken out, no escape character is left: none came from content unescaped.
        const body = line.startsWith('MSH') ? line.slice(8) : line;
        expect(body.replace(/\\([EFSRT]|\.br)\\/g, '')).not.toContain('\\');
      }
    }
    const ward = messages.find((m) => m.text.includes('Trauma \\T\\ Orthopaedics Ward 7'));
    const anyAmpersandWard = messages.some((m) => m.text.includes('Trauma & Orthopaedics'));
    expect(anyAmpersandWard).toBe(false);
    if (ward) expect(parse(ward).get('PV1.3.1')).toBe('Trauma \\T\\ Orthopaedics Ward 7');
  });
});

describe('data-quality faults', () => {
  it('appear at about the configured rate, of every kind, and are marked', () => {
    const all = faulty.flatMap((r) => r.messages);
    const added = all.filter((m) => m.fault === 'duplicate' || m.fault === 'out-of-order').length;
    const base = all.length - added;
    const marked = all.filter((m) => m.fault !== undefined).length;
    expect(marked / base).toBeGreaterThan(0.13);
    expect(marked / base).toBeLessThan(0.17);
    const kinds = new Set(all.map((m) => m.fault).filter((f) => f !== undefined));
    expect(kinds).toEqual(new Set(['missing-nhs-number', 'misspelt-name', 'duplicate', 'out-of-order']));
    expect(records.flatMap((r) => r.messages).some((m) => m.fault !== undefined)).toBe(false);
  });

  it('are the faults they claim to be', () => {
    for (const record of faulty) {
      const family = (record.patient.name as Array<{ family: string }>)[0]?.family ?? '';
      record.messages.forEach((message, i) => {
        const pid = fields(message, 'PID')[0] ?? [];
        const ids = pid[3] ?? '';
        if (message.fault === 'missing-nhs-number') {
          expect(ids).not.toContain('^NHS^NH');
          expect(ids.length).toBeGreaterThan(0);
        } else {
          expect(ids).toContain(`${record.nhsNumber}^^^NHS^NH`);
        }
        const pidFamily = unescapeHl7((pid[5] ?? '').split('^')[0] ?? '');
        if (message.fault === 'misspelt-name') expect(pidFamily).not.toBe(family);
        else expect(pidFamily).toBe(family);
        if (message.fault === 'duplicate') {
          const previous = record.messages[i - 1];
          expect(previous?.text).toBe(message.text);
          expect(previous?.controlId).toBe(message.controlId);
        }
        if (message.fault === 'out-of-order') {
          expect(message.type).toBe('ADT^A08');
          const stale = fields(message, 'EVN')[0]?.[2] ?? '';
          const newer = record.messages.slice(0, i).filter((m) => m.stream === 'acute' && m.type.startsWith('ADT')).map((m) => fields(m, 'EVN')[0]?.[2] ?? '');
          expect(newer.some((t) => t > stale)).toBe(true);
        }
      });
    }
  });

  it('misspells names plausibly', () => {
    expect(misspell([0, 0], 'Thompson')).toBe('Tohmpson');
    expect(misspell([0.99, 0.5], 'Thompson')).toBe('Thompsn');
    expect(misspell([0.5, 0.99], 'Thompson')).toBe('Thomppson');
    expect(misspell([0.5, 0.9], 'Lee')).not.toBe('Lee');
    expect(misspell([0.2, 0.1], "O'Brien")).not.toBe("O'Brien");
  });
});
