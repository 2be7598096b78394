import Papa from 'papaparse';
import { ALL_FIELDS, COLUMNS } from '../normalize/fields.js';
import { isoOfMs, type SnapshotRecord } from '../normalize/record.js';
import type { Diagnostic } from '../normalize/types.js';
import { NO_KEYS } from '../normalize/normalize.js';
import { isoFromMs } from '../parse/time.js';

export type Cell = string | number | null;

const otherKeysText = (o: Record<string, number>): string | null => {
  const e = Object.entries(o);
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(';') : null;
};
const diagnosticsText = (d: readonly Diagnostic[]): string | null => (d.length ? d.map((x) => x.message).join(' | ') : null);

/**
 * A snapshot as a flat row in column order; absent values are null (empty in CSV). The CSV
 * writer's bytes are papaparse's for these cells (a test compares them on every sample).
 */
export function snapshotRow(r: SnapshotRecord): Cell[] {
  const row: Cell[] = [r.host ?? null, r.time ?? null, r.source, r.formats.join('+')];
  for (const v of r.nums) row.push(Number.isNaN(v) ? null : v);
  row.push(r.namespace ?? null, otherKeysText(r.otherKeys), diagnosticsText(r.diagnostics));
  return row;
}

/** A snapshot as one JSON object with the CSV's keys; absent values are null. */
export function snapshotJson(r: SnapshotRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {
    host: r.host ?? null,
    time: r.time ?? null,
    source: r.source,
    formats: r.formats.join('+'),
  };
  const v = r.nums;
  for (let i = 0; i < ALL_FIELDS.length; i++) o[ALL_FIELDS[i]!] = Number.isNaN(v[i]!) ? null : v[i];
  o.namespace = r.namespace ?? null;
  o.other_keys = r.otherKeys;
  o.diagnostics = r.diagnostics;
  return o;
}

export interface RowWriter {
  /** One snapshot's row (the record is read during the call only). */
  snapshot(r: SnapshotRecord): void;
  /** UTF-8 bytes ready to write since the last take(), as a copy the caller keeps. */
  take(): Buffer;
  /**
   * The same bytes without a copy: `write` gets a view of the writer's buffer and returns
   * true when it is done with it (written, or copied), so the memory is written again;
   * false leaves those bytes alone (the next rows go after them, or to a new buffer).
   */
  lend(write: (b: Buffer) => boolean): void;
  /** Bytes buffered and not yet taken. */
  readonly pending: number;
}

const CHUNK = 1 << 20;

/** The decimal digits of 0 < x <= 2^31 - 1 into buf at p (last to first with integer arithmetic, then turned round); the end. */
function digits(buf: Buffer, p: number, x: number): number {
  let e = p;
  let y = x | 0;
  while (y > 0) {
    const q = (y / 10) | 0;
    buf[e++] = 48 + y - q * 10;
    y = q;
  }
  for (let a = p, z = e - 1; a < z; a++, z--) {
    const t = buf[a]!;
    buf[a] = buf[z]!;
    buf[z] = t;
  }
  return e;
}

