import { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { MemTree } from './tree.js';
import type { Problem } from '../parse/problem.js';

export interface ArchiveLimits {
  /** Members up to this size are held in memory so bundle layouts can be recognized. */
  smallMember: number;
  /** Total bytes held in memory for all archives of one input, nested ones included. */
  maxBuffered: number;
  /** A zip inside another archive (or on stdin) must be held whole (zip needs random access). */
  maxNestedZip: number;
  /** Archives inside archives, at most this deep. */
  maxDepth: number;
  /** Members read from one archive; the rest are reported, not read. */
  maxEntries: number;
  /** Decompressed bytes per compressed byte beyond which a stream is a bomb (once past `bombFloor`). */
  maxRatio: number;
  /** Bytes a stream may expand to before the ratio is checked. */
  bombFloor: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  smallMember: 8 << 20,
  maxBuffered: 512 << 20,
  maxNestedZip: 256 << 20,
  maxDepth: 8,
  maxEntries: 200_000,
  maxRatio: 1000,
  bombFloor: 256 << 20,
};

/** Bytes held in memory by the archives of one input, at every nesting level together. */
export interface Budget {
  buffered: number;
}

/**
 * A member name safe to show and to use as a key, or why it is not: absolute
 * paths and `..` are refused (nothing is ever written, but such names mean a
 * hostile or broken archive and are reported).
 */
export function memberPath(name: string): { path: string } | { unsafe: string } {
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:\//.test(n)) return { unsafe: 'absolute member path; not read' };
  const parts = n.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { unsafe: 'member path escapes the archive (..); not read' };
  return { path: parts.join('/') };
}

/** A member too big to hold (or beyond the budget): read now, in archive order, as it streams. */
export interface StreamedMember {
  member: string;
  size: number;
  mtimeMs?: number;
  stream: Readable;
}

export function isStreamed(x: unknown): x is StreamedMember {
  return typeof (x as StreamedMember).member === 'string';
}

/** What the walker says about a member before its bytes are read. */
export interface MemberPolicy {
  /** True when nothing will read this member (hidden, not a capture, or a bundle that does not read it). */
  skip(mem: MemTree, path: string, size: number): boolean | Promise<boolean>;
}

/** Consecutive bytes out of a stream of chunks, without copying where a request fits in one chunk. */
class ByteReader {
  private cur: Buffer = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  /** Bytes handed out or skipped so far. */
  offset = 0;
  constructor(private readonly it: AsyncIterator<Buffer | Uint8Array>) {}

  async fill(): Promise<boolean> {
    while (this.pos >= this.cur.length) {
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return false;
      }
      this.cur = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
      this.pos = 0;
    }
    return true;
  }

  /** Up to `max` bytes from the current chunk (a view, not a copy). */
  async take(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill())) return undefined;
    const k = Math.min(max, this.cur.length - this.pos);
    const b = this.cur.subarray(this.pos, this.pos + k);
    this.pos += k;
    this.offset += k;
    return b;
  }

  /** Exactly `n` bytes, or undefined when the stream ends first. */
  async read(n: number): Promise<Buffer | undefined> {
    const first = await this.take(n);
    if (!first || first.length === n) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const b = await this.take(n - got);
      if (!b) return undefined;
      parts.push(b);
      got += b.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Pass over `n` bytes: offsets only, nothing copied. Returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const b = await this.take(left);
      if (!b) break;
      left -= b.length;
    }
    return n - left;
  }
}

const TYPES: Record<string, string> = {
  '0': 'file', '\0': 'file', '7': 'contiguous-file', '1': 'link', '2': 'symlink', '3': 'character-device',
  '4': 'block-device', '5': 'directory', '6': 'fifo', S: 'gnu-sparse', V: 'volume-label', M: 'multi-volume',
};

function cstr(b: Buffer, start: number, end: number): string {
  const z = b.indexOf(0, start);
  return b.toString('utf8', start, z >= 0 && z < end ? z : end);
}

