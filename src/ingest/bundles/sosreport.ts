import { firstLine, sosCommandStart } from '../../parse/bundle-meta.js';
import { formatOfPath } from '../../parse/formats/index.js';
import { parseUptime } from '../../parse/kernel-log.js';
import { isLimitSysctl } from '../../parse/sysctl.js';
import type { TimeOptions } from '../../segment/time.js';
import { joinPath, type Tree } from '../tree.js';
import { exists, member, timeFromEpoch, timeFromText, type BundleContext, type BundleItems } from './common.js';
import { bundleZone } from './zone.js';

/** The captures of a sosreport, in the order that makes them one snapshot (listings join it). */
const CAPTURES = [
  'proc/net/sockstat', 'proc/net/sockstat6', 'sos_commands/networking/ss_-s', 'proc/net/snmp',
  // protocol counters (parse/counters.ts)
  'proc/net/netstat', 'sos_commands/networking/netstat_-s', 'sos_commands/networking/nstat_-zas',
];
/** Kernel logs: only their lines that match a rule's log pattern are read. */
const KERNEL_LOGS = ['sos_commands/kernel/dmesg', 'var/log/messages', 'var/log/kern.log'];
const JOURNALS = /^journalctl_/;
/** Where sos keeps socket listings; which files are listings is the listing format's (parse/formats/listing.ts). */
const LISTING_DIRS = ['sos_commands/networking', 'sos_commands/process', 'sos_commands/filesys'];

/** Where sosreports keep sar text (`sarDD`, `sar20261125`), beside sysstat's binary `saDD`. */
const SAR_DIRS = ['sos_commands/sar', 'var/log/sa', 'var/log/sysstat'];
const SAR_TEXT = /^sar\d{2}(\d{6})?$/;

/**
 * What a sosreport archive holds that is never read: logs (var/log, but sar's folders),
 * /sys, sos's own logs and strings, and any other large member that is not a capture, a
 * listing, sar text or a kernel file (captures are small; a big member is a log or a dump).
 */
export function sosreportSkips(rel: string, size: number): boolean {
  const dir = rel.split('/').slice(0, -1).join('/');
  if (SAR_DIRS.includes(dir)) return false;
  if (/^(var\/log\/|sys\/|sos_strings\/|sos_logs\/)/.test(rel)) return true;
  if (size <= 8 << 20) return false;
  return !(CAPTURES.includes(rel) || (LISTING_DIRS.includes(dir) && formatOfPath(rel)?.kind === 'listing') || dir === 'sos_commands/kernel');
}

/** A sosreport is recognized by its layout: `sos_commands/` plus sos's own files. */
export async function isSosreport(tree: Tree, dir: string): Promise<boolean> {
  if (!(await exists(tree, joinPath(dir, 'sos_commands')))) return false;
  for (const p of ['sos_reports', 'version.txt', 'proc/net', 'hostname', 'sos_logs']) if (await exists(tree, joinPath(dir, p))) return true;
  return false;
}

/**
 * Host: `hostname`, else `sos_commands/host/hostname`. Time: the `ss -s`
 * command's start in `sos_reports/manifest.json`, else `sos_commands/date/date_--utc`,
 * `sos_commands/date/date` or the top-level `date`, else the member's mtime (with a note).
 */
