import HL7 from 'hl7-standard';
import { describe, expect, it } from 'vitest';
import { parseHl7, parseUnit, type Hl7Message } from './message.js';
import { splitMessages } from './split.js';

const ADT = [
  'MSH|^~\\&|PAS|RXX01|IDCR|LOCALITY|20260110093000||ADT^A01^ADT_A01|MSG00001|P|2.4',
  'EVN|A01|20260110092500',
  'PID|1||9434765919^^^NHS^NH~H123456^^^RXX^MR||JONES^Sarah^Anne^^Mrs||19600312|F|||1 High St^^Leeds^^LS1 4AB',
  'PV1|1|I|WARD1^BED2^^RXX01||||C123^Patel^Ravi^^^Dr|||||||||||V0001^^^RXX^VN|||||||||||||||||||||||||20260110090000',
];

function one(text: string): Hl7Message {
  const [outcome] = parseHl7(text);
  if (!outcome?.ok) throw new Error(`expected a message: ${JSON.stringify(outcome)}`);
  return outcome.message;
}

function upstream(text: string): HL7 {
  const m = new HL7(text);
  m.transform();
  return m;
}

describe('hl7-standard 1.0.4 defect: ignores MSH-1/MSH-2', () => {
  const custom = ADT.map((l) => l.replaceAll('|', '#')).join('\r').replace('MSH#^~\\&#', 'MSH#^~\\&#');
  const underscore = ADT.map((l) => l.replace('^ADT_A01', '').replaceAll('|', '_')).join('\r');

  it('upstream: a "_"-delimited message parses to one segment without complaint', () => {
    const m = upstream(underscore);
    expect(Object.keys(m.transformed)).toEqual([]);
  });

  it('wrapper: reads the delimiters from MSH-1/MSH-2', () => {
    for (const text of [custom, underscore]) {
      const m = one(text);
      expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
      expect(m.segment('PID')?.get(5, 2)).toBe('Sarah');
      expect(m.header.controlId).toBe('MSG00001');
      expect(m.segment('PID')?.get(3, 1, 1, 1)).toBe('H123456');
    }
  });

  it('wrapper: swapped component and repetition characters (MSH-1 "^", MSH-2 "~|\\&")', () => {
    const text = ['MSH^~|\\&^LAB^RXX^^^20260101^^ADT~A08^M1^P^2.3', 'PID^^^A1~~~X|B2~~~Y^^SMITH~JO'].join('\r\n');
    const m = one(text);
    expect(m.header.messageCode).toBe('ADT');
    expect(m.header.triggerEvent).toBe('A08');
    const pid = m.segment('PID')!;
    expect(pid.get(3, 1, 1, 0)).toBe('A1');
    expect(pid.get(3, 4, 1, 1)).toBe('Y');
    expect(pid.get(5, 2)).toBe('JO');
  });

  it('wrapper: a literal "|" in a "#"-delimited message survives', () => {
    const m = one(['MSH#^~\\&#A#B#C#D#20260101##ADT^A08#9#P#2.4', 'NTE#1##left | right'].join('\r'));
    expect(m.segment('NTE')?.text(3)).toBe('left | right');
  });

  it('wrapper: broken MSH-2 is rejected, not guessed', () => {
    for (const enc of ['~\\&', '^~ &', '^~\\\\&', '']) {
      const [outcome] = parseHl7(`MSH|${enc}|A|B|C|D|20260101||ADT^A08|1|P|2.4\rPID|1`);
      expect(outcome?.ok, enc).toBe(false);
      if (!outcome?.ok) expect(outcome!.problems[0]!.message).toMatch(/^MSH\.2/);
    }
  });
});

