import { closeSync, existsSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from './common.js';

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
  /** Width of the help text; null: no wrapping (the man page). Default: the terminal's, at most 110. */
  helpWidth?: number | null;
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

/** The output could not be written (a full disk, a closed file): one line and exit 2. */
export class OutputError extends Error {}

function writeError(where: string, e: unknown): OutputError {
  const err = e as NodeJS.ErrnoException;
  return new OutputError(`cannot write to ${where}: ${err.code ?? ''}${err.code ? ' ' : ''}(${(err.message ?? String(e)).replace(/^[A-Z]+: /, '').replace(/, (write|open).*$/, '')})`);
}

/** A path with symbolic links resolved as far as it exists (the rest as written). */
function realish(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    if (existsSync(p)) {
      try {
        return join(realpathSync(p), ...rest.reverse());
      } catch {
        return abs;
      }
    }
    if (dirname(p) === p) return abs;
    rest.push(basename(p));
  }
}

/**
 * `-o FILE` must not be one of the inputs (it would be cut before it is read) nor lie under an
 * input directory (the walk would read the growing output): either is a usage error.
 */
export function checkOutputPath(output: string | undefined, inputs: readonly string[]): void {
  if (output === undefined || output === '-') return;
  const out = realish(output);
  let outStat: { dev: number; ino: number } | undefined;
  try {
    outStat = statSync(output);
  } catch {
    outStat = undefined;
  }
  for (const input of inputs) {
    if (input === '-') continue;
    let st;
    try {
      st = statSync(input);
    } catch {
      continue; // missing: reported as an input problem
    }
    const inp = realish(input);
    if (st.isDirectory()) {
      if (out === inp || out.startsWith(inp.endsWith(sep) ? inp : inp + sep)) throw new UsageError(`-o ${output} lies under the input directory ${input}; write it elsewhere`);
    } else if (out === inp || (outStat && outStat.dev === st.dev && outStat.ino === st.ino)) {
      throw new UsageError(`-o ${output} is one of the inputs; write it elsewhere`);
    }
  }
}

/** Temporary files of outputs not yet renamed into place: removed when the run fails or is interrupted. */
const pending = new Set<string>();

/** Remove every temporary output file of this run (an error, SIGINT): old files stay as they were. */
export function discardOutputs(): void {
  for (const p of pending) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

/**
 * `-o FILE` as a file written beside it under a temporary name and renamed over it at the end,
 * so that FILE is never half written (an interrupted run, two runs at once). A FILE that exists
 * and is not a regular file (/dev/null, a FIFO) is written directly.
 */
export class OutputFile {
  /** Where to write: the temporary file, or FILE itself. */
  readonly writePath: string;
  private readonly temp: boolean;

  constructor(readonly path: string) {
    let special = false;
    try {
      special = !statSync(path).isFile();
    } catch {
      special = false;
    }
    this.temp = !special;
    this.writePath = special ? path : join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    if (this.temp) pending.add(this.writePath);
  }

  /** Open for writing: `flags` as fs.openSync takes them. */
  open(flags: number | string = 'w'): number {
    try {
      return openSync(this.writePath, flags, 0o666);
    } catch (e) {
      throw writeError(this.path, e);
    }
  }

  /** Everything is written: the file takes its name. */
  commit(): void {
    if (!this.temp) return;
    try {
      renameSync(this.writePath, this.path);
    } catch (e) {
      throw writeError(this.path, e);
    } finally {
      pending.delete(this.writePath);
    }
  }
}

export function openOutput(path: string | undefined, io: CliIo): Output {
  if (path && path !== '-') return fileOutput(path);
  const s = io.stdout;
  const writeNow = (b: Uint8Array): boolean => {
    try {
      s.write(b);
    } catch (e) {
      throw writeError('stdout', e);
    }
    return s.writableLength === 0;
  };
  const ready = () => (s.writableNeedDrain ? once(s, 'drain').then(() => undefined) : undefined);
  return {
    async write(text) {
      if (text.length === 0) return;
      try {
        s.write(text);
      } catch (e) {
        throw writeError('stdout', e);
      }
      await ready();
    },
    writeNow,
    ready,
    async close() {
      // stdout stays open; what it holds is flushed before the process exits.
    },
  };
}

/** A file written synchronously, as Node writes stdout when it is a file: always flushed; in place at close. */
function fileOutput(path: string): Output {
  const f = new OutputFile(path);
  const fd = f.open('w');
  const writeNow = (b: Uint8Array): boolean => {
    try {
      for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      throw writeError(path, e);
    }
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
      f.commit();
    },
  };
}
