import { open } from 'node:fs/promises';
import { sniff } from '../../ingest/decompress.js';
import { listingRow } from '../../parse/listing.js';
import { fastBlockEnd } from '../../pipeline.js';

/** A piece of a file: [start, end) and the number of lines before it. */
export interface Piece {
  start: number;
  end: number;
  linesBefore: number;
}

const CHUNK = 1 << 20;
/** Bytes kept from one window to the next: more than a fast block spans, so a block is seen whole. */
const WINDOW_TAIL = 48 << 10;

/**
 * Cut a big plain-text capture into pieces of about `pieceBytes` that threads can
 * read independently and still give, together, exactly what one reader gives.
 * A cut is made only
 *  - at a `date` line that ends a block of the byte-level path (src/fast/) whose own `date`
 *    line shows another time: the reader holds nothing open there (no section, no
 *    socket listing) and the blocks on either side cannot merge (different times);
 *  - while no `#` or `$` byte has been seen since the file began: a shell prompt (which
 *    names the host of the lines after it) or a `sadf -d` header (which changes how
 *    later lines are read) has one of them, so without them no line's reading depends
 *    on a line in an earlier piece.
 * Pieces are yielded as the file is read (the caller starts on them at once); the
 * last one runs to the end of the file. A file that does not allow a cut is one piece.
 */
export async function* planPieces(path: string, size: number, pieceBytes: number): AsyncGenerator<Piece> {
  const fh = await open(path, 'r');
  let start = 0; // of the current piece
  let linesBefore = 0;
  try {
    const buf = Buffer.allocUnsafe(CHUNK + (64 << 10));
    let offset = 0; // file offset of buf[0]
    let lines = 0; // newlines in the file before `offset`
    let have = 0; // bytes in buf
    let clean = true;
    let first = true;
    for (;;) {
      const { bytesRead } = await fh.read(buf, have, buf.length - have, offset + have);
      have += bytesRead;
      const eof = bytesRead === 0 || offset + have >= size;
      if (first) {
        first = false;
        const magic = sniff(buf.subarray(0, have));
        if (magic?.archive || magic?.compression || buf.subarray(0, Math.min(have, 8192)).includes(0)) break;
      }
      // The first '#' or '$' of the window: no cut after it.
      const h = buf.subarray(0, have).indexOf(35);
      const d = buf.subarray(0, have).indexOf(36);
      const dirtyAt = h < 0 ? d : d < 0 ? h : Math.min(h, d);
      const limit = dirtyAt < 0 ? have : dirtyAt;
      // Where the next piece should start, if in this window.
      let cut = -1;
      const target = start + pieceBytes - offset;
      if (clean && !eof && target < have) {
        // Line starts from the target on: a fast block whose end is a `date` line of another time.
        let p = target > 0 ? buf.indexOf(10, target - 1) + 1 : offset === 0 ? 0 : buf.indexOf(10) + 1;
        while (p > 0 && p < have - WINDOW_TAIL) {
          const e = fastBlockEnd(buf.subarray(0, have), p);
          if (e > limit) break;
          if (e > 0 && !sameDateLine(buf, p, e) && !listingRow('ss', dateLine(buf, e)) && !listingRow('netstat', dateLine(buf, e)) && !listingRow('lsof', dateLine(buf, e))) {
            cut = e;
            break;
          }
          const nl = buf.indexOf(10, p);
          if (nl < 0) break;
          p = nl + 1;
        }
      }
      // Count the lines up to the cut (or through the window), then move the window on.
      const upto = cut >= 0 ? cut : eof ? have : Math.max(0, have - WINDOW_TAIL);
      const n = countNewlines(buf, upto);
      if (cut >= 0) {
        yield { start, end: offset + cut, linesBefore };
        start = offset + cut;
        linesBefore = lines + n;
      }
      if (eof) break;
      if (dirtyAt >= 0 && dirtyAt < upto) clean = false;
      lines += n;
      buf.copy(buf, 0, upto, have);
      offset += upto;
      have -= upto;
    }
  } finally {
    await fh.close();
  }
  yield { start, end: size, linesBefore };
}

/** Do the lines at a and b (both `date` lines) read the same? */
function sameDateLine(buf: Buffer, a: number, b: number): boolean {
  const ea = buf.indexOf(10, a);
  const eb = buf.indexOf(10, b);
  return ea - a === eb - b && buf.compare(buf, b, eb, a, ea) === 0;
}

function dateLine(buf: Buffer, at: number): string {
  const e = buf.indexOf(10, at);
  return buf.toString('latin1', at, e < 0 ? undefined : e).trim();
}

/**
 * Newlines in buf[0, end): four bytes at a time (a byte equal to 0x0a becomes a set high
 * bit, then the set bits are counted). One indexOf call per line was half of planning.
 */
export function countNewlines(buf: Buffer, end: number): number {
  let n = 0;
  const lead = (4 - (buf.byteOffset % 4)) % 4; // bytes before the first whole word
  if (end < lead + 4) {
    for (let i = 0; i < end; i++) if (buf[i] === 10) n++;
    return n;
  }
  for (let i = 0; i < lead; i++) if (buf[i] === 10) n++;
  const words = new Uint32Array(buf.buffer, buf.byteOffset + lead, (end - lead) >>> 2);
  for (let i = 0; i < words.length; i++) {
    const x = words[i]! ^ 0x0a0a0a0a; // bytes that were 0x0a are now 0
    let zeros = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f); // high bit set where a byte of x is 0
    while (zeros) {
      n++;
      zeros &= zeros - 1;
    }
  }
  for (let i = lead + (words.length << 2); i < end; i++) if (buf[i] === 10) n++;
  return n;
}