/** Output bytes written in place, row after row (no string per row to build, join and encode). */
class ByteOut {
  private buf = Buffer.allocUnsafe(CHUNK);
  /** Bytes of buf before `start` are written or taken; */
  private start = 0;
  /** and when pinned, some are still lent out: buf is never written from its start again. */
  private pinned = false;
  private pos = 0;
  private full: Buffer[] = [];
  private size = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > this.start) this.full.push(this.buf.subarray(this.start, this.pos));
    this.size += this.pos - this.start;
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.start = this.pos = 0;
    this.pinned = false;
  }

  /** Everything so far is handed out: write from the start of buf again unless some is lent. */
  private rewind(): void {
    this.start = this.pinned ? this.pos : (this.pos = 0);
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Bytes already encoded. */
  raw(b: Buffer): void {
    this.room(b.length);
    if (b.length > 24) {
      this.pos += b.copy(this.buf, this.pos);
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** Text known to be ASCII (ISO times). */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** 0..99 as two digits. */
  two(n: number): void {
    this.room(2);
    const q = (n / 10) | 0;
    this.buf[this.pos++] = 48 + q;
    this.buf[this.pos++] = 48 + n - q * 10;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** An integer as String() writes it (|v| < 2^53). */
  int(v: number): void {
    this.room(24);
    const buf = this.buf;
    let p = this.pos;
    if (v < 0) {
      buf[p++] = 45;
      v = -v;
    }
    if (v < 10) {
      buf[p++] = 48 + v;
      this.pos = p;
    } else if (v <= 0x7fffffff) {
      this.pos = digits(buf, p, v);
    } else {
      this.pos = p;
      this.ascii(String(v));
    }
  }

  /** `,value` for each value (`,` alone for NaN, absent), as String() writes numbers; all NaN from `width` on. */
  numCells(v: Float64Array, width: number): void {
    this.room(v.length * 26);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < width; i++) {
      buf[p++] = 44;
      const x = v[i]!;
      if (x !== x) continue;
      if (x >= 0 && x <= 0x7fffffff && (x | 0) === x) {
        if (x < 10) {
          buf[p++] = 48 + x;
          continue;
        }
        p = digits(buf, p, x);
      } else {
        p += buf.write(String(x), p, 'latin1');
      }
    }
    for (let i = width; i < v.length; i++) buf[p++] = 44;
    this.pos = p;
  }

  get length(): number {
    return this.size + this.pos - this.start;
  }

  take(): Buffer {
    const out = Buffer.concat([...this.full, this.buf.subarray(this.start, this.pos)]);
    this.full = [];
    this.size = 0;
    this.rewind();
    return out;
  }

  lend(write: (b: Buffer) => boolean): void {
    if (this.full.length) {
      write(this.take());
      return;
    }
    if (this.pos === this.start) return;
    // A fresh buffer costs a page fault per 4 KiB here: written at once, this one is reused.
    if (!write(this.buf.subarray(this.start, this.pos))) this.pinned = true;
    this.rewind();
  }
}

/** The CSV header line. */
export function csvHeader(): string {
  return Papa.unparse([[...COLUMNS]], { newline: '\n' }) + '\n';
}

/**
 * A text cell a spreadsheet could read as a formula gets a leading `'`: any cell whose first
 * character is `= + - @`, tab or CR, whatever follows. papaparse's own `escapeFormulae: true`
 * tests `/^[=+\-@\t\r].*$/`, which fails when a newline follows (`=HYPERLINK(...,` newline
 * `"x")`), so the pattern is given here. Numbers are never text cells (-5 stays -5).
 */
export const FORMULA_START = /^[=+\-@\t\r]/;
const UNPARSE = { newline: '\n', header: false, escapeFormulae: FORMULA_START };

/** One text cell exactly as papaparse writes it (quoted, formula-escaped as needed). */
const csvCell = (x: string | undefined): string => (x === undefined ? '' : Papa.unparse([[x]], UNPARSE));

const bytesOf = (t: string): Buffer => Buffer.from(t, 'utf8');
/** ISO text that needs no quoting or escaping in CSV (a digit first, then digits and `-:.TZ+`). */
const PLAIN_ISO = /^\d[\d\-:.TZ+]*$/;
const DAY_MS = 86_400_000;

/**
 * CSV rows written straight into bytes: the numbers by ByteOut, the text cells by papaparse
 * (quoting, formula escapes), each escaped once while it stays the same row after row
 * (host, file, formats, namespace). The bytes equal papaparse's for `snapshotRow` (a test
 * compares them on every sample and under fuzzing).
 */
class CsvRows {
  private host: string | undefined = '\u0000';
  private hostCell = bytesOf('');
  private ns: string | undefined = '\u0000';
  private tail = bytesOf('');
  private file = '\u0000';
  /** `file:` when `file:N` needs no quoting or escaping (for any N when `file:1` needs none). */
  private sourcePrefix: Buffer | undefined;
  private formatsOf: string[] | undefined;
  private formats = bytesOf('');
  /** The midnight of the last time written from its ms, and its `YYYY-MM-DDT` bytes. */
  private dayMs = NaN;
  private dayBytes = bytesOf('');

  row(r: SnapshotRecord, out: ByteOut): void {
    if (r.host !== this.host) {
      this.host = r.host;
      this.hostCell = bytesOf(csvCell(r.host));
    }
    if (r.file !== this.file) {
      this.file = r.file;
      this.sourcePrefix = csvCell(`${r.file}:1`) === `${r.file}:1` ? bytesOf(`${r.file}:`) : undefined;
    }
    const fl = r.formats;
    if (fl !== this.formatsOf) {
      this.formatsOf = fl;
      this.formats = bytesOf(csvCell(fl.join('+')));
    }
    out.raw(this.hostCell);
    out.byte(44);
    this.time(r, out);
    out.byte(44);
    if (this.sourcePrefix && r.sourceText === undefined) {
      out.raw(this.sourcePrefix);
      out.int(r.line);
    } else {
      out.text(csvCell(r.source));
    }
    out.byte(44);
    out.raw(this.formats);
    out.numCells(r.nums, r.width);
    if (r.diagnostics.length === 0 && (r.otherKeys === NO_KEYS || Object.keys(r.otherKeys).length === 0)) {
      if (r.namespace !== this.ns) {
        this.ns = r.namespace;
        this.tail = bytesOf(`,${csvCell(r.namespace)},,\n`);
      }
      out.raw(this.tail);
      return;
    }
    out.text(`,${csvCell(r.namespace)},${csvCell(otherKeysText(r.otherKeys) ?? undefined)},${csvCell(diagnosticsText(r.diagnostics) ?? undefined)}\n`);
  }

  /** The time cell: from the ms when the text is the canonical one (no string made). */
  private time(r: SnapshotRecord, out: ByteOut): void {
    const iso = r.timeIso;
    if (iso !== undefined) {
      if (PLAIN_ISO.test(iso)) out.ascii(iso);
      else out.text(csvCell(iso));
      return;
    }
    const ms = r.timeMs;
    if (Number.isNaN(ms)) return;
    let rest = ms - this.dayMs;
    if (!(rest >= 0 && rest < DAY_MS)) {
      this.dayMs = Math.floor(ms / DAY_MS) * DAY_MS;
      this.dayBytes = bytesOf(isoFromMs(this.dayMs).slice(0, 11));
      rest = ms - this.dayMs;
    }
    if (rest % 1000 !== 0) {
      out.ascii(isoOfMs(ms));
      return;
    }
    const sec = (rest / 1000) | 0;
    const h = (sec / 3600) | 0;
    const m = sec - h * 3600;
    const mi = (m / 60) | 0;
    out.raw(this.dayBytes);
    out.two(h);
    out.byte(58);
    out.two(mi);
    out.byte(58);
    out.two(m - mi * 60);
    out.byte(90);
  }
}

/** CSV (RFC 4180: papaparse's quoting for text cells), header first. */
export function csvWriter(opts: { header?: boolean } = {}): RowWriter {
  const out = new ByteOut();
  if (opts.header !== false) out.text(csvHeader());
  const rows = new CsvRows();
  return {
    snapshot(r) {
      rows.row(r, out);
    },
    take() {
      return out.take();
    },
    lend(write) {
      out.lend(write);
    },
    get pending() {
      return out.length;
    },
  };
}

/** JSON Lines: one object per snapshot. */
export function jsonlWriter(): RowWriter {
  const out = new ByteOut();
  return {
    snapshot(r) {
      out.text(JSON.stringify(snapshotJson(r)) + '\n');
    },
    take() {
      return out.take();
    },
    lend(write) {
      out.lend(write);
    },
    get pending() {
      return out.length;
    },
  };
}
