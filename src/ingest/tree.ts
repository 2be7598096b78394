import { closeSync, createReadStream, lstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { readChunks } from './chunks.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export interface TreeEntry {
  name: string;
  isDir: boolean;
  size: number;
  mtimeMs?: number;
  /** Symbolic link (on disk: followed only when given explicitly). */
  isLink?: boolean;
  /** Neither a regular file nor a directory (after links): what it is (`FIFO`, `character device`...). */
  special?: string;
  /** Device and inode (on disk), to recognise a file this run writes. */
  id?: string;
}

function specialKind(st: Stats): string | undefined {
  if (st.isFile() || st.isDirectory()) return undefined;
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/** A file name as shown: UTF-8 when it is, else its bytes >= 0x80 as \xNN (the file is still read by its bytes). */
function displayName(raw: Buffer): string {
  const s = raw.toString('utf8');
  if (!s.includes('\ufffd') || Buffer.from(s).equals(raw)) return s;
  let out = '';
  for (const b of raw) out += b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

/**
 * A directory-like view that bundle recognizers and the walker read: a real
 * directory, or the members of an archive held in memory. Paths use `/`.
 */
export interface Tree {
  /** How a path is shown in sources: `dir/file` on disk, `a.tar.xz!inner/file` in an archive. */
  label(path: string): string;
  stat(path: string): Promise<TreeEntry | undefined>;
  /** Children of a directory, sorted by name (code point order). */
  list(dir: string): Promise<TreeEntry[]>;
  open(path: string, size?: number): Readable;
  /** Whole text of a small file, or undefined when missing or larger than `max` bytes. */
  readText(path: string, max?: number): Promise<string | undefined>;
  /** The first bytes of a file (to recognize its format by content). */
  peek(path: string, n: number): Promise<Buffer>;
}

export const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

async function streamText(s: Readable, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of s as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > max) {
      s.destroy();
      return undefined;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const SMALL_FILE = 1 << 16;

/** A small file as a stream of one chunk, read when the stream is first read; a read error is the stream's error. */
function smallFile(path: string | Buffer): Readable {
  return new Readable({
    read() {
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch (e) {
        this.destroy(e as Error);
        return;
      }
      if (data.length) this.push(data);
      this.push(null);
    },
  });
}

export class DiskTree implements Tree {
  /** Paths as shown → their bytes, for names that are not UTF-8 (and everything under them). */
  private raw = new Map<string, Buffer>();
  /** One small file read whole by peek, handed to the open that follows (no second read). */
  private peeked: { path: string; data: Buffer } | undefined;

  label(path: string): string {
    return path;
  }
  /** What to give fs for a path as shown. */
  fsPath(path: string): string | Buffer {
    return this.raw.get(path) ?? path;
  }
  /** Why a path cannot be read (ENOENT, ELOOP, EACCES...), or undefined when it can be stat'ed. */
  statError(path: string): string | undefined {
    try {
      statSync(this.fsPath(path));
      return undefined;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? String(e);
    }
  }
  /**
   * Synchronous: a stat is a few microseconds, and through the thread pool each costs two
   * thread wake-ups, which on a VM made a directory of 30,000 small files half idle.
   */
  async stat(path: string): Promise<TreeEntry | undefined> {
    try {
      const p = this.fsPath(path);
      const l = lstatSync(p);
      const st = l.isSymbolicLink() ? statSync(p) : l;
      const e: TreeEntry = { name: path, isDir: st.isDirectory(), size: st.size, mtimeMs: st.mtimeMs, isLink: l.isSymbolicLink(), id: `${st.dev}:${st.ino}` };
      const special = specialKind(st);
      if (special) e.special = special;
      return e;
    } catch {
      return undefined;
    }
  }
  async list(dir: string): Promise<TreeEntry[]> {
    const parent = this.raw.get(dir);
    const ents = await readdir(parent ?? dir, { withFileTypes: true, encoding: 'buffer' });
    const out: TreeEntry[] = [];
    for (const e of ents) {
      const nameRaw = e.name as unknown as Buffer;
      const name = displayName(nameRaw);
      if (parent || name !== nameRaw.toString('utf8') || !Buffer.from(name).equals(nameRaw)) {
        const shown = `${dir.replace(/\/$/, '')}/${name}`;
        this.raw.set(shown, Buffer.concat([parent ?? Buffer.from(dir.replace(/\/$/, '')), Buffer.from('/'), nameRaw]));
      }
      const isLink = e.isSymbolicLink();
      out.push({ name, isDir: e.isDirectory(), size: 0, isLink });
    }
    return out.sort(byName);
  }
  /**
   * Big files are read 1 MiB at a time into reused buffers (ingest/chunks.ts); small ones
   * (64 KiB and less) whole, synchronously, when first read: open, read and close through
   * the thread pool are four round trips per file for what the page cache gives at once.
   */
  open(path: string, size?: number): Readable {
    const p = this.fsPath(path);
    if (this.peeked?.path === path) {
      const data = this.peeked.data;
      this.peeked = undefined;
      return Readable.from(data.length ? [data] : [], { objectMode: false });
    }
    if (size === undefined) return createReadStream(p);
    return size > SMALL_FILE ? readChunks(p) : smallFile(p);
  }
  /**
   * The first bytes of a regular file, read synchronously. A small file (64 KiB and less)
   * is read whole and kept for the open that follows, so recognising it costs no read.
   */
  async peek(path: string, n: number, size?: number): Promise<Buffer> {
    const p = this.fsPath(path);
    try {
      if (size !== undefined && size <= SMALL_FILE) {
        const data = readFileSync(p);
        this.peeked = { path, data };
        return data.subarray(0, n);
      }
      const fd = openSync(p, 'r');
      try {
        const buf = Buffer.alloc(n);
        return buf.subarray(0, readSync(fd, buf, 0, n, 0));
      } finally {
        closeSync(fd);
      }
    } catch {
      return Buffer.alloc(0);
    }
  }
  async readText(path: string, max = 1 << 20): Promise<string | undefined> {
    const st = await this.stat(path);
    if (!st || st.isDir || st.size > max) return undefined;
    return streamText(this.open(path), max);
  }
}

/** Archive members held in memory (small files only; large ones are streamed as they come). */
export class MemTree implements Tree {
  private files = new Map<string, { data: Buffer; mtimeMs?: number }>();
  private dirs = new Map<string, Set<string>>([['', new Set()]]);

  constructor(private readonly prefix: string) {}

  /**
   * Keep a member. A second member of the same name, or one whose path clashes with a
   * file or directory already there (`a` beside `a/b.txt`), is kept under a free name
   * (`cap.txt~2`, `a~2/b.txt`): every member is read. Returns the path it is kept under.
   */
  add(path: string, data: Buffer, mtimeMs?: number): string {
    const parts = path.split('/').filter(Boolean);
    let dir = '';
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      let name = parts[i]!;
      const taken = (n: string): boolean => {
        const p = joinPath(dir, n);
        return last ? this.files.has(p) || this.dirs.has(p) : this.files.has(p);
      };
      if (taken(name)) {
        let k = 2;
        while (taken(`${name}~${k}`) || (last && this.dirs.has(joinPath(dir, `${name}~${k}`)))) k++;
        name = `${name}~${k}`;
        parts[i] = name;
      }
      this.dirs.get(dir)!.add(name);
      if (last) break;
      dir = joinPath(dir, name);
      if (!this.dirs.has(dir)) this.dirs.set(dir, new Set());
    }
    const kept = parts.join('/');
    this.files.set(kept, mtimeMs === undefined ? { data } : { data, mtimeMs });
    return kept;
  }

  /** A directory (from a directory member, or the folder of a member that is not kept). */
  addDir(path: string): void {
    const parts = path.split('/').filter(Boolean);
    let dir = '';
    for (const name of parts) {
      if (this.files.has(joinPath(dir, name))) return; // a file has this name: the directory comes with its first member
      this.dirs.get(dir)!.add(name);
      dir = joinPath(dir, name);
      if (!this.dirs.has(dir)) this.dirs.set(dir, new Set());
    }
  }

  isFile(path: string): boolean {
    return this.files.has(path);
  }
  isDir(path: string): boolean {
    return this.dirs.has(path);
  }

  get size(): number {
    return this.files.size;
  }

  /** Bytes held. */
  get bytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.data.length;
    return n;
  }

  label(path: string): string {
    return `${this.prefix}!${path}`;
  }
  async stat(path: string): Promise<TreeEntry | undefined> {
    const f = this.files.get(path);
    if (f) return { name: path, isDir: false, size: f.data.length, ...(f.mtimeMs !== undefined ? { mtimeMs: f.mtimeMs } : {}) };
    if (this.dirs.has(path)) return { name: path, isDir: true, size: 0 };
    return undefined;
  }
  async list(dir: string): Promise<TreeEntry[]> {
    const names = [...(this.dirs.get(dir) ?? [])];
    return names
      .map((name) => {
        const p = joinPath(dir, name);
        const f = this.files.get(p);
        return { name, isDir: !f && this.dirs.has(p), size: f?.data.length ?? 0 };
      })
      .sort(byName);
  }
  open(path: string): Readable {
    const f = this.files.get(path);
    return Readable.from(f ? [f.data] : []);
  }
  async peek(path: string, n: number): Promise<Buffer> {
    return this.files.get(path)?.data.subarray(0, n) ?? Buffer.alloc(0);
  }
  async readText(path: string, max = 1 << 20): Promise<string | undefined> {
    const f = this.files.get(path);
    return f && f.data.length <= max ? f.data.toString('utf8') : undefined;
  }
}

export { join };
