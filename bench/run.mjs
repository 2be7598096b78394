#!/usr/bin/env node
// npm run bench [-- --runs 5 --size 200M --big]
// npm run bench -- --bundles 1000 [--runs 3 --messages 256]: only the fleet bench (bench/fleet.mjs):
// 1,000 sosreports generated from the real sample into a temporary directory.
// Runs sockscope (export, analyze) and the mawk reference alternately on the same generated
// log, N runs each, and prints medians: seconds, MB/s, snapshots/s, ratio to awk, peak RSS
// (from /usr/bin/time -v); then a big sosreport .tar.gz/.tar.xz against gzip -dc / xz -dc
// (bench/archive.mjs). --big also measures `export` of a 1 GB log (one run: memory).
// Logs are generated from the real formats by bench/gen.mjs (see there) into bench/data/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1] ?? true;
};
const runs = Number(arg('runs', 5));
const size = arg('size', '200M');
const big = process.argv.includes('--big');
const data = join(root, 'bench/data');
mkdirSync(data, { recursive: true });
mkdirSync(join(root, 'bench/out'), { recursive: true });

function ensureLog(sz) {
  const p = join(data, `log-${sz}.txt`);
  if (!existsSync(p)) {
    const r = spawnSync(process.execPath, [join(root, 'bench/gen.mjs'), '--size', sz, '--out', p, '--seed', '1'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('generator failed');
  }
  return p;
}

/** Run a command under /usr/bin/time -v: wall seconds and peak RSS in KiB. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const secs = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { secs, rssKiB: Number(rss[1]) };
}

/** Wall seconds for one mawk per file, all started at once. */
function bothAtOnce(files) {
  const script = files.map((f) => `mawk -f ${join(root, 'bench/awk-reference.awk')} ${f} >/dev/null &`).join(' ') + ' wait';
  const t0 = performance.now();
  spawnSync('bash', ['-c', script], { stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const bin = join(root, 'dist/cli/main.js');
if (process.argv.includes('--bundles')) {
  if (!existsSync(bin)) spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const { fleetBench } = await import('./fleet.mjs');
  const out = await fleetBench({ runs: Number(arg('runs', 3)) });
  process.stdout.write(out);
  writeFileSync(join(root, 'bench/out/fleet.md'), out);
  process.exit(0);
}
if (!existsSync(bin)) spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
const log = ensureLog(size);
const bytes = statSync(log).size;
const blocks = Number(spawnSync('grep', ['-c', '^Total:', log], { encoding: 'utf8' }).stdout.trim());

const jobs = {
  awk: () => timed('mawk', ['-f', join(root, 'bench/awk-reference.awk'), log]),
  export: () => timed(process.execPath, [bin, 'export', log, '-o', '/dev/null', '--quiet']),
  analyze: () => timed(process.execPath, [bin, 'analyze', log, '--format', 'json', '-o', '/dev/null', '--quiet']),
};
const results = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [k, f] of Object.entries(jobs)) {
    results[k].push(f());
    process.stderr.write(`run ${i + 1}/${runs} ${k}: ${results[k][i].secs.toFixed(2)} s\n`);
  }
}
const rows = Object.entries(results).map(([k, rs]) => {
  const secs = median(rs.map((r) => r.secs));
  return { job: k, secs, mbps: bytes / 1048576 / secs, snaps: blocks / secs, rssMiB: Math.max(...rs.map((r) => r.rssKiB)) / 1024 };
});
const awk = rows.find((r) => r.job === 'awk');
let out = `machine: ${cpus().length} x ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`;
out += `input: ${log} (${(bytes / 1048576).toFixed(0)} MiB, ${blocks} snapshots), ${runs} runs each, medians\n\n`;
out += '| job | seconds | MB/s | snapshots/s | vs awk | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|\n';
for (const r of rows) out += `| ${r.job} | ${r.secs.toFixed(2)} | ${r.mbps.toFixed(1)} | ${Math.round(r.snaps)} | ${(awk.secs / r.secs).toFixed(2)}x | ${r.rssMiB.toFixed(0)} |\n`;
// The analyze series store: columns in typed arrays, no object per snapshot.
{
  const r = spawnSync(process.execPath, [join(root, 'bench/series-bytes.mjs'), log], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`series-bytes failed: ${r.stderr.slice(-500)}`);
  const s = JSON.parse(r.stdout);
  out += `\nanalyze series store: ${s.snapshots} snapshots in ${s.series} series, ${(s.bytes / 1048576).toFixed(1)} MiB of typed-array columns, ${s.perSnapshot.toFixed(0)} bytes per snapshot, ${s.sparse} sparse entries\n`;
}
// Two files: -j 1 (one reader; V8's compiler and GC threads may use the other core),
// -j 1 pinned to one core ("one core" in the strict sense: taskset, core 0 and core 1 in
// turn, as the two vCPUs of a VM need not be equally fast at a given moment), and -j 2.
{
  const copy = join(data, `log-${size}-copy.txt`);
  if (!existsSync(copy)) spawnSync('cp', [log, copy]);
  const one = [], pinned = [], two = [], sideBySide = [];
  const cmd = (j) => [bin, 'export', '-j', j, log, copy, '-o', '/dev/null', '--quiet'];
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  for (let i = 0; i < runs; i++) {
    one.push(timed(process.execPath, cmd('1')).secs);
    two.push(timed(process.execPath, cmd('2')).secs);
    if (hasTaskset) pinned.push(timed('taskset', ['-c', String(i % 2), process.execPath, ...cmd('1')]).secs);
    // Two whole sockscope processes, one file each, side by side: what any -j can reach here.
    const t0 = performance.now();
    const script = [log, copy].map((f) => `'${process.execPath}' '${bin}' export '${f}' -o /dev/null --quiet &`).join(' ') + ' wait';
    spawnSync('bash', ['-c', script], { stdio: 'ignore' });
    sideBySide.push((performance.now() - t0) / 1000);
    process.stderr.write(`run ${i + 1}/${runs} two files: -j 1 ${one[i].toFixed(2)} s, -j 2 ${two[i].toFixed(2)} s\n`);
  }
  const m1 = median(one), m2 = median(two);
  out += `\ntwo ${size} files (${runs} runs, medians): -j 1 ${m1.toFixed(2)} s, -j 2 ${m2.toFixed(2)} s, speed-up ${(m1 / m2).toFixed(2)}x\n`;
  const mp = median(pinned), ms = median(sideBySide);
  if (hasTaskset) out += `  -j 1 on one core (taskset, cores 0 and 1 in turn) ${mp.toFixed(2)} s: -j 2 is ${(mp / m2).toFixed(2)}x faster than one core\n`;
  out += `  two sockscope processes side by side, one file each (the most any -j can give): ${ms.toFixed(2)} s, ${(m1 / ms).toFixed(2)}x -j 1${hasTaskset ? `, ${(mp / ms).toFixed(2)}x one core` : ''}\n`;
  // What this machine gives two processes at once: the same two files through two mawk
  // processes side by side, against one after the other (the ceiling for any -j).
  const seq = [], par = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const t0 = performance.now();
    spawnSync('mawk', ['-f', join(root, 'bench/awk-reference.awk'), log], { stdio: 'ignore' });
    spawnSync('mawk', ['-f', join(root, 'bench/awk-reference.awk'), copy], { stdio: 'ignore' });
    seq.push((performance.now() - t0) / 1000);
    par.push(bothAtOnce([log, copy]));
  }
  out += `machine ceiling: two mawk processes one after the other ${median(seq).toFixed(2)} s, side by side ${median(par).toFixed(2)} s, speed-up ${(median(seq) / median(par)).toFixed(2)}x\n`;
}
// A directory of 10,000 small per-snapshot files (30,000 files: .sockstat, .sockstat6, .ss-s).
{
  const dir = join(data, 'files-10k');
  if (!existsSync(dir)) spawnSync(process.execPath, [join(root, 'bench/gen.mjs'), '--files', '10000', '--dir', dir], { stdio: 'inherit' });
  const r = timed(process.execPath, [bin, 'export', dir, '-o', '/dev/null', '--quiet']);
  out += `10,000 snapshots in 30,000 small files: ${r.secs.toFixed(2)} s, ${Math.round(30000 / r.secs)} files/s, peak RSS ${(r.rssKiB / 1024).toFixed(0)} MiB\n`;
}
// Archives against their decompressor (bench/archive.mjs).
{
  const { archiveBench } = await import('./archive.mjs');
  out += await archiveBench(runs);
}
if (big) {
  const log1g = ensureLog('1G');
  const b1 = statSync(log1g).size;
  const e = timed(process.execPath, [bin, 'export', log1g, '-o', '/dev/null', '--quiet']);
  out += `\nexport of ${log1g} (${(b1 / 1048576).toFixed(0)} MiB): ${e.secs.toFixed(1)} s, ${(b1 / 1048576 / e.secs).toFixed(1)} MB/s, peak RSS ${(e.rssKiB / 1024).toFixed(0)} MiB\n`;
}
process.stdout.write(out);
writeFileSync(join(root, 'bench/out/bench.md'), out);
