import type { Segmenter } from './segmenter.js';
import { isTimestampError, parseTimestampLine, type TimeOptions, type Timestamp } from '../parse/time.js';

/**
 * The byte-level fast path for the one block shape that fills archives: the
 * capture loop `date; cat /proc/net/sockstat /proc/net/sockstat6; ss -s`.
 *
 * A block is taken here only when every line is exactly what that loop prints
 * (a C-locale `date` line, the eleven sockstat/sockstat6 lines and the new-format
 * `ss -s` with its transport table, blank lines anywhere), it ends at the next such
 * `date` line or the end of the input, and sockstat and `ss -s` agree on every
 * value they share, so that the general path would report no diagnostic. Any
 * other block, and every other line, goes to the general Segmenter unchanged:
 * this path is an optimization whose output equals the general path's (tests
 * compare the two on every real capture and on generated logs).
 */

/** One line of the block as the loop prints it: ` ` stands for spaces/tabs, `#` for a count. */
export const FAST_TEMPLATE = [
  'sockets: used #',
  'TCP: inuse # orphan # tw # alloc # mem #',
  'UDP: inuse # mem #',
  'UDPLITE: inuse #',
  'RAW: inuse #',
  'FRAG: inuse # memory #',
  'TCP6: inuse #',
  'UDP6: inuse #',
  'UDPLITE6: inuse #',
  'RAW6: inuse #',
  'FRAG6: inuse # memory #',
  'Total: #',
  'TCP: # (estab #, closed #, orphaned #, timewait #)',
  'Transport Total IP IPv6',
  'RAW # # #',
  'UDP # # #',
  'TCP # # #',
  'INET # # #',
  'FRAG # # #',
] as const;

/** Template lines where the sockstat, sockstat6 and ss -s sections start. */
const SOCKSTAT_AT = 0;
const SOCKSTAT6_AT = 6;
const SS_AT = 11;

// The counts (`#`) in template order.
const H = {
  used: 0, tcpInuse: 1, orphan: 2, tw: 3, alloc: 4, tcpMem: 5, udpInuse: 6, udpMem: 7, udplite: 8, raw: 9,
  fragInuse: 10, fragMem: 11, tcp6: 12, udp6: 13, udplite6: 14, raw6: 15, frag6Inuse: 16, frag6Mem: 17,
  ssTotal: 18, ssTcp: 19, ssEstab: 20, ssClosed: 21, ssOrphaned: 22, ssTimewait: 23,
  rawT: 24, rawIp: 25, rawIp6: 26, udpT: 27, udpIp: 28, udpIp6: 29, tcpT: 30, tcpIp: 31, tcpIp6: 32,
  inetT: 33, inetIp: 34, inetIp6: 35, fragT: 36, fragIp: 37, fragIp6: 38,
} as const;
const HOLES = 39;

