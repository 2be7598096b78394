import { pipeline, Readable, Transform } from 'node:stream';
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

export interface BombLimits {
  maxRatio: number;
  bombFloor: number;
}

/**
 * Decompress, refusing bombs: once past `bombFloor` bytes, output larger than
 * `maxRatio` times the input read so far fails the stream with a clear message.
 */
export function decompress(s: Readable, c: Compression, limits: BombLimits = { maxRatio: 1000, bombFloor: 256 << 20 }): Readable {
  if (!c) return s;
  let inBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      inBytes += chunk.length;
      cb(null, chunk);
    },
  });
  let outBytes = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _e, cb) {
      outBytes += chunk.length;
      if (outBytes > limits.bombFloor && outBytes > limits.maxRatio * Math.max(inBytes, 1)) {
        cb(new Error(`decompression bomb: ${outBytes} bytes out of ${inBytes} compressed (over ${limits.maxRatio}:1); not read further`));
        return;
      }
      cb(null, chunk);
    },
  });
  const inner = c === 'gz' ? createGunzip() : undefined;
  if (inner) return pipeline(s, counter, inner, guard, () => undefined);
  const counted = pipeline(s, counter, () => undefined);
  return pipeline(unxz(counted as unknown as Readable), guard, () => undefined);
}

/** What a file's first bytes say it is (gzip, xz, zip, tar), whatever its name. */
export function sniff(head: Buffer): { archive?: 'tar' | 'zip'; compression: Compression } | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return { compression: 'gz' };
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return { compression: 'xz' };
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return { archive: 'zip', compression: undefined };
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return { archive: 'tar', compression: undefined };
  return undefined;
}
