import { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { MemTree } from './tree.js';
import type { InputFile, InputProblem } from './sources.js';

export interface ArchiveLimits {
  /** Members up to this size are held in memory so bundle layouts can be recognized. */
  smallMember: number;
  /** Total bytes held in memory for one archive. */
  maxBuffered: number;
  /** A zip inside another archive must be held whole (zip needs random access). */
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

/**
 * The members of a tar stream. Small regular files are collected into a
 * MemTree (returned at the end) for bundle recognition; larger ones are yielded
 * as they come and must be read before the next member. Nothing is written to disk.
 */
export async function* tarMembers(
  stream: Readable,
  label: string,
  limits: ArchiveLimits,
): AsyncGenerator<InputFile | InputProblem, MemTree> {
  const mem = new MemTree(label);
  // Loaded when the first archive is met: reading plain logs does not pay for it.
  const tar = (await import('tar-stream')).default;
  const ex = tar.extract();
  stream.on('error', (e) => ex.destroy(e));
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  let buffered = 0;
  let entries = 0;
  try {
    for await (const entry of ex) {
      const h = entry.header;
      if (h.type === 'directory') {
        entry.resume();
        continue;
      }
      if (++entries > limits.maxEntries) {
        yield { source: label, reason: `more than ${limits.maxEntries} members; the rest are not read` };
        stream.destroy();
        break;
      }
      const mp = memberPath(h.name);
      if ('unsafe' in mp) {
        yield { source: `${label}!${h.name}`, reason: mp.unsafe };
        entry.resume();
        continue;
      }
      const path = mp.path;
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        yield { source: `${label}!${path}`, reason: `${h.type} member not followed` };
        entry.resume();
        continue;
      }
      const size = h.size ?? 0;
      const mtimeMs = h.mtime ? h.mtime.getTime() : undefined;
      if (size <= limits.smallMember && buffered + size <= limits.maxBuffered) {
        const data = await readAll(entry as AsyncIterable<Buffer>, limits.smallMember);
        if (data) {
          buffered += data.length;
          mem.add(path, data, mtimeMs);
        } else {
          yield { source: `${label}!${path}`, reason: 'member larger than its header says; not read' };
        }
        continue;
      }
      // Large: stream it now, in archive order.
      const body = Readable.from(entry as AsyncIterable<Buffer>);
      let opened = false;
      yield {
        name: `${label}!${path}`,
        base: path.split('/').pop()!,
        size,
        ...(mtimeMs !== undefined ? { mtimeMs } : {}),
        open: () => {
          opened = true;
          return body;
        },
      };
      if (!opened) body.resume();
      for await (const _ of body) void _; // drain what the reader left
    }
  } catch (e) {
    yield { source: label, reason: `archive unreadable: ${(e as Error).message}` };
  }
  return mem;
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
 * The members of a zip (yauzl: reads the central directory, so a zip on disk
 * is read in place and a nested one is held whole). Small files go to a MemTree.
 */
export async function* zipMembers(src: string | Buffer, label: string, limits: ArchiveLimits): AsyncGenerator<InputFile | InputProblem, MemTree> {
  const mem = new MemTree(label);
  let zip: yauzl.ZipFile;
  try {
    zip = await zipOpen(src);
  } catch (e) {
    yield { source: label, reason: `zip unreadable: ${(e as Error).message}` };
    return mem;
  }
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => res());
    zip.on('error', rej);
    zip.readEntry();
  }).catch(() => undefined);
  let buffered = 0;
  let count = 0;
  for (const e of entries) {
    // decodeStrings is off so that yauzl does not reject a whole zip for one hostile name.
    const fileName = (e.fileName as unknown as Buffer).toString('utf8');
    if (fileName.endsWith('/')) continue;
    if (++count > limits.maxEntries) {
      yield { source: label, reason: `more than ${limits.maxEntries} members; the rest are not read` };
      break;
    }
    const mp = memberPath(fileName);
    if ('unsafe' in mp) {
      yield { source: `${label}!${fileName}`, reason: mp.unsafe };
      continue;
    }
    const path = mp.path;
    const mode = (e.externalFileAttributes >>> 16) & 0o170000;
    if (mode !== 0 && mode !== 0o100000) {
      yield { source: `${label}!${path}`, reason: 'not a regular file; not followed' };
      continue;
    }
    let stream: Readable;
    try {
      stream = await new Promise<Readable>((res, rej) => zip.openReadStream(e, (err, s) => (err || !s ? rej(err) : res(s))));
    } catch (err) {
      yield { source: `${label}!${path}`, reason: `member unreadable: ${(err as Error).message}` };
      continue;
    }
    const size = e.uncompressedSize;
    if (size <= limits.smallMember && buffered + size <= limits.maxBuffered) {
      const data = await readAll(stream as AsyncIterable<Buffer>, limits.smallMember).catch(() => undefined);
      if (!data) {
        yield { source: `${label}!${path}`, reason: 'member unreadable or larger than its header says' };
        continue;
      }
      buffered += data.length;
      mem.add(path, data, e.getLastModDate().getTime());
    } else {
      yield { name: `${label}!${path}`, base: path.split('/').pop()!, size, open: () => stream };
      stream.resume();
    }
  }
  zip.close();
  return mem;
}
