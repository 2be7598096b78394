import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createInflateRaw, constants as Z } from 'node:zlib';

export type Compression = 'gz' | 'xz' | 'bz2' | undefined;

/** What a file name says about its packing: archive kind and compression. */
export function packing(name: string): { archive?: 'tar' | 'zip'; compression: Compression; inner: string } {
  const n = name.toLowerCase();
  if (/\.(tar\.gz|tgz)$/.test(n)) return { archive: 'tar', compression: 'gz', inner: name.replace(/\.(tar\.gz|tgz)$/i, '') };
  if (/\.(tar\.xz|txz)$/.test(n)) return { archive: 'tar', compression: 'xz', inner: name.replace(/\.(tar\.xz|txz)$/i, '') };
  if (/\.(tar\.bz2|tbz2?)$/.test(n)) return { archive: 'tar', compression: 'bz2', inner: name.replace(/\.(tar\.bz2|tbz2?)$/i, '') };
  if (n.endsWith('.tar')) return { archive: 'tar', compression: undefined, inner: name.slice(0, -4) };
  if (n.endsWith('.zip')) return { archive: 'zip', compression: undefined, inner: name.slice(0, -4) };
  if (n.endsWith('.gz')) return { compression: 'gz', inner: name.slice(0, -3) };
  if (n.endsWith('.xz')) return { compression: 'xz', inner: name.slice(0, -3) };
  if (n.endsWith('.bz2')) return { compression: 'bz2', inner: name.slice(0, -4) };
  return { compression: undefined, inner: name };
}

export interface BombLimits {
  maxRatio: number;
  bombFloor: number;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const BZ_BLOCK = Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
const BZ_END = Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);

/** Bytes needed to recognise every kind `sniff` knows (tar's magic sits at 257). */
export const SNIFF_BYTES = 512;

/** What a file's first bytes say it is (gzip, xz, bzip2, zip, tar), whatever its name. */
export function sniff(head: Buffer): { archive?: 'tar' | 'zip'; compression: Compression } | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { compression: 'gz' };
  if (head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC)) return { compression: 'xz' };
  if (head.length >= 10 && head.toString('latin1', 0, 3) === 'BZh' && head[3]! >= 0x31 && head[3]! <= 0x39) {
    const m = head.subarray(4, 10);
    if (m.equals(BZ_BLOCK) || m.equals(BZ_END)) return { compression: 'bz2' };
  }
  // A zip starts with a local header, or (empty zip) with the end of central directory.
  if (head.length >= 4 && (head.readUInt32LE(0) === 0x04034b50 || (head.length === 22 && head.readUInt32LE(0) === 0x06054b50))) {
    return { archive: 'zip', compression: undefined };
  }
  if (head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar' && tarChecksumOk(head)) return { archive: 'tar', compression: undefined };
  // Old (v7) tar has no magic: a valid header checksum and a plausible name say it.
  if (head.length >= 512 && head[0] !== 0 && tarChecksumOk(head) && head.subarray(0, 100).every((b) => b === 0 || (b >= 0x20 && b < 0x7f) || b >= 0x80)) {
    return { archive: 'tar', compression: undefined };
  }
  return undefined;
}

function tarChecksumOk(h: Buffer): boolean {
  if (h.length < 512) return false;
  const field = h.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === parseInt(field, 8);
}

/** A program on PATH (xz, bzip2), or undefined. Looked up once per name. */
const onPath = new Map<string, string | undefined>();
export function findProgram(name: string): string | undefined {
  if (onPath.has(name)) return onPath.get(name);
  let found: string | undefined;
  if (process.env.SOCKSCOPE_NO_NATIVE_DECODER !== '1') {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        found = p;
        break;
      } catch {
        /* not here */
      }
    }
  }
  onPath.set(name, found);
  return found;
}

/**
 * xz files up to this many compressed bytes are decoded in process: starting `xz` (a fork of
 * this process and two pipes) costs more than the WebAssembly decoder's lower speed loses
 * on a small file, up to a few MB of output (the figures: bench/RESULTS.md).
 */
export const SMALL_XZ = 256 << 10;

/** Which xz decoder runs for a file of `size` compressed bytes (unknown: the native one when it exists). */
export function xzDecoder(size?: number): 'xz' | 'wasm' {
  if (!findProgram('xz')) return 'wasm';
  return size !== undefined && size <= SMALL_XZ ? 'wasm' : 'xz';
}