function num(b: Buffer, start: number, len: number): number {
  if (b[start]! & 0x80) {
    // base-256 (GNU, for sizes of 8 GiB and more)
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = b.toString('latin1', start, start + len).replace(/[\0 ].*$/, '').trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const field = h.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(field) && parseInt(field, 8) === sum;
}

function paxRecords(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(body.toString('latin1', i, sp), 10);
    if (!(len > 0) || i + len > body.length) break;
    const rec = body.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

const pad = (n: number): number => (512 - (n % 512)) % 512;

/**
 * The members of a tar stream, read by walking its headers: a member nothing reads is
 * passed over by its size (no bytes copied, no stream per member), small members are
 * collected into a MemTree (returned at the end) for bundle recognition, and large ones
 * are yielded as streams that must be read (or left) before the walk goes on.
 * Nothing is written to disk.
 */
export async function* tarMembers(
  stream: Readable,
  label: string,
  limits: ArchiveLimits,
  budget: Budget,
  policy: MemberPolicy,
): AsyncGenerator<StreamedMember | Problem, MemTree> {
  const mem = new MemTree(label);
  const br = new ByteReader((stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
  let entries = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  try {
    for (;;) {
      const at = br.offset;
      const h = await br.read(512);
      if (!h) {
        if (br.offset > at) yield { severity: 'error', source: label, reason: `archive cut short in a member header at byte ${at}` };
        break;
      }
      if (h.every((b) => b === 0)) break; // end of archive
      if (!checksumOk(h)) {
        yield { severity: 'error', source: label, reason: `archive unreadable: not a tar header at byte ${at} (bad checksum); the rest is not read` };
        break;
      }
      const flag = String.fromCharCode(h[156]!);
      let size = num(h, 124, 12);
      if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
        if (size > 1 << 20) {
          yield { severity: 'error', source: label, reason: `archive unreadable: extended header of ${size} bytes at byte ${at}` };
          break;
        }
        const body = await br.read(size);
        if (!body) break;
        await br.skip(pad(size));
        if (flag === 'L') longName = cstr(body, 0, body.length);
        else if (flag === 'K') longLink = cstr(body, 0, body.length);
        else if (flag === 'x') pax = paxRecords(body);
        continue;
      }
      const ustar = h.toString('latin1', 257, 263) === 'ustar\0';
      const prefix = ustar ? cstr(h, 345, 500) : '';
      let name = longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
      const linkname = longLink ?? cstr(h, 157, 257);
      let mtimeMs: number | undefined = num(h, 136, 12) * 1000;
      if (pax) {
        name = pax.get('path') ?? name;
        const ps = pax.get('size');
        if (ps && /^\d+$/.test(ps)) size = Number(ps);
        const pm = pax.get('mtime');
        if (pm && Number.isFinite(Number(pm))) mtimeMs = Math.round(Number(pm) * 1000);
      }
      longName = longLink = pax = undefined;
      void linkname;
      const type = TYPES[flag] ?? `type '${flag}'`;
      const bodyEnd = size + pad(size);
      if (type === 'directory') {
        const mp = memberPath(name);
        if ('path' in mp && mp.path) mem.addDir(mp.path);
        await br.skip(bodyEnd);
        continue;
      }
      if (++entries > limits.maxEntries) {
        yield { severity: 'error', source: label, reason: `more than ${limits.maxEntries} members; the rest are not read` };
        break;
      }
      const mp = memberPath(name);
      if ('unsafe' in mp) {
        yield { severity: 'error', source: `${label}!${name}`, reason: mp.unsafe };
        await br.skip(bodyEnd);
        continue;
      }
      const path = mp.path;
      if (type !== 'file' && type !== 'contiguous-file') {
        yield { severity: 'warning', source: `${label}!${path}`, reason: `${type} member not followed` };
        await br.skip(bodyEnd);
        continue;
      }
      if (await policy.skip(mem, path, size)) {
        mem.addDir(path.split('/').slice(0, -1).join('/'));
        if ((await br.skip(bodyEnd)) < size) yield { severity: 'error', source: `${label}!${path}`, reason: 'archive cut short inside this member' };
        continue;
      }
      if (size <= limits.smallMember && budget.buffered + size <= limits.maxBuffered) {
        const data = await br.read(size);
        if (!data) {
          yield { severity: 'error', source: `${label}!${path}`, reason: 'archive cut short inside this member; not read' };
          break;
        }
        await br.skip(pad(size));
        budget.buffered += size;
        const kept = mem.add(path, Buffer.from(data), mtimeMs);
        if (kept !== path) yield { severity: 'warning', source: `${label}!${path}`, reason: clashReason(mem, path, kept) };
        continue;
      }
      // Large: read now, in archive order, as it streams.
      let left = size;
      let busy: Promise<void> | undefined;
      let cut = false;
      let failed: Error | undefined;
      const body: Readable = new Readable({
        highWaterMark: 1 << 20,
        read() {
          if (busy) return;
          busy = (async () => {
            try {
              while (left > 0) {
                const b = await br.take(left);
                if (!b) {
                  cut = true;
                  body.destroy(new Error('archive cut short inside this member'));
                  return;
                }
                left -= b.length;
                if (body.destroyed) continue; // left: passed over to the member's end
                if (!body.push(b)) return;
              }
              if (!body.destroyed) body.push(null);
            } catch (e) {
              failed = e as Error;
              body.destroy(failed);
            } finally {
              busy = undefined;
            }
          })();
        },
      });
      const m: StreamedMember = { member: path, size, stream: body };
      if (mtimeMs !== undefined) m.mtimeMs = mtimeMs;
      yield m;
      // The reader is done with it (read, or not opened): pass over what it left.
      if (!body.destroyed) body.destroy();
      while (busy) await busy;
      if (failed) throw failed;
      if (cut) break;
      await br.skip(left + pad(size));
    }
  } catch (e) {
    yield { severity: 'error', source: label, reason: `archive unreadable: ${(e as Error).message}` };
  }
  stream.destroy();
  return mem;
}

function clashReason(mem: MemTree, path: string, kept: string): string {
  return mem.isFile(path) || mem.isDir(path)
    ? `another member has this name; this one is read as ${mem.label(kept)}`
    : `a member clashes with this path (a file where a directory is, or the reverse); read as ${mem.label(kept)}`;
}

async function zipOpen(src: string | Buffer): Promise<yauzl.ZipFile> {
  const yauzl = (await import('yauzl')).default;
  return new Promise((res, rej) => {
    const cb = (err: Error | null, z?: yauzl.ZipFile) => (err || !z ? rej(err ?? new Error('zip open failed')) : res(z));
    if (typeof src === 'string') yauzl.open(src, { lazyEntries: true, autoClose: false, decodeStrings: false }, cb);
    else yauzl.fromBuffer(src, { lazyEntries: true, decodeStrings: false }, cb);
  });
}

/**
 * The members of a zip, by its central directory (yauzl: a zip on disk is read in
 * place, a nested one is held whole; the file is never scanned for local headers).
 * Members whose stored bytes overlap another's are not read (one deflate body shared by
 * thousands of entries is a bomb), and the bytes all members expand to are held to the
 * same ratio and floor as a gzip stream. Small files go to a MemTree, large ones are
 * yielded as streams.
 */
export async function* zipMembers(
  src: string | Buffer, size: number, label: string, limits: ArchiveLimits, budget: Budget, policy: MemberPolicy,
): AsyncGenerator<StreamedMember | Problem, MemTree> {
  const mem = new MemTree(label);
  let zip: yauzl.ZipFile;
  try {
    zip = await zipOpen(src);
  } catch (e) {
    yield { severity: 'error', source: label, reason: `zip unreadable: ${(e as Error).message}` };
    return mem;
  }
  const entries: yauzl.Entry[] = [];
  let listErr: Error | undefined;
  await new Promise<void>((res) => {
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      if (entries.length > limits.maxEntries + 1) res();
      else zip.readEntry();
    });
    zip.on('end', () => res());
    zip.on('error', (e: Error) => {
      listErr = e;
      res();
    });
    zip.readEntry();
  });
  if (listErr) yield { severity: 'error', source: label, reason: `zip central directory unreadable after ${entries.length} entries: ${listErr.message}` };
  const name = (e: yauzl.Entry): string => (e.fileName as unknown as Buffer).toString('utf8');
  // Stored ranges [local header, end of data): two entries sharing bytes are not read (the later ones by offset).
  const overlap = new Map<yauzl.Entry, string>();
  const byOffset = entries.filter((e) => !name(e).endsWith('/')).sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  let prevEnd = -1;
  let prev: yauzl.Entry | undefined;
  for (const e of byOffset) {
    const start = e.relativeOffsetOfLocalHeader;
    if (prev && start < prevEnd) overlap.set(e, name(prev));
    // 30 bytes of local header + its name; the extra field is at least 0 bytes.
    const end = start + 30 + (e.fileName as unknown as Buffer).length + e.compressedSize;
    if (end > prevEnd) {
      prevEnd = end;
      prev = e;
    }
  }
  if (overlap.size) {
    const [e0, with0] = overlap.entries().next().value as [yauzl.Entry, string];
    yield { severity: 'error', source: label, reason: `${overlap.size} member(s) share their stored bytes with another (overlapping entries, a zip bomb's shape), such as ${name(e0)} with ${with0}; those are not read` };
  }
  for (const e of entries) if (!name(e).endsWith('/')) mem.addDir(name(e).split('/').slice(0, -1).join('/'));
  let total = 0;
  let count = 0;
  let bomb = false;
  for (const e of entries) {
    // decodeStrings is off so that yauzl does not reject a whole zip for one hostile name.
    const fileName = name(e);
    if (fileName.endsWith('/')) continue;
    if (++count > limits.maxEntries) {
      yield { severity: 'error', source: label, reason: `more than ${limits.maxEntries} members; the rest are not read` };
      break;
    }
    const mp = memberPath(fileName);
    if ('unsafe' in mp) {
      yield { severity: 'error', source: `${label}!${fileName}`, reason: mp.unsafe };
      continue;
    }
    const path = mp.path;
    const mode = (e.externalFileAttributes >>> 16) & 0o170000;
    if (mode !== 0 && mode !== 0o100000) {
      yield { severity: 'warning', source: `${label}!${path}`, reason: 'not a regular file; not followed' };
      continue;
    }
    if (overlap.has(e)) continue; // reported above
    if (await policy.skip(mem, path, e.uncompressedSize)) continue;
    let raw: Readable;
    try {
      raw = await new Promise<Readable>((res, rej) => zip.openReadStream(e, (err, s) => (err || !s ? rej(err) : res(s))));
    } catch (err) {
      yield { severity: 'error', source: `${label}!${path}`, reason: `member unreadable: ${(err as Error).message}` };
      continue;
    }
    // Every member's output counts against the whole zip's stored size.
    async function* guarded(): AsyncGenerator<Buffer> {
      for await (const c of raw as AsyncIterable<Buffer>) {
        total += c.length;
        if (total > limits.bombFloor && total > limits.maxRatio * Math.max(size, 1)) {
          bomb = true;
          raw.destroy();
          throw new Error(`decompression bomb: members expand to over ${total} bytes out of ${size} stored (over ${limits.maxRatio}:1); not read further`);
        }
        yield c;
      }
    }
    const stream = Readable.from(guarded(), { objectMode: false, highWaterMark: 1 });
    const usize = e.uncompressedSize;
    if (usize <= limits.smallMember && budget.buffered + usize <= limits.maxBuffered) {
      let data: Buffer | undefined;
      let why = 'member unreadable or larger than its header says';
      try {
        data = await readAll(stream, limits.smallMember);
      } catch (err) {
        why = (err as Error).message;
      }
      if (bomb) {
        yield { severity: 'error', source: label, reason: why };
        break;
      }
      if (!data) {
        yield { severity: 'error', source: `${label}!${path}`, reason: why };
        continue;
      }
      budget.buffered += data.length;
      const kept = mem.add(path, data, e.getLastModDate().getTime());
      if (kept !== path) yield { severity: 'warning', source: `${label}!${path}`, reason: clashReason(mem, path, kept) };
    } else {
      yield { member: path, size: usize, stream };
      if (!stream.destroyed) stream.destroy();
      if (bomb) {
        yield { severity: 'error', source: label, reason: `decompression bomb: members expand to over ${total} bytes out of ${size} stored (over ${limits.maxRatio}:1); not read further` };
        break;
      }
    }
  }
  zip.close();
  return mem;
}

async function readAll(s: AsyncIterable<Buffer | Uint8Array>, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of s) {
    n += c.length;
    if (n > max) return undefined;
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}
