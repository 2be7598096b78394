#!/usr/bin/env node
// node bench/hostile-run.mjs [DIR]: the heavy hostile inputs of issue 18, generated into DIR
// (default: a fresh temporary directory), each run by the built CLI under `/usr/bin/time -v`
// with a timeout, printed as a markdown table: exit code, wall time, peak RSS and what the
// report (or stderr) said. A run that exceeds its timeout or its memory bound is marked
// FAIL and the script exits 1. Build first (`npm run build`). Takes a few minutes and ~3 GB
// of temporary disk at most (the generated files are small; the bombs expand only in the runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import { createGzip } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'sockscope-hostile-'));
mkdirSync(dir, { recursive: true });
const cli = join(root, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error('build first: npm run build');
const TIMEOUT_S = 300;
/** The memory bound every run must stay under (MiB of peak RSS). */
const MAX_RSS_MIB = 1024;
const capture = readFileSync(join(root, 'samples/kernel-6.18/unconnected-leak/timeline-date.log'));
const log = (m) => process.stderr.write(`${m}\n`);

// --- generation -------------------------------------------------------------------------
log(`generating into ${dir}`);
execFileSync(process.execPath, [join(root, 'bench/hostile.mjs'), dir], { stdio: ['ignore', 'ignore', 'inherit'] });
writeFileSync(join(dir, 'hosts.sadf'), execFileSync(process.execPath, [join(root, 'bench/gen-hosts.mjs'), '20000']));
execFileSync(process.execPath, [join(root, 'bench/near-bomb.mjs'), '--kind', 'tcp', '--size', '1G', '--out', join(dir, 'near-bomb.log.gz')], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(process.execPath, [join(root, 'bench/near-bomb.mjs'), '--kind', 'sadf', '--size', '128M', '--out', join(dir, 'sadf-rows.log.gz')], { stdio: ['ignore', 'ignore', 'inherit'] });

// xz bomb: 1 GiB of one sockstat line through the system xz.
{
  const xz = spawnSync('sh', ['-c', `yes 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0' | head -c 1073741824 | xz -1 -T1 > '${join(dir, 'bomb.xz')}'`]);
  if (xz.status !== 0) log('xz not available: bomb.xz skipped');
}

// A tar of 250,000 one-line members (past the 200,000 members an archive may list).
async function manyMembers(path, n) {
  const pack = tar.pack();
  const out = createWriteStream(path);
  pack.pipe(out);
  const body = Buffer.from('TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
  for (let i = 0; i < n; i++) pack.entry({ name: `m/${i}.txt`, size: body.length }, body);
  pack.finalize();
  await once(out, 'close');
}
await manyMembers(join(dir, 'members.tar'), 250_000);

// .tar.gz nested 10 deep (past the depth limit of 8), a capture at every level.
{
  let inner = null;
  for (let level = 10; level >= 1; level--) {
    const pack = tar.pack();
    const gz = createGzip();
    const path = join(dir, `nest-${level}.tar.gz`);
    const out = createWriteStream(path);
    pack.pipe(gz).pipe(out);
    pack.entry({ name: `level${level}/timeline-date.log`, size: capture.length }, capture);
    if (inner) {
      const b = readFileSync(inner);
      pack.entry({ name: `level${level}/nest-${level + 1}.tar.gz`, size: b.length }, b);
      rmSync(inner);
    }
    pack.finalize();
    await once(out, 'close');
    inner = path;
  }
}

// A walked folder with a FIFO, a symlink to /dev/zero and one real capture.
{
  const d = join(dir, 'specials');
  mkdirSync(d, { recursive: true });
  copyFileSync(join(root, 'samples/kernel-6.18/unconnected-leak/timeline-date.log'), join(d, 'timeline-date.log'));
  if (!existsSync(join(d, 'fifo'))) execFileSync('mkfifo', [join(d, 'fifo')]);
  if (!existsSync(join(d, 'zero.log'))) symlinkSync('/dev/zero', join(d, 'zero.log'));
}
writeFileSync(join(dir, 'v.log'), capture);

// --- runs --------------------------------------------------------------------------------
const size = (p) => {
  try {
    const s = statSync(p);
    return s.isFile() ? `${(s.size / 1048576).toFixed(1)} MiB` : s.isDirectory() ? 'folder' : 'device';
  } catch {
    return '-';
  }
};
const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** [what, args, the input shown, an extra check] */
const cases = [
  ['gzip bomb: a sockstat line, then 2 GiB of spaces (~1030:1)', ['analyze', 'bomb.gz']],
  ['xz bomb: 1 GiB of one sockstat line', ['analyze', 'bomb.xz']],
  ['zip: 2,000 entries on one 64 MiB deflate body (134 GB listed)', ['analyze', 'overlap.zip']],
  ['.tar.gz 6 levels deep, 16 hidden 8 MiB members each', ['analyze', 'nested.tar.gz']],
  ['.tar.gz 10 levels deep (limit 8), a capture at each', ['analyze', 'nest-1.tar.gz']],
  ['tar of 250,000 members (limit 200,000)', ['analyze', 'members.tar']],
  ['20,000 hosts of one row each (sadf -d)', ['analyze', 'hosts.sadf']],
  ['near-bomb: 1 GiB of untimed sockstat lines, gzip under the ratio', ['analyze', 'near-bomb.log.gz']],
  ['128 MiB of timed sadf -d rows, one host (3 million moments)', ['analyze', 'sadf-rows.log.gz']],
  ['a 256 MiB line between two captures', ['analyze', 'long.log']],
  ['200 runs of 64 KiB NULs in a capture log', ['analyze', 'crash.log']],
  ['/dev/zero named on the command line', ['analyze', '/dev/zero']],
  ['a folder with a FIFO, a link to /dev/zero and a capture', ['analyze', 'specials']],
  ['`analyze v.log -o v.log` (the output is the input)', ['analyze', 'v.log', '-o', 'v.log'], 'v.log'],
  ['`explain specials -o specials/z.txt` (output inside an input folder)', ['explain', 'specials', '-o', 'specials/z.txt'], 'specials'],
];

const rows = [];
let failed = 0;
for (const [what, args, unchanged] of cases) {
  const input = args[1];
  const p = input.startsWith('/') ? input : join(dir, input);
  if (!existsSync(p)) continue;
  const own = args.includes('-o');
  const report = join(dir, `report-${rows.length}.json`);
  const full = own ? args : [...args, '--format', 'json', '-o', report];
  const before = unchanged && statSync(join(dir, unchanged)).isFile() ? sha(join(dir, unchanged)) : undefined;
  log(`run: sockscope ${full.join(' ')}`);
  const r = spawnSync('timeout', ['-s', 'KILL', String(TIMEOUT_S), '/usr/bin/time', '-v', process.execPath, cli, ...full], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  const [, mm, ss] = /Elapsed \(wall clock\) time .*: (?:(\d+):)?([\d.]+)$/m.exec(r.stderr) ?? [];
  const status = Number(/Exit status: (\d+)/.exec(r.stderr)?.[1] ?? r.status);
  const timedOut = r.status === 137 || r.signal === 'SIGKILL';
  let said;
  try {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    const notes = [...j.inputs.problems.map((x) => `${x.source.replace(dir + '/', '')}: ${x.reason}`), ...j.notices, ...(j.inputs.skipped ?? []).map((s) => `${s.source}: ${s.reason}`)];
    said = `${j.inputs.snapshots} snapshot(s)${notes.length ? `; ${notes[0].slice(0, 160)}${notes.length > 1 ? ` (+${notes.length - 1} more)` : ''}` : ''}`;
  } catch {
    said = r.stderr.split('\n').find((l) => l.startsWith('sockscope:'))?.slice(0, 160) ?? '';
  }
  if (before !== undefined) said += before === sha(join(dir, unchanged)) ? '; the input is unchanged' : '; THE INPUT WAS CHANGED';
  const ok = !timedOut && rss <= MAX_RSS_MIB && !said.includes('WAS CHANGED');
  if (!ok) failed++;
  rows.push(`| ${what} | ${size(p)} | ${timedOut ? 'killed' : status} | ${timedOut ? `> ${TIMEOUT_S}` : (Number(mm ?? 0) * 60 + Number(ss)).toFixed(1)} | ${rss.toFixed(0)} | ${said.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${ok ? 'ok' : 'FAIL'} |`);
}
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
process.stdout.write(`Node ${process.version}, load ${load}, timeout ${TIMEOUT_S} s, memory bound ${MAX_RSS_MIB} MiB\n\n`);
process.stdout.write('| input | size | exit | wall s | peak RSS MiB | what the report or stderr said (first note) | |\n|---|---:|---:|---:|---:|---|---|\n');
process.stdout.write(rows.join('\n') + '\n');
if (process.argv[2] === undefined) rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
