import { describe, expect, it } from 'vitest';
import { hl7Date, hl7DateTime, prune, zoneOffsetMinutes } from './datatypes.js';

describe('HL7 dates', () => {
  it('reads DTM at every precision, with and without an offset', () => {
    expect(hl7DateTime('2026', 'Europe/London')).toBe('2026');
    expect(hl7DateTime('202603', 'Europe/London')).toBe('2026-03');
    expect(hl7DateTime('20260312', 'Europe/London')).toBe('2026-03-12');
    expect(hl7DateTime('202601101200', 'Europe/London')).toBe('2026-01-10T12:00:00Z');
    expect(hl7DateTime('20260710120000', 'Europe/London')).toBe('2026-07-10T12:00:00+01:00');
    expect(hl7DateTime('20260710120000.123+0200', 'Europe/London')).toBe('2026-07-10T12:00:00.123+02:00');
    expect(hl7DateTime('20260710120000-0500', 'Europe/London')).toBe('2026-07-10T12:00:00-05:00');
    expect(hl7DateTime('', 'Europe/London')).toBeUndefined();
    expect(hl7DateTime('20261312', 'Europe/London')).toBeNull();
    expect(hl7DateTime('Aug 15, 1942', 'Europe/London')).toBeNull();
    expect(hl7Date('19600312000000')).toBe('1960-03-12');
    expect(hl7Date('19600230')).toBeNull();
  });

  it('computes UK summer time without Intl exactly as Intl does', () => {
    // 'GB' is an IANA alias of Europe/London that takes the general Intl path.
    const intl = (y: number, mo: number, d: number, h: number) => zoneOffsetMinutes('GB', y, mo, d, h, 30);
    for (const y of [2001, 2020, 2026, 2031]) {
      for (const [mo, days] of [[3, [24, 25, 26, 27, 28, 29, 30, 31]], [10, [24, 25, 26, 27, 28, 29, 30, 31]], [1, [1]], [7, [15]]] as const) {
        for (const d of days) for (const h of [0, 2, 3, 12, 23]) expect(zoneOffsetMinutes('Europe/London', y, mo, d, h, 30), `${y}-${mo}-${d} ${h}h`).toBe(intl(y, mo, d, h));
      }
    }
    expect(zoneOffsetMinutes('America/New_York', 2026, 7, 1, 12, 0)).toBe(-240);
  });
});

describe('prune', () => {
  it('drops empty values, arrays and objects, recursively', () => {
    expect(prune({ a: '', b: [], c: {}, d: { e: undefined, f: [''] }, g: 0, h: false, i: [{ j: null }, 'x'] })).toEqual({ g: 0, h: false, i: ['x'] });
  });
});
