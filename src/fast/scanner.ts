import { isProblem } from '../parse/problem.js';
import { Segmenter } from '../segment/segmenter.js';
import type { Block } from '../segment/types.js';
import { isUtcName, parseTimestampLine, type TimeOptions } from '../parse/time.js';
import { ALL_FIELDS } from '../normalize/fields.js';
import { isoOfMs, SnapshotRecord } from '../normalize/record.js';
import { formatList } from '../normalize/normalize.js';
import { fastTables, FORMAT_BITS, HOLE_NAMES, TEMPLATE, TEMPLATE_LINES } from './template.js';

/** The sections of every block this path reads. */
export const FAST_KINDS: readonly string[] = TEMPLATE.map((s) => s.kind);

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

/** Template lines where sections start (sockstat, sockstat6, ss -s), in order. */
const SECTION_AT = TEMPLATE_LINES.flatMap((l, i) => (l.starts ? [i] : []));
const HOLES = HOLE_NAMES.length;

const WS = -1;
const NUM = -2;
/** Each template line as ops: a literal byte (>= 0), WS, NUM, or WORD followed by 4 literal bytes as one little-endian int32. */
const WORD = -3;
const COMPILED: Int32Array[] = TEMPLATE_LINES.map(({ text }) => {
  const ops: number[] = [];
  for (const part of text.replace(/\{[^}]+\}/g, '#').split(/([ #])/)) {
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

/**
 * A block read by the byte-level path: its snapshot record, and its bytes (to re-read it
 * with the general path when it must merge with another capture of the same moment). The
 * scanner fills these objects in turn (two): a receiver uses one during the call it gets
 * it in, and keeps nothing of it.
 */
export interface FastBlock {
  readonly fast: true;
  readonly record: SnapshotRecord;
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

export class FastScanner {
  // Scratch shared by every scanner (a match runs start to end without yielding): a
  // directory of thousands of small files makes a scanner per file.
  private readonly holes = HOLES_SCRATCH;
  private readonly lineOf = LINES_SCRATCH;
  /** The columns of the last match (NaN but the ones the template gives). */
  private readonly cols = COLS_SCRATCH;
  /**
   * The last UTC `date` line the general parser read, and its midnight: a line of the same
   * day and zone (all but the clock equal) is that midnight plus its clock.
   */
  private dayLine = Buffer.alloc(40);
  private dayLen = 0;
  private dayMs = NaN;
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
    // the next is read, so the one at `turn` is free.
    if (this.pool.length === 0) this.pool.push(FastScanner.block(), FastScanner.block());
    const fb = this.pool[this.turn]!;
    const r = fb.record;
    if (!this.time(b, pos, this.dateEnd, r)) return NOT_FAST;
    this.turn ^= 1;
    // Taken: the Segmenter emits what it holds and counts these lines.
    const first = this.seg.lineNo + 1;
    this.seg.tookBlock(this.lines, this.blank);
    const lineOf = this.lineOf;
    r.reset();
    r.file = this.file;
    r.line = first;
    for (let i = 0; i < SECTION_AT.length; i++) r.sectionLines[i] = first + lineOf[SECTION_AT[i]!]!;
    r.nums.set(this.cols);
    r.host = this.seg.currentHost;
    r.namespace = this.opts.namespace;
    fb.buf = b;
    fb.start = pos;
    fb.end = p;
    this.emit(fb);
    return p;
  }

  // (made in the constructor: field initializers run before the parameter properties are set)
  private readonly pool: FastBlock[];
  private static block(): FastBlock {
    const record = new SnapshotRecord();
    record.formats = formatList(FORMAT_BITS);
    record.width = fastTables().width;
    record.bytePath = true;
    return { fast: true as const, record, buf: EMPTY, start: 0, end: 0 };
  }
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
    const t = fastTables();
    t.fill(holes, this.cols);
    if (!t.agree(holes, this.cols)) return NOT_FAST;
    this.lines = lines;
    this.blank = blank;
    this.dateEnd = dateEnd;
    this.zone = zone;
    return p;
  }

  /**
   * The `date` line's time into the record, as the general parser reads the line (false: it
   * reads no exact time, or one with a note: the general path takes the block). In UTC a
   * day's first line is parsed and the others of that day are its midnight plus their clock.
   */
  private time(b: Buffer, s: number, e: number, r: SnapshotRecord): boolean {
    const h = num2(b, s + 11);
    const mi = num2(b, s + 14);
    const sec = num2(b, s + 17);
    const clockOk = h <= 23 && mi <= 59 && sec <= 59;
    const clock = (h * 3600 + mi * 60 + sec) * 1000;
    const n = e - s;
    if (clockOk && n === this.dayLen && this.sameDay(b, s, n)) {
      r.timeMs = this.dayMs + clock;
      r.timeIso = undefined;
      return true;
    }
    const ts = parseTimestampLine(b.toString('utf8', s, e), this.opts);
    if (!ts || isProblem(ts) || ts.note !== undefined) return false;
    const canonical = ts.iso === isoOfMs(ts.ms);
    if (clockOk && canonical && isUtcName(b.toString('latin1', this.zone, e - 5))) {
      b.copy(this.dayLine, 0, s, e);
      this.dayLen = n;
      this.dayMs = ts.ms - clock;
    }
    r.timeMs = ts.ms;
    r.timeIso = canonical ? undefined : ts.iso;
    return true;
  }

  /** Is the `date` line at `s` (`n` bytes, as long as the cached one) the cached one but for its clock? */
  private sameDay(b: Buffer, s: number, n: number): boolean {
    const d = this.dayLine;
    for (let i = 0; i < 11; i++) if (b[s + i] !== d[i]) return false;
    for (let i = 19; i < n; i++) if (b[s + i] !== d[i]) return false;
    return true;
  }
}

/**
 * The general path's block for the same lines (to merge it with another capture of the
 * same moment): its bytes read again by the Segmenter.
 */
export function fastToBlock(f: FastBlock, opts: TimeOptions): Block {
  const blocks: Block[] = [];
  const r = f.record;
  const so: ConstructorParameters<typeof Segmenter>[1] = { firstLine: r.line - 1 };
  if (opts.tz) so.tz = opts.tz;
  if (r.host !== undefined) so.host = r.host;
  if (r.namespace !== undefined) so.namespace = r.namespace;
  const seg = new Segmenter(r.file, so, (b) => blocks.push(b));
  const text = f.buf.toString('utf8', f.start, f.end);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) seg.push(l.endsWith('\r') ? l.slice(0, -1) : l);
  seg.end();
  if (blocks.length !== 1) throw new Error(`internal: fast block ${r.source} re-read as ${blocks.length} blocks`);
  return blocks[0]!;
}

const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
const HOLES_SCRATCH = new Float64Array(HOLES);
const LINES_SCRATCH = new Int32Array(TEMPLATE_LINES.length);
const COLS_SCRATCH = new Float64Array(ALL_FIELDS.length).fill(NaN);

const NOT_FAST = -1;
const NEED_MORE = -2;