export async function* sosreport(tree: Tree, dir: string, opts: TimeOptions): BundleItems {
  const read = (rel: string) => tree.readText(joinPath(dir, rel), 64 << 20);
  const ctx: BundleContext = {};
  // The zone its clock is in, for times it prints in local time (timedatectl, etc/timezone, etc/localtime, date against date --utc).
  opts = await bundleZone(read, opts, {
    named: ['sos_commands/date/timedatectl', 'sos_commands/systemd/timedatectl', 'etc/timezone'],
    localtime: 'etc/localtime',
    dates: ['sos_commands/date/date', 'sos_commands/date/date_--utc'],
  });
  if (opts.tz !== undefined) ctx.tz = opts.tz;
  if (opts.zones !== undefined) ctx.zones = opts.zones;
  const host = firstLine((await read('hostname')) ?? '') ?? firstLine((await read('sos_commands/host/hostname')) ?? '');
  if (host) ctx.host = host;
  const manifest = await read('sos_reports/manifest.json');
  const start = manifest ? sosCommandStart(manifest, 'sos_commands/networking/ss_-s') : undefined;
  if (start !== undefined) {
    ctx.time = timeFromEpoch(start);
  } else {
    for (const rel of ['sos_commands/date/date_--utc', 'sos_commands/date/date', 'date']) {
      const t = timeFromText(await read(rel), opts);
      if (t) {
        ctx.time = t;
        break;
      }
    }
  }
  if (!ctx.time) {
    const st = await tree.stat(joinPath(dir, 'proc/net/sockstat'));
    if (st?.mtimeMs !== undefined) {
      ctx.time = timeFromEpoch(Math.floor(st.mtimeMs / 1000));
      ctx.timeNote = `capture time taken from the archive member's mtime (${tree.label(joinPath(dir, 'proc/net/sockstat'))}): the sosreport has no manifest or date file`;
    }
  }
  let found = 0;
  for (const rel of CAPTURES) {
    const f = await member(tree, dir, rel, ctx);
    if (f) {
      found++;
      yield f;
    }
  }
  if (found === 0) yield { source: tree.label(dir), reason: 'sosreport without proc/net/sockstat or sos_commands/networking/ss_-s' };
  // Socket listings of the same run: they join the snapshot (same host and time).
  for (const sub of LISTING_DIRS) {
    for (const e of await tree.list(joinPath(dir, sub)).catch(() => [])) {
      if (e.isDir || formatOfPath(`${sub}/${e.name}`)?.kind !== 'listing') continue;
      const f = found ? await member(tree, dir, `${sub}/${e.name}`, ctx) : undefined;
      if (f) yield f;
    }
  }
  // sar text reports (sos runs `sar -A -f saDD` into sos_commands/sar/sarDD; the sysstat
  // folder may hold sa2's own sarDD): their times are their own. Binary saDD files are not read.
  for (const sub of SAR_DIRS) {
    for (const e of await tree.list(joinPath(dir, sub)).catch(() => [])) {
      if (e.isDir || !SAR_TEXT.test(e.name)) continue;
      const f = await member(tree, dir, `${sub}/${e.name}`, host ? { host } : {});
      if (f) yield f;
    }
  }
  if (found) {
    const bootMs = await bootTime(read, ctx);
    const kernelLog = bootMs !== undefined ? { bootMs } : {};
    const logs = [...KERNEL_LOGS];
    for (const e of await tree.list(joinPath(dir, 'sos_commands/logs')).catch(() => [])) {
      if (!e.isDir && JOURNALS.test(e.name)) logs.push(`sos_commands/logs/${e.name}`);
    }
    for (const rel of logs) {
      const f = await member(tree, dir, rel, ctx, { kernelLog });
      if (f) yield f;
    }
  }
  const sysctl = await member(tree, dir, 'sos_commands/kernel/sysctl_-a', { ...(host ? { host } : {}) });
  if (sysctl) yield sysctl;
  const ipv4 = joinPath(dir, 'proc/sys/net/ipv4');
  for (const e of await tree.list(ipv4).catch(() => [])) {
    if (e.isDir || !isLimitSysctl(e.name)) continue;
    const f = await member(tree, dir, `proc/sys/net/ipv4/${e.name}`, host ? { host } : {}, { limitSysctl: e.name });
    if (f) yield f;
  }
}

/**
 * Boot time, for dmesg's seconds since boot: the bundle's time minus the uptime in
 * `proc/uptime` (seconds) or `sos_commands/host/uptime` (`up 3 days,  2:03`, to the minute).
 */
async function bootTime(read: (rel: string) => Promise<string | undefined>, ctx: BundleContext): Promise<number | undefined> {
  const t = ctx.time && 'ms' in ctx.time ? ctx.time.ms : undefined;
  if (t === undefined) return undefined;
  const up = parseUptime((await read('proc/uptime')) ?? '') ?? parseUptime((await read('sos_commands/host/uptime')) ?? '');
  return up === undefined ? undefined : t - up * 1000;
}
