import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** A stream the CLI writes to: process.stdout/stderr, or a test's collector. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };

/**
 * Everything of the process the CLI uses: `main(argv, io)` runs in-process (tests) with
 * streams of its own, and the bin (cli/main.ts) passes the process's.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /**
   * The exit code as far as it is known before the output is written (findings found, say):
   * the bin exits with it when stdout closes early (`| head`).
   */
  settle?(code: number): void;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Where data goes: stdout or `-o FILE`, with back-pressure. */
export interface Output {
  write(text: string | Uint8Array): Promise<void>;
  /**
   * Write bytes now; true when they have left this process (the caller may write over
   * their memory), false when the stream still holds them (a pipe that is backed up).
   */
  writeNow(b: Uint8Array): boolean;
  /** While the output is backed up (a slow pipe): a promise to wait on before writing more. */
  ready(): Promise<void> | undefined;
  close(): Promise<void>;
}

export function openOutput(path: string | undefined, io: CliIo): Output {
  if (path && path !== '-') return fileOutput(path);
  const s = io.stdout;
  const writeNow = (b: Uint8Array): boolean => {
    s.write(b);
    return s.writableLength === 0;
  };
  const ready = () => (s.writableNeedDrain ? once(s, 'drain').then(() => undefined) : undefined);
  return {
    async write(text) {
      if (text.length === 0) return;
      s.write(text);
      await ready();
    },
    writeNow,
    ready,
    async close() {
      // stdout stays open; what it holds is flushed before the process exits.
    },
  };
}

/** A file written synchronously, as Node writes stdout when it is a file: always flushed. */
function fileOutput(path: string): Output {
  const fd = openSync(path, 'w');
  const writeNow = (b: Uint8Array): boolean => {
    for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    return true;
  };
  return {
    async write(text) {
      writeNow(typeof text === 'string' ? Buffer.from(text) : text);
    },
    writeNow,
    ready: () => undefined,
    async close() {
      closeSync(fd);
    },
  };
}
