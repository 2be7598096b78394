import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { giveBack } from './chunks.js';

export interface LineSink {
  line(text: string): void;
  /** Called after each chunk with its size; a promise makes the reader wait (output back-pressure). */
  afterChunk?(bytes: number): void | Promise<void>;
}

export interface ReadResult {
  bytes: number;
  /** The file is not text (see `textOrBinary`): nothing of it was read. */
  binary: boolean;
  /** Why it is binary, for the report. */
  binaryReason?: string;
  /** NUL bytes in a text file (a log after a crash or hard reboot): passed over, the text around them read. */
  nulBytes?: number;
  /** How many runs of consecutive NUL bytes, and the byte offset of the first. */
  nulRuns?: number;
  firstNulAt?: number;
  /** Lines longer than MAX_LINE: their first MAX_LINE characters were passed on, the rest dropped. */
  longLines: number;
}

/** No capture line is this long; a longer one is cut here so memory stays bounded. */
export const MAX_LINE = 1 << 20;

/**
 * Feed a byte stream to `sink` line by line (LF or CRLF, no newline passed),
 * holding one chunk at a time. Stops at the first NUL byte in the first
 * chunk: a binary file is reported, not parsed.
 */
export async function readLines(stream: Readable, sink: LineSink): Promise<ReadResult> {
  const dec = new StringDecoder('utf8');
  let rest = '';
  let bytes = 0;
  let first = true;
  let longLines = 0;
  let dropping = false;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (first) {
      first = false;
      if (buf.subarray(0, 8192).includes(0)) {
        stream.destroy();
        return { bytes: buf.length, binary: true, longLines };
      }
    }
    bytes += buf.length;
    const text = rest + dec.write(buf);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      if (dropping) {
        dropping = false; // the end of an over-long line: its head was passed on already
      } else {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        sink.line(text.slice(start, end));
      }
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE) {
      if (!dropping) {
        sink.line(rest.slice(0, MAX_LINE));
        longLines++;
      }
      dropping = true;
      rest = '';
    }
    const w = sink.afterChunk?.(buf.length);
    if (w) await w;
  }
  rest += dec.end();
  if (rest !== '' && !dropping) sink.line(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  return { bytes, binary: false, longLines };
}

/** Reads lines out of bytes (fast/scanner.ts): what `scanLines` feeds. */
export interface ByteScanner {
  /**
   * Read the complete lines of `buf` from `pos`; return the offset of the first byte
   * not read (kept and passed again, with the next bytes in front of it).
   * `final`: `buf` ends the input, read everything.
   */
  scan(buf: Buffer, pos: number, final: boolean): number;
  /** The first MAX_LINE bytes of a longer line, decoded. */
  line(text: string): void;
  /** `chunk`'s memory is about to be used again: keep nothing that points into it. */
  release?(chunk: Buffer): void;
}

/**
 * Like readLines, but hands the scanner bytes rather than decoded lines, so a
 * scanner can read most lines without making a string of them. Holds one chunk
 * plus what the scanner has not read yet (at most a partial line or one block).
 */
