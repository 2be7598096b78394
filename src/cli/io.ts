import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Where data goes: stdout or `-o FILE`, with back-pressure. */
export interface Output {
  write(text: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export function openOutput(path: string | undefined): Output {
  const stream: Writable = path && path !== '-' ? createWriteStream(path) : process.stdout;
  return {
    async write(text) {
      if (text.length === 0) return;
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      if (stream !== process.stdout) {
        (stream as WriteStream).end();
        await once(stream, 'finish');
      }
    },
  };
}
