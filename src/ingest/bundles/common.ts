import { problem, type Problem } from '../../parse/problem.js';
import { isoFromMs, parseTimestampLine, type TimeOptions, type Timestamp } from '../../parse/time.js';
import { decompress, sniff } from '../decompress.js';
import type { InputFile } from '../types.js';
import { joinPath, type Tree } from '../tree.js';

export type BundleItems = AsyncGenerator<InputFile | Problem>;

export interface BundleContext {
  host?: string;
  time?: Timestamp | Problem;
  timeNote?: string;
  namespace?: string;
  /** The bundle's own zone (bundles/zone.ts), for the local times its files print. */
  tz?: string;
  zones?: Readonly<Record<string, number>>;
  /** The POSIX TZ rule of its `etc/localtime`, for zone-less times. */
  tzRule?: string;
}

export async function exists(tree: Tree, path: string): Promise<boolean> {
  return (await tree.stat(path)) !== undefined;
}

/** Time from the text of a `date` file; undefined when it holds none. */
export function timeFromText(text: string | undefined, opts: TimeOptions): Timestamp | Problem | undefined {
  if (text === undefined) return undefined;
  for (const l of text.split('\n')) {
    const t = l.trim();
    if (!t) continue;
    return parseTimestampLine(t, opts) ?? problem('', `cannot read a time in ${JSON.stringify(t.slice(0, 60))}`);
  }
  return undefined;
}

export function timeFromEpoch(sec: number): Timestamp {
  const ms = Math.round(sec * 1000);
  const frac = ms % 1000 ? String(ms % 1000).padStart(3, '0') : undefined;
  return { ms, iso: isoFromMs(ms, frac) };
}

/** A bundle member as an input file, carrying the bundle's context. */
export async function member(tree: Tree, dir: string, rel: string, ctx: BundleContext, extra: Partial<InputFile> = {}): Promise<InputFile | undefined> {
  const path = joinPath(dir, rel);
  const st = await tree.stat(path);
  if (!st || st.isDir) return undefined;
  const f: InputFile = { name: tree.label(path), base: rel.split('/').pop()!, size: st.size, open: () => tree.open(path), ...extra };
  if (st.mtimeMs !== undefined) f.mtimeMs = st.mtimeMs;
  if (ctx.host !== undefined) f.host = ctx.host;
  if (ctx.time !== undefined) f.defaultTime = ctx.time;
  if (ctx.timeNote !== undefined) f.timeNote = ctx.timeNote;
  if (ctx.namespace !== undefined) f.namespace = ctx.namespace;
  if (ctx.tz !== undefined) f.tz = ctx.tz;
  if (ctx.zones !== undefined) f.zones = ctx.zones;
  if (ctx.tzRule !== undefined) f.tzRule = ctx.tzRule;
  return f;
}

/**
 * A text report of a bundle that may be kept compressed (supportconfig copies sysstat's
 * `sar20261125.xz` as it finds it): the content decides, the stream is decompressed as it is read.
 * Its context is the bundle's host and zone only: sar prints its own times, in the host's local time.
 */
export async function textMember(tree: Tree, dir: string, rel: string, ctx: BundleContext): Promise<InputFile | undefined> {
  const only: BundleContext = {};
  if (ctx.host !== undefined) only.host = ctx.host;
  if (ctx.tz !== undefined) only.tz = ctx.tz;
  if (ctx.tzRule !== undefined) only.tzRule = ctx.tzRule;
  const f = await member(tree, dir, rel, only);
  if (!f) return undefined;
  const magic = sniff(await tree.peek(joinPath(dir, rel), 8));
  if (magic?.archive) return undefined;
  if (magic?.compression) {
    const raw = f.open;
    const c = magic.compression;
    f.open = () => decompress(raw(), c);
    f.base = f.base.replace(/\.(gz|xz|bz2)$/i, '');
  }
  return f;
}