export async function scanLines(
  stream: Readable, scanner: ByteScanner, afterChunk?: (bytes: number) => void | Promise<void>,
): Promise<ReadResult> {
  let carry: Buffer | undefined;
  let bytes = 0;
  let longLines = 0;
  let dropping = false;
  // The first BINARY_PROBE bytes are looked at for NUL before anything is read, however the input is cut.
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  let prev: Buffer | undefined;
  // Where the rest of one chunk is joined to the start of the next: one buffer, used again
  // at every chunk boundary (a fresh one each time cost a page fault per 4 KiB).
  let joinBuf: Buffer | undefined;
  const feed = (input: Buffer): void => {
    let buf = input;
    if (dropping) {
      // The rest of an over-long line whose head was passed on already.
      const nl = buf.indexOf(10);
      if (nl >= 0) {
        dropping = false;
        buf = buf.subarray(nl + 1);
      } else {
        buf = buf.subarray(buf.length);
      }
    }
    let pos = 0;
    if (carry && buf.length > JOIN) {
      // What is left of the last chunk, with just enough of this one to finish it; then on
      // in this chunk itself, so the chunk is not copied.
      const len = carry.length + JOIN;
      if (!joinBuf || joinBuf.length < len) joinBuf = Buffer.allocUnsafeSlow(Math.max(len, 2 * JOIN));
      else scanner.release?.(joinBuf); // blocks read from it last time keep their own copy
      carry.copy(joinBuf, 0);
      buf.copy(joinBuf, carry.length, 0, JOIN);
      const head = joinBuf.subarray(0, len);
      const at = scanner.scan(head, 0, false);
      if (at >= carry.length) {
        pos = at - carry.length;
        carry = undefined;
      } else {
        buf = Buffer.concat([carry, buf]);
        pos = at;
        carry = undefined;
      }
    } else if (carry) {
      buf = Buffer.concat([carry, buf]);
      carry = undefined;
    }
    pos = pos < buf.length ? scanner.scan(buf, pos, false) : pos;
    carry = pos < buf.length ? buf.subarray(pos) : undefined;
    if (carry && carry.length > MAX_LINE) {
      // Scanners keep at most a short block back, so this is one partial line.
      scanner.line(carry.toString('utf8', 0, MAX_LINE));
      longLines++;
      dropping = true;
      carry = undefined;
    }
    // The chunk before this one is read through (what was left of it is copied): its memory can go back.
    if (prev) {
      scanner.release?.(prev);
      giveBack(prev);
    }
    prev = input;
  };
  // NUL bytes in text are passed over (counted in runs, across chunk boundaries).
  let nulBytes = 0;
  let nulRuns = 0;
  let firstNulAt = -1;
  let inRun = false;
  let at = 0; // input offset of the chunk being cleaned
  const clean = (buf: Buffer): Buffer => {
    const start = at;
    at += buf.length;
    let z = buf.indexOf(0);
    if (z < 0) {
      if (buf.length) inRun = false;
      return buf;
    }
    if (firstNulAt < 0) firstNulAt = start + z;
    const out = Buffer.allocUnsafe(buf.length);
    let o = buf.copy(out, 0, 0, z);
    if (z > 0) inRun = false;
    let i = z;
    while (i < buf.length) {
      if (buf[i] === 0) {
        if (!inRun) nulRuns++;
        inRun = true;
        nulBytes++;
        i++;
        continue;
      }
      z = buf.indexOf(0, i);
      const end = z < 0 ? buf.length : z;
      o += buf.copy(out, o, i, end);
      inRun = false;
      i = end;
    }
    return out.subarray(0, o);
  };
  const result = (binary: boolean, why?: string): ReadResult => {
    const r: ReadResult = { bytes, binary, longLines };
    if (why) r.binaryReason = why;
    if (!binary && nulBytes) Object.assign(r, { nulBytes, nulRuns, firstNulAt });
    return r;
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (head) {
      head.push(buf);
      headBytes += buf.length;
      if (headBytes < BINARY_PROBE) continue;
      const whole: Buffer = head.length === 1 ? buf : Buffer.concat(head);
      const v = textOrBinary(whole, false);
      if (v === undefined) {
        head = [whole];
        continue;
      }
      buf = whole;
      head = undefined;
      if (v !== 'text') {
        stream.destroy();
        return result(true, v);
      }
    }
    feed(clean(buf));
    const w = afterChunk?.(buf.length);
    if (w) await w;
  }
  if (head) {
    const buf = Buffer.concat(head);
    const v = textOrBinary(buf, true);
    if (v !== 'text') return result(true, v);
    feed(clean(buf));
    const w = afterChunk?.(buf.length);
    if (w) await w;
  }
  // The last line may lack its newline: give it one, so scanners see every line end.
  if (carry) scanner.scan(carry[carry.length - 1] === 10 ? carry : Buffer.concat([carry, NEWLINE]), 0, true);
  return result(false);
}

const NEWLINE = Buffer.from('\n');

/** Bytes of a new chunk joined to the unread rest of the last one (more than a fast block spans). */
const JOIN = 64 << 10;

/** Text bytes looked at before a file is called text or binary. */
const BINARY_PROBE = 8192;
/** Bytes looked at, at most, to find that many text bytes (past runs of NUL). */
const PROBE_MAX = 1 << 20;
/** Share of control bytes (other than tab, newlines, form feed, ESC) beyond which a file is binary. */
const MAX_CONTROL_SHARE = 0.05;

/**
 * Text or binary, from the share of bytes that text does not hold: control bytes other
 * than tab, LF, VT, FF, CR and ESC, and NULs outside runs. Runs of 8 NULs and more are
 * what a crash or a hard reboot leaves in a log (blocks allocated, never written): they
 * are not counted, and the decision waits for BINARY_PROBE bytes of the rest (up to
 * PROBE_MAX). Undefined: not enough bytes yet (`final`: the input ended, decide now).
 * A string: binary, and why.
 */
export function textOrBinary(buf: Buffer, final: boolean): 'text' | string | undefined {
  const n = Math.min(buf.length, PROBE_MAX);
  let control = 0;
  let runNul = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0) {
      run++;
      continue;
    }
    if (run) {
      if (run >= 8) runNul += run;
      else control += run;
      run = 0;
    }
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27) control++;
  }
  if (run >= 8) runNul += run;
  else control += run;
  const rest = n - runNul;
  if (rest < BINARY_PROBE && n < PROBE_MAX && !final) return undefined;
  if (rest === 0) return n ? `binary file (${n} NUL bytes and nothing else); not a text capture` : 'text';
  if (rest < 64 && n >= PROBE_MAX) return `binary file (its first ${n} bytes are NUL but ${rest}); not a text capture`;
  const share = control / rest;
  if (share > MAX_CONTROL_SHARE) return `binary file (${(share * 100).toFixed(0)}% of its first bytes are control or NUL bytes); not a text capture`;
  return 'text';
}
