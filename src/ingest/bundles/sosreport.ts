import { firstLine, sosCommandStart } from '../../parse/bundle-meta.js';
import { formatOfPath } from '../../parse/formats/index.js';
import { parseUptime } from '../../parse/kernel-log.js';
import { isLimitSysctl } from '../../parse/sysctl.js';
import type { TimeOptions } from '../../parse/time.js';
import { DiskTree, joinPath, type Tree } from '../tree.js';
import { exists, member, textMember, timeFromEpoch, timeFromText, type BundleContext, type BundleItems } from './common.js';
import { bundleZone } from './zone.js';

/**
 * The captures of a sosreport, in the order that makes them one snapshot (listings join it).
 * `NET/` is the folder holding the host's copy of /proc/net (see procNetDirs).
 */
const CAPTURES = [
  'NET/sockstat', 'NET/sockstat6', 'sos_commands/networking/ss_-s', 'NET/snmp',
  // protocol counters (parse/counters.ts)
  'NET/netstat', 'sos_commands/networking/netstat_-s', 'sos_commands/networking/nstat_-zas',
  // socket listings of the kernel's own (parse/listing/proc-tcp.ts), after the counters
  'NET/tcp', 'NET/tcp6',
];
/** The files of a /proc/net copy that are read, in CAPTURES order. */
const NET_FILES = CAPTURES.filter((c) => c.startsWith('NET/')).map((c) => c.slice(4));
/** What the top of a sosreport (or a copy of part of one) holds: a tree of only these, with a /proc/net copy, is read as one. */
const SOS_TOP = new Set([
  'proc', 'sys', 'etc', 'var', 'usr', 'run', 'lib', 'boot', 'sos_commands', 'sos_reports', 'sos_logs', 'sos_strings',
  'hostname', 'date', 'uptime', 'version.txt', 'uname', 'lsof', 'free', 'installed-rpms', 'installed-debs', 'environment',
]);
/** Kernel logs: only their lines that match a rule's log pattern are read. */
const KERNEL_LOGS = ['sos_commands/kernel/dmesg', 'var/log/messages', 'var/log/kern.log'];
const JOURNALS = /^journalctl_/;
/** Where sos keeps socket listings; which files are listings is the listing format's (parse/formats/listing.ts). */
const LISTING_DIRS = ['sos_commands/networking', 'sos_commands/process', 'sos_commands/filesys'];

