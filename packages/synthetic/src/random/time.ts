/** Date arithmetic on UTC milliseconds, with the formats FHIR and HL7 v2 need. No clock is read here. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const YEAR = 365.25 * DAY;

/** Milliseconds since the epoch of an ISO date (YYYY-MM-DD) at midnight UTC. */
export function parseIsoDate(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO date: ${date}`);
  return ms;
}

interface Civil {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
}

/** Calendar fields of a UTC time, by integer arithmetic (H. Hinnant's civil_from_days): far cheaper than Date. */
function civil(ms: number): Civil {
  const days = Math.floor(ms / DAY);
  const rest = ms - days * DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const secs = Math.floor(rest / 1000);
  return { y, m, d, hh: Math.floor(secs / 3600), mm: Math.floor((secs % 3600) / 60), ss: secs % 60 };
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** YYYY-MM-DD */
export function fhirDate(ms: number): string {
  const c = civil(ms);
  return `${c.y}-${two(c.m)}-${two(c.d)}`;
}

/** YYYY-MM-DDThh:mm:ssZ (FHIR dateTime/instant, seconds precision). */
export function fhirDateTime(ms: number): string {
  const c = civil(ms);
  return `${c.y}-${two(c.m)}-${two(c.d)}T${two(c.hh)}:${two(c.mm)}:${two(c.ss)}Z`;
}

/** YYYYMMDDHHMMSS (HL7 v2 TS). */
export function hl7DateTime(ms: number): string {
  const c = civil(ms);
  return `${c.y}${two(c.m)}${two(c.d)}${two(c.hh)}${two(c.mm)}${two(c.ss)}`;
}

/** YYYYMMDD (HL7 v2 DT). */
export function hl7Date(ms: number): string {
  const c = civil(ms);
  return `${c.y}${two(c.m)}${two(c.d)}`;
}

/** Floors a time to midnight UTC. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Whole years between a birth date and a moment. */
export function ageAt(birthMs: number, atMs: number): number {
  const b = new Date(birthMs);
  const a = new Date(atMs);
  let age = a.getUTCFullYear() - b.getUTCFullYear();
  if (a.getUTCMonth() < b.getUTCMonth() || (a.getUTCMonth() === b.getUTCMonth() && a.getUTCDate() < b.getUTCDate())) age--;
  return age;
}
