/**
 * Kernel log lines: `dmesg` (seconds since boot), `dmesg -T`, syslog (`/var/log/messages`,
 * `kern.log`), `journalctl` (short and short-iso), as found in sosreports, supportconfigs
 * and capture logs. The patterns come from the rule files (`log:`): a line is looked at
 * only when it contains one of their literal strings, so lines that cannot match cost one
 * substring search each (or none: logScanChunk searches whole chunks).
 */

/** One pattern of a rule: `contains` are literal strings (any one must occur), `match` an optional regular expression with named groups. */
export interface LogPatternDef {
  rule: string;
  name: string;
  contains: string[];
  match?: RegExp;
}

/** A matched line. */
export interface LogEvent {
  /** Index of the pattern in the matcher. */
  pattern: number;
  /** Epoch ms; undefined when the line's time cannot be placed (seconds since boot, boot time unknown). */
  ms?: number;
  file: string;
  line: number;
  /** The line's message (after its time and host), cut to 300 characters. */
  text: string;
  /** Named groups of the pattern's `match`. */
  groups?: Record<string, string>;
  /** Why the time is a guess or missing. */
  note?: string;
}

/** What places a line in time: the reference year (syslog prints none), boot time, `--tz`. */
export interface LogTimeContext {
  /** Epoch ms of a moment the log was read near (the bundle's time, the capture block's time). */
  refMs?: number;
  /** Epoch ms of the boot the `dmesg` seconds count from. */
  bootMs?: number;
  /** `--tz`: wall-clock times without a zone are read in it; else UTC with a note. */
  wallToUtc?: (wallMs: number) => number;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

const DMESG_RAW = /^\[\s*(\d+)\.(\d+)\]\s?/;
const DMESG_T = /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\]\s?/;
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)\s+\S+\s+/;
const SYSLOG = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(\.\d+)? \S+ /;

/** The time of a kernel log line and where its message starts; `ms` undefined when it cannot be placed. */
export function logLineTime(line: string, ctx: LogTimeContext): { ms?: number; at: number; note?: string } | undefined {
  let m = ISO.exec(line);
  if (m) {
    const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + (m[7] ? Math.round(Number(`0${m[7]}`) * 1000) : 0);
    const z = m[8]!;
    let off = 0;
    if (z !== 'Z') {
      const d = z.replace(':', '');
      off = (d[0] === '-' ? -1 : 1) * (Number(d.slice(1, 3)) * 60 + Number(d.slice(3, 5)));
    }
    return { ms: wall - off * 60000, at: m[0].length };
  }
  m = DMESG_T.exec(line);
  if (m) {
    const wall = Date.UTC(+m[6]!, MONTHS[m[1]!]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!);
    return wallTime(wall, m[0].length, ctx, 'dmesg -T');
  }
  m = SYSLOG.exec(line);
  if (m) {
    if (ctx.refMs === undefined) return { at: m[0].length, note: 'syslog time without a year, and no capture time to take it from' };
    const ref = new Date(ctx.refMs);
    const mk = (y: number) => Date.UTC(y, MONTHS[m![1]!]!, +m![2]!, +m![3]!, +m![4]!, +m![5]!) + (m![6] ? Math.round(Number(`0${m![6]}`) * 1000) : 0);
    let wall = mk(ref.getUTCFullYear());
    // A line from December in a January bundle is from the year before.
    if (wall > ctx.refMs + 2 * 86400000) wall = mk(ref.getUTCFullYear() - 1);
    return wallTime(wall, m[0].length, ctx, 'syslog');
  }
  m = DMESG_RAW.exec(line);
  if (m) {
    if (ctx.bootMs === undefined) return { at: m[0].length, note: 'dmesg time in seconds since boot, and the inputs give no boot time' };
    return { ms: ctx.bootMs + Number(m[1]) * 1000 + Math.round(Number(`0.${m[2]}`) * 1000), at: m[0].length };
  }
  return undefined;
}

function wallTime(wall: number, at: number, ctx: LogTimeContext, what: string): { ms: number; at: number; note?: string } {
  if (ctx.wallToUtc) return { ms: ctx.wallToUtc(wall), at };
  return { ms: wall, at, note: `${what} time has no zone; read as UTC (pass --tz to change)` };
}

/** The patterns of every loaded rule, with the literal prefilter. */
export class LogMatcher {
  /** Every literal once, with the patterns that name it. */
  readonly literals: { text: string; bytes: Buffer; patterns: number[] }[] = [];

  constructor(readonly patterns: readonly LogPatternDef[]) {
    const byText = new Map<string, number[]>();
    patterns.forEach((p, i) => {
      for (const c of p.contains) {
        let l = byText.get(c);
        if (!l) byText.set(c, (l = []));
        l.push(i);
      }
    });
    for (const [text, ps] of byText) this.literals.push({ text, bytes: Buffer.from(text, 'utf8'), patterns: ps });
  }

