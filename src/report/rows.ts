import Papa from 'papaparse';
import { ALL_FIELDS, COLUMNS, EXTRA_FIELDS } from '../normalize/fields.js';
import { FAST_FORMATS, fastSnapshot } from '../normalize/fast.js';
import type { Snapshot } from '../normalize/types.js';
import { FastTime, type FastBlock } from '../segment/fast.js';

export type Cell = string | number | null;

/** A snapshot as a flat row in column order; absent values are null (empty in CSV). */
export function snapshotRow(s: Snapshot): Cell[] {
  const row: Cell[] = [s.host ?? null, s.time ?? null, s.source, s.formats.join('+')];
  for (const f of ALL_FIELDS) {
    const v = s.values[f];
    row.push(v === undefined ? null : v);
  }
  row.push(s.namespace ?? null);
  const other = Object.entries(s.otherKeys);
  row.push(other.length ? other.map(([k, v]) => `${k}=${v}`).join(';') : null);
  row.push(s.diagnostics.length ? s.diagnostics.map((d) => d.message).join(' | ') : null);
  return row;
}

/** A snapshot as one JSON object with the CSV's keys; absent values are null. */
export function snapshotJson(s: Snapshot): Record<string, unknown> {
  const o: Record<string, unknown> = {
    host: s.host ?? null,
    time: s.time ?? null,
    source: s.source,
    formats: s.formats.join('+'),
  };
  for (const f of ALL_FIELDS) o[f] = s.values[f] ?? null;
  o.namespace = s.namespace ?? null;
  o.other_keys = s.otherKeys;
  o.diagnostics = s.diagnostics;
  return o;
}

export interface RowWriter {
  snapshot(s: Snapshot): void;
  /** A fast-path snapshot (segment/fast.ts): the same row, written from its values. */
  fast(f: FastBlock): void;
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
      // Digits last to first with integer arithmetic, then turned round.
      let e = p;
      let x = v | 0;
      while (x > 0) {
        const q = (x / 10) | 0;
        buf[e++] = 48 + x - q * 10;
        x = q;
      }
      for (let a = p, z = e - 1; a < z; a++, z--) {
        const t = buf[a]!;
        buf[a] = buf[z]!;
        buf[z] = t;
      }
      this.pos = e;
    } else {
      this.pos = p;
      this.ascii(String(v));
    }
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

const AFTER_VALUES = ','.repeat(EXTRA_FIELDS.length);
const bytesOf = (t: string): Buffer => Buffer.from(t, 'utf8');

/**
 * Rows of fast-path snapshots without papaparse's per-cell work: they hold numbers
 * and a few texts that are the same row after row (host, file, namespace), each
 * escaped once by papaparse. The bytes equal papaparse's for the same snapshot
 * (a test compares them on every sample).
 */
class FastRows {
  private host: string | undefined = '\u0000';
  private hostCell = bytesOf('');
  private ns: string | undefined = '\u0000';
  private tail = bytesOf('');
  private file = '\u0000';
  /** `file:` when `file:N` needs no quoting or escaping (for any N when `file:1` needs none). */
  private sourcePrefix: Buffer | undefined;
  private readonly formats = bytesOf(csvCell(FAST_FORMATS.join('+')));

  row(f: FastBlock, out: ByteOut): void {
    if (f.host !== this.host) {
      this.host = f.host;
      this.hostCell = bytesOf(csvCell(f.host));
    }
    if (f.namespace !== this.ns) {
      this.ns = f.namespace;
      this.tail = bytesOf(`${AFTER_VALUES},${csvCell(f.namespace)},,\n`);
    }
    if (f.file !== this.file) {
      this.file = f.file;
      this.sourcePrefix = csvCell(`${f.file}:1`) === `${f.file}:1` ? bytesOf(`${f.file}:`) : undefined;
    }
    out.raw(this.hostCell);
    out.byte(44);
    const t = f.time;
    if (t instanceof FastTime) {
      // The ISO text from the day's bytes and the clock: no string made.
      out.raw(t.day.bytes);
      out.two(t.h);
      out.byte(58);
      out.two(t.mi);
      out.byte(58);
      out.two(t.s);
      out.byte(90);
    } else {
      out.ascii(t.iso);
    }
    out.byte(44);
    if (this.sourcePrefix) {
      out.raw(this.sourcePrefix);
      out.int(f.line);
    } else {
      out.text(csvCell(`${f.file}:${f.line}`));
    }
    out.byte(44);
    out.raw(this.formats);
    const v = f.values;
    for (let i = 0; i < v.length; i++) {
      out.byte(44);
      out.int(v[i]!);
    }
    out.raw(this.tail);
  }
}

/** CSV (RFC 4180 by papaparse), header first, batched so papaparse runs per batch. */
export function csvWriter(opts: { header?: boolean } = {}): RowWriter {
  let batch: Cell[][] = [];
  const out = new ByteOut();
  if (opts.header !== false) out.text(csvHeader());
  const fastRows = new FastRows();
  const flushBatch = (): void => {
    if (batch.length === 0) return;
    out.text(Papa.unparse(batch, UNPARSE) + '\n');
    batch = [];
  };
  return {
    snapshot(s) {
      batch.push(snapshotRow(s));
      if (batch.length >= 512) flushBatch();
    },
    fast(f) {
      if (batch.length) flushBatch();
      fastRows.row(f, out);
    },
    take() {
      flushBatch();
      return out.take();
    },
    lend(write) {
      flushBatch();
      out.lend(write);
    },
    get pending() {
      return out.length + batch.length * 200;
    },
  };
}

/** JSON Lines: one object per snapshot. */
export function jsonlWriter(): RowWriter {
  const out = new ByteOut();
  return {
    snapshot(s) {
      out.text(JSON.stringify(snapshotJson(s)) + '\n');
    },
    fast(f) {
      out.text(JSON.stringify(snapshotJson(fastSnapshot(f))) + '\n');
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
