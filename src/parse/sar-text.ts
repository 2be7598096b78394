/**
 * Plain `sar` text (`sar -n SOCK`, `sar -A`, sosreport's `sos_commands/sar/sarDD` and
 * `var/log/sa/sarDD`): pure helpers for its report header, its clock and its lines.
 * segment/sar-text.ts reads a report with them.
 *
 * A report starts with `Linux 5.14.0-70.el9.x86_64 (host) \t11/25/2026 \t_x86_64_\t(2 CPU)`:
 * the kernel, the host and the date of its first record, in the locale sar ran in.
 * Every other line starts with the time of day (`14:43:14`, `02:43:14 PM`, `14时43分14秒`)
 * or with a label (`Average:`, `Summary:`, `Durchschn.:`, `平均时间:`).
 */

export interface SarDate {
  y: number;
  /** 1-12 */
  m: number;
  d: number;
  /** Set when the order of day and month was chosen, not read (`12/02/2026`). */
  note?: string;
}

export interface SarHeader {
  kernel: string;
  host: string;
  date: SarDate;
}

// Linux <kernel> (<host>) <date> [_<arch>_] [(<n> CPU)]; tabs become spaces when pasted.
const HEADER = /^Linux\s+(\S+)\s+\(([^()\s]*)\)\s+(.+?)(?:\s+_[A-Za-z0-9_]+_)?(?:\s+\(\d+\s+CPU\))?\s*$/;

/** The header line of a sar report, or undefined. */
export function parseSarHeader(t: string): SarHeader | undefined {
  if (!t.startsWith('Linux')) return undefined;
  const m = HEADER.exec(t);
  if (!m) return undefined;
  const date = parseSarDate(m[3]!.trim());
  if (!date) return undefined;
  return { kernel: m[1]!, host: m[2]!, date };
}

const year = (s: string): number => (s.length === 4 ? Number(s) : Number(s) + (Number(s) < 70 ? 2000 : 1900));

function valid(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * The report date as the locale printed it: `11/25/26` and `11/25/2026` (C, en_US:
 * month first), `25/11/2026` (en_GB, fr: day first, told apart when one number is over
 * 12), `25.11.2026` (de), `2026-11-25` (ISO, `S_TIME_FORMAT=ISO`), `2026年11月25日` (zh, ja),
 * `2026년 11월 25일` (ko).
 */
export function parseSarDate(s: string): SarDate | undefined {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return check(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]$/.exec(s);
  if (m) return check(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(s);
  if (m) return check(year(m[3]!), +m[2]!, +m[1]!);
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(s);
  if (m) {
    const a = +m[1]!;
    const b = +m[2]!;
    const y = year(m[3]!);
    if (a > 12) return check(y, b, a);
    const r = check(y, a, b);
    if (r && b <= 12 && a !== b) r.note = `report date ${s} read as month/day/year (the C and en_US order sar prints)`;
    return r;
  }
  return undefined;
}

function check(y: number, m: number, d: number): SarDate | undefined {
  return valid(y, m, d) ? { y, m, d } : undefined;
}

export interface SarClock {
  /** Seconds since midnight. */
  sec: number;
  /** The rest of the line, trimmed. */
  rest: string;
}

const CLOCK = /^(\d{1,2}):(\d{2}):(\d{2})(?:\s*([AaPp])\.?[Mm]\.?)?(?=\s|$)/;
const CLOCK_CJK = /^(\d{1,2})\s*[时時시]\s*(\d{1,2})\s*[分분]\s*(\d{1,2})\s*[秒초]/;

/** The time of day a sar line starts with (24-hour, 12-hour `AM`/`PM`, or CJK), or undefined. */
export function parseSarClock(t: string): SarClock | undefined {
  const c = t.charCodeAt(0);
  if (c < 48 || c > 57) return undefined;
  let m = CLOCK.exec(t);
  let h: number;
  if (m) {
    h = +m[1]!;
    if (m[4]) {
      if (h < 1 || h > 12) return undefined;
      h = (h % 12) + (m[4] === 'P' || m[4] === 'p' ? 12 : 0);
    }
  } else {
    m = CLOCK_CJK.exec(t);
    if (!m) return undefined;
    h = +m[1]!;
  }
  const mi = +m[2]!;
  const s = +m[3]!;
  if (h > 23 || mi > 59 || s > 60) return undefined;
  return { sec: h * 3600 + mi * 60 + s, rest: t.slice(m[0].length).trim() };
}

/** A value cell of sar (`37`, `0.00`, `-158.00`, `2,28` in locales with a decimal comma). */
export function isSarNumber(tok: string): boolean {
  return /^-?\d+(?:[.,]\d+)?$/.test(tok);
}

/** The section kind of an activity header's columns: SOCK, SOCK6, or undefined for the others. */
export function sarSockKind(cols: readonly string[]): 'sar-sock' | 'sar-sock6' | undefined {
  if (cols[0] === 'totsck') return 'sar-sock';
  if (cols[0] === 'tcp6sck') return 'sar-sock6';
  return undefined;
}