describe('hl7-standard 1.0.4 defect: no escape handling', () => {
  const text = [ADT[0], 'OBX|1|NM|WBC^White cells||7.2|x10\\S\\9/L|4.0-11.0|N'].join('\r');
  it('upstream: x10\\S\\9/L comes back raw', () => {
    expect(upstream(text).get('OBX.6')).toBe('x10\\S\\9/L');
  });
  it('wrapper: unescapes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ \\Xhh\\ and formatting', () => {
    const m = one([ADT[0], 'OBX|1|NM|WBC^White cells||7.2|x10\\S\\9/L', 'NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D0A\\g\\.br\\h\\H\\bold\\N\\ \\.sp2\\i \\Q\\ kept \\'].join('\r'));
    expect(m.segment('OBX')?.get(6)).toBe('x10^9/L');
    expect(m.segment('NTE')?.text(3)).toBe('a|b^c&d~e\\f\r\ng\nhbold \n\ni \\Q\\ kept \\');
  });
  it('wrapper: escape sequences use the sender\'s delimiters', () => {
    const m = one(['MSH#^~!&#A#B#C#D#20260101##ADT^A08#9#P#2.4', 'NTE#1##x!F!y!E!z\\w'].join('\r'));
    expect(m.segment('NTE')?.text(3)).toBe('x#y!z\\w');
  });
  it("wrapper: an escape character that starts no known sequence stays the sender's, not the rewritten \\", () => {
    // Found by the differential against @medplum/core (differential.test.ts): the message is rewritten to `\` before
    // splitting, and unknown or unterminated sequences used to come back with that `\`.
    const m = one(['MSH#^~!&#A#B#C#D#20260101##ADT^A08#9#P#2.4', 'NTE#1##Wow! Great! a!Q!b c!F!d!', 'PID#1##A!1'].join('\r'));
    expect(m.segment('NTE')?.text(3)).toBe('Wow! Great! a!Q!b c#d!');
    expect(m.segment('PID')?.get(3)).toBe('A!1');
  });
});

describe('hl7-standard 1.0.4 defect: bare "&" in text', () => {
  const text = [ADT[0], 'OBX|1|NM|HB^Haemoglobin||5.1|mmol/L|4.50&5.90|N', 'NTE|1||Collect & send'].join('\r');
  it('upstream: "Collect & send" reads back as "Collect " and 4.50&5.90 rebuilds as 4.50~5.90', () => {
    const m = upstream(text);
    expect(m.get('NTE.3')).toBe('Collect ');
    expect(m.build()).toContain('4.50~5.90');
  });
  it('wrapper: text() reads the whole value back', () => {
    const m = one(text);
    expect(m.segment('NTE')?.text(3)).toBe('Collect & send');
    expect(m.segment('OBX')?.text(7)).toBe('4.50&5.90');
    expect(m.segment('OBX')?.get(7, 1, 2)).toBe('5.90');
  });
});

