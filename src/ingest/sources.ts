import { createReadStream, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * One input file as the pipeline sees it: a display name (used in every
 * `source`), and a way to open its decompressed bytes. New source kinds
 * (archive members, bundle files) are more producers of this shape.
 */
export interface InputFile {
  /** `path`, `-` for stdin, later `archive!inner/path`. */
  name: string;
  /** Base name used for time-in-name detection. */
  base: string;
  /** Size in bytes as stored (compressed size for .gz), when known. */
  size?: number;
  open(): Readable;
}

export interface InputProblem {
  source: string;
  reason: string;
}

export interface ExpandOptions {
  /** stdin stream for `-` (the CLI passes process.stdin; ingest never touches process). */
  stdin?: Readable;
}

/** Extensions of formats this version cannot read yet: reported, not parsed as text. */
const NOT_YET = /\.(tar|tgz|txz|xz|zip|bz2|zst|tbz2?|7z|rar)$/i;
/** Files that are not captures: reported as passed over, not read. */
const NOT_CAPTURE = /\.(json|png|jpe?g|gif|svg|html?|pdf|md)$/i;

function fileInput(path: string, st: Stats): InputFile {
  const gz = /\.gz$/i.test(path);
  return {
    name: path,
    base: basename(gz ? path.replace(/\.gz$/i, '') : path),
    size: st.size,
    open: () => (gz ? createReadStream(path).pipe(createGunzip()) : createReadStream(path)),
  };
}

/**
 * Expand command-line inputs into files, in a deterministic order:
 * directories are walked recursively with entries sorted by name (code point
 * order), `-` is stdin. Problems (missing paths, unsupported archives) are
 * yielded, never thrown, so a bad input never stops the run.
 */
export async function* expandInputs(
  inputs: readonly string[],
  opts: ExpandOptions = {},
): AsyncGenerator<InputFile | InputProblem> {
  for (const input of inputs) {
    if (input === '-') {
      const stdin = opts.stdin;
      if (!stdin) {
        yield { source: '-', reason: 'stdin is not available' };
        continue;
      }
      yield { name: '-', base: '-', open: () => stdin };
      continue;
    }
    yield* walk(input, true);
  }
}

async function* walk(path: string, explicit: boolean): AsyncGenerator<InputFile | InputProblem> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    yield { source: path, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    return;
  }
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (e) {
      yield { source: path, reason: `cannot list: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
      return;
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) {
      if (n.startsWith('.')) continue;
      yield* walk(join(path, n), false);
    }
    return;
  }
  if (!st.isFile()) {
    yield { source: path, reason: 'not a regular file' };
    return;
  }
  if (NOT_YET.test(path)) {
    yield { source: path, reason: 'archive format not supported yet; extract it or pass the files inside' };
    return;
  }
  if (!explicit && NOT_CAPTURE.test(path)) return;
  yield fileInput(path, st);
}

export function isProblem(x: InputFile | InputProblem): x is InputProblem {
  return (x as InputProblem).reason !== undefined;
}
