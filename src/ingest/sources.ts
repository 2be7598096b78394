import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { TimeOptions, Timestamp, TimestampError } from '../segment/time.js';
import { DEFAULT_LIMITS, tarMembers, zipMembers, type ArchiveLimits } from './archive.js';
import { recognizeBundle } from './bundles/index.js';
import { byContent as openByContent, decompress, packing, sniff } from './decompress.js';
import { DiskTree, joinPath, type MemTree, type Tree } from './tree.js';

/**
 * One input file as the pipeline sees it: a display name (used in every
 * `source`), a way to open its decompressed bytes, and what its bundle says
 * about it (host, capture time, namespace, or that it holds a limit).
 */
export interface InputFile {
  /** `path`, `-` for stdin, `archive!inner/path` inside an archive. */
  name: string;
  /** Base name used for time-in-name detection. */
  base: string;
  /** Size in bytes as stored, when known. */
  size?: number;
  mtimeMs?: number;
  open(): Readable;
  /** From the bundle: the host these captures are of. */
  host?: string;
  /** From the bundle: when the captures were taken (they carry no time themselves). */
  defaultTime?: Timestamp | TimestampError;
  /** Note on where defaultTime came from (shown as a diagnostic when it is a guess). */
  timeNote?: string;
  namespace?: string;
  /** The file is `proc/sys/net/ipv4/<name>`: its content is that limit. */
  limitSysctl?: string;
  /** Filled while the file is read: what its content said about it (shown as input notes). */
  notes?: string[];
}

export interface InputProblem {
  source: string;
  reason: string;
}

export interface ExpandOptions {
  /** stdin stream for `-` (the CLI passes process.stdin; ingest never touches process). */
  stdin?: Readable;
  limits?: Partial<ArchiveLimits>;
  /** For bundle date files (abbreviated zones need it). */
  tz?: string;
}

/** Files that are not captures: passed over in directories (read when named explicitly). */
const NOT_CAPTURE = /\.(png|jpe?g|gif|svg|html?|pdf|md|bz2|zst|7z|rar|pyc?|sh|yaml|yml)$/i;
/** JSON is read only when it is sysstat's (`sadf -j`); other JSON (truth.json, manifests) is passed over by the pipeline. */

export function isProblem(x: InputFile | InputProblem): x is InputProblem {
  return (x as InputProblem).reason !== undefined;
}

interface WalkCtx {
  limits: ArchiveLimits;
  depth: number;
  time: TimeOptions;
}

/**
 * Expand command-line inputs into files, in a deterministic order: directories
 * and archives are walked with entries sorted by name; support bundles
 * (sosreport, supportconfig) are recognized by layout and their captures come
 * with the bundle's host and time; `.gz`/`.xz` are decompressed, archives are
 * streamed, nothing is extracted to disk. Problems are yielded, never thrown.
 */
export async function* expandInputs(inputs: readonly string[], opts: ExpandOptions = {}): AsyncGenerator<InputFile | InputProblem> {
  const ctx: WalkCtx = { limits: { ...DEFAULT_LIMITS, ...opts.limits }, depth: 0, time: opts.tz ? { tz: opts.tz } : {} };
  const disk = new DiskTree();
  for (const input of inputs) {
    if (input === '-') {
      const stdin = opts.stdin;
      if (!stdin) yield { source: '-', reason: 'stdin is not available' };
      else yield { name: '-', base: '-', open: () => stdin };
      continue;
    }
    const st = await disk.stat(input);
    if (!st) {
      yield { source: input, reason: 'cannot read: ENOENT' };
      continue;
    }
    yield* walk(disk, input, ctx, true);
  }
}

