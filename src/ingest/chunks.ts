import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

/**
 * Chunks of big files, read into buffers that are used again once the reader is done
 * with them (scanLines gives them back). Fresh memory costs a page fault per 4 KiB on
 * first touch, and on a VM that is a large part of reading a file.
 */
export const CHUNK_BYTES = 1 << 20;
const free: ArrayBuffer[] = [];
const ours = new WeakSet<ArrayBuffer>();

function take(): Buffer {
  const ab = free.pop();
  if (ab) return Buffer.from(ab);
  const b = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  ours.add(b.buffer as ArrayBuffer);
  return b;
}

/** A chunk read by readChunks is not needed any more: its memory may hold the next one. */
export function giveBack(chunk: Uint8Array): void {
  const ab = chunk.buffer as ArrayBuffer;
  if (ours.has(ab) && free.length < 4 && !free.includes(ab)) free.push(ab);
}

/** [start, end) of a file (to its end without `end`), in chunks of CHUNK_BYTES. */
export function readChunks(path: string | Buffer, start = 0, end = Infinity): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    const fh = await open(path, 'r');
    try {
      let pos = start;
      while (pos < end) {
        const buf = take();
        const want = Math.min(CHUNK_BYTES, end - pos);
        const { bytesRead } = await fh.read(buf, 0, want, pos);
        if (bytesRead === 0) {
          giveBack(buf);
          return;
        }
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
  return Readable.from(gen(), { objectMode: false, highWaterMark: 1 });
}
