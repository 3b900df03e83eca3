import type { Address, CodeableConcept, HumanName, Quantity } from '@openidcr/model';

/**
 * Clinical formatting by NHS Common User Interface rules. Pure and locale-independent: the same input gives the
 * same text in every browser and time zone (dates are read from the FHIR string, never through the local clock).
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** What the banner and tables show when a value is missing. */
export const NOT_KNOWN = 'Not known';

interface DateParts {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
}

/** Splits a FHIR date, dateTime or instant into its parts without any time-zone conversion. */
export function parseFhirDate(value: string | undefined): DateParts | undefined {
  if (!value) return undefined;
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?/.exec(value.trim());
  if (!match) return undefined;
  const parts: DateParts = { year: Number(match[1]) };
  if (match[2]) parts.month = Number(match[2]);
  if (match[3]) parts.day = Number(match[3]);
  if (match[4]) parts.hour = Number(match[4]);
  if (match[5]) parts.minute = Number(match[5]);
  if (parts.month !== undefined && (parts.month < 1 || parts.month > 12)) return undefined;
  if (parts.day !== undefined && (parts.day < 1 || parts.day > 31)) return undefined;
  return parts;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `12-Mar-1960` (CUI date format); partial dates as `Mar-1960` or `1960`; `Not known` when absent or unreadable. */
export function formatClinicalDate(value: string | undefined): string {
  const parts = parseFhirDate(value);
  if (!parts) return NOT_KNOWN;
  const month = parts.month ? MONTHS[parts.month - 1] : undefined;
  if (!month) return String(parts.year);
  if (parts.day === undefined) return `${month}-${parts.year}`;
  return `${two(parts.day)}-${month}-${parts.year}`;
}

/** `12-Mar-1960 14:05` when the value carries a time, else the date alone. The time is as recorded at source. */
export function formatClinicalDateTime(value: string | undefined): string {
  const parts = parseFhirDate(value);
  const date = formatClinicalDate(value);
  if (!parts || parts.hour === undefined || parts.minute === undefined) return date;
  return `${date} ${two(parts.hour)}:${two(parts.minute)}`;
}

/** Today's date as `YYYY-MM-DD` in UTC, the reference date for ages unless one is given. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whole years between a birth date and a reference date (`YYYY-MM-DD`), or undefined when either is unreadable. */
export function ageInYears(birthDate: string | undefined, on: string = todayIso()): number | undefined {
  const born = parseFhirDate(birthDate);
  const ref = parseFhirDate(on);
  if (!born || !ref || born.month === undefined || born.day === undefined) return undefined;
  let years = ref.year - born.year;
  const refMonth = ref.month ?? 1;
  const refDay = ref.day ?? 1;
  if (refMonth < born.month || (refMonth === born.month && refDay < born.day)) years -= 1;
  return years < 0 ? undefined : years;
}

/** Age as the CUI shows it: `66y` from two years on, `18m` under two years, `4w` under a month, `12d` under four weeks. */
export function formatAge(birthDate: string | undefined, on: string = todayIso()): string | undefined {
  const born = parseFhirDate(birthDate);
  const ref = parseFhirDate(on);
  if (!born || !ref || born.month === undefined || born.day === undefined) return undefined;
  const years = ageInYears(birthDate, on);
  if (years === undefined) return undefined;
  if (years >= 2) return `${years}y`;
  const bornUtc = Date.UTC(born.year, born.month - 1, born.day);
  const refUtc = Date.UTC(ref.year, (ref.month ?? 1) - 1, ref.day ?? 1);
  const days = Math.floor((refUtc - bornUtc) / 86_400_000);
  if (days < 28) return `${days}d`;
  let months = (ref.year - born.year) * 12 + ((ref.month ?? 1) - born.month);
  if ((ref.day ?? 1) < born.day) months -= 1;
  if (months < 1) return `${Math.floor(days / 7)}w`;
  return `${months}m`;
}

/** `12-Mar-1960 (66y)`, the banner's Born value. */
export function formatBirthDateWithAge(birthDate: string | undefined, on: string = todayIso()): string {
  const date = formatClinicalDate(birthDate);
  const age = formatAge(birthDate, on);
  return age ? `${date} (${age})` : date;
}

/** The name to show: the official one, else usual, else the first that is not old. */
export function preferredName(names: readonly HumanName[] | undefined): HumanName | undefined {
  if (!names || names.length === 0) return undefined;
  const current = names.filter((n) => n.use !== 'old' && !(n.period?.end && n.period.end < todayIso()));
  const pool = current.length > 0 ? current : names;
  return pool.find((n) => n.use === 'official') ?? pool.find((n) => n.use === 'usual') ?? pool[0];
}

/** `SMITH, John (Mr)`: family name in capitals, given names, title in brackets. Falls back to `text`. */
export function formatPatientName(names: readonly HumanName[] | HumanName | undefined): string {
  const name = Array.isArray(names) ? preferredName(names) : (names as HumanName | undefined);
  if (!name) return NOT_KNOWN;
  const family = name.family?.trim();
  const given = (name.given ?? []).map((g) => g.trim()).filter(Boolean).join(' ');
  const title = (name.prefix ?? []).map((p) => p.trim()).filter(Boolean).join(' ');
  if (!family && !given) return name.text?.trim() || NOT_KNOWN;
  let out = family ? family.toUpperCase() : '';
  if (given) out += family ? `, ${given}` : given;
  if (title) out += ` (${title})`;
  return out;
}

/** `Dr Jane Patel` for professionals: reading order, title first. */
export function formatProfessionalName(names: readonly HumanName[] | undefined): string | undefined {
  const name = preferredName(names);
  if (!name) return undefined;
  const parts = [...(name.prefix ?? []), ...(name.given ?? []), name.family ?? ''].map((p) => p.trim()).filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : name.text?.trim() || undefined;
}

/** The CUI gender words. */
export function formatGender(gender: string | undefined): string {
  switch (gender) {
    case 'male':
      return 'Male';
    case 'female':
      return 'Female';
    case 'other':
      return 'Other';
    case 'unknown':
      return 'Unknown';
    default:
      return NOT_KNOWN;
  }
}

/** The home address on one line, `1 High Street, Leeds, LS1 1AA`; prefers a current home address. */
export function formatAddress(addresses: readonly Address[] | undefined): string {
  if (!addresses || addresses.length === 0) return NOT_KNOWN;
  const current = addresses.filter((a) => a.use !== 'old' && !a.period?.end);
  const pool = current.length > 0 ? current : addresses;
  const address = pool.find((a) => a.use === 'home') ?? pool[0]!;
  const parts = [...(address.line ?? []), address.city, address.district, address.postalCode].map((p) => p?.trim()).filter(Boolean);
  if (parts.length > 0) return parts.join(', ');
  return address.text?.trim() || NOT_KNOWN;
}

/** The text of a concept: its `text`, else the first coding's display, else its code. */
export function conceptText(concept: CodeableConcept | undefined): string | undefined {
  if (!concept) return undefined;
  if (concept.text?.trim()) return concept.text.trim();
  for (const coding of concept.coding ?? []) if (coding.display?.trim()) return coding.display.trim();
  const code = concept.coding?.find((c) => c.code)?.code;
  return code ?? undefined;
}

/** A number as recorded, without float noise: 5.1 not 5.1000000001. */
export function formatNumber(value: number): string {
  return String(Number.parseFloat(value.toPrecision(12)));
}

/** `5.4 mmol/L`, with its comparator (`<0.5 mg/L`). */
export function formatQuantity(quantity: Quantity | undefined): string | undefined {
  if (!quantity || quantity.value === undefined) return undefined;
  const unit = quantity.unit ?? quantity.code;
  return `${quantity.comparator ?? ''}${formatNumber(quantity.value)}${unit ? ` ${unit}` : ''}`;
}
