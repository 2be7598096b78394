import { supportconfigCommand } from '../../parse/bundle-meta.js';
import { parseUptime } from '../../parse/kernel-log.js';
import { zoneNameIn, type TimeOptions } from '../../parse/time.js';
import { joinPath, type Tree } from '../tree.js';
import { exists, member, textMember, timeFromText, type BundleContext, type BundleItems } from './common.js';

/** sysstat's text reports as supportconfig copies them: `sar25`, `sar20261125`, `sar20261125.xz`. */
const SAR_TEXT = /^sar\d{2}(\d{6})?(\.(xz|gz|bz2))?$/;

/** Large members of a supportconfig that are not read (logs such as messages.txt); small ones are kept. */
export function supportconfigSkips(rel: string, size: number): boolean {
  return size > 8 << 20 && !/^(basic-environment|network(-.+)?|sysctl|sar)\.txt$/.test(rel) && !(rel.startsWith('sar/') && SAR_TEXT.test(rel.slice(4)));
}

/** SUSE supportconfig: `basic-environment.txt` beside `network.txt`. */
export async function isSupportconfig(tree: Tree, dir: string): Promise<boolean> {
  return (await exists(tree, joinPath(dir, 'basic-environment.txt'))) && (await exists(tree, joinPath(dir, 'network.txt')));
}

/**
 * network.txt holds `ss -s` (and often /proc/net/sockstat) in `#==[ Command ]===#`
 * blocks; network-<NS>.txt the same per network namespace. Date and host come
 * from basic-environment.txt (`# /bin/date`, `# /bin/uname -a`).
 */
export async function* supportconfig(tree: Tree, dir: string, opts: TimeOptions): BundleItems {
  const env = (await tree.readText(joinPath(dir, 'basic-environment.txt'), 64 << 20)) ?? '';
  const ctx: BundleContext = {};
  const uname = supportconfigCommand(env, /(^|\/)uname -a$/);
  const host = uname?.split(/\s+/)[1] ?? supportconfigCommand(env, /(^|\/)hostname$/)?.split('\n')[0]?.trim();
  if (host) ctx.host = host;
  // Its clock's zone, when it says (timedatectl's `Time zone:`, sysconfig's TIMEZONE=): for local times.
  const named = opts.tz ? undefined : zoneNameIn(env);
  if (named) {
    opts = { ...opts, tz: named };
    ctx.tz = named;
  }
  const t = timeFromText(supportconfigCommand(env, /(^|\/)date(\s|$)/), opts);
  if (t) ctx.time = t;
  const net = await member(tree, dir, 'network.txt', ctx);
  if (net) yield net;
  for (const e of await tree.list(dir)) {
    const m = /^network-(.+)\.txt$/.exec(e.name);
    if (!m || e.isDir) continue;
    const f = await member(tree, dir, e.name, { ...ctx, namespace: m[1]! });
    if (f) yield f;
  }
  // Kernel logs: only their lines that match a rule's log pattern are read.
  const up = parseUptime(supportconfigCommand(env, /(^|\/)uptime$/) ?? '');
  const bootMs = up !== undefined && ctx.time && 'ms' in ctx.time ? ctx.time.ms - up * 1000 : undefined;
  for (const rel of ['boot.txt', 'messages.txt']) {
    const f = await member(tree, dir, rel, ctx, { kernelLog: bootMs !== undefined ? { bootMs } : {} });
    if (f) yield f;
  }
  // sar: supportconfig copies /var/log/sa's files into sar/ (sysstat's binary saYYYYMMDD, read
  // with sar -f elsewhere, and the text reports sarDD / sarYYYYMMDD, xz-compressed once old).
  for (const e of await tree.list(joinPath(dir, 'sar')).catch(() => [])) {
    if (e.isDir || !SAR_TEXT.test(e.name)) continue;
    const f = await textMember(tree, dir, `sar/${e.name}`, ctx);
    if (f) yield f;
  }
  const sysctl = await member(tree, dir, 'sysctl.txt', host ? { host } : {});
  if (sysctl) yield sysctl;
}
