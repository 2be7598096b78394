import { formatOfPath } from '../../parse/formats/index.js';
import { firstLine } from '../../parse/bundle-meta.js';
import { parseFilenameTime, type TimeOptions } from '../../parse/time.js';
import { joinPath, type Tree } from '../tree.js';
import { member, timeFromText, type BundleContext, type BundleItems } from './common.js';

/** The `date` file of a directory of loose per-command files (`date`, `date.txt`, `date-u.out`). */
const DATE_FILE = /^date([-_ .]?-?u(tc)?)?(\.txt|\.out|\.log)?$/i;
const HOSTNAME_FILE = /^hostname(\.txt|\.out)?$/i;

/**
 * Loose per-command files of one moment, named as people name them (`date`,
 * `sockstat`, `sockstat6`, `ss-s`, `snmp`, `ss-tanp`, `lsof-nP`): a directory
 * with no subdirectory, one `date` file, and files the format registry knows by
 * name, none with a time in its name. They are one snapshot at the date file's time.
 */
export async function isLooseMoment(tree: Tree, dir: string): Promise<boolean> {
  const entries = await tree.list(dir).catch(() => []);
  let dates = 0;
  let known = 0;
  for (const e of entries) {
    if (e.isDir) return false;
    if (DATE_FILE.test(e.name)) dates++;
    else if (formatOfPath(e.name)) {
      if (parseFilenameTime(e.name)) return false;
      known++;
    }
  }
  return dates === 1 && known > 0;
}

/** The files with the date file's time (and the hostname file's host); the date file itself is read here. */
export async function* looseMoment(tree: Tree, dir: string, opts: TimeOptions): BundleItems {
  const entries = await tree.list(dir);
  const ctx: BundleContext = {};
  const dateName = entries.find((e) => DATE_FILE.test(e.name))!.name;
  const t = timeFromText(await tree.readText(joinPath(dir, dateName), 1 << 20), opts);
  if (t) ctx.time = t;
  else yield { severity: 'warning', source: tree.label(joinPath(dir, dateName)), reason: 'date file without a time; its directory is read as separate files' };
  const hostName = entries.find((e) => HOSTNAME_FILE.test(e.name))?.name;
  const host = hostName ? firstLine((await tree.readText(joinPath(dir, hostName), 1 << 20)) ?? '') : undefined;
  if (host) ctx.host = host;
  // Counters first, then listings, so the merger makes one block of them (it joins neighbours of one moment).
  const known = entries.filter((e) => e.name !== dateName && e.name !== hostName && formatOfPath(e.name));
  known.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
  for (const e of known) {
    const f = await member(tree, dir, e.name, ctx);
    if (f) yield f;
  }
  for (const e of entries) {
    if (e.name === dateName || e.name === hostName || formatOfPath(e.name) || e.name.startsWith('.')) continue;
    const f = await member(tree, dir, e.name, {});
    if (f) yield f;
  }
}

function rank(name: string): number {
  const k = formatOfPath(name)!.kind;
  return k === 'listing' ? 1 : 0;
}
