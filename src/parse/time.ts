import { isProblem, problem, type Problem } from './problem.js';
/**
 * Timestamps as capture loops print them: `date` (C locale), `date -R`,
 * `date -Is`/`-Ins`/RFC 3339, `date '+%F %T'`, epoch seconds or milliseconds,
 * the same inside banner lines (`==== 2026-11-25 00:35:57 ====`), and in file
 * names (`2026-11-25T00-44-45Z.sockstat`).
 *
 * Zones: UTC/GMT/UT/Z and numeric offsets are exact. Any other abbreviation
 * (CET, EST, IST, ...) is ambiguous: it is resolved only with `--tz`, and
 * without it the result is an error the caller reports; never a guess. A
 * timestamp with no zone at all is read in `--tz` or, without it, as UTC with
 * a note saying so.
 */

import { MONTH_NAMES } from './month-names.js';

export interface Timestamp {
  /** Milliseconds since the epoch (for ordering and arithmetic). */
  ms: number;
  /** ISO 8601 UTC with `Z`, keeping the fractional digits as given. */
  iso: string;
  /** Set when the zone was assumed rather than read (no zone in the text). */
  note?: string;
}

/**
 * A text that is a timestamp but cannot be placed in time is a Problem of severity `error`.
 * The parser sees a text alone, so its `source` is empty: the caller names the line.
 */
const timeError = (reason: string): Problem => problem('', reason);

export interface TimeOptions {
  /** IANA zone name for abbreviations and zone-less times (`--tz`). */
  tz?: string;
  /**
   * Offsets (minutes east) of zone abbreviations, as a bundle says them (its
   * `etc/localtime`, or `date` against `date --utc`): read without `--tz`.
   */
  zones?: Readonly<Record<string, number>>;
  /**
   * A POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`, the footer of the bundle's
   * `etc/localtime`): zone-less times are read with it when there is no `--tz`.
   */
  tzRule?: string;
}

/**
 * The IANA zone a bundle names: `timedatectl` (`Time zone: Europe/Paris (CET, +0100)`),
 * `/etc/sysconfig/clock` (`TIMEZONE="Europe/Berlin"`, `ZONE=`), or `/etc/timezone` (the name alone).
 */
