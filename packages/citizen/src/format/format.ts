const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A FHIR date or dateTime as the NHS writes it, locale-independent: `12-Mar-1960`, `Mar-1960`, `1960`. */
export function formatClinicalDate(value: string | undefined): string {
  if (!value) return 'Not known';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value);
  if (!m) return value;
  const [, y, mo, d] = m;
  return [d, mo ? MONTHS[Number(mo) - 1] : undefined, y].filter(Boolean).join('-');
}

/** An instant as `12-Mar-2026 14:05` in UTC (the access log states its time zone once). */
export function formatDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** `9434765919` → `943 476 5919`. */
export function formatNhsNumber(value: string): string {
  const digits = value.replace(/\s/g, '');
  return /^\d{10}$/.test(digits) ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : value;
}
