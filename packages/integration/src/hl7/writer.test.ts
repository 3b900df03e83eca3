import { describe, expect, it } from 'vitest';
import { buildAck } from './ack.js';
import { parseHl7 } from './message.js';
import { formatHl7Timestamp, writeMessage } from './writer.js';

function parseOne(text: string) {
  const [outcome] = parseHl7(text);
  if (!outcome?.ok) throw new Error(JSON.stringify(outcome));
  return outcome.message;
}

describe('writer', () => {
  it('escapes every delimiter so a reader gets the same text back', () => {
    const tricky = 'a|b^c~d\\e&f\r\ng';
    const text = writeMessage([
      { name: 'MSH', fields: ['APP', 'FAC', '', '', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), '', ['ACK', 'A01', 'ACK'], 'C1', 'P', '2.5.1'] },
      { name: 'NTE', fields: ['1', '', tricky] },
    ]);
    const m = parseOne(text);
    expect(m.segment('NTE')?.text(3)).toBe(tricky);
    expect(m.header.dateTime).toBe('20260102030405+0000');
  });

  it('writes a Date in place without shifting later fields', () => {
    const text = writeMessage([
      { name: 'MSH', fields: ['A', '', '', '', new Date(0), '', 'ACK', '1', 'P', '2.4'] },
      { name: 'EVN', fields: ['A01', new Date(0), 'after'] },
    ]);
    expect(text.split('\r')[1]).toBe('EVN|A01|19700101000000+0000|after');
    expect(formatHl7Timestamp(new Date(Date.UTC(2026, 11, 31, 23, 59, 58)))).toBe('20261231235958+0000');
  });

  it('writes repetitions, subcomponents and the HL7 null', () => {
    const text = writeMessage([
      { name: 'MSH', fields: ['A', '', '', '', '', '', 'ADT', '1', 'P', '2.4'] },
      { name: 'PID', fields: ['1', '', { repetitions: [['1', '', '', 'NHS'], ['2', '', '', ['X', 'Y']]] }, null] },
    ]);
    expect(text.split('\r')[1]).toBe('PID|1||1^^^NHS~2^^^X&Y|""');
  });

  it('writes with custom delimiters', () => {
    const d = { field: '#', component: '^', repetition: '~', escape: '!', subcomponent: '&' };
    const text = writeMessage([
      { name: 'MSH', fields: ['A', '', '', '', '', '', 'ACK', '1', 'P', '2.4'] },
      { name: 'NTE', fields: ['1', '', 'x#y!z'] },
    ], d);
    expect(text).toContain('MSH#^~!&#A');
    expect(parseOne(text).segment('NTE')?.text(3)).toBe('x#y!z');
  });
});

const INBOUND = 'MSH|^~\\&|PAS|RXX01|IDCR|LOC|20260110093000||ADT^A01^ADT_A01|MSG1|P|2.5.1\rPID|1';

describe('ACK [REQ-INT-001]', () => {
  const inbound = parseOne(INBOUND).header;
  const opts = { controlId: 'ACK1', now: new Date(Date.UTC(2026, 0, 10, 9, 30, 1)) };

  it('original mode: AA echoing MSH-10, addressed back to the sender', () => {
    const ack = buildAck(inbound, 'accepted', [], opts);
    expect(ack.code).toBe('AA');
    const m = parseOne(ack.text!);
    expect(m.header.receivingApplication).toBe('PAS');
    expect(m.header.receivingFacility).toBe('RXX01');
    expect(m.type).toBe('ACK^A01');
    expect(m.segment('MSA')?.get(1)).toBe('AA');
    expect(m.segment('MSA')?.get(2)).toBe('MSG1');
    expect(m.all('ERR')).toHaveLength(0);
  });

  it('AE with an ERR segment naming the field (v2.5+: ERR-2 location, ERR-3 code, ERR-8 message)', () => {
    const problem = { code: 'field-invalid', message: 'PID.7: "Aug 15, 1942" is not an HL7 date', severity: 'error' as const, hl7Code: 102, location: { segment: 'PID', sequence: 1, field: 7 } };
    const ack = buildAck(inbound, 'error', [problem], opts);
    const m = parseOne(ack.text!);
    expect(m.segment('MSA')?.get(1)).toBe('AE');
    const err = m.segment('ERR')!;
    expect(err.get(2, 1)).toBe('PID');
    expect(err.get(2, 3)).toBe('7');
    expect(err.get(3, 1)).toBe('102');
    expect(err.get(3, 3)).toBe('HL70357');
    expect(err.get(4)).toBe('E');
    expect(err.text(8)).toBe('PID.7: "Aug 15, 1942" is not an HL7 date');
  });

  it('pre-2.5: MSA-3 text and ERR-1 ELD', () => {
    const old = parseOne(INBOUND.replace('2.5.1', '2.3')).header;
    const problem = { code: 'x', message: 'PID.3: no identifier', severity: 'error' as const, hl7Code: 101, location: { segment: 'PID', field: 3 } };
    const m = parseOne(buildAck(old, 'error', [problem], opts).text!);
    expect(m.segment('MSA')?.text(3)).toBe('PID.3: no identifier');
    expect(m.segment('ERR')?.get(1, 1)).toBe('PID');
    expect(m.segment('ERR')?.get(1, 3)).toBe('3');
    expect(m.segment('ERR')?.get(1, 4, 1)).toBe('101');
  });

  it('AR for an unparseable message still names its control id when it can be read', () => {
    const ack = buildAck({ controlId: 'X9', sendingApplication: 'LAB' }, 'rejected', [], opts);
    const m = parseOne(ack.text!);
    expect(m.segment('MSA')?.get(1)).toBe('AR');
    expect(m.segment('MSA')?.get(2)).toBe('X9');
  });

  it('enhanced mode: commit ACK per MSH-15, application ACK per MSH-16, none when not wanted', () => {
    const h = (accept: string, app: string) => ({ ...inbound, acceptAckType: accept, applicationAckType: app });
    expect(buildAck(h('AL', 'NE'), 'accepted', [], opts).code).toBe('CA');
    expect(buildAck(h('AL', 'NE'), 'error', [], opts).code).toBe('CE');
    expect(buildAck(h('AL', 'AL'), 'rejected', [], opts).code).toBe('CR');
    expect(buildAck(h('ER', 'NE'), 'accepted', [], opts).text).toBeUndefined();
    expect(buildAck(h('ER', 'NE'), 'rejected', [], opts).code).toBe('CR');
    expect(buildAck(h('NE', 'AL'), 'accepted', [], opts).code).toBe('AA');
    expect(buildAck(h('NE', 'ER'), 'error', [], opts).code).toBe('AE');
    expect(buildAck(h('NE', 'NE'), 'accepted', [], opts).text).toBeUndefined();
    expect(buildAck(h('SU', ''), 'accepted', [], opts).mode).toBe('enhanced');
  });

  it('answers a custom-delimited sender in its own delimiters', () => {
    const m = parseOne('MSH#^~!&#PAS#RXX#A#B#20260101##ADT^A08#77#P#2.4\rPID#1');
    const ack = buildAck(m.header, 'accepted', [], { ...opts, delimiters: m.delimiters });
    expect(ack.text!.startsWith('MSH#^~!&#')).toBe(true);
    expect(parseOne(ack.text!).segment('MSA')?.get(2)).toBe('77');
  });
});