/** Where sosreports keep sar text (`sarDD`, `sar20261125`), beside sysstat's binary `saDD`. */
const SAR_DIRS = ['sos_commands/sar', 'var/log/sa', 'var/log/sysstat'];
const SAR_TEXT = /^sar\d{2}(\d{6})?(\.(xz|gz|bz2))?$/;

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
  return !(CAPTURES.includes(rel.replace(/^proc\/(\d+\/)?net\//, 'NET/')) || (LISTING_DIRS.includes(dir) && formatOfPath(rel)?.kind === 'listing') || dir === 'sos_commands/kernel');
}

/**
 * A sosreport is recognized by its layout: `sos_commands/` plus sos's own files or a copy of
 * /proc/net; or a tree holding only what a sosreport's top holds (`proc`, `etc`, `sos_commands`,
 * `hostname`...) with a copy of /proc/net in it (part of a sosreport kept as test data).
 */
export async function isSosreport(tree: Tree, dir: string): Promise<boolean> {
  if (await exists(tree, joinPath(dir, 'sos_commands'))) {
    for (const p of ['sos_reports', 'version.txt', 'proc/net', 'hostname', 'sos_logs']) if (await exists(tree, joinPath(dir, p))) return true;
    return (await procNetDirs(tree, dir)).length > 0;
  }
  if (!(await tree.stat(joinPath(dir, 'proc')))?.isDir) return false;
  const top = await tree.list(dir).catch(() => []);
  if (!top.every((e) => SOS_TOP.has(e.name) || e.name.startsWith('.'))) return false;
  return (await procNetDirs(tree, dir)).length > 0;
}

/**
 * The copies of /proc/net a sosreport tree holds, the host's first. sos copies /proc/net,
 * a link to /proc/self/net: its files land in `proc/<pid>/net` of sos's own process (the
 * `proc/net` and `proc/self` links are often lost on the way, in archives and repositories).
 * So `proc/net` is the host's when it is there, else the one `proc/<pid>/net`; other
 * `proc/<pid>/net` folders are other processes' (`pid` given). Only folders holding a
 * capture (sockstat, sockstat6, snmp, netstat) count.
 */
async function procNetDirs(tree: Tree, dir: string): Promise<{ rel: string; pid?: string }[]> {
  const out: { rel: string; pid?: string }[] = [];
  const holds = async (rel: string): Promise<boolean> => {
    const names = new Set((await tree.list(joinPath(dir, rel)).catch(() => [])).filter((e) => !e.isDir).map((e) => e.name));
    return NET_FILES.some((n) => names.has(n));
  };
  if (await holds('proc/net')) out.push({ rel: 'proc/net' });
  const pids = (await tree.list(joinPath(dir, 'proc')).catch(() => []))
    .filter((e) => e.isDir && /^\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(a) - Number(b));
  for (const pid of pids) if (await holds(`proc/${pid}/net`)) out.push({ rel: `proc/${pid}/net`, pid });
  // The one process folder of a tree without proc/net is sos's own: the host's /proc/net.
  if (out.length === 1 && out[0]!.pid !== undefined) delete out[0]!.pid;
  return out;
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
  if (opts.tzRule !== undefined) ctx.tzRule = opts.tzRule;
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
  const nets = await procNetDirs(tree, dir);
  const hostNet = nets[0]?.pid === undefined ? nets[0]?.rel : undefined;
  if (!ctx.time) {
    const first = `${hostNet ?? 'proc/net'}/sockstat`;
    const st = await tree.stat(joinPath(dir, first));
    if (st?.mtimeMs !== undefined) {
      ctx.time = timeFromEpoch(Math.floor(st.mtimeMs / 1000));
      // On disk the mtime is when the tree was extracted or checked out unless tar kept it: a guess either way.
      const what = tree instanceof DiskTree ? "file's" : "archive member's";
      ctx.timeNote = `capture time taken from the ${what} mtime (${tree.label(joinPath(dir, first))}): the sosreport has no manifest or date file`;
    }
  }
  let found = 0;
  for (const c of CAPTURES) {
    if (c.startsWith('NET/') && hostNet === undefined) continue;
    const f = await member(tree, dir, c.replace(/^NET\//, `${hostNet}/`), ctx);
    if (f) {
      found++;
      yield f;
    }
  }
  // Other processes' copies of /proc/net: the same content as the host's is the same network
  // namespace, read once; other content is that process's namespace (`pid N`), a series of its own.
  for (const n of nets) {
    if (n.pid === undefined) continue;
    const same = hostNet !== undefined && (await sameFiles(tree, dir, n.rel, hostNet));
    if (same) {
      yield { severity: 'warning', source: tree.label(joinPath(dir, n.rel)), reason: `same content as ${tree.label(joinPath(dir, hostNet))}: the host's network namespace, read once` };
      continue;
    }
    const nsCtx: BundleContext = { ...ctx, namespace: `pid ${n.pid}` };
    let any = false;
    for (const name of NET_FILES) {
      const f = await member(tree, dir, `${n.rel}/${name}`, nsCtx);
      if (f) {
        found++;
        any = true;
        yield f;
      }
    }
    if (any) yield { severity: 'warning', source: tree.label(joinPath(dir, n.rel)), reason: `differs from the host's /proc/net${hostNet ? ` (${tree.label(joinPath(dir, hostNet))})` : ' (none in the bundle)'}: read as the network namespace of pid ${n.pid} (namespace "pid ${n.pid}")` };
  }
  if (found === 0) yield { severity: 'warning', source: tree.label(dir), reason: 'sosreport without proc/net/sockstat or sos_commands/networking/ss_-s' };
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
      // In the bundle's zone when it names one (timedatectl, etc/timezone): sar prints local time without it.
      const f = await textMember(tree, dir, `${sub}/${e.name}`, ctx);
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

/** Do two /proc/net copies hold the same bytes in every capture file either has? */
async function sameFiles(tree: Tree, dir: string, a: string, b: string): Promise<boolean> {
  for (const name of NET_FILES) {
    const [x, y] = await Promise.all([tree.readText(joinPath(dir, `${a}/${name}`), 1 << 20), tree.readText(joinPath(dir, `${b}/${name}`), 1 << 20)]);
    if (x !== y) return false;
  }
  return true;
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