/**
 * Bytes through an external decompressor (`xz -dc`, `bzip2 -dc`): its input is fed from
 * `s`, its output is the stream. A failure after some output ends the stream with a note
 * (what decoded is kept); before any output it is the stream's error.
 */
function external(prog: string, s: Readable, notes: string[] | undefined, what: string): Readable {
  const child = spawn(prog, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    if (err.length < 1000) err += c.toString();
  });
  child.stdin.on('error', () => undefined); // the decoder may stop reading (bad data): its exit says why
  s.on('error', (e) => child.kill() && out.destroy(e));
  s.pipe(child.stdin);
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let outBytes = 0;
  child.stdout.on('data', (c: Buffer) => {
    outBytes += c.length;
  });
  child.stdout.pipe(out, { end: false });
  child.on('close', (code, signal) => {
    if (code === 0 || out.destroyed) {
      out.end();
      return;
    }
    const msg = `${what}: ${err.trim().split('\n').pop() || `${prog} exited with ${code ?? signal}`}`;
    if (notes && outBytes > 0) {
      notes.push(`${msg}; the ${outBytes} bytes decoded before it were read`);
      out.end();
    } else out.destroy(new Error(msg));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
    s.unpipe(child.stdin);
    s.destroy();
  });
  return out;
}

/** xz stream → bytes with xz-embedded compiled to WebAssembly (the fallback: no native code needed). */
export function unxzWasm(s: Readable): Readable {
  async function* gen(): AsyncGenerator<Uint8Array> {
    const xz = (await import('xz-decompress')).default;
    const web = Readable.toWeb(s) as unknown as ReadableStream<Uint8Array>;
    const out = new xz.XzReadableStream(web) as unknown as WebReadableStream<Uint8Array>;
    for await (const c of Readable.fromWeb(out) as AsyncIterable<Uint8Array>) yield c;
  }
  return Readable.from(gen(), { objectMode: false });
}

/**
 * gzip → bytes, member after member (a .gz may hold several), with Node's zlib. Unlike
 * createGunzip, which fails the whole stream on bytes after the last member (and loses
 * the output of the call that met them), what decoded is kept: trailing garbage and a cut
 * stream end it with a note in `notes` (an error when there is no `notes`).
 */
export function gunzip(s: Readable, notes?: string[]): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const it = (s as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0; // input offset of pending[0]
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done) {
      eof = true;
      return false;
    }
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    pending = pending.length ? Buffer.concat([pending, c]) : c;
    return true;
  };
  const need = async (n: number): Promise<boolean> => {
    while (pending.length < n) if (!(await more())) return false;
    return true;
  };
  const drop = (n: number): void => {
    pending = pending.subarray(n);
    offset += n;
  };
  const stop = (msg: string): void => {
    if (notes) {
      notes.push(msg);
      out.end();
    } else out.destroy(new Error(msg));
  };
  const write = (c: Buffer): Promise<void> | undefined => (out.write(c) ? undefined : new Promise((r) => out.once('drain', r)));
  const run = async (): Promise<void> => {
    for (let member = 0; ; member++) {
      await need(10);
      if (pending.length === 0) {
        out.end();
        return;
      }
      if (pending.length < 2 || pending[0] !== 0x1f || pending[1] !== 0x8b) {
        if (member === 0) return stop('not in gzip format');
        // Trailing zeros are padding (tape blocks); anything else is garbage.
        let zeros = pending.every((b) => b === 0);
        while (zeros && (await more())) zeros = pending.every((b) => b === 0);
        if (zeros) {
          out.end();
          return;
        }
        return stop(`trailing garbage after the gzip data at byte ${offset}; ignored (what decoded before it was read)`);
      }
      if (!(await need(10))) return stop(`gzip header cut at byte ${offset}`);
      const flags = pending[3]!;
      let h = 10;
      if (flags & 4) {
        if (!(await need(h + 2))) return stop('gzip header cut');
        h += 2 + pending.readUInt16LE(h);
      }
      for (const bit of [8, 16]) {
        if (!(flags & bit)) continue;
        for (;;) {
          if (!(await need(h + 1))) return stop('gzip header cut');
          if (pending[h++] === 0) break;
        }
      }
      if (flags & 2) h += 2;
      if (!(await need(h))) return stop('gzip header cut');
      drop(h);
      const inf = createInflateRaw({ chunkSize: 128 << 10, finishFlush: Z.Z_SYNC_FLUSH });
      // SYNC_FLUSH: a cut stream ends without an error (its output kept); the missing trailer says it was cut.
      let ended = false;
      let infErr: Error | undefined;
      const outs: Promise<void>[] = [];
      inf.on('data', (c: Buffer) => {
        const w = write(c);
        if (w) {
          inf.pause();
          outs.push(w.then(() => void inf.resume()));
        }
      });
      const done = new Promise<void>((res) => {
        inf.on('end', () => {
          ended = true;
          res();
        });
        inf.on('error', (e) => {
          infErr = e;
          res();
        });
      });
      let given = 0;
      // Feed until the deflate stream ends (it then takes fewer bytes than it was given).
      for (;;) {
        if (pending.length === 0 && !(await more())) break;
        const chunk = pending;
        await new Promise<void>((res) => inf.write(chunk, () => res()));
        given += chunk.length;
        if (infErr) break;
        if (inf.bytesWritten < given) break;
        pending = Buffer.alloc(0);
        offset += chunk.length;
        if (ended) break;
      }
      const used = inf.bytesWritten;
      inf.end();
      await done;
      await Promise.all(outs);
      if (infErr) return stop(`gzip data corrupt near byte ${offset + (used - (given - pending.length))}: ${infErr.message}`);
      // pending still holds the last chunk given: drop what the inflater used of it.
      const usedOfLast = used - (given - pending.length);
      if (usedOfLast > 0) drop(usedOfLast);
      if (!(await need(8))) return stop(`gzip stream cut short after ${offset + pending.length} compressed bytes; what decoded before was read`);
      drop(8);
    }
  };
  run().catch((e: Error) => out.destroy(e));
  out.on('close', () => s.destroy());
  return out;
}

