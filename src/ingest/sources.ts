import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { TimeOptions } from '../parse/time.js';
import type { InputFile } from './types.js';
import { isProblem, type Problem } from '../parse/problem.js';
import { DEFAULT_LIMITS, isStreamed, tarMembers, zipMembers, type ArchiveLimits, type Budget, type MemberPolicy, type StreamedMember } from './archive.js';
import { bundleSkips, recognizeBundle } from './bundles/index.js';
import { decompress, packing, peekStream, sniff, SNIFF_BYTES } from './decompress.js';
import { DiskTree, joinPath, type MemTree, type Tree, type TreeEntry } from './tree.js';

export type { InputFile } from './types.js';

export interface ExpandOptions {
  /** stdin stream for `-` (the CLI passes process.stdin; ingest never touches process). */
  stdin?: Readable;
  limits?: Partial<ArchiveLimits>;
  /** For bundle date files (abbreviated zones need it). */
  tz?: string;
  /**
   * Files this run writes (its outputs): met in a directory walk, they are reported and not
   * read, so a run never reads what it is writing.
   */
  exclude?: readonly string[];
}

/** Files that are not captures: passed over in directories (read when named explicitly). */
const NOT_CAPTURE = /\.(png|jpe?g|gif|svg|html?|pdf|md|zst|7z|rar|pyc?|sh|yaml|yml)$/i;
/** JSON is read only when it is sysstat's (`sadf -j`); other JSON (truth.json, manifests) is passed over by the pipeline. */


interface WalkCtx {
  limits: ArchiveLimits;
  depth: number;
  time: TimeOptions;
  /** Bytes held by the archives of this input, all nesting levels together. */
  budget: Budget;
  exclude: Exclude;
}

/** The outputs of this run, by resolved path and by device:inode (stat'ed again per directory: they may appear late). */
class Exclude {
  private paths: Set<string>;
  private ids = new Set<string>();
  constructor(private readonly files: readonly string[]) {
    this.paths = new Set(files.map((f) => resolve(f)));
    this.refresh();
  }
  refresh(): void {
    for (const f of this.files) {
      try {
        const st = statSync(f);
        this.ids.add(`${st.dev}:${st.ino}`);
      } catch {
        /* not written yet */
      }
    }
  }
  has(path: string, st: TreeEntry): boolean {
    if (!this.files.length) return false;
    return (st.id !== undefined && this.ids.has(st.id)) || this.paths.has(resolve(path));
  }
}

/**
 * Expand command-line inputs into files, in a deterministic order: directories
 * and archives are walked with entries sorted by name; support bundles
 * (sosreport, supportconfig) are recognized by layout and their captures come
 * with the bundle's host and time. What a file is (gzip, xz, bzip2, tar, zip, text)
 * is decided by its first bytes, on disk, in archives and on stdin alike; the name
 * only adds a note when it says otherwise. Archives are streamed, nothing is
 * extracted to disk. Problems are yielded, never thrown.
 */
export async function* expandInputs(inputs: readonly string[], opts: ExpandOptions = {}): AsyncGenerator<InputFile | Problem> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const exclude = new Exclude(opts.exclude ?? []);
  const disk = new DiskTree();
  for (const input of inputs) {
    const ctx: WalkCtx = { limits, depth: 0, time: opts.tz ? { tz: opts.tz } : {}, budget: { buffered: 0 }, exclude };
    if (input === '-') {
      const stdin = opts.stdin;
      if (!stdin) yield { severity: 'error', source: '-', reason: 'stdin is not available' };
      else yield* oneShot('-', '-', stdin, ctx);
      continue;
    }
    const st = await disk.stat(input);
    if (!st) {
      yield { severity: 'error', source: input, reason: `cannot read: ${disk.statError(input) ?? 'ENOENT'}` };
      continue;
    }
    yield* walk(disk, input, ctx, true);
  }
}

