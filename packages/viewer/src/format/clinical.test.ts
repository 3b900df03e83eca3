import { describe, expect, test } from 'vitest';
import {
  ageInYears,
  conceptText,
  formatAddress,
  formatAge,
  formatBirthDateWithAge,
  formatClinicalDate,
  formatClinicalDateTime,
  formatGender,
  formatPatientName,
  formatProfessionalName,
  formatQuantity,
  parseFhirDate,
} from './clinical.js';

describe('formatClinicalDate', () => {
  test('CUI format dd-Mmm-yyyy', () => {
    expect(formatClinicalDate('1960-03-12')).toBe('12-Mar-1960');
    expect(formatClinicalDate('2024-12-01')).toBe('01-Dec-2024');
  });
  test('reads the date as recorded, whatever the time zone of the time part', () => {
    expect(formatClinicalDate('2024-02-01T23:30:00-05:00')).toBe('01-Feb-2024');
    expect(formatClinicalDate('2024-02-01T00:30:00+14:00')).toBe('01-Feb-2024');
  });
  test('partial dates and missing values', () => {
    expect(formatClinicalDate('1960-03')).toBe('Mar-1960');
    expect(formatClinicalDate('1960')).toBe('1960');
    expect(formatClinicalDate(undefined)).toBe('Not known');
    expect(formatClinicalDate('12/03/1960')).toBe('Not known');
    expect(formatClinicalDate('1960-13-01')).toBe('Not known');
  });
  test('does not depend on the process locale or time zone', () => {
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(formatClinicalDate('1960-03-12')).toBe('12-Mar-1960');
    } finally {
      process.env.TZ = before;
    }
  });
  test('with time', () => {
    expect(formatClinicalDateTime('2024-02-01T22:10:00Z')).toBe('01-Feb-2024 22:10');
    expect(formatClinicalDateTime('2024-02-01')).toBe('01-Feb-2024');
  });
  test('parseFhirDate', () => {
    expect(parseFhirDate('2024-02-01T22:10:00Z')).toEqual({ year: 2024, month: 2, day: 1, hour: 22, minute: 10 });
  });
});

describe('ages', () => {
  test('whole years, birthday not yet reached', () => {
    expect(ageInYears('1960-03-12', '2026-03-11')).toBe(65);
    expect(ageInYears('1960-03-12', '2026-03-12')).toBe(66);
    expect(ageInYears('1960-03-12', '2026-11-22')).toBe(66);
    expect(ageInYears('1960', '2026-11-22')).toBeUndefined();
    expect(ageInYears('2030-01-01', '2026-11-22')).toBeUndefined();
  });
  test('CUI units: years from 2, months under 2, weeks under a month... days under 4 weeks', () => {
    expect(formatAge('1960-03-12', '2026-11-22')).toBe('66y');
    expect(formatAge('2024-11-22', '2026-11-22')).toBe('2y');
    expect(formatAge('2025-01-10', '2026-03-02')).toBe('13m');
    expect(formatAge('2026-11-01', '2026-11-22')).toBe('21d');
    expect(formatAge('2026-10-20', '2026-11-22')).toBe('1m');
    expect(formatAge('2026-10-24', '2026-11-22')).toBe('4w');
  });
  test('born with age', () => {
    expect(formatBirthDateWithAge('1960-03-12', '2026-11-22')).toBe('12-Mar-1960 (66y)');
    expect(formatBirthDateWithAge(undefined, '2026-11-22')).toBe('Not known');
  });
});

describe('names and demographics', () => {
  test('formatPatientName: FAMILY, Given (Title)', () => {
    expect(formatPatientName([{ family: 'Smith', given: ['John'], prefix: ['Mr'] }])).toBe('SMITH, John (Mr)');
    expect(formatPatientName([{ family: 'Smith', given: ['John', 'Edward'] }])).toBe('SMITH, John Edward');
    expect(formatPatientName([{ text: 'Baby of Jane Doe' }])).toBe('Baby of Jane Doe');
    expect(formatPatientName(undefined)).toBe('Not known');
  });
  test('the official current name wins over old and nickname', () => {
    expect(
      formatPatientName([
        { use: 'old', family: 'Jones', given: ['Mary'] },
        { use: 'nickname', given: ['Molly'] },
        { use: 'official', family: 'Evans', given: ['Mary'], prefix: ['Mrs'] },
      ]),
    ).toBe('EVANS, Mary (Mrs)');
  });
  test('professional names read title first', () => {
    expect(formatProfessionalName([{ family: 'Patel', given: ['Asha'], prefix: ['Dr'] }])).toBe('Dr Asha Patel');
  });
  test('gender and address', () => {
    expect(formatGender('female')).toBe('Female');
    expect(formatGender(undefined)).toBe('Not known');
    expect(formatAddress([{ use: 'old', line: ['1 Old Road'] }, { use: 'home', line: ['12 Canal Street'], city: 'Ridgeway', postalCode: 'RG1 4AB' }])).toBe(
      '12 Canal Street, Ridgeway, RG1 4AB',
    );
    expect(formatAddress([])).toBe('Not known');
  });
  test('concepts and quantities', () => {
    expect(conceptText({ coding: [{ code: 'x', display: 'Rash' }] })).toBe('Rash');
    expect(conceptText({ text: 'Own words', coding: [{ display: 'Coded' }] })).toBe('Own words');
    expect(conceptText({ coding: [{ code: '123' }] })).toBe('123');
    expect(formatQuantity({ value: 0.1 + 0.2, unit: 'mmol/L' })).toBe('0.3 mmol/L');
    expect(formatQuantity({ value: 60, comparator: '>', unit: 'mL/min' })).toBe('>60 mL/min');
    expect(formatQuantity(undefined)).toBeUndefined();
  });
});