async function* walk(tree: Tree, path: string, ctx: WalkCtx, explicit: boolean): AsyncGenerator<InputFile | InputProblem> {
  const st = await tree.stat(path);
  if (!st) {
    yield { source: tree.label(path), reason: 'cannot read' };
    return;
  }
  if (st.isDir) {
    if (st.isLink && !explicit) {
      yield { source: tree.label(path), reason: 'symbolic link to a directory; not followed' };
      return;
    }
    const bundle = await recognizeBundle(tree, path, ctx.time);
    if (bundle) {
      yield* bundle;
      return;
    }
    let entries;
    try {
      entries = await tree.list(path);
    } catch (e) {
      yield { source: tree.label(path), reason: `cannot list: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      yield* walk(tree, tree instanceof DiskTree ? `${path.replace(/\/$/, '')}/${e.name}` : joinPath(path, e.name), ctx, false);
    }
    return;
  }
  yield* file(tree, path, st.size, st.mtimeMs, ctx, explicit);
}

async function* file(tree: Tree, path: string, size: number, mtimeMs: number | undefined, ctx: WalkCtx, explicit: boolean): AsyncGenerator<InputFile | InputProblem> {
  const label = tree.label(path);
  const base = basename(path);
  let p = packing(base);
  // The content decides over the name: a gzip named .txt is read as gzip, a ".gz" that is text as text.
  // A plain-named file on disk is checked as it streams (no extra read); packed names are checked first.
  if (!p.archive && !p.compression && tree instanceof DiskTree) {
    const notes: string[] = [];
    const disk: DiskTree = tree;
    const f: InputFile = { name: label, base, size, notes, open: () => openByContent(disk.open(path, size), ctx.limits, notes) };
    if (mtimeMs !== undefined) f.mtimeMs = mtimeMs;
    const procSys = /(?:^|\/)proc\/sys\/net\/ipv4\/([a-z_]+)$/.exec(path)?.[1];
    if (procSys) f.limitSysctl = procSys;
    if (explicit || !NOT_CAPTURE.test(base)) yield f;
    return;
  }
  const magic = sniff(await tree.peek(path, 512));
  const byName = p.archive ?? p.compression;
  const byContent = magic ? (magic.archive ?? magic.compression) : undefined;
  if (byName !== byContent && !(p.archive === 'tar' && magic?.compression === p.compression && p.compression)) {
    if (magic) {
      yield { source: label, reason: `read as ${byContent} by its content (the name says ${byName ?? 'plain text'})` };
      p = { ...magic, inner: p.inner };
    } else if (byName) {
      yield { source: label, reason: `named as ${byName} but its content is not; read as plain text` };
      p = { compression: undefined, inner: base };
    }
  }
  if (p.archive) {
    if (ctx.depth >= ctx.limits.maxDepth) {
      yield { source: label, reason: `archive nested more than ${ctx.limits.maxDepth} deep; not read` };
      return;
    }
    const inner: WalkCtx = { ...ctx, depth: ctx.depth + 1 };
    let mem: MemTree;
    if (p.archive === 'zip') {
      let src: string | Buffer | undefined;
      if (tree instanceof DiskTree) src = path;
      else if (size <= ctx.limits.maxNestedZip) src = await readBuffer(tree.open(path), ctx.limits.maxNestedZip);
      if (src === undefined) {
        yield { source: label, reason: `zip inside an archive larger than ${ctx.limits.maxNestedZip} bytes; extract it first` };
        return;
      }
      mem = yield* zipMembers(src, label, inner.limits);
    } else {
      let stream: Readable;
      try {
        stream = decompress(tree.open(path), p.compression, ctx.limits);
      } catch (e) {
        yield { source: label, reason: `cannot open: ${(e as Error).message}` };
        return;
      }
      mem = yield* tarMembers(stream, label, inner.limits);
    }
    yield* walk(mem, '', inner, false);
    return;
  }
  if (!explicit && NOT_CAPTURE.test(base)) return;
  const procSys = /(?:^|\/)proc\/sys\/net\/ipv4\/([a-z_]+)$/.exec(path)?.[1];
  const f: InputFile = {
    name: label,
    base: p.inner,
    size,
    open: () => decompress(tree.open(path), p.compression, ctx.limits),
  };
  if (mtimeMs !== undefined) f.mtimeMs = mtimeMs;
  if (procSys) f.limitSysctl = procSys;
  yield f;
}

async function readBuffer(s: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of s as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > max) return undefined;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Bytes of the inputs as stored (files, and files under directories), for a progress bar. */
export async function inputBytes(inputs: readonly string[]): Promise<number | undefined> {
  const disk = new DiskTree();
  let total = 0;
  const walkSize = async (p: string, depth: number): Promise<void> => {
    const st = await disk.stat(p);
    if (!st) return;
    if (!st.isDir) {
      total += st.size;
      return;
    }
    if (depth > 32 || (st.isLink && depth > 0)) return;
    for (const e of await disk.list(p).catch(() => [])) await walkSize(`${p.replace(/\/$/, '')}/${e.name}`, depth + 1);
  };
  for (const i of inputs) {
    if (i === '-') return undefined;
    await walkSize(i, 0);
  }
  return total;
}
