import { pipeline, Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';

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
  // The WebAssembly decoder is loaded when the first .xz is met.
  async function* gen(): AsyncGenerator<Uint8Array> {
    const xz = (await import('xz-decompress')).default;
    const web = Readable.toWeb(s) as unknown as ReadableStream<Uint8Array>;
    const out = new xz.XzReadableStream(web) as unknown as WebReadableStream<Uint8Array>;
    for await (const c of Readable.fromWeb(out) as AsyncIterable<Uint8Array>) yield c;
  }
  return Readable.from(gen(), { objectMode: false });
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

/**
 * Open a file whose name says plain text, letting its first bytes decide: gzip or xz
 * content is decompressed (a note says so); anything else is passed through. Costs no
 * extra read: the first chunk is inspected as it streams.
 */
export function byContent(s: Readable, limits: BombLimits, notes: string[]): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    const it = (s as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) return;
    const head = Buffer.from(first.value);
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    };
    const magic = sniff(head);
    if (magic?.archive) notes.push(`looks like a ${magic.archive} archive by its content; name it .${magic.archive} to read it as one`);
    if (magic?.compression) {
      notes.push(`read as ${magic.compression} by its content (the name says plain text)`);
      yield* decompress(Readable.from(rest()), magic.compression, limits) as AsyncIterable<Buffer>;
      return;
    }
    yield* rest();
  }
  return Readable.from(gen(), { objectMode: false });
}