describe('hl7-standard 1.0.4 defect: splits only on the most frequent line ending', () => {
  const mixed = `${ADT[0]}\r${ADT[1]}\r${ADT[2]}\n${ADT[3]}\r\n`;
  it('upstream: mixed endings merge segments', () => {
    const m = upstream(mixed);
    expect(m.transformed['PV1']).toBeUndefined();
  });
  it('wrapper: CR, LF and CRLF are all segment ends', () => {
    expect(one(mixed).segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
  });
});

describe('hl7-standard 1.0.4 defect: BOM and MLLP bytes throw', () => {
  it('upstream: throws on a BOM or a start block', () => {
    expect(() => upstream(`\uFEFF${ADT.join('\r')}`)).toThrow();
    expect(() => upstream(`\x0b${ADT.join('\r')}\x1c\r`)).toThrow();
  });
  it('wrapper: strips them', () => {
    expect(one(`\uFEFF${ADT.join('\n')}`).segments).toHaveLength(4);
    expect(one(`\x0b${ADT.join('\r')}\x1c\r`).segments).toHaveLength(4);
  });
});

describe('hl7-standard 1.0.4 defect: back-to-back MSH messages parse as one', () => {
  const second = ADT.map((l) => l.replace('MSG00001', 'MSG00002').replace('Sarah', 'Sally'));
  const text = [...ADT, ...second].join('\n');
  it('upstream: one message with two MSH', () => {
    const m = upstream(text);
    expect(m.transformed['MSH']).toHaveLength(2);
  });
  it('wrapper: two messages, in order, each with its own raw text', () => {
    const outcomes = parseHl7(text);
    expect(outcomes).toHaveLength(2);
    const [a, b] = outcomes.map((o) => (o.ok ? o.message : undefined));
    expect(a?.header.controlId).toBe('MSG00001');
    expect(b?.segment('PID')?.get(5, 2)).toBe('Sally');
    expect(b?.raw.startsWith('MSH')).toBe(true);
    expect(a?.raw).toBe(`${ADT.join('\n')}\n`);
  });
  it('wrapper: the value "MSH" inside a field does not start a message', () => {
    const outcomes = parseHl7([ADT[0], 'OBX|1|ST|X||MSH', 'NTE|1||MSH|x'].join('\r'));
    expect(outcomes).toHaveLength(1);
  });
  it('wrapper: batches (FHS/BHS/BTS/FTS) are cut into their messages', () => {
    const split = splitMessages(['FHS|^~\\&|PAS', 'BHS|^~\\&|PAS', ...ADT, ...second, 'BTS|2', 'FTS|1'].join('\r'));
    expect(split.isBatch).toBe(true);
    expect(split.messages).toHaveLength(2);
    expect(split.envelope.map((e) => e.line.slice(0, 3))).toEqual(['FHS', 'BHS', 'BTS', 'FTS']);
  });
});

describe('hl7-standard 1.0.4 defect: getSegments() is grouped by type', () => {
  const text = [ADT[0], 'OBR|1', 'OBX|1|NM|A||1', 'NTE|1||first', 'OBR|2', 'OBX|1|NM|B||2', 'NTE|1||second'].join('\r');
  it('upstream: OBR, OBR, OBX, OBX, NTE, NTE', () => {
    const m = upstream(text);
    expect(m.getSegments().map((s) => s.type)).toEqual(['MSH', 'OBR', 'OBR', 'OBX', 'OBX', 'NTE', 'NTE']);
  });
  it('wrapper: segments in message order with their occurrence number', () => {
    const m = one(text);
    expect(m.segments.map((s) => `${s.name}${s.sequence}`)).toEqual(['MSH1', 'OBR1', 'OBX1', 'NTE1', 'OBR2', 'OBX2', 'NTE2']);
  });
});

describe('hl7-standard 1.0.4 defect: set() with a Date shifts later fields', () => {
  it('upstream: a Date value is not a string and corrupts the segment', () => {
    const m = upstream(ADT.join('\r'));
    m.set('EVN.2', new Date(0) as unknown as string);
    expect(m.build().split('\r')[1]).not.toMatch(/^EVN\|A01\|19700101/);
  });
  // The wrapper never calls set(): ACKs and outbound messages are written by writer.ts (see writer.test.ts).
});

describe('fields', () => {
  it('keeps Z-segments, repetitions, empty and "" (null) fields', () => {
    const m = one([ADT[0], 'PID|1||""||SMITH^JO', 'ZU1|1|custom^value'].join('\r'));
    const pid = m.segment('PID')!;
    expect(pid.isNull(3)).toBe(true);
    expect(pid.get(3)).toBe('');
    expect(pid.get(4)).toBe('');
    expect(m.segment('ZU1')?.get(2, 2)).toBe('value');
    expect(m.segment('PID')?.count(3)).toBe(1);
  });
  it('accepts versions 2.2 to 2.8 and rejects a non-v2 version', () => {
    for (const v of ['2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.8']) expect(one(ADT[0]!.replace('|2.4', `|${v}`)).header.version).toBe(v);
    const [bad] = parseHl7(ADT[0]!.replace('|2.4', '|3.0'));
    expect(bad?.ok).toBe(false);
  });
  it('rejects a line that is not a segment, naming the line', () => {
    const outcome = parseUnit(splitMessages([ADT[0], ADT[1], 'wrapped text from a PDF', ADT[2]].join('\n')).messages[0]!);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.problems[0]!.message).toMatch(/^line 3: "wrapped text from a PDF" is not a segment/);
      expect(outcome.header?.controlId).toBe('MSG00001');
    }
  });
  it('rejects segments with no MSH and binary garbage', () => {
    const [noMsh] = parseHl7('PID|1||123');
    expect(noMsh?.ok).toBe(false);
    const [garbage] = parseHl7(`${ADT[0]}\r\x00\x01\x02binary\x7f`);
    expect(garbage?.ok).toBe(false);
  });
});
