#!/usr/bin/env node
// node bench/archive.mjs [--runs 5 --messages 300M]  (also run by bench/run.mjs)
// Archives at the speed of their decompressor: a big sosreport (the real sample sosreport
// samples/bundles/sosreport-vm-2026-11-25-corpus.tar.xz plus a generated var/log/messages
// of ~300 MB, the size common in real sosreports) packed as .tar.gz and .tar.xz, read by
// `sockscope analyze` and by `gzip -dc` / `xz -dc` alternately in one run. Prints medians
// with their spread (min-max), the throughput ratio, and peak RSS.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1] ?? true;
};
const runs = Number(arg('runs', 5));
const msgMiB = parseInt(arg('messages', '300M'), 10);
const data = join(root, 'bench/data');
mkdirSync(data, { recursive: true });
const bin = join(root, 'dist/cli/main.js');

const sh = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
};

/** A syslog of `mib` MiB: kernel and daemon lines of the shapes real messages files hold. */
async function messages(path, mib) {
  const out = createWriteStream(path);
  const progs = ['kernel', 'systemd[1]', 'sshd[2211]', 'chronyd[812]', 'NetworkManager[977]', 'crond[1402]'];
  const texts = [
    'TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.',
    'Started Session 4123 of user root.',
    'Accepted publickey for root from 10.0.0.7 port 51514 ssh2: RSA SHA256:Q2xvdWQgcGF0aCBzaG91bGQgbm90',
    'Selected source 10.1.1.1',
    '<info>  [1764031000.1234] device (eth0): state change: activated -> activated',
    '(root) CMD (run-parts /etc/cron.hourly)',
  ];
  let n = 0;
  let t = Date.UTC(2026, 10, 18) / 1000;
  const target = mib * 1048576;
  while (n < target) {
    let chunk = '';
    for (let i = 0; i < 2000; i++) {
      t += 0.37;
      const d = new Date(t * 1000);
      const stamp = `Nov ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
      const k = (i * 7 + Math.floor(t)) % progs.length;
      chunk += `${stamp} vm ${progs[k]}: ${texts[k]} seq=${Math.floor(t * 10) % 100000}\n`;
    }
    n += chunk.length;
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

/** The .tar.gz and .tar.xz of the big sosreport, built once into bench/data/. */
export async function buildArchives(mib = msgMiB) {
  const name = 'sosreport-vm-2026-11-25-corpus';
  const gz = join(data, `sos-big-${mib}M.tar.gz`);
  const xz = join(data, `sos-big-${mib}M.tar.xz`);
  if (existsSync(gz) && existsSync(xz)) return { gz, xz };
  const dir = join(data, `sos-big-${mib}M`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  sh('tar', ['-xJf', join(root, 'samples/bundles', `${name}.tar.xz`), '-C', dir]);
  mkdirSync(join(dir, name, 'var/log'), { recursive: true });
  process.stderr.write(`generating ${mib} MiB var/log/messages...\n`);
  await messages(join(dir, name, 'var/log/messages'), mib);
  // sos packs its tree with Python's tarfile, which adds a directory's entries in sorted order.
  const tar = join(data, `sos-big-${mib}M.tar`);
  sh('tar', ['--sort=name', '-cf', tar, '-C', dir, name]);
  process.stderr.write('compressing (gzip -6, xz -1 -T2)...\n');
  sh('sh', ['-c', `gzip -6 -c '${tar}' > '${gz}.tmp' && mv '${gz}.tmp' '${gz}'`]);
  sh('sh', ['-c', `xz -1 -T2 -c '${tar}' > '${xz}.tmp' && mv '${xz}.tmp' '${xz}'`]);
  rmSync(tar);
  rmSync(dir, { recursive: true, force: true });
  return { gz, xz };
}

function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { secs: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), rssKiB: Number(rss[1]) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function archiveBench(n = runs) {
  const { gz, xz } = await buildArchives();
  let out = `\narchives: a sosreport with a ${msgMiB} MiB var/log/messages (${n} runs each, alternating; medians, min-max)\n\n`;
  out += '| input | MiB stored | decompressor s | sockscope analyze s | ratio (decompressor / sockscope) | sockscope peak RSS MiB |\n|---|---:|---:|---:|---:|---:|\n';
  const native = spawnSync('sh', ['-c', 'command -v xz'], { encoding: 'utf8' }).status === 0;
  for (const [file, dec] of [[gz, ['gzip', '-dc']], [xz, ['xz', '-dc']]]) {
    const d = [];
    const s = [];
    for (let i = 0; i < n; i++) {
      d.push(timed(['sh', '-c', `${dec.join(' ')} '${file}' > /dev/null`]));
      s.push(timed([process.execPath, bin, 'analyze', file, '--format', 'json', '-o', '/dev/null', '--quiet']));
      process.stderr.write(`run ${i + 1}/${n} ${file.split('/').pop()}: ${dec[0]} ${d[i].secs.toFixed(2)} s, sockscope ${s[i].secs.toFixed(2)} s\n`);
    }
    const ds = d.map((x) => x.secs);
    const ss = s.map((x) => x.secs);
    const md = median(ds);
    const ms = median(ss);
    const span = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
    out += `| ${file.split('/').pop()} | ${(statSync(file).size / 1048576).toFixed(1)} | \`${dec.join(' ')}\` ${md.toFixed(2)} (${span(ds)}) | ${ms.toFixed(2)} (${span(ss)}) | ${(md / ms).toFixed(2)}x | ${(Math.max(...s.map((x) => x.rssKiB)) / 1024).toFixed(0)} |\n`;
  }
  out += `\nxz decoder used by sockscope for these files: ${native ? 'the system xz -dc (on PATH; files over 256 KiB)' : 'WebAssembly (no xz on PATH)'}\n`;
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(await archiveBench());
