import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import xz from 'xz-decompress';

/** gzip stream → bytes (Node's own zlib). */
export function gunzip(s: Readable): Readable {
  const z = createGunzip();
  s.on('error', (e) => z.destroy(e));
  return s.pipe(z);
}

/**
 * xz stream → bytes. xz-decompress is xz-embedded compiled to WebAssembly:
 * no native build, no download at install, streams with constant memory.
 */
export function unxz(s: Readable): Readable {
  const web = Readable.toWeb(s) as unknown as ReadableStream<Uint8Array>;
  const out = new xz.XzReadableStream(web) as unknown as WebReadableStream<Uint8Array>;
  return Readable.fromWeb(out);
}

export type Compression = 'gz' | 'xz' | undefined;

/** What a file name says about its packing: archive kind and compression. */
export function packing(name: string): { archive?: 'tar' | 'zip'; compression: Compression; inner: string } {
  const n = name.toLowerCase();
  if (/\.(tar\.gz|tgz)$/.test(n)) return { archive: 'tar', compression: 'gz', inner: name.replace(/\.(tar\.gz|tgz)$/i, '') };
  if (/\.(tar\.xz|txz)$/.test(n)) return { archive: 'tar', compression: 'xz', inner: name.replace(/\.(tar\.xz|txz)$/i, '') };
  if (n.endsWith('.tar')) return { archive: 'tar', compression: undefined, inner: name.slice(0, -4) };
  if (n.endsWith('.zip')) return { archive: 'zip', compression: undefined, inner: name.slice(0, -4) };
  if (n.endsWith('.gz')) return { compression: 'gz', inner: name.slice(0, -3) };
  if (n.endsWith('.xz')) return { compression: 'xz', inner: name.slice(0, -3) };
  return { compression: undefined, inner: name };
}

export function decompress(s: Readable, c: Compression): Readable {
  return c === 'gz' ? gunzip(s) : c === 'xz' ? unxz(s) : s;
}