async function* walk(tree: Tree, path: string, ctx: WalkCtx, explicit: boolean): AsyncGenerator<InputFile | Problem> {
  const st = await tree.stat(path);
  if (!st) {
    const why = tree instanceof DiskTree ? tree.statError(path) : undefined;
    yield { severity: 'error', source: tree.label(path), reason: why ? `cannot read: ${why}` : 'cannot read' };
    return;
  }
  if (st.isDir) {
    if (st.isLink && !explicit) {
      yield { severity: 'warning', source: tree.label(path), reason: 'symbolic link to a directory; not followed' };
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
      yield { severity: 'error', source: tree.label(path), reason: `cannot list: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
      return;
    }
    ctx.exclude.refresh();
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      yield* walk(tree, tree instanceof DiskTree ? `${path.replace(/\/$/, '')}/${e.name}` : joinPath(path, e.name), ctx, false);
    }
    return;
  }
  if (tree instanceof DiskTree) {
    if (st.special) {
      // A FIFO blocks, /dev/zero never ends: in a walk only regular files are opened.
      if (!explicit) {
        yield { severity: 'warning', source: path, reason: `${st.special}${st.isLink ? ' (through a symbolic link)' : ''}, not a regular file; skipped` };
        return;
      }
      // Named on the command line: read as a stream, with the usual bounds (as stdin is).
      yield* oneShot(path, basename(path), tree.open(path), ctx);
      return;
    }
    if (ctx.exclude.has(path, st)) {
      yield { severity: 'warning', source: path, reason: 'this run writes this file (an output); not read' };
      return;
    }
  }
  yield* file(tree, path, st, ctx, explicit);
}

/** Where a file's bytes come from, and whether they can be read again. */
interface Source {
  label: string;
  base: string;
  /** Path inside its tree (for proc/sys names). */
  path: string;
  size?: number;
  mtimeMs?: number;
  explicit: boolean;
  open(): Readable;
  /** open() gives a fresh stream each time (a file, a member in memory); else one stream, once. */
  reopen: boolean;
  /** A zip on disk is read in place. */
  diskPath?: string;
}

async function* file(tree: Tree, path: string, st: TreeEntry, ctx: WalkCtx, explicit: boolean): AsyncGenerator<InputFile | Problem> {
  const base = basename(path);
  if (!explicit && NOT_CAPTURE.test(base)) return;
  const head = tree instanceof DiskTree ? await tree.peek(path, SNIFF_BYTES, st.size) : await tree.peek(path, SNIFF_BYTES);
  const src: Source = { label: tree.label(path), base, path, size: st.size, explicit, reopen: true, open: () => tree.open(path, st.size) };
  if (st.mtimeMs !== undefined) src.mtimeMs = st.mtimeMs;
  if (tree instanceof DiskTree) src.diskPath = path;
  yield* content(src, head, ctx);
}

/** A stream that can be read once (stdin, a FIFO, a device, an archive member read as it streams). */
async function* oneShot(label: string, base: string, stream: Readable, ctx: WalkCtx, extra: Partial<Source> = {}): AsyncGenerator<InputFile | Problem> {
  let peeked: { head: Buffer; stream: Readable };
  try {
    peeked = await peekStream(stream, SNIFF_BYTES);
  } catch (e) {
    yield { severity: 'error', source: label, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    return;
  }
  let used = false;
  const src: Source = {
    label, base, path: base, explicit: true, reopen: false, ...extra,
    open: () => {
      used = true;
      return peeked.stream;
    },
  };
  yield* content(src, peeked.head, ctx);
  if (!used) peeked.stream.destroy();
}

/** The content decides what a file is; its name only adds a note when it disagrees. */
async function* content(src: Source, head: Buffer, ctx: WalkCtx): AsyncGenerator<InputFile | Problem> {
  const p = packing(src.base);
  const magic = sniff(head);
  const byName = p.archive ?? p.compression;
  const byContent = magic ? (magic.archive ?? magic.compression) : undefined;
  if (src.base !== '-' && byName !== byContent && !(p.archive === 'tar' && magic?.compression === p.compression && p.compression)) {
    if (magic) yield { severity: 'warning', source: src.label, reason: `read as ${byContent} by its content (the name says ${byName ?? 'plain text'})` };
    else if (byName) yield { severity: 'warning', source: src.label, reason: `named as ${byName} but its content is not; read as plain text` };
  }
  const inner = magic ? (byName === byContent || (p.archive === 'tar' && magic.compression === p.compression) ? p.inner : src.base) : src.base;
  if (magic?.archive === 'zip') {
    yield* zip(src, ctx);
    return;
  }
  if (magic?.archive === 'tar') {
    yield* tar(src, src.open(), ctx);
    return;
  }
  if (magic?.compression) {
    const notes: string[] = [];
    const c = magic.compression;
    let peeked: { head: Buffer; stream: Readable };
    try {
      peeked = await peekStream(decompress(src.open(), c, ctx.limits, notes, src.size), SNIFF_BYTES);
    } catch (e) {
      yield { severity: 'error', source: src.label, reason: `cannot read: ${(e as Error).message}` };
      return;
    }
    const kind = sniff(peeked.head);
    if (kind?.archive) {
      const s: Source = { ...src, reopen: false, open: () => peeked.stream };
      if (kind.archive === 'tar') yield* tar(s, peeked.stream, ctx);
      else yield* zip(s, ctx);
      for (const n of notes) yield { severity: 'warning', source: src.label, reason: n };
      return;
    }
    let first = true;
    const f = textFile(src, inner, () => {
      if (first) {
        first = false;
        return peeked.stream;
      }
      return decompress(src.open(), c, ctx.limits, notes, src.size);
    });
    f.notes = notes;
    yield f;
    if (first) peeked.stream.destroy();
    return;
  }
  yield textFile(src, src.base, src.open);
}

function textFile(src: Source, base: string, open: () => Readable): InputFile {
  const f: InputFile = { name: src.label, base, open };
  if (src.size !== undefined && src.reopen) f.size = src.size;
  if (src.mtimeMs !== undefined) f.mtimeMs = src.mtimeMs;
  const procSys = /(?:^|\/)proc\/sys\/net\/ipv4\/([a-z_]+)$/.exec(src.path)?.[1];
  if (procSys) f.limitSysctl = procSys;
  return f;
}

/** What the walk will never read of an archive: hidden and non-capture names, and what a bundle found in it does not read. */
function memberPolicy(): MemberPolicy {
  const bundles = new Map<string, (rel: string, size: number) => boolean>();
  return {
    async skip(mem: MemTree, path: string, size: number): Promise<boolean> {
      const parts = path.split('/');
      if (parts.some((x) => x.startsWith('.')) || NOT_CAPTURE.test(parts[parts.length - 1]!)) return true;
      for (let i = 0; i < parts.length - 1; i++) {
        const root = parts.slice(0, i).join('/');
        let skips = bundles.get(root);
        if (!skips) {
          const found = await bundleSkips(mem, root);
          if (!found) continue;
          bundles.set(root, (skips = found));
        }
        return skips(parts.slice(i).join('/'), size);
      }
      return false;
    },
  };
}

async function* members(
  gen: AsyncGenerator<StreamedMember | Problem, MemTree>, label: string, ctx: WalkCtx,
): AsyncGenerator<InputFile | Problem> {
  let r = await gen.next();
  while (!r.done) {
    const v = r.value;
    if (isStreamed(v)) {
      const extra: Partial<Source> = { path: v.member, explicit: false, size: v.size };
      if (v.mtimeMs !== undefined) extra.mtimeMs = v.mtimeMs;
      yield* oneShot(`${label}!${v.member}`, basename(v.member), v.stream, ctx, extra);
    } else yield v;
    r = await gen.next();
  }
  const mem = r.value;
  yield* walk(mem, '', ctx, false);
  ctx.budget.buffered -= mem.bytes; // the members are read: their memory can hold the next archive's
}

async function* tar(src: Source, stream: Readable, ctx: WalkCtx): AsyncGenerator<InputFile | Problem> {
  if (ctx.depth >= ctx.limits.maxDepth) {
    stream.destroy();
    yield { severity: 'error', source: src.label, reason: `archive nested more than ${ctx.limits.maxDepth} deep; not read` };
    return;
  }
  const inner: WalkCtx = { ...ctx, depth: ctx.depth + 1 };
  yield* members(tarMembers(stream, src.label, inner.limits, ctx.budget, memberPolicy()), src.label, inner);
}

async function* zip(src: Source, ctx: WalkCtx): AsyncGenerator<InputFile | Problem> {
  if (ctx.depth >= ctx.limits.maxDepth) {
    yield { severity: 'error', source: src.label, reason: `archive nested more than ${ctx.limits.maxDepth} deep; not read` };
    return;
  }
  const inner: WalkCtx = { ...ctx, depth: ctx.depth + 1 };
  let z: string | Buffer | undefined;
  if (src.diskPath !== undefined && src.reopen) z = src.diskPath;
  else z = await readBuffer(src.open(), ctx.limits.maxNestedZip).catch(() => undefined);
  if (z === undefined) {
    yield { severity: 'error', source: src.label, reason: `zip inside an archive or on a stream, larger than ${ctx.limits.maxNestedZip} bytes (a zip is read by its central directory, at its end); extract it first` };
    return;
  }
  const size = typeof z === 'string' ? (src.size ?? 0) : z.length;
  yield* members(zipMembers(z, size, src.label, inner.limits, ctx.budget, memberPolicy()), src.label, inner);
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
