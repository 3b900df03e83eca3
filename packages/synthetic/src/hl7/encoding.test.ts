import { describe, expect, it } from 'vitest';
import { comp, escapeHl7, rep, segment, unescapeHl7 } from './encoding.js';

describe('HL7 escaping', () => {
  it('escapes every delimiter, the escape character first', () => {
    expect(escapeHl7('a|b^c&d~e\\f')).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
    expect(escapeHl7('Trauma & Orthopaedics')).toBe('Trauma \\T\\ Orthopaedics');
  });

  it('round-trips any text', () => {
    for (const text of ['plain', 'Rose & Crown Yard', '|^~\\&', 'x\\E\\y', "O'Brien-Smith ^2"]) expect(unescapeHl7(escapeHl7(text))).toBe(text);
  });

  it('builds fields at their numbered positions and escapes components once', () => {
    expect(segment('PV1', { 1: '1', 3: comp('Ward & 7', undefined, 'B2', 'RX1') })).toBe('PV1|1||Ward \\T\\ 7^^B2^RX1');
    expect(segment('PID', { 3: rep(comp('9990000018', undefined, undefined, 'NHS', 'NH'), comp('H1', undefined, undefined, 'RX1', 'MR')) })).toBe(
      'PID|||9990000018^^^NHS^NH~H1^^^RX1^MR',
    );
    expect(segment('NTE', { 1: '1', 3: 'a^b', 9: undefined })).toBe('NTE|1||a\\S\\b');
  });
});