  get empty(): boolean {
    return this.literals.length === 0;
  }

  /** Does the line contain any literal (cheap test first)? */
  mayMatch(line: string): boolean {
    for (const l of this.literals) if (line.includes(l.text)) return true;
    return false;
  }

  /**
   * Every pattern the line matches, as events (time from the line itself). Lines that are
   * no kernel log line (no time prefix recognized) are still matched, untimed, when they
   * contain the pattern: `journalctl -o cat`, pasted messages.
   */
  match(line: string, file: string, no: number, ctx: LogTimeContext): LogEvent[] {
    if (!this.mayMatch(line)) return [];
    const lt = logLineTime(line, ctx);
    const text = (lt ? line.slice(lt.at) : line).trim().slice(0, 300);
    const out: LogEvent[] = [];
    const done = new Set<number>();
    for (const l of this.literals) {
      if (!line.includes(l.text)) continue;
      for (const pi of l.patterns) {
        if (done.has(pi)) continue;
        done.add(pi);
        const p = this.patterns[pi]!;
        let groups: Record<string, string> | undefined;
        if (p.match) {
          const m = p.match.exec(text);
          if (!m) continue;
          if (m.groups) groups = { ...m.groups };
        }
        const e: LogEvent = { pattern: pi, file, line: no, text };
        if (lt?.ms !== undefined) e.ms = lt.ms;
        if (lt?.note) e.note = lt.note;
        else if (!lt) e.note = 'no time on the line';
        if (groups) e.groups = groups;
        out.push(e);
      }
    }
    return out;
  }
}

/**
 * Streams a log file's chunks: each chunk is searched for the literals as bytes, and only
 * the lines holding one are decoded and matched; line numbers come from counting newlines.
 * Memory: one chunk and the part line it ends with.
 */
export class LogScanner {
  private carry: Buffer | undefined;
  /** Newlines before the current chunk (the number of its first line, minus 1). */
  private lineNo = 0;
  lines = 0;
  bytes = 0;

  constructor(
    private readonly matcher: LogMatcher,
    private readonly file: string,
    private readonly ctx: LogTimeContext,
    private readonly emit: (e: LogEvent) => void,
  ) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = buf.lastIndexOf(10);
    if (end < 0) {
      this.carry = buf.length > 1 << 20 ? buf.subarray(buf.length - (1 << 20)) : Buffer.from(buf);
      return;
    }
    this.carry = end + 1 < buf.length ? Buffer.from(buf.subarray(end + 1)) : undefined;
    buf = buf.subarray(0, end + 1);
    this.scan(buf);
  }

  end(): void {
    if (this.carry) {
      this.scan(Buffer.concat([this.carry, Buffer.from('\n')]));
      this.carry = undefined;
    }
  }

  /** Whole lines (ending in \n). */
  private scan(buf: Buffer): void {
    const starts: number[] = [];
    for (const l of this.matcher.literals) {
      for (let at = buf.indexOf(l.bytes); at >= 0; at = buf.indexOf(l.bytes, at + 1)) {
        starts.push(buf.lastIndexOf(10, at) + 1);
        const eol = buf.indexOf(10, at);
        at = eol; // the rest of this line is done
      }
    }
    starts.sort((a, b) => a - b);
    let pos = 0;
    let no = this.lineNo;
    let last = -1;
    for (const s of starts) {
      if (s === last) continue;
      last = s;
      while (pos < s) {
        const nl = buf.indexOf(10, pos);
        no++;
        pos = nl + 1;
      }
      const eol = buf.indexOf(10, s);
      let text = buf.toString('utf8', s, eol);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      for (const e of this.matcher.match(text, this.file, no + 1, this.ctx)) this.emit(e);
    }
    // The rest of the chunk's newlines.
    while (pos < buf.length) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      no++;
      pos = nl + 1;
    }
    this.lines += no - this.lineNo;
    this.lineNo = no;
  }
}

/**
 * Seconds since boot from `/proc/uptime` (`350735.47 234388.90`) or `uptime` output
 * (`13:41:45 up 3 days,  2:03,  1 user, ...`, `up 5 min,`, `up 1 day, 10 min,`).
 */
export function parseUptime(text: string): number | undefined {
  const t = text.trim();
  const p = /^(\d+(?:\.\d+)?)\s+\d+(?:\.\d+)?$/.exec(t);
  if (p) return Number(p[1]);
  const u = /\bup\s+(?:(\d+)\s+days?,\s*)?(?:(\d+):(\d\d)|(\d+)\s+min)/.exec(t);
  if (!u) return undefined;
  return (Number(u[1] ?? 0) * 86400) + (u[2] !== undefined ? Number(u[2]) * 3600 + Number(u[3]) * 60 : Number(u[4]) * 60);
}
