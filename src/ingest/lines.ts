import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface LineSink {
  line(text: string): void;
  /** Called after each chunk with its size; a promise makes the reader wait (output back-pressure). */
  afterChunk?(bytes: number): void | Promise<void>;
}

export interface ReadResult {
  bytes: number;
  /** The file holds NUL bytes: not text. */
  binary: boolean;
  /** Lines longer than MAX_LINE: their first MAX_LINE characters were passed on, the rest dropped. */
  longLines: number;
}

/** No capture line is this long; a longer one is cut here so memory stays bounded. */
export const MAX_LINE = 1 << 20;

/**
 * Feed a byte stream to `sink` line by line (LF or CRLF, no newline passed),
 * holding one chunk at a time. Stops at the first NUL byte in the first
 * chunk: a binary file is reported, not parsed.
 */
export async function readLines(stream: Readable, sink: LineSink): Promise<ReadResult> {
  const dec = new StringDecoder('utf8');
  let rest = '';
  let bytes = 0;
  let first = true;
  let longLines = 0;
  let dropping = false;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (first) {
      first = false;
      if (buf.subarray(0, 8192).includes(0)) {
        stream.destroy();
        return { bytes: buf.length, binary: true, longLines };
      }
    }
    bytes += buf.length;
    const text = rest + dec.write(buf);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      if (dropping) {
        dropping = false; // the end of an over-long line: its head was passed on already
      } else {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        sink.line(text.slice(start, end));
      }
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE) {
      if (!dropping) {
        sink.line(rest.slice(0, MAX_LINE));
        longLines++;
      }
      dropping = true;
      rest = '';
    }
    const w = sink.afterChunk?.(buf.length);
    if (w) await w;
  }
  rest += dec.end();
  if (rest !== '' && !dropping) sink.line(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  return { bytes, binary: false, longLines };
}
