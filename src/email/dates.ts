/**
 * Mail dates kept in the sender's wall-clock time. "Tomorrow" in a message sent at 17:37 -0700 on a
 * Monday means Tuesday, even though it is already Tuesday in UTC, so a date is held as naive wall time
 * (milliseconds of Date.UTC over the local fields) plus the sender's UTC offset in minutes.
 *
 * `parseMailDate` is lenient: RFC 5322 and its obsolete forms, 2-digit years, "+-0500", zone names
 * ("EDT", "Eastern Daylight Time"), "2002/09/14 Sat 02:29:32 CDT", ISO 8601 and asctime (mbox envelope).
 */

export interface WallTime {
  /** Date.UTC(year, month - 1, day, hour, minute, second) of the sender's local clock. */
  wall: number;
  /** Sender's offset from UTC in minutes (-420 for -0700). */
  offset: number;
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, sept: 9, october: 10,
  november: 11, december: 12,
};

/** Zone names seen in mail headers, including Windows' long names. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, bst: 60, cet: 60, met: 60, mez: 60, west: 60, cest: 120, mest: 120, mesz: 120,
  eet: 120, eest: 180, msk: 180, msd: 240, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360,
  pst: -480, pdt: -420, akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150, jst: 540,
  kst: 540, hkt: 480, sgt: 480, awst: 480, acst: 570, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
  'eastern standard time': -300, 'eastern daylight time': -240, 'central standard time': -360,
  'central daylight time': -300, 'mountain standard time': -420, 'mountain daylight time': -360,
  'pacific standard time': -480, 'pacific daylight time': -420, 'gmt standard time': 0, 'gmt daylight time': 60,
  'greenwich standard time': 0, 'w. europe standard time': 60, 'w. europe daylight time': 120,
  'romance standard time': 60, 'romance daylight time': 120, 'central europe standard time': 60,
  'central europe daylight time': 120, 'central european standard time': 60, 'central european daylight time': 120,
  'e. europe standard time': 120, 'e. europe daylight time': 180, 'arabian standard time': 240,
  'india standard time': 330, 'china standard time': 480, 'tokyo standard time': 540, 'korea standard time': 540,
  'aus eastern standard time': 600, 'aus eastern daylight time': 660, 'new zealand standard time': 720,
};

function fullYear(text: string): number {
  const n = parseInt(text, 10);
  if (text.length <= 2) return n < 50 ? 2000 + n : 1900 + n;
  if (text.length === 3) return 1900 + n; // obsolete "102" for 2002
  return n;
}

function parseZone(rest: string): number | null {
  const text = rest.replace(/\([^)]*\)/g, ' ').trim();
  const numeric = /^([+-]{1,2})\s?(\d{2}):?(\d{2})(?!\d)/.exec(text);
  if (numeric) {
    const minutes = parseInt(numeric[2]!, 10) * 60 + parseInt(numeric[3]!, 10);
    if (minutes > 14 * 60) return null;
    return numeric[1]!.includes('-') ? -minutes : minutes;
  }
  const lower = text.toLowerCase();
  if (lower.length === 0) return null;
  for (const length of [4, 3, 2, 1]) {
    const words = lower.split(/\s+/).slice(0, length).join(' ');
    const zone = ZONES[words];
    if (zone !== undefined) return zone;
  }
  // A zone in the trailing comment: "12:36:16 -0000 (GMT)" is handled above; "(EST)" alone here.
  const comment = /\(([A-Za-z]{2,5})\)/.exec(rest);
  if (comment) {
    const zone = ZONES[comment[1]!.toLowerCase()];
    if (zone !== undefined) return zone;
  }
  return null;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, offset: number): WallTime | null {
  if (!(y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 24 && mi <= 59 && s <= 61)) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59));
  const check = new Date(wall);
  if (check.getUTCDate() !== d && h < 24) return null; // 31 June and the like
  return { wall, offset };
}

const RFC = /^\s*(?:[A-Za-z]{2,}\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2,4})(?:,?\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*(.*)$/;
const US = /^\s*(?:[A-Za-z]{2,}\.?,?\s*)?([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(.*)$/;
const NUMERIC = /^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+[A-Za-z]{2,3}\.?)?(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(.*)$/;
const ASCTIME = /^\s*(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([A-Za-z]{2,5})\s+)?(\d{4})/;

export function parseMailDate(raw: string | null | undefined): WallTime | null {
  if (!raw) return null;
  const text = raw.trim();
  if (text.length === 0 || text.length > 300) return null;
  let m = RFC.exec(text);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    if (month) {
      const zone = m[4] !== undefined ? parseZone(m[7] ?? '') : null;
      return build(fullYear(m[3]!), month, +m[1]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), zone ?? 0);
    }
  }
  m = NUMERIC.exec(text);
  if (m) {
    const zone = parseZone(m[7] ?? '');
    return build(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), zone ?? 0);
  }
  m = ASCTIME.exec(text);
  if (m) {
    const month = MONTHS[m[1]!.toLowerCase()];
    if (month) {
      const zone = m[6] ? ZONES[m[6].toLowerCase()] : undefined;
      return build(+m[7]!, month, +m[2]!, +m[3]!, +m[4]!, +(m[5] ?? 0), zone ?? 0);
    }
  }
  m = US.exec(text);
  if (m) {
    const month = MONTHS[m[1]!.toLowerCase()];
    if (month) {
      const zone = m[4] !== undefined ? parseZone(m[7] ?? '') : null;
      return build(+m[3]!, month, +m[2]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), zone ?? 0);
    }
  }
  const ms = Date.parse(text);
  if (Number.isFinite(ms)) {
    const y = new Date(ms).getUTCFullYear();
    if (y >= 1900 && y <= 2200) return { wall: ms, offset: 0 };
  }
  return null;
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

export function formatDate(t: WallTime): string {
  const d = new Date(t.wall);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatDateTime(t: WallTime): string {
  const d = new Date(t.wall);
  const sign = t.offset < 0 ? '-' : '+';
  const offset = Math.abs(t.offset);
  return `${formatDate(t)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

const DAY = 86_400_000;

export function startOfDay(t: WallTime): WallTime {
  return { wall: Math.floor(t.wall / DAY) * DAY, offset: t.offset };
}

export function addDays(t: WallTime, days: number): WallTime {
  return { wall: t.wall + days * DAY, offset: t.offset };
}

export function addMinutes(t: WallTime, minutes: number): WallTime {
  return { wall: t.wall + minutes * 60_000, offset: t.offset };
}

/** 0 = Sunday ... 6 = Saturday, of the sender's local date. */
export function weekday(t: WallTime): number {
  return new Date(t.wall).getUTCDay();
}

export function dateParts(t: WallTime): { year: number; month: number; day: number; hour: number; minute: number } {
  const d = new Date(t.wall);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

export function atLocal(year: number, month: number, day: number, hour: number, minute: number, offset: number): WallTime | null {
  return build(year, month, day, hour, minute, 0, offset);
}

/** Days from a's local date to b's local date (b - a), ignoring the time of day. */
export function dayDifference(a: WallTime, b: WallTime): number {
  return Math.round((startOfDay(b).wall - startOfDay(a).wall) / DAY);
}

export function monthNumber(name: string): number | undefined {
  return MONTHS[name.toLowerCase().replace(/\.$/, '')];
}
