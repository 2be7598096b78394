#!/usr/bin/env node
// node bench/fleet.mjs [--bundles 1000 --runs 3 --messages 256]  (also `npm run bench -- --bundles 1000`)
// A fleet of sosreports (bench/gen-bundles.mjs: the real sample sosreport with varied hosts,
// times and counters, 3/4 .tar.xz and 1/4 .tar.gz, each with a generated var/log/messages),
// generated into a temporary directory and removed at the end. One sockscope process reads
// the first 100 bundles, then all of them (`analyze DIR --format json`, `export DIR`), the
// decompressors (`xz -dc` of the .tar.xz, `gzip -dc` of the .tar.gz, one process each for all
// files) alternating with them. Prints medians (min-max), bundles/s, MB/s of compressed
// input, the ratio against the decompressors, and peak RSS at 100 and at all bundles: memory
// stays flat when it is about the same.
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBundles } from './gen-bundles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/main.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1] ?? dflt;
};

export function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)[1]);
  return { secs: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), rssKiB: Number(rss[1]), cpu };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const span = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;

/** A directory of hard links to `files` (same file system): one input that names them all. */
export function linkDir(dir, files) {
  mkdirSync(dir, { recursive: true });
  for (const f of files) linkSync(f, join(dir, f.split('/').pop()));
  return dir;
}

/** The decompressors alone over the same files: one `xz -dc` for the .tar.xz, one `gzip -dc` for the .tar.gz. */
function decompressAll(dir) {
  return timed(['sh', '-c', `cd '${dir}' && { ls | grep '\\.tar\\.xz$' | xargs -r xz -dc; ls | grep '\\.tar\\.gz$' | xargs -r gzip -dc; } > /dev/null`]);
}

/**
 * analyze -j over `n` bundles given as separate inputs: -j 1, -j 2 (worker processes), and
 * two sockscope processes side by side, half the bundles each (the ceiling: what two
 * independent processes get from this machine; their reports are two, not one).
 */
function jobsBench(files, runs, jobs = 2) {
  const cmd = (fs, j) => [process.execPath, bin, 'analyze', '--format', 'json', '-o', '/dev/null', '-q', '-j', String(j), ...fs];
  const res = { '-j 1': [], [`-j ${jobs}`]: [], [`${jobs} processes side by side`]: [] };
  for (let i = 0; i < runs; i++) {
    res['-j 1'].push(timed(cmd(files, 1)));
    res[`-j ${jobs}`].push(timed(cmd(files, jobs)));
    const parts = Array.from({ length: jobs }, (_, k) => files.filter((_, x) => x % jobs === k));
    const script = parts.map((p) => cmd(p, 1).map((a) => `'${a}'`).join(' ') + ' &').join(' ') + ' wait';
    res[`${jobs} processes side by side`].push(timed(['bash', '-c', script]));
    process.stderr.write(`analyze -j, ${files.length} bundles, run ${i + 1}/${runs}: ${Object.entries(res).map(([k, v]) => `${k} ${v[i].secs.toFixed(2)} s`).join(', ')}\n`);
  }
  const one = median(res['-j 1'].map((r) => r.secs));
  let out = `\nanalyze -j over ${files.length} bundles given as separate inputs (${runs} runs, alternating; medians, min-max); load average ${loadavg()[0].toFixed(1)}\n\n| run | seconds | vs -j 1 | CPU s (user+sys) | peak RSS MiB |\n|---|---:|---:|---:|---:|\n`;
  for (const [k, rs] of Object.entries(res)) {
    const ss = rs.map((r) => r.secs);
    out += `| ${k} | ${median(ss).toFixed(2)} (${span(ss)}) | ${(one / median(ss)).toFixed(2)}x | ${median(rs.map((r) => r.cpu)).toFixed(2)} | ${(Math.max(...rs.map((r) => r.rssKiB)) / 1024).toFixed(0)} |\n`;
  }
  return out;
}

export async function fleetBench({ bundles = Number(arg('bundles', 1000)), runs = Number(arg('runs', 3)), messagesKiB = Number(arg('messages', 256)), dir = arg('dir', undefined), jobsBundles = Number(arg('jobs-bundles', 24)) } = {}) {
  // --dir DIR: bundles generated before (by bench/gen-bundles.mjs), kept; else a temporary directory, removed.
  const tmp = dir ?? mkdtempSync(join(tmpdir(), 'sockscope-fleet-bench-'));
  try {
    let files;
    if (dir && existsSync(join(dir, 'all'))) {
      files = readdirSync(join(dir, 'all')).sort().map((f) => join(dir, 'all', f)).slice(0, bundles);
    } else {
      process.stderr.write(`generating ${bundles} bundles into ${tmp}...\n`);
      const t0 = performance.now();
      files = await generateBundles({ bundles, out: join(tmp, 'all'), messagesKiB });
      process.stderr.write(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    if (process.argv.includes('--jobs-only')) return jobsBench(files.slice(0, jobsBundles), runs);
    const sizes = [...new Set([Math.min(100, bundles), bundles])];
    let out = `\nfleet: ${bundles} sosreports from the real sample (varied hosts, times, counters; ${messagesKiB} KiB var/log/messages each; 3/4 .tar.xz, 1/4 .tar.gz), one sockscope process per run; ${runs} runs, alternating, medians (min-max); load average at start ${loadavg()[0].toFixed(1)}\n\n`;
    out += '| bundles | MiB compressed | job | seconds | bundles/s | MB/s compressed | ratio (decompressors / sockscope) | CPU s (user+sys) | peak RSS MiB |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|\n';
    for (const n of sizes) {
      const dir = n === bundles ? join(tmp, 'all') : existsSync(join(tmp, `first-${n}`)) ? join(tmp, `first-${n}`) : linkDir(join(tmp, `first-${n}`), files.slice(0, n));
      const mib = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0) / 1048576;
      const jobs = {
        'xz -dc + gzip -dc': () => decompressAll(dir),
        'analyze --format json': () => timed([process.execPath, bin, 'analyze', dir, '--format', 'json', '-o', '/dev/null', '-q']),
        'export (CSV)': () => timed([process.execPath, bin, 'export', dir, '-o', '/dev/null', '-q', '-j', '1']),
      };
      const res = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
      for (let i = 0; i < runs; i++) {
        for (const [k, f] of Object.entries(jobs)) {
          res[k].push(f());
          process.stderr.write(`${n} bundles, run ${i + 1}/${runs} ${k}: ${res[k][i].secs.toFixed(2)} s, ${(res[k][i].rssKiB / 1024).toFixed(0)} MiB\n`);
        }
      }
      const dec = median(res['xz -dc + gzip -dc'].map((r) => r.secs));
      for (const [k, rs] of Object.entries(res)) {
        const ss = rs.map((r) => r.secs);
        const m = median(ss);
        const ratio = k.startsWith('xz') ? '' : `${(dec / m).toFixed(2)}x`;
        out += `| ${n} | ${mib.toFixed(1)} | ${k} | ${m.toFixed(2)} (${span(ss)}) | ${(n / m).toFixed(0)} | ${((mib * 1048576) / 1e6 / m).toFixed(1)} | ${ratio} | ${median(rs.map((r) => r.cpu)).toFixed(2)} | ${(Math.max(...rs.map((r) => r.rssKiB)) / 1024).toFixed(0)} |\n`;
      }
    }
    out += jobsBench(files.slice(0, jobsBundles), runs);
    out += `\nmachine: ${cpus().length} x ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`;
    return out;
  } finally {
    if (!dir) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(await fleetBench());