export function zoneNameIn(text: string): string | undefined {
  const m = /Time zone:\s*([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+|UTC)\b/.exec(text) ??
    /^\s*(?:TIMEZONE|ZONE)\s*=\s*"?([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)"?\s*$/m.exec(text) ??
    /^\s*([A-Z][A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)\s*$/.exec(text);
  const name = m?.[1];
  return name !== undefined && checkZone(name) === undefined ? name : undefined;
}

/**
 * Zone abbreviations and their offsets from a TZif file's footer (`etc/localtime`
 * ends with a POSIX TZ string, `CET-1CEST,M3.5.0,M10.5.0/3`): `{ CET: 60, CEST: 120 }`.
 */
export function zonesFromTzif(text: string): Record<string, number> | undefined {
  if (!text.startsWith('TZif')) return undefined;
  const footer = text.slice(text.lastIndexOf('\n', text.length - 2) + 1).trim();
  const m = /^<?([A-Za-z]{3,6}|[+-]\d+)>?([+-]?\d{1,2})(?::(\d{2}))?(?:<?([A-Za-z]{3,6})>?(?:([+-]?\d{1,2})(?::(\d{2}))?)?)?(?:,|$)/.exec(footer);
  if (!m) return undefined;
  // POSIX offsets are hours west of UTC.
  const west = (h: string, mi?: string) => (h.startsWith('-') ? -1 : 1) * (Math.abs(Number(h)) * 60 + Number(mi ?? 0));
  const std = -west(m[2]!, m[3]);
  const out: Record<string, number> = {};
  if (/^[A-Za-z]/.test(m[1]!)) out[m[1]!] = std;
  if (m[4]) out[m[4]] = m[5] !== undefined ? -west(m[5], m[6]) : std + 60;
  return Object.keys(out).length ? out : undefined;
}

/** A POSIX TZ string's rule for one transition: `Mm.w.d`, `Jn` or `n`, and its time of day in seconds. */
type TzDate = { kind: 'M'; m: number; w: number; d: number; t: number } | { kind: 'J' | 'N'; n: number; t: number };

/** A parsed POSIX TZ string: offsets in minutes east of UTC, and when daylight time starts and ends. */
export interface PosixTz {
  std: string;
  stdOff: number;
  dst?: { name: string; off: number; start: TzDate; end: TzDate };
}

/**
 * A POSIX TZ string (the form of `TZ=` and of a TZif file's footer): `EST5EDT,M3.2.0,M11.1.0`,
 * `CET-1CEST,M3.5.0,M10.5.0/3`, `<+0330>-3:30`, `AEST-10AEDT,M10.1.0,M4.1.0/3`, `JST-9`.
 * Offsets are written west of UTC (EST5 is UTC-5); a daylight name without rules takes the
 * US rules, as glibc does. Undefined when the text is not one.
 */
export function parsePosixTz(text: string): PosixTz | undefined {
  const m = /^(<[A-Za-z0-9+-]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(?:(<[A-Za-z0-9+-]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})?(?:,([^,]+),([^,]+))?)?$/.exec(text.trim());
  if (!m) return undefined;
  const name = (n: string) => n.replace(/^<|>$/g, '');
  const stdOff = -hms(m[2]!) / 60;
  const out: PosixTz = { std: name(m[1]!), stdOff };
  if (m[3] === undefined) return out;
  const start = tzDate(m[5] ?? 'M3.2.0');
  const end = tzDate(m[6] ?? 'M11.1.0');
  if (!start || !end) return undefined;
  out.dst = { name: name(m[3]), off: m[4] !== undefined ? -hms(m[4]) / 60 : stdOff + 60, start, end };
  return out;
}

const POSIX = new Map<string, PosixTz | undefined>();
/** parsePosixTz, once per rule text. */
export function posixTz(text: string): PosixTz | undefined {
  if (!POSIX.has(text)) {
    if (POSIX.size > 64) POSIX.clear();
    POSIX.set(text, parsePosixTz(text));
  }
  return POSIX.get(text);
}

/** `[+-]h[:mm[:ss]]` in seconds. */
function hms(t: string): number {
  const neg = t.startsWith('-');
  const [h, mi, se] = t.replace(/^[+-]/, '').split(':').map(Number);
  const v = h! * 3600 + (mi ?? 0) * 60 + (se ?? 0);
  return neg ? -v : v;
}

function tzDate(r: string): TzDate | undefined {
  const [d, t] = r.split('/');
  const secs = t !== undefined ? hms(t) : 7200;
  let m = /^M(\d{1,2})\.([1-5])\.([0-6])$/.exec(d!);
  if (m && +m[1]! >= 1 && +m[1]! <= 12) return { kind: 'M', m: +m[1]!, w: +m[2]!, d: +m[3]!, t: secs };
  m = /^J(\d{1,3})$/.exec(d!);
  if (m && +m[1]! >= 1 && +m[1]! <= 365) return { kind: 'J', n: +m[1]!, t: secs };
  m = /^(\d{1,3})$/.exec(d!);
  if (m && +m[1]! <= 365) return { kind: 'N', n: +m[1]!, t: secs };
  return undefined;
}

/** The wall-clock instant (as if UTC) a transition rule gives in `year`. */
function transitionWall(r: TzDate, year: number): number {
  const DAY = 86400000;
  let day: number;
  if (r.kind === 'M') {
    const first = Date.UTC(year, r.m - 1, 1);
    const wd = new Date(first).getUTCDay();
    let dom = 1 + ((r.d - wd + 7) % 7) + (r.w - 1) * 7;
    const dim = new Date(Date.UTC(year, r.m, 0)).getUTCDate();
    while (dom > dim) dom -= 7;
    day = Date.UTC(year, r.m - 1, dom);
  } else if (r.kind === 'J') {
    const leap = new Date(Date.UTC(year, 1, 29)).getUTCMonth() === 1;
    day = Date.UTC(year, 0, 1) + (r.n - 1 + (leap && r.n >= 60 ? 1 : 0)) * DAY;
  } else {
    day = Date.UTC(year, 0, 1) + r.n * DAY;
  }
  return day + r.t * 1000;
}

/**
 * A wall-clock time (given as if UTC) read with a POSIX TZ rule: the instant, and a note
 * when the time is ambiguous (the hour repeated when daylight time ends: read as the first,
 * daylight) or does not exist (skipped when it starts: read with the offset before it).
 */
export function posixWallToUtc(tz: PosixTz, wallMs: number): { ms: number; note?: string } {
  const dst = tz.dst;
  if (!dst) return { ms: wallMs - tz.stdOff * 60000 };
  const year = new Date(wallMs).getUTCFullYear();
  // The start is said in standard time, the end in daylight time, both local.
  const start = transitionWall(dst.start, year);
  const end = transitionWall(dst.end, year);
  const shift = (dst.off - tz.stdOff) * 60000;
  const inDst = start < end ? wallMs >= start && wallMs < end : wallMs >= start || wallMs < end;
  const ms = wallMs - (inDst ? dst.off : tz.stdOff) * 60000;
  if (shift > 0 && wallMs >= end - shift && wallMs < end) {
    return { ms, note: `the hour repeated when ${dst.name} ends: read as ${dst.name} (${fmtOffset(dst.off)})` };
  }
  if (shift > 0 && wallMs >= start && wallMs < start + shift) {
    return { ms: wallMs - tz.stdOff * 60000, note: `a time skipped when ${dst.name} starts: read as ${tz.std} (${fmtOffset(tz.stdOff)})` };
  }
  return { ms };
}

/** The POSIX TZ rule at the end of a TZif file (`etc/localtime`), when it has one. */
export function tzRuleFromTzif(text: string): string | undefined {
  if (!text.startsWith('TZif')) return undefined;
  const footer = text.slice(text.lastIndexOf('\n', text.length - 2) + 1).trim();
  return parsePosixTz(footer) ? footer : undefined;
}

/**
 * The abbreviation a `date` line in local time prints and its offset, from the
 * `date --utc` of the same moment beside it (sosreport `sos_commands/date/`).
 */
export function zoneFromDates(local: string, utc: string): Record<string, number> | undefined {
  const u = parseTimestampLine(utc.trim().split('\n')[0] ?? '');
  const l = local.trim().split('\n')[0] ?? '';
  const m = DATE_C.exec(l.trim());
  if (!u || isProblem(u) || !m || m[7] === undefined || isUtcName(m[7]) || /^[+-]/.test(m[7])) return undefined;
  const wall = parseTimestampLine(l.replace(m[7], 'UTC'));
  if (!wall || isProblem(wall)) return undefined;
  const off = Math.round((wall.ms - u.ms) / 900000) * 15;
  return Math.abs(off) <= 14 * 60 ? { [m[7]]: off } : undefined;
}

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};
const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
// `date`: Wed Nov 25 00:55:46 UTC 2026   (the zone may be missing, or come before the year)
const DATE_C = new RegExp(`^${DAY}\\s+${MON}\\s+(\\d{1,2})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})(?:[.,](\\d+))?\\s+(?:([A-Za-z][A-Za-z0-9]{0,5}|[+-]\\d{2}(?::?\\d{2})?)\\s+)?(\\d{4})$`);
// `date` in en_US (glibc: `%a %b %e %r %Z %Y`): Sun Jul  5 12:06:40 AM UTC 2026
const DATE_C12 = new RegExp(`^${DAY}\\s+${MON}\\s+(\\d{1,2})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})\\s+([AaPp][Mm])\\s+(?:([A-Za-z][A-Za-z0-9]{0,5}|[+-]\\d{2}(?::?\\d{2})?)\\s+)?(\\d{4})$`);
// `date -R`: Wed, 25 Nov 2026 00:55:46 +0000
const DATE_R = new RegExp(`^(?:${DAY},?\\s+)?(\\d{1,2})\\s+${MON}\\s+(\\d{4})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})(?:\\s+([+-]\\d{4}|[A-Za-z]{1,5}))?$`);
// ISO 8601 / RFC 3339 / `date -Is` / `-Ins` (comma fraction) / `%F %T [zone]`
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,5})?$/;
const EPOCH = /^(\d{9,10})(?:\.(\d{1,9}))?$/;
const EPOCH_MS = /^\d{13}$/;
const BANNER_EDGE = /^[\s=#*~\-[\]>|]+|[\s=#*~\-[\]<|]+$/g;

/** A zone name the parser reads as UTC itself, whatever --tz says. */
export function isUtcName(z: string): boolean {
  return z === 'Z' || z === 'UTC' || z === 'GMT' || z === 'UT' || z === 'z';
}

/** `+0530`, `+05:30`, `-05`, in minutes east of UTC; undefined when out of range (`+99:99`). */
function offsetMinutes(z: string): number | undefined {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return undefined;
  const h = Number(m[2]);
  const mi = Number(m[3] ?? 0);
  if (h > 14 || mi > 59) return undefined;
  const mins = h * 60 + mi;
  return m[1] === '-' ? -mins : mins;
}

/**
 * Offsets (minutes east) a printed zone abbreviation can stand for. Used with
 * `--tz` to choose, at a daylight-saving change, the instant the machine printed
 * (`02:00 CEST` and `02:00 CET` are an hour apart); an abbreviation that means
 * several things (IST, CST) is settled by the zone.
 */
const ABBREVIATIONS: Record<string, readonly number[]> = {
  WET: [0], WEST: [60], BST: [60], IST: [60, 120, 330], CET: [60], CEST: [120], MET: [60], MEST: [120],
  EET: [120], EEST: [180], MSK: [180], EST: [-300], EDT: [-240], CST: [-360, 480, 570], CDT: [-300],
  MST: [-420], MDT: [-360], PST: [-480], PDT: [-420], AKST: [-540], AKDT: [-480], HST: [-600],
  AST: [-240, 180], ADT: [-180], NST: [-210], NDT: [-150], JST: [540], KST: [540], HKT: [480],
  SGT: [480], AEST: [600], AEDT: [660], ACST: [570], ACDT: [630], AWST: [480], NZST: [720], NZDT: [780],
};

/** Instants a wall-clock time can be in `tz`: one, two at a fall-back, none in a spring-forward gap. */
function wallCandidates(wallMs: number, tz: string): { ms: number; off: number }[] {
  const offs = new Set([zoneOffsetAt(tz, wallMs - 86400000), zoneOffsetAt(tz, wallMs), zoneOffsetAt(tz, wallMs + 86400000)]);
  const out: { ms: number; off: number }[] = [];
  for (const off of offs) {
    const ms = wallMs - off * 60000;
    if (zoneOffsetAt(tz, ms) === off) out.push({ ms, off });
  }
  return out.sort((a, b) => a.ms - b.ms);
}

function fmtOffset(m: number): string {
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * Wall-clock time in `tz`, with the printed abbreviation if any: the instant, and
 * a note when the time is ambiguous or does not exist there.
 */
function inZone(wallMs: number, tz: string, abbr: string | undefined, raw: string): { ms: number; note?: string } | Problem {
  const cands = wallCandidates(wallMs, tz);
  const printed = abbr !== undefined ? ABBREVIATIONS[abbr.toUpperCase()] : undefined;
  if (printed) {
    const hit = cands.find((c) => printed.includes(c.off));
    if (hit) return { ms: hit.ms };
    const near = printed.find((o) => Math.abs(o - zoneOffsetAt(tz, wallMs)) <= 120) ?? printed[0]!;
    return { ms: wallMs - near * 60000, note: `${JSON.stringify(raw)}: ${abbr} (${fmtOffset(near)}) is not what ${tz} uses at that time; read as ${fmtOffset(near)}` };
  }
  if (cands.length === 1) return { ms: cands[0]!.ms };
  if (cands.length === 2) {
    return { ms: cands[0]!.ms, note: `${JSON.stringify(raw)} is ambiguous in ${tz} (a daylight-saving change: ${fmtOffset(cands[0]!.off)} or ${fmtOffset(cands[1]!.off)}); read as the first, ${fmtOffset(cands[0]!.off)}` };
  }
  const before = zoneOffsetAt(tz, wallMs - 86400000);
  return { ms: wallMs - before * 60000, note: `${JSON.stringify(raw)} does not exist in ${tz} (the clock skipped it at a daylight-saving change); read with the offset before it, ${fmtOffset(before)}` };
}

/** Offset in minutes of IANA zone `tz` at UTC instant `utcMs`. */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

function zoneOffsetAt(tz: string, utcMs: number): number {
  let fmt = FORMATS.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    if (FORMATS.size > 64) FORMATS.clear();
    FORMATS.set(tz, fmt);
  }
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** Check that an IANA zone name is usable; returns an error text or undefined. */
export function checkZone(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(tz)} (use an IANA name such as Europe/Berlin or UTC)`;
  }
}

/** Epoch ms of a wall-clock time (given as if UTC) in IANA zone `tz`. */
export function wallInZone(wallMs: number, tz: string): number {
  let guess = wallMs - zoneOffsetAt(tz, wallMs) * 60000;
  const off2 = zoneOffsetAt(tz, guess);
  guess = wallMs - off2 * 60000;
  return guess;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** ISO 8601 UTC text for whole-second epoch ms plus the fraction digits as given. */
export function isoFromMs(ms: number, frac?: string): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}

function build(
  y: number, mo: number, d: number, h: number, mi: number, s: number,
  frac: string | undefined, zone: string | undefined, opts: TimeOptions, raw: string,
): Timestamp | Problem {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return timeError(`timestamp out of range: ${JSON.stringify(raw)}`);
  }
  if (d > new Date(Date.UTC(y, mo + 1, 0)).getUTCDate()) {
    return timeError(`no such date: ${JSON.stringify(raw)}`);
  }
  if (zone !== undefined && /^[+-]\d/.test(zone) && offsetMinutes(zone) === undefined) {
    return timeError(`zone offset out of range in ${JSON.stringify(raw)}`);
  }
  const wall = Date.UTC(y, mo, d, h, mi, s);
  const fracMs = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let ms: number;
  let note: string | undefined;
  if (zone !== undefined && isUtcName(zone)) {
    ms = wall;
  } else if (zone !== undefined && offsetMinutes(zone) !== undefined) {
    ms = wall - offsetMinutes(zone)! * 60000;
  } else if (zone !== undefined && !opts.tz && opts.zones?.[zone] !== undefined) {
    ms = wall - opts.zones[zone]! * 60000;
  } else if (zone !== undefined) {
    if (!opts.tz) {
      return timeError(`time zone "${zone}" in ${JSON.stringify(raw)} is not UTC/GMT or a numeric offset; pass --tz ZONE (e.g. --tz Europe/Berlin) to read it`);
    }
    const r = inZone(wall, opts.tz, zone, raw);
    if (isProblem(r)) return r;
    ms = r.ms;
    note = r.note;
  } else if (opts.tz) {
    const r = inZone(wall, opts.tz, undefined, raw);
    if (isProblem(r)) return r;
    ms = r.ms;
    note = r.note;
  } else if (opts.tzRule !== undefined && posixTz(opts.tzRule)) {
    const r = posixWallToUtc(posixTz(opts.tzRule)!, wall);
    ms = r.ms;
    if (r.note) note = `${JSON.stringify(raw)}: ${r.note} (${opts.tzRule})`;
  } else {
    ms = wall;
    note = `no time zone in ${JSON.stringify(raw)}; read as UTC (pass --tz to change)`;
  }
  const out: Timestamp = { ms: ms + fracMs, iso: isoFromMs(ms, frac) };
  if (note) out.note = note;
  return out;
}

/** Quick test used on every line: can this line be a timestamp at all? */
function plausible(t: string): boolean {
  const c = t.charCodeAt(0);
  // digit, letter (day name) or banner punctuation
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 61 || c === 35 || c === 45 || c === 42 || c === 91 || c === 126 || c === 62 || c === 124) return true;
  // `date` in other locales starts with a lowercase or non-ASCII day name (mer., śro, Ср): only with a time in it.
  return ((c >= 97 && c <= 122) || c >= 128) && /\d[:.時]\d\d/.test(t);
}

function parseCore(t: string, opts: TimeOptions): Timestamp | Problem | undefined {
  let m = ISO.exec(t);
  if (m) {
    return build(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], m[8], opts, t);
  }
  m = DATE_C.exec(t);
  if (m) {
    return build(+m[8]!, MONTHS[m[1]!]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6], m[7], opts, t);
  }
  m = DATE_R.exec(t);
  if (m) {
    return build(+m[3]!, MONTHS[m[2]!]!, +m[1]!, +m[4]!, +m[5]!, +m[6]!, undefined, m[7], opts, t);
  }
  m = DATE_C12.exec(t);
  if (m) {
    const h = +m[3]!;
    if (h < 1 || h > 12) return timeError(`timestamp out of range: ${JSON.stringify(t)}`);
    const pm = m[6]!.toUpperCase() === 'PM';
    return build(+m[8]!, MONTHS[m[1]!]!, +m[2]!, (h % 12) + (pm ? 12 : 0), +m[4]!, +m[5]!, undefined, m[7], opts, t);
  }
  const local = localDate(t, opts);
  if (local) return local;
  m = EPOCH.exec(t);
  if (m) {
    const sec = Number(m[1]);
    return { ms: sec * 1000 + (m[2] ? Math.floor(Number(`0.${m[2]}`) * 1000) : 0), iso: isoFromMs(sec * 1000, m[2]) };
  }
  if (EPOCH_MS.test(t)) {
    const ms = Number(t);
    const f = ms % 1000;
    return { ms, iso: isoFromMs(ms, f ? pad(f, 3) : undefined) };
  }
  return undefined;
}

const ZONE = '([A-Za-z][A-Za-z0-9]{0,5}|[+-]\\d{2}(?::?\\d{2})?)';
/**
 * `date` in other locales (glibc's `date_fmt`), as tools/capture/locale-dates.sh recorded them:
 * a day name, the day, a month name, the year before or after the time, the zone
 * (de `Mi 25. Nov 04:17:50 UTC 2026`, fr `mer. 25 nov. 2026 04:17:50 UTC`, it `mer 25 nov
 * 2026, 04:17:50, UTC`, pl `śro, 25 lis 2026, 04:17:50 UTC`, uk `середа, 25 листопада 2026
 * 04:17:50 +0000`, nb `sø. 05. juli 00:06:40 +0000 2026`, nl `zo  5 jul 2026  0:06:40 UTC`).
 */
const DATE_WORDS = new RegExp(`^\\p{L}+\\.?,?\\s+(\\d{1,2})\\.?\\s+(\\p{L}+)\\.?\\s+(?:(\\d{4}),?\\s+)?(\\d{1,2}):(\\d{2}):(\\d{2}),?(?:\\s+${ZONE})?(?:\\s+(\\d{4}))?$`, 'u');
// zh_CN `2026年 11月 25日 星期三 04:17:50 UTC`, ja_JP `2026年 11月 25日 水曜日 ...`, zh_TW `西元2026年11月25日 (週三) 04時17分50秒 UTC`
const DATE_CJK = new RegExp(`^(?:西元)?(\\d{4})年\\s*(\\d{1,2})月\\s*(\\d{1,2})日\\s*(?:\\(?[^\\s()]+\\)?\\s+)?(\\d{1,2})[:時](\\d{2})[:分](\\d{2})秒?(?:\\s+${ZONE})?$`, 'u');
// ko_KR `2026. 11. 25. (수) 04:17:50 UTC`, hu_HU `2026. nov. 25., szerda, 04:17:50 UTC`
const DATE_YMD = new RegExp(`^(\\d{4})\\.\\s*(\\d{1,2}|\\p{L}+)\\.\\s*(\\d{1,2})\\.,?\\s*(?:\\(\\p{L}+\\)\\s+|\\p{L}+,\\s+)?(\\d{1,2}):(\\d{2}):(\\d{2})(?:\\s+${ZONE})?$`, 'u');
// fi_FI `ke 25.11.2026 04.17.50 +0000`
const DATE_FI = new RegExp(`^\\p{L}+\\s+(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})\\s+(\\d{1,2})\\.(\\d{2})\\.(\\d{2})(?:\\s+${ZONE})?$`, 'u');

function localDate(t: string, opts: TimeOptions): Timestamp | Problem | undefined {
  const c = t.charCodeAt(0);
  if (c < 128 && !(c >= 48 && c <= 57) && !(c >= 65 && c <= 90) && !(c >= 97 && c <= 122)) return undefined;
  let m = DATE_WORDS.exec(t);
  if (m) {
    const mon = MONTH_NAMES[m[2]!.toLowerCase()];
    const year = m[3] ?? m[8];
    if (mon === undefined || year === undefined || (m[3] !== undefined && m[8] !== undefined)) return undefined;
    // id_ID prints a 12-hour clock with an empty AM/PM: two spaces after the time, and no way to tell 00:06 from 12:06.
    if (/\d:\d\d:\d\d {2}/.test(t)) return timeError(`${JSON.stringify(t)} has a 12-hour time without AM or PM (the locale prints none): its hour cannot be placed`);
    return build(+year, mon, +m[1]!, +m[4]!, +m[5]!, +m[6]!, undefined, m[7], opts, t);
  }
  m = DATE_CJK.exec(t);
  if (m) return build(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, m[7], opts, t);
  m = DATE_YMD.exec(t);
  if (m) {
    const mon = /^\d+$/.test(m[2]!) ? +m[2]! - 1 : MONTH_NAMES[m[2]!.toLowerCase()];
    if (mon === undefined) return undefined;
    return build(+m[1]!, mon, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, m[7], opts, t);
  }
  m = DATE_FI.exec(t);
  if (m) return build(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!, undefined, m[7], opts, t);
  return undefined;
}

/**
 * Parse a line that may be a timestamp. Returns undefined when the line is not
 * a timestamp, an error when it is one that cannot be placed in time.
 */
export function parseTimestampLine(line: string, opts: TimeOptions = {}): Timestamp | Problem | undefined {
  const t = line.trim();
  if (t.length < 9 || t.length > 80 || !plausible(t)) return undefined;
  const direct = parseCore(t, opts);
  if (direct) return direct;
  const c = t.charCodeAt(0);
  if (c === 61 || c === 35 || c === 45 || c === 42 || c === 91 || c === 126 || c === 62 || c === 124) {
    const inner = t.replace(BANNER_EDGE, '');
    if (inner !== t && inner.length >= 9) return parseCore(inner, opts);
  }
  return undefined;
}


// File names: 2026-11-25T00-44-45Z.sockstat, 2026-11-25_00:44:45.ss-s, 20261125T004445Z.sockstat6
const NAME_TIME = /(\d{4})-?(\d{2})-?(\d{2})[T_ -]?(\d{2})[-:_.]?(\d{2})[-:_.]?(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?:[:-]?\d{2})?)?/;

/** Time carried in a file name, if any. */
export function parseFilenameTime(base: string, opts: TimeOptions = {}): Timestamp | Problem | undefined {
  const m = NAME_TIME.exec(base);
  if (!m) return undefined;
  const zone = m[8]?.replace(/^([+-]\d{2})-(\d{2})$/, '$1$2');
  return build(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], zone, opts, base);
}