/**
 * Decompress, refusing bombs: once past `bombFloor` bytes, output larger than
 * `maxRatio` times the input read so far fails the stream with a clear message.
 * gzip runs in Node's zlib; xz in the system's `xz -dc` when it is on PATH, else in
 * WebAssembly; bzip2 in the system's `bzip2 -dc` (a clear error when there is none).
 * With `notes`, a damaged end (trailing garbage, a cut stream) keeps what decoded and
 * is said there.
 */
export function decompress(source: Readable, c: Compression, limits: BombLimits = { maxRatio: 1000, bombFloor: 256 << 20 }, notes?: string[], size?: number): Readable {
  if (!c) return source;
  let inBytes = 0;
  async function* count(): AsyncGenerator<Buffer> {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      inBytes += chunk.length;
      yield chunk;
    }
  }
  const s = Readable.from(count(), { objectMode: false, highWaterMark: 1 });
  s.on('close', () => source.destroy());
  let inner: Readable;
  if (c === 'gz') inner = gunzip(s, notes);
  else if (c === 'xz') inner = xzDecoder(size) === 'xz' ? external(findProgram('xz')!, s, notes, 'xz') : unxzWasm(s);
  else {
    const bz = findProgram('bzip2');
    if (!bz) {
      s.destroy();
      const r = new Readable({ read() {} });
      process.nextTick(() => r.destroy(new Error('bzip2-compressed: reading it needs the bzip2 program on PATH, which is missing; install bzip2 or decompress the file first (bzip2 -d)')));
      return r;
    }
    inner = external(bz, s, notes, 'bzip2');
  }
  let outBytes = 0;
  async function* guard(): AsyncGenerator<Buffer> {
    for await (const chunk of inner as AsyncIterable<Buffer>) {
      outBytes += chunk.length;
      if (outBytes > limits.bombFloor && outBytes > limits.maxRatio * Math.max(inBytes, 1)) {
        inner.destroy();
        throw new Error(`decompression bomb: ${outBytes} bytes out of ${inBytes} compressed (over ${limits.maxRatio}:1); not read further`);
      }
      yield chunk;
    }
  }
  const out = Readable.from(guard(), { objectMode: false, highWaterMark: 1 });
  out.on('close', () => inner.destroy());
  return out;
}

/**
 * The first `n` bytes of a stream (fewer at its end) and a stream that gives every byte
 * again, the first ones included: for recognising a format by content on a stream that
 * cannot be read twice (stdin, a FIFO, an archive member, decompressed output).
 */
export async function peekStream(s: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = (s as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const got: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const c = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    got.push(c);
    len += c.length;
  }
  const head = got.length === 1 ? got[0]! : Buffer.concat(got);
  async function* rest(): AsyncGenerator<Buffer> {
    for (const c of got) yield c;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  }
  const stream = Readable.from(rest(), { objectMode: false, highWaterMark: 1 });
  stream.on('close', () => s.destroy());
  return { head: head.subarray(0, Math.min(head.length, n)), stream };
}