const WS = -1;
const NUM = -2;
/** Each template line as ops: a literal byte (>= 0), WS, NUM, or WORD followed by 4 literal bytes as one little-endian int32. */
const WORD = -3;
const COMPILED: Int32Array[] = FAST_TEMPLATE.map((t) => {
  const ops: number[] = [];
  for (const part of t.split(/([ #])/)) {
    if (part === ' ') ops.push(WS);
    else if (part === '#') ops.push(NUM);
    else {
      let i = 0;
      for (; i + 4 <= part.length; i += 4) ops.push(WORD, Buffer.from(part.slice(i, i + 4), 'latin1').readInt32LE(0));
      for (; i < part.length; i++) ops.push(part.charCodeAt(i));
    }
  }
  return Int32Array.from(ops);
});

/** The canonical columns (NUMERIC_FIELDS order) of a fast block. */
export const FAST_VALUES = 21;

/**
 * A block read by the fast path: its values and where it came from. The scanner
 * reuses these objects (two in turn): a receiver uses one during the call it gets
 * it in, and keeps nothing of it.
 */
export interface FastBlock {
  readonly fast: true;
  file: string;
  /** Line of the `date` line (the block's and the snapshot's source). */
  line: number;
  /** First lines of the sockstat, sockstat6 and `ss -s` sections. */
  sockstatLine: number;
  sockstat6Line: number;
  ssLine: number;
  time: Timestamp;
  host: string | undefined;
  namespace: string | undefined;
  /** NUMERIC_FIELDS order; every one is present. */
  values: number[];
  /** The block's bytes, to re-read it with the general path when it must merge with another capture. */
  buf: Buffer;
  start: number;
  end: number;
}

export const isFastBlock = (b: object): b is FastBlock => (b as FastBlock).fast === true;

const isBlankByte = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

const DAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const code3 = (b: Buffer, i: number): number => (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
const codeOf = (w: string): number => (w.charCodeAt(0) << 16) | (w.charCodeAt(1) << 8) | w.charCodeAt(2);
const DAY_CODES = new Set([...DAYS].map(codeOf));
/** Month code → 0..11. */
const MONTH_CODES = new Map(MONTHS.map((m, i) => [codeOf(m), i]));

/** Longest line a template line can be (longer ones go to the general path). */
const MAX_FAST_LINE = 512;
/** Lines (blank ones included) a fast block may span before it is handed over. */
const MAX_FAST_LINES = 64;
/** Bytes a fast block can span at most. */
const MARGIN = MAX_FAST_LINES * (MAX_FAST_LINE + 2) + 64;

/**
 * `Wed Nov 25 00:44:45 UTC 2026` (C locale `date`): the offset of the zone and
 * its length, or -1. Exactly the layout `date` prints, a subset of what the
 * general timestamp parser reads.
 */
function dateShape(b: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n < 26 || n > 31) return -1;
  if (b[s + 3] !== 32 || b[s + 7] !== 32 || b[s + 10] !== 32 || b[s + 13] !== 58 || b[s + 16] !== 58 || b[s + 19] !== 32) return -1;
  const d0 = b[s + 8]!;
  if (!(d0 === 32 || isDigit(d0)) || !isDigit(b[s + 9]!)) return -1;
  if (!isDigit(b[s + 11]!) || !isDigit(b[s + 12]!) || !isDigit(b[s + 14]!) || !isDigit(b[s + 15]!) || !isDigit(b[s + 17]!) || !isDigit(b[s + 18]!)) return -1;
  // zone: [A-Za-z][A-Za-z0-9]{0,5}, then ` YYYY`
  const zs = s + 20;
  const ze = e - 5;
  if (ze <= zs || ze - zs > 6 || b[ze] !== 32) return -1;
  for (let i = zs; i < ze; i++) {
    const c = b[i]! | 32;
    const alpha = c >= 97 && c <= 122;
    if (!alpha && !(i > zs && isDigit(b[i]!))) return -1;
  }
  for (let i = e - 4; i < e; i++) if (!isDigit(b[i]!)) return -1;
  if (!DAY_CODES.has(code3(b, s)) || !MONTH_CODES.has(code3(b, s + 4))) return -1;
  return zs;
}

const num2 = (b: Buffer, i: number): number => (b[i]! - 48) * 10 + (b[i + 1]! - 48);
const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export class FastScanner {
  // Scratch shared by every scanner (a match runs start to end without yielding): a
  // directory of thousands of small files makes a scanner per file.
  private readonly holes = HOLES_SCRATCH;
  private readonly lineOf = LINES_SCRATCH;
  /** Day (y*10000+m*100+d) → its midnight and ISO prefix. */
  private readonly days = new Map<number, Day>();
  /** A view of the buffer being matched, for reading four bytes at once. */
  private dv = EMPTY_VIEW;
  private dvOf: Buffer | undefined;
  /** Of the last match: lines, blank lines, end of the `date` line. */
  private lines = 0;
  private blank = 0;
  private dateEnd = 0;
  /** Zone offset in the last match's `date` line (dateShape), for time(). */
  private zone = 0;
  /** The `date` line a match looked ahead to (where the next block starts), in this scan() call: its zone offset. */
  private aheadAt = -1;
  private aheadZone = 0;

  constructor(
    private readonly file: string,
    private readonly seg: Segmenter,
    private readonly opts: TimeOptions & { namespace?: string; enabled?: boolean },
    private readonly emit: (b: FastBlock) => void,
  ) {
    this.pool = [];
  }

  /** A chunk's memory is to be reused: blocks that point into it get their own copy of their bytes. */
  release(chunk: Buffer): void {
    for (const fb of this.pool) {
      if (fb.buf.buffer === chunk.buffer && fb.buf.length) {
        fb.buf = Buffer.from(fb.buf.subarray(fb.start, fb.end));
        fb.end -= fb.start;
        fb.start = 0;
      }
    }
  }

  /** A line the reader cut short (longer than it holds): to the general path. */
  line(text: string): void {
    this.seg.push(text);
  }

  /**
   * Read the complete lines of `buf` from `pos`: fast blocks are emitted, every other
   * line is passed to the Segmenter. Returns the offset of the first byte not read yet
   * (a partial line, or a fast block not yet known to be complete), which the caller
   * passes again with the next bytes. `final`: `buf` ends the input.
   */
  scan(buf: Buffer, pos: number, final: boolean): number {
    const n = buf.length;
    this.forgetAhead(); // (buffers are refilled between calls)
    while (pos < n) {
      if (this.opts.enabled !== false && this.seg.neutral) {
        const r = this.tryBlock(buf, pos, final);
        if (r >= 0) {
          pos = r;
          continue;
        }
        if (r === NEED_MORE) return pos;
      }
      let nl = buf.indexOf(10, pos);
      if (nl < 0) {
        if (!final) return pos;
        nl = n;
      }
      const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
      this.seg.push(buf.toString('utf8', pos, end));
      pos = nl + 1;
    }
    return n;
  }

  forgetAhead(): void {
    this.aheadAt = -1;
  }

  /** Is the line at [s, e) a `date` line this path reads? Its zone's offset, or -1. */
  private dateZone(b: Buffer, s: number, e: number): number {
    if (s === this.aheadAt) return this.aheadZone;
    const c = b[s]!;
    return c === 77 || c === 84 || c === 87 || c === 70 || c === 83 ? dateShape(b, s, e) : -1; // M T W F S
  }

  /**
   * A fast block starting at `pos`: the offset after it (where the next `date` line
   * starts), or NOT_FAST (the general path reads this line), or NEED_MORE. Lines are
   * matched byte by byte as they are walked, so their ends are found on the way.
   * With `final`, `buf` ends with a newline (scanLines adds one).
   */
  private tryBlock(b: Buffer, pos: number, final: boolean): number {
    const p = this.match(b, pos, final);
    if (p < 0) return p;
    // Two blocks in turn: a block is passed on (and done with) by the time the one after
    // the next is read, so the one at `turn` is free (its time object too).
    if (this.pool.length === 0) this.pool.push(FastScanner.block(this.file), FastScanner.block(this.file));
    const fb = this.pool[this.turn]!;
    const time = this.time(b, pos, this.dateEnd, this.times[this.turn]!);
    if (!time) return NOT_FAST;
    this.turn ^= 1;
    // Taken: the Segmenter emits what it holds and counts these lines.
    const first = this.seg.lineNo + 1;
    this.seg.tookBlock(this.lines, this.blank);
    const lineOf = this.lineOf;
    fb.line = first;
    fb.sockstatLine = first + lineOf[SOCKSTAT_AT]!;
    fb.sockstat6Line = first + lineOf[SOCKSTAT6_AT]!;
    fb.ssLine = first + lineOf[SS_AT]!;
    fb.time = time;
    valuesOf(this.holes, fb.values);
    fb.buf = b;
    fb.start = pos;
    fb.end = p;
    fb.host = this.seg.currentHost;
    fb.namespace = this.opts.namespace;
    this.emit(fb);
    return p;
  }

  // (made in the constructor: field initializers run before the parameter properties are set)
  private readonly pool: FastBlock[];
  private static block(file: string): FastBlock {
    return {
    fast: true as const, file, line: 0, sockstatLine: 0, sockstat6Line: 0, ssLine: 0,
    time: new FastTime(), values: new Array<number>(FAST_VALUES).fill(0), buf: EMPTY, start: 0, end: 0,
    host: undefined, namespace: undefined,
    };
  }
  private readonly times = [new FastTime(), new FastTime()]; // (plain objects: cheap)
  private turn = 0;

  /**
   * Match a fast block at `pos` (its counts in `holes`, its lines' offsets from the
   * `date` line in `lineOf`): the offset after it, or NOT_FAST, or NEED_MORE.
   */
  match(b: Buffer, pos: number, final: boolean): number {
    const n = b.length;
    // The `date` line: at most 31 bytes and its newline.
    let nl = pos;
    const lim = Math.min(n, pos + 34);
    while (nl < lim && b[nl] !== 10) nl++;
    if (nl === lim) return nl === n && n - pos <= 33 && !final ? NEED_MORE : NOT_FAST;
    const dateEnd = nl > pos && b[nl - 1] === 13 ? nl - 1 : nl;
    const zone = this.dateZone(b, pos, dateEnd);
    if (zone < 0) return NOT_FAST;
    // A whole block fits in MARGIN bytes: with that many at hand (or the end of the input,
    // which then ends with a newline) no read below goes past the buffer, unchecked.
    if (!final && n - pos < MARGIN) return NEED_MORE;
    let lines = 1;
    let blank = 0;
    let k = 0;
    let hole = 0;
    let p = nl + 1;
    const holes = this.holes;
    const lineOf = this.lineOf;
    const nLines = COMPILED.length;
    if (b !== this.dvOf) {
      this.dvOf = b;
      this.dv = new DataView(b.buffer as ArrayBuffer, b.byteOffset, b.length);
    }
    const dv = this.dv;
    for (;;) {
      if (p >= n) {
        // (final only)
        if (k < nLines) return NOT_FAST;
        p = n;
        break;
      }
      if (lines >= MAX_FAST_LINES) return NOT_FAST;
      // A blank line (spaces, tabs, CR, VT, FF only)?
      let i = p;
      let c = b[i]!;
      while (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) c = b[++i]!;
      if (i - p > MAX_FAST_LINE || i >= n) return NOT_FAST;
      if (c === 10) {
        blank++;
        lines++;
        p = i + 1;
        continue;
      }
      if (k === nLines) {
        // Complete: only the next `date` line may follow.
        let e = p;
        const l2 = Math.min(n, p + 34);
        while (e < l2 && b[e] !== 10) e++;
        if (e === l2) return NOT_FAST;
        const z = this.dateZone(b, p, e > p && b[e - 1] === 13 ? e - 1 : e);
        if (z < 0) return NOT_FAST;
        this.aheadAt = p;
        this.aheadZone = z;
        break;
      }
      // Template line k, from its first byte.
      const t = COMPILED[k]!;
      const tn = t.length;
      for (let j = 0; j < tn; j++) {
        const tc = t[j]!;
        if (tc >= 0) {
          if (c !== tc) return NOT_FAST;
          c = b[++i]!;
        } else if (tc === WORD) {
          // Four literal bytes at once.
          if (i + 4 > n || dv.getInt32(i, true) !== t[++j]) return NOT_FAST;
          i += 4;
          c = b[i]!;
        } else if (tc === WS) {
          if (c !== 32 && c !== 9) return NOT_FAST;
          c = b[++i]!;
          while (c === 32 || c === 9) c = b[++i]!;
          if (i - p > MAX_FAST_LINE) return NOT_FAST;
        } else {
          const ds = i;
          let v = 0;
          while (c >= 48 && c <= 57) {
            v = v * 10 + (c - 48);
            c = b[++i]!;
          }
          if (i === ds || i - ds > 15) return NOT_FAST;
          holes[hole++] = v;
        }
      }
      while (c === 32 || c === 9) c = b[++i]!;
      if (c === 13) c = b[++i]!;
      if (c !== 10 || i - p > MAX_FAST_LINE) return NOT_FAST;
      lineOf[k] = lines;
      k++;
      lines++;
      p = i + 1;
    }
    if (!agree(holes)) return NOT_FAST;
    this.lines = lines;
    this.blank = blank;
    this.dateEnd = dateEnd;
    this.zone = zone;
    return p;
  }

  /** The `date` line's time: computed for UTC/GMT, else the general parser's when it is exact. */
  private time(b: Buffer, s: number, e: number, t: FastTime): Timestamp | undefined {
    const zs = this.zone;
    const z0 = b[zs]!;
    const zl = e - 5 - zs;
    // UTC, GMT, UT
    if ((zl === 3 && ((z0 === 85 && b[zs + 1] === 84 && b[zs + 2] === 67) || (z0 === 71 && b[zs + 1] === 77 && b[zs + 2] === 84))) || (zl === 2 && z0 === 85 && b[zs + 1] === 84)) {
      const y = num2(b, e - 4) * 100 + num2(b, e - 2);
      const mo = MONTH_CODES.get(code3(b, s + 4))!;
      const d = b[s + 8] === 32 ? b[s + 9]! - 48 : num2(b, s + 8);
      const h = num2(b, s + 11);
      const mi = num2(b, s + 14);
      const sec = num2(b, s + 17);
      const dim = mo === 1 && leap(y) ? 29 : DAYS_IN[mo]!;
      if (y >= 1970 && d >= 1 && d <= dim && h <= 23 && mi <= 59 && sec <= 59) {
        const key = y * 10000 + mo * 100 + d;
        let day = this.days.get(key);
        if (!day) {
          if (this.days.size > 4096) this.days.clear();
          const prefix = `${String(y).padStart(4, '0')}-${TWO[mo + 1]}-${TWO[d]}T`;
          day = { ms: Date.UTC(y, mo, d), prefix, bytes: Buffer.from(prefix, 'latin1') };
          this.days.set(key, day);
        }
        t.set(day, h, mi, sec);
        return t;
      }
    }
    const ts = parseTimestampLine(b.toString('utf8', s, e), this.opts);
    if (!ts || isTimestampError(ts) || ts.note !== undefined) return undefined;
    return ts;
  }
}

/** A day's midnight and its ISO text up to the `T`. */
interface Day {
  ms: number;
  prefix: string;
  bytes: Buffer;
}

/**
 * A time read by the fast path: epoch ms, and its ISO text made only when asked
 * (the CSV writer writes it from the day's bytes and the clock fields instead).
 */
export class FastTime implements Timestamp {
  ms = 0;
  day: Day = { ms: 0, prefix: '', bytes: EMPTY };
  h = 0;
  mi = 0;
  s = 0;
  private text: string | undefined;

  set(day: Day, h: number, mi: number, s: number): void {
    this.day = day;
    this.h = h;
    this.mi = mi;
    this.s = s;
    this.ms = day.ms + h * 3_600_000 + mi * 60_000 + s * 1000;
    this.text = undefined;
  }

  get iso(): string {
    return (this.text ??= `${this.day.prefix}${TWO[this.h]}:${TWO[this.mi]}:${TWO[this.s]}Z`);
  }
}

const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
const HOLES_SCRATCH = new Float64Array(HOLES);
const LINES_SCRATCH = new Int32Array(FAST_TEMPLATE.length);

const NOT_FAST = -1;
const NEED_MORE = -2;

/**
 * sockstat and `ss -s` tell the same (what normalize would otherwise report as
 * disagreements), and the `ss -s` table adds up (its internal checks).
 */
function agree(h: Float64Array): boolean {
  return (
    h[H.ssTotal] === h[H.used] &&
    h[H.ssTcp]! - h[H.ssTimewait]! === h[H.alloc] &&
    h[H.ssTimewait] === h[H.tw] &&
    h[H.ssOrphaned] === h[H.orphan] &&
    h[H.tcpIp] === h[H.tcpInuse] &&
    h[H.tcpIp6] === h[H.tcp6] &&
    h[H.udpIp] === h[H.udpInuse] &&
    h[H.udpIp6] === h[H.udp6] &&
    h[H.rawIp] === h[H.raw] &&
    h[H.rawIp6] === h[H.raw6] &&
    h[H.fragIp] === h[H.fragInuse] &&
    h[H.fragIp6] === h[H.frag6Inuse] &&
    h[H.alloc]! - (h[H.tcpInuse]! + h[H.tcp6]! - h[H.tw]!) === h[H.ssClosed] &&
    h[H.rawT] === h[H.rawIp]! + h[H.rawIp6]! &&
    h[H.udpT] === h[H.udpIp]! + h[H.udpIp6]! &&
    h[H.tcpT] === h[H.tcpIp]! + h[H.tcpIp6]! &&
    h[H.fragT] === h[H.fragIp]! + h[H.fragIp6]! &&
    h[H.inetT] === h[H.rawT]! + h[H.udpT]! + h[H.tcpT]!
  );
}

/** Template count behind each canonical column (NUMERIC_FIELDS order); -1: tcp_unhashed = closed - tw. */
const VALUE_HOLES = Int8Array.from([
  H.used, H.alloc, H.tcpInuse, H.tcp6, H.orphan, H.tw, H.ssClosed, -1, H.ssEstab, H.tcpMem, H.udpInuse, H.udp6, H.udpMem,
  H.udplite, H.udplite6, H.raw, H.raw6, H.fragInuse, H.fragMem, H.frag6Inuse, H.frag6Mem,
]);

/** The canonical columns (NUMERIC_FIELDS order) from the template's counts. */
function valuesOf(h: Float64Array, v: number[]): void {
  for (let i = 0; i < FAST_VALUES; i++) {
    const k = VALUE_HOLES[i]!;
    v[i] = k >= 0 ? h[k]! : h[H.ssClosed]! - h[H.tw]!;
  }
}

const probe = new FastScanner('', { lineNo: 0 } as unknown as Segmenter, {}, () => {});

/**
 * Where a file may be cut for reading on several threads: the end of the fast block
 * at `pos` (which is the start of the next `date` line), or -1 when `pos` does not
 * start one with a complete block after it within `buf`.
 */
export function fastBlockEnd(buf: Buffer, pos: number): number {
  probe.forgetAhead();
  const e = probe.match(buf, pos, false);
  return e >= 0 && e < buf.length ? e : -1;
}
