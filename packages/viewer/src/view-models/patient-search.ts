import { todayIso } from '../format/clinical.js';

/** Why a day/month/year is not a real past date, or the ISO date. */
export function birthDateProblem(day: string, month: string, year: string, today: string = todayIso()): { iso?: string; problem?: string } {
  if (!day && !month && !year) return { problem: 'Enter a date of birth' };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return { problem: 'Date of birth must be a real date, like 12 3 1960' };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) return { problem: 'Date of birth must be a real date' };
  if (iso > today) return { problem: 'Date of birth must be in the past' };
  if (Number(year) < 1880) return { problem: 'Date of birth must be after 1880' };
  return { iso };
}

