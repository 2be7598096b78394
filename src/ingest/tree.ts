import { createReadStream, lstatSync, readFileSync, statSync } from 'node:fs';
import { readChunks } from './chunks.js';
import { open as openFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export interface TreeEntry {
  name: string;
  isDir: boolean;
  size: number;
  mtimeMs?: number;
  /** Symbolic link (on disk: followed only when given explicitly). */
  isLink?: boolean;
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
  open(path: string): Readable;
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
function smallFile(path: string): Readable {
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
  label(path: string): string {
    return path;
  }
  /**
   * Synchronous: a stat is a few microseconds, and through the thread pool each costs two
   * thread wake-ups, which on a VM made a directory of 30,000 small files half idle.
   */
  async stat(path: string): Promise<TreeEntry | undefined> {
    try {
      const l = lstatSync(path);
      const st = l.isSymbolicLink() ? statSync(path) : l;
      return { name: path, isDir: st.isDirectory(), size: st.size, mtimeMs: st.mtimeMs, isLink: l.isSymbolicLink() };
    } catch {
      return undefined;
    }
  }
  async list(dir: string): Promise<TreeEntry[]> {
    const ents = await readdir(dir, { withFileTypes: true });
    const out: TreeEntry[] = [];
    for (const e of ents) {
      const isLink = e.isSymbolicLink();
      out.push({ name: e.name, isDir: e.isDirectory(), size: 0, isLink });
    }
    return out.sort(byName);
  }
  /**
   * Big files are read 1 MiB at a time into reused buffers (ingest/chunks.ts); small ones
   * (64 KiB and less) whole, synchronously, when first read: open, read and close through
   * the thread pool are four round trips per file for what the page cache gives at once.
   */
  open(path: string, size?: number): Readable {
    if (size === undefined) return createReadStream(path);
    return size > SMALL_FILE ? readChunks(path) : smallFile(path);
  }
  async peek(path: string, n: number): Promise<Buffer> {
    const fh = await openFile(path, 'r').catch(() => undefined);
    if (!fh) return Buffer.alloc(0);
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } catch {
      return Buffer.alloc(0);
    } finally {
      await fh.close();
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

  add(path: string, data: Buffer, mtimeMs?: number): void {
    const parts = path.split('/').filter(Boolean);
    let dir = '';
    for (let i = 0; i < parts.length - 1; i++) {
      this.dirs.get(dir)!.add(parts[i]!);
      dir = joinPath(dir, parts[i]!);
      if (!this.dirs.has(dir)) this.dirs.set(dir, new Set());
    }
    this.dirs.get(dir)!.add(parts[parts.length - 1]!);
    this.files.set(parts.join('/'), mtimeMs === undefined ? { data } : { data, mtimeMs });
  }

  get size(): number {
    return this.files.size;
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
